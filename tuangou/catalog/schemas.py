from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import NOT_A_BOOLEAN, Id, PriceFen, PurchaseLimit, Sort, Stock, StockDelta
from tuangou.core.validation import Name, Text

ProductStatus = Literal["on_shelf", "off_shelf"]
ProductKind = Literal["physical", "voucher", "service", "topup"]
ProductDeal = Literal["", "new_member", "once_per_member"]
UsesPerUnit = Annotated[int, Field(ge=1, le=1000), NOT_A_BOOLEAN]
ValidDays = Annotated[int, Field(ge=0, le=3660), NOT_A_BOOLEAN]
FaceValueFen = Annotated[int, Field(ge=0, le=100_000_00), NOT_A_BOOLEAN]  # ¥100,000: no phone takes more
DealLimit = Annotated[int, Field(ge=1, le=100), NOT_A_BOOLEAN]


class ServiceFields(Schema):
    """What a product that is not shipped carries: its kind, how long and how often its codes
    serve, a top-up's face value, and whether it is a 0.01元 deal (引流品) with its own limit."""

    kind: ProductKind = "physical"
    uses_per_unit: UsesPerUnit = 1
    valid_days: ValidDays = 0
    valid_from: date | None = None
    valid_until: date | None = None
    face_value_fen: FaceValueFen = 0
    deal: ProductDeal = ""
    deal_limit: DealLimit = 1


class ServicePatch(Schema):
    kind: ProductKind | None = None
    uses_per_unit: UsesPerUnit | None = None
    valid_days: ValidDays | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    face_value_fen: FaceValueFen | None = None
    deal: ProductDeal | None = None
    deal_limit: DealLimit | None = None


class CategoryIn(Schema):
    name: Name = Field(..., max_length=30)
    sort: Sort = 0


class CategoryPatch(Schema):
    name: Name | None = Field(None, max_length=30)
    sort: Sort | None = None


class CategoryOut(Schema):
    id: int
    name: str
    sort: int
    product_count: int = 0


class SkuIn(Schema):
    spec: Name = Field("", max_length=40)
    code: Name = Field("", max_length=40)
    price_fen: PriceFen
    cost_fen: PriceFen = 0
    stock: Stock = 0


class SkuPatch(Schema):
    id: Id | None = None  # absent: a new SKU
    spec: Name | None = Field(None, max_length=40)
    code: Name | None = Field(None, max_length=40)
    price_fen: PriceFen | None = None
    cost_fen: PriceFen | None = None
    stock: Stock | None = None  # opening stock of a new SKU; existing ones change through adjustments
    is_active: bool | None = None


class ProductIn(ServiceFields):
    name: Name = Field(..., max_length=60)
    category_id: Id | None = None
    description: Text = Field("", max_length=5000)
    unit: Name = Field("份", max_length=10)
    purchase_limit: PurchaseLimit = 0
    status: ProductStatus = "on_shelf"
    skus: list[SkuIn]


class ProductPatch(ServicePatch):
    name: Name | None = Field(None, max_length=60)
    category_id: Id | None = None
    description: Text | None = Field(None, max_length=5000)
    unit: Name | None = Field(None, max_length=10)
    purchase_limit: PurchaseLimit | None = None
    skus: list[SkuPatch] | None = None


class SkuOut(Schema):
    id: int
    spec: str
    code: str
    price_fen: int
    cost_fen: int
    stock: int
    is_active: bool


class ImageOut(Schema):
    id: int
    url: str
    sort: int

    @staticmethod
    def resolve_url(obj):
        return obj.image.url


def _category_name(obj) -> str:
    return obj.category.name if obj.category_id else ""


class ProductListOut(Schema):
    id: int
    name: str
    category_id: int | None
    category_name: str
    status: str
    unit: str
    purchase_limit: int
    kind: str
    deal: str
    min_price_fen: int | None
    total_stock: int
    sku_count: int
    cover_url: str | None

    @staticmethod
    def resolve_category_name(obj):
        return _category_name(obj)

    @staticmethod
    def resolve_total_stock(obj):
        return obj.total_stock or 0

    @staticmethod
    def resolve_cover_url(obj):
        images = list(obj.images.all())
        return images[0].image.url if images else None


class ProductOut(Schema):
    id: int
    name: str
    category_id: int | None
    category_name: str
    description: str
    unit: str
    status: str
    purchase_limit: int
    kind: str
    uses_per_unit: int
    valid_days: int
    valid_from: date | None
    valid_until: date | None
    face_value_fen: int
    deal: str
    deal_limit: int
    skus: list[SkuOut]
    images: list[ImageOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_category_name(obj):
        return _category_name(obj)

    @staticmethod
    def resolve_skus(obj):
        return list(obj.skus.all())

    @staticmethod
    def resolve_images(obj):
        return list(obj.images.all())


class ImageOrderIn(Schema):
    image_ids: list[Id] = Field(..., max_length=100)


class StockAdjustIn(Schema):
    delta: StockDelta
    reason: Literal["purchase", "adjustment", "damage"]
    note: Text = Field("", max_length=200)


class StockMovementOut(Schema):
    id: int
    sku_id: int
    delta: StockDelta
    stock_after: int
    reason: str
    reason_label: str
    note: str
    actor_name: str
    created_at: datetime

    @staticmethod
    def resolve_reason_label(obj):
        return obj.get_reason_display()

    @staticmethod
    def resolve_actor_name(obj):
        return obj.actor.name if obj.actor_id else ""
