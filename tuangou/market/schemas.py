from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import MAX_QUANTITY, MAX_STOCK, NOT_A_BOOLEAN, Id, PriceFen
from tuangou.core.validation import Name

Units = Annotated[int, Field(ge=1, le=MAX_STOCK), NOT_A_BOOLEAN]
OfferUnits = Annotated[int, Field(ge=0, le=MAX_STOCK), NOT_A_BOOLEAN]


def _images(product) -> list[str]:
    return [image.image.url for image in product.images.all()]


class MarketOfferOut(Schema):
    """An offer as other shops see it in the market: nothing of the supplier but its name."""

    id: int
    supplier_name: str
    product_name: str
    spec: str
    unit: str
    description: str
    images: list[str]
    supply_price_fen: int
    retail_price_fen: int
    min_order: int
    units_available: int
    adopted_link_id: int | None

    @staticmethod
    def resolve_supplier_name(obj):
        return obj.shop.name

    @staticmethod
    def resolve_product_name(obj):
        return obj.sku.product.name

    @staticmethod
    def resolve_spec(obj):
        return obj.sku.spec

    @staticmethod
    def resolve_unit(obj):
        return obj.sku.product.unit

    @staticmethod
    def resolve_images(obj):
        return _images(obj.sku.product)

    @staticmethod
    def resolve_units_available(obj):
        return min(obj.units_left, obj.sku.stock)

    @staticmethod
    def resolve_adopted_link_id(obj):
        mine = getattr(obj, "mine", [])
        return mine[0].id if mine else None


class OfferIn(Schema):
    sku_id: Id
    supply_price_fen: PriceFen
    retail_price_fen: PriceFen = 0
    units: OfferUnits
    min_order: Annotated[int, Field(ge=1, le=MAX_QUANTITY), NOT_A_BOOLEAN] = 1
    description: Annotated[Name, Field(max_length=200)] = ""


class OfferOut(Schema):
    """The supplier's own offer."""

    id: int
    sku_id: int
    product_name: str
    spec: str
    images: list[str]
    supply_price_fen: int
    retail_price_fen: int
    min_order: int
    description: str
    status: str
    status_label: str
    units_left: int
    units_allotted: int
    stock: int
    seller_count: int = 0

    @staticmethod
    def resolve_product_name(obj):
        return obj.sku.product.name

    @staticmethod
    def resolve_spec(obj):
        return obj.sku.spec

    @staticmethod
    def resolve_images(obj):
        return _images(obj.sku.product)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_stock(obj):
        return obj.sku.stock


class AdoptIn(Schema):
    price_fen: PriceFen
    units: OfferUnits = 0
    name: Annotated[Name, Field(max_length=60)] = ""


class UnitsIn(Schema):
    units: Units


class LinkOut(Schema):
    """A seller's item sold from a supplier's offer."""

    id: int
    offer_id: int
    supplier_name: str
    product_id: int
    product_name: str
    spec: str
    price_fen: int
    supply_price_fen: int
    stock: int
    units_allotted: int
    offer_listed: bool

    @staticmethod
    def resolve_supplier_name(obj):
        return obj.supplier.name

    @staticmethod
    def resolve_product_id(obj):
        return obj.sku.product_id

    @staticmethod
    def resolve_product_name(obj):
        return obj.sku.product.name

    @staticmethod
    def resolve_spec(obj):
        return obj.sku.spec

    @staticmethod
    def resolve_price_fen(obj):
        return obj.sku.price_fen

    @staticmethod
    def resolve_supply_price_fen(obj):
        return obj.units_supply_price_fen

    @staticmethod
    def resolve_stock(obj):
        return obj.sku.stock

    @staticmethod
    def resolve_offer_listed(obj):
        return obj.offer.status == obj.offer.Status.LISTED


class DropshipLineOut(Schema):
    product_name: str
    spec: str
    quantity: int
    refunded_quantity: int
    supply_price_fen: int


class DropshipOut(Schema):
    """A dropship order as its supplier ships it: the seller's order number and the destination."""

    id: int
    seller_name: str
    order_number: str
    status: str
    status_label: str
    destination: str
    destination_label: str
    point_name: str
    recipient_name: str
    recipient_phone: str
    address: str
    carrier: str
    tracking_no: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    lines: list[DropshipLineOut]
    supply_total_fen: int

    @staticmethod
    def resolve_seller_name(obj):
        return obj.seller.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_destination_label(obj):
        return obj.get_destination_display()

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_supply_total_fen(obj):
        return sum(line.supply_price_fen * (line.quantity - line.refunded_quantity) for line in obj.lines.all())


class DropshipShipIn(Schema):
    carrier: Annotated[Name, Field(min_length=1, max_length=20)]
    tracking_no: Annotated[Name, Field(min_length=1, max_length=30)]


class OrderDropshipLineOut(Schema):
    product_name: str
    spec: str
    quantity: int
    refunded_quantity: int


class OrderDropshipOut(Schema):
    """The supplier's shipping status of an order's dropshipped lines (seller's console, member's page)."""

    id: int
    status: str
    status_label: str
    carrier: str
    tracking_no: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[OrderDropshipLineOut]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class ConsoleOrderDropshipOut(OrderDropshipOut):
    supplier_name: str

    @staticmethod
    def resolve_supplier_name(obj):
        return obj.shop.name


class SettlementOut(Schema):
    id: int
    order_number: str
    counterpart_name: str
    dropship_status: str
    supply_due_fen: int
    status: str
    status_label: str
    due_at: datetime | None
    settled_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_order_number(obj):
        return obj.dropship.order_number

    @staticmethod
    def resolve_dropship_status(obj):
        return obj.dropship.get_status_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class SellerSettlementOut(SettlementOut):
    """The seller's side: what the member paid and its margin too."""

    order_id: int
    paid_fen: int
    margin_fen: int

    @staticmethod
    def resolve_counterpart_name(obj):
        return obj.supplier.name


class SupplierSettlementOut(SettlementOut):
    """The supplier's side: only the supply price due (the seller's takings are not its business)."""

    @staticmethod
    def resolve_counterpart_name(obj):
        return obj.shop.name


class TotalsOut(Schema):
    count: int
    paid_fen: int
    supply_due_fen: int
    margin_fen: int


class SupplierTotalsOut(Schema):
    count: int
    supply_due_fen: int


class LedgerTotalsOut(Schema):
    pending: TotalsOut
    due: TotalsOut
    settled: TotalsOut


class SupplierLedgerTotalsOut(Schema):
    pending: SupplierTotalsOut
    due: SupplierTotalsOut
    settled: SupplierTotalsOut


class SellerLedgerOut(Schema):
    totals: LedgerTotalsOut
    items: list[SellerSettlementOut]


class SupplierLedgerOut(Schema):
    totals: SupplierLedgerTotalsOut
    items: list[SupplierSettlementOut]


class SettleIn(Schema):
    settlement_ids: list[Id] | None = Field(None, max_length=500)


class SettledOut(Schema):
    settled: int
