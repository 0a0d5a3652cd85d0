from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from tuangou.core.bounds import NOT_A_BOOLEAN, Id, Int, Quantity
from tuangou.core.validation import Name, Text

Direction = Literal["to_warehouse", "to_central"]
Community = Annotated[Name, Field(min_length=1, max_length=60)]


class WarehouseIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    address: Name = Field(..., min_length=1, max_length=200)
    lat: float = Field(..., ge=3, le=54, description="GCJ-02/WGS-84 latitude; China only")
    lng: float = Field(..., ge=73, le=136)
    radius_m: Int = Field(3000, ge=0, le=100_000)  # 0: only the communities named
    communities: list[Community] = Field([], max_length=200)
    is_active: bool = True


class WarehousePatch(Schema):
    name: Name | None = Field(None, min_length=1, max_length=40)
    address: Name | None = Field(None, min_length=1, max_length=200)
    lat: float | None = Field(None, ge=3, le=54)
    lng: float | None = Field(None, ge=73, le=136)
    radius_m: Annotated[int, Field(ge=0, le=100_000), NOT_A_BOOLEAN] | None = None
    communities: list[Community] | None = Field(None, max_length=200)
    is_active: bool | None = None


class WarehouseOut(Schema):
    id: int
    name: str
    address: str
    lat: float
    lng: float
    radius_m: int
    communities: list[str]
    is_active: bool
    sku_count: int = 0
    created_at: datetime


class WarehouseStockOut(Schema):
    sku_id: int
    product_name: str
    spec: str
    quantity: int
    central_stock: int

    @staticmethod
    def resolve_product_name(obj):
        return obj.sku.product.name

    @staticmethod
    def resolve_spec(obj):
        return obj.sku.spec

    @staticmethod
    def resolve_central_stock(obj):
        return obj.sku.stock


class TransferLineIn(Schema):
    sku_id: Id
    quantity: Quantity


class TransferIn(Schema):
    direction: Direction
    lines: list[TransferLineIn] = Field(..., min_length=1, max_length=200)
    note: Text = Field("", max_length=200)


class TransferLineOut(Schema):
    sku_id: int
    product_name: str
    spec: str
    quantity: int


class TransferOut(Schema):
    id: int
    direction: str
    direction_label: str
    lines: list[TransferLineOut]
    note: str
    actor_name: str
    created_at: datetime

    @staticmethod
    def resolve_direction_label(obj):
        return obj.get_direction_display()

    @staticmethod
    def resolve_actor_name(obj):
        return obj.actor.name if obj.actor_id else ""


class AddressIn(Schema):
    recipient_name: Name = Field(..., min_length=1, max_length=30)
    recipient_phone: Name = Field(..., min_length=1, max_length=20)
    community: Name = Field(..., min_length=1, max_length=60)
    address: Name = Field(..., min_length=1, max_length=200)
    lat: float | None = Field(None, ge=3, le=54)  # none: the location of my leader's pickup point
    lng: float | None = Field(None, ge=73, le=136)
    is_default: bool = False


class AddressPatch(Schema):
    recipient_name: Name | None = Field(None, min_length=1, max_length=30)
    recipient_phone: Name | None = Field(None, min_length=1, max_length=20)
    community: Name | None = Field(None, min_length=1, max_length=60)
    address: Name | None = Field(None, min_length=1, max_length=200)
    lat: float | None = Field(None, ge=3, le=54)
    lng: float | None = Field(None, ge=73, le=136)
    is_default: bool | None = None


class AddressOut(Schema):
    id: int
    recipient_name: str
    recipient_phone: str
    community: str
    address: str
    lat: float
    lng: float
    is_default: bool


class CourierIn(Schema):
    phone: Name = Field(..., min_length=1, max_length=20)
    name: Name = Field(..., min_length=1, max_length=30)


class CourierPatch(Schema):
    name: Name | None = Field(None, min_length=1, max_length=30)
    is_active: bool | None = None


class CourierOut(Schema):
    id: int
    name: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_phone(obj):
        return obj.user.phone or ""


class RoutesPlanIn(Schema):
    max_stops: Int = Field(30, ge=1, le=200)  # stops one courier takes at most


class RouteAssignIn(Schema):
    courier_id: Id | None = None  # none: unassign


class DeliveryConfirmIn(Schema):
    code: Name = Field(..., min_length=1, max_length=12)


class StopItemOut(Schema):
    product_name: str
    spec: str
    quantity: int


class StopOut(Schema):
    sequence: int | None
    order_id: int
    order_number: str
    status: str
    status_label: str
    recipient_name: str
    recipient_phone: str
    community: str
    address: str
    lat: float
    lng: float
    leg_m: int
    items: list[StopItemOut]
    note: str
    delivered_at: datetime | None
    delivered_by_name: str


class RouteOut(Schema):
    id: int
    campaign_id: int
    campaign_title: str
    warehouse_id: int
    warehouse_name: str
    warehouse_address: str
    delivery_date: date
    slot: str
    number: int
    name: str
    courier_id: int | None
    courier_name: str
    distance_m: int
    solver: str
    stop_count: int
    delivered_count: int
    stops: list[StopOut]


class RouteTotalsOut(Schema):
    route_count: int
    stop_count: int
    distance_m: int


class DeliverySheetOut(Schema):
    campaign_id: int
    campaign_title: str
    generated_at: datetime
    routes: list[RouteOut]
    unplanned_count: int
    totals: RouteTotalsOut


class DeliveryConfirmOut(Schema):
    order_id: int
    sequence: int | None
    delivered_at: datetime
    delivered_by_name: str

    @staticmethod
    def resolve_delivered_by_name(obj):
        return obj.delivered_by.name if obj.delivered_by_id else ""
