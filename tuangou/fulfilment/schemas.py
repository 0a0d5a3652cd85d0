from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from tuangou.core.bounds import Id
from tuangou.core.errors import ApplicationError

SheetKind = Literal["purchase", "shipping", "sorting"]


class SheetHeaderOut(Schema):
    kind_label: str
    shop_name: str
    campaign_id: int
    campaign_title: str
    campaign_status: str
    cutoff_at: datetime
    pickup_at: datetime
    generated_at: datetime


class PurchaseItemOut(Schema):
    sku_id: int
    product_name: str
    unit: str
    spec: str
    sku_code: str
    unit_cost_fen: int
    quantity: int
    cost_fen: int
    amount_fen: int
    order_count: int
    point_count: int


class PurchaseTotalsOut(Schema):
    quantity: int
    cost_fen: int
    amount_fen: int


class PurchaseSheetOut(SheetHeaderOut):
    """采购单 (以销定采): what to buy per SKU."""

    items: list[PurchaseItemOut]
    totals: PurchaseTotalsOut


class PointOut(Schema):
    pickup_point_id: int
    route: str
    point_name: str
    community: str
    address: str
    leader_name: str
    leader_phone: str


class ShippingItemOut(Schema):
    sku_id: int
    sku_code: str
    product_name: str
    spec: str
    quantity: int


class ShippingPointOut(PointOut):
    order_count: int
    total_quantity: int
    items: list[ShippingItemOut]


class ShippingRouteOut(Schema):
    route: str
    points: list[ShippingPointOut]


class SheetTotalsOut(Schema):
    point_count: int
    order_count: int
    quantity: int


class ShippingSheetOut(SheetHeaderOut):
    """发货单: per delivery route and pickup point."""

    routes: list[ShippingRouteOut]
    totals: SheetTotalsOut


class SortingItemOut(Schema):
    product_name: str
    spec: str
    quantity: int


class SortingOrderOut(Schema):
    order_id: int
    order_number: str
    pickup_code: str
    member_name: str
    phone_tail: str
    total_quantity: int
    items: list[SortingItemOut]


class SortingPointOut(PointOut):
    order_count: int
    total_quantity: int
    orders: list[SortingOrderOut]


class SortingSheetOut(SheetHeaderOut):
    """分拣单: per pickup point, by member; a page of its points, the totals of all of them."""

    page: int
    page_size: int
    points: list[SortingPointOut] = Field(description="this page's points, in the sheet's order")
    totals: SheetTotalsOut = Field(description="the whole list's: point_count / page_size pages")


class ShipIn(Schema):
    pickup_point_ids: list[Id] | None = Field(None, max_length=5000)  # None: every point with goods


class ShipOut(Schema):
    shipped_point_ids: list[int]
    already_shipped_point_ids: list[int]
    skipped_point_ids: list[int]
    moved_orders: int


class ShipmentStatusOut(Schema):
    pickup_point_id: int
    point_name: str
    route: str
    community: str
    leader_name: str
    leader_phone: str
    status: Literal["pending", "shipped", "arrived"]
    shipment_id: int | None
    shipped_at: datetime | None
    arrived_at: datetime | None
    notice_sent_at: datetime | None
    order_count: int
    confirmed_count: int
    shipped_count: int
    arrived_count: int
    picked_up_count: int


class LeaderShipmentOut(Schema):
    id: int
    campaign_id: int
    campaign_title: str
    pickup_at: datetime
    pickup_point_id: int
    point_name: str
    status: str
    status_label: str
    shipped_at: datetime
    arrived_at: datetime | None
    notice_sent_at: datetime | None
    order_count: int
    waiting_count: int

    @staticmethod
    def resolve_campaign_title(obj) -> str:
        return obj.campaign.title

    @staticmethod
    def resolve_pickup_at(obj) -> datetime:
        return obj.campaign.pickup_at

    @staticmethod
    def resolve_point_name(obj) -> str:
        return obj.pickup_point.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ArrivalOut(Schema):
    shipment: LeaderShipmentOut
    moved_orders: int


class PickupNoticeOut(Schema):
    notified_members: int
    orders: int
    notice_sent_at: datetime | None


ExportFormat = Literal["xlsx", "pdf"]


class ExportJobIn(Schema):
    kind: SheetKind
    format: ExportFormat


class ExportJobOut(Schema):
    """A sheet file being generated: poll it until status is done, then follow download_url."""

    id: int
    campaign_id: int
    kind: SheetKind
    format: ExportFormat
    status: Literal["queued", "running", "done", "failed"]
    progress: int
    download_url: str | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_download_url(obj) -> str | None:
        if obj.status != "done":
            return None
        return reverse("api:download_export", kwargs={"shop_id": obj.shop_id, "export_id": obj.id})

    @staticmethod
    def resolve_error(obj) -> str | None:
        # Stored once, in Chinese; wrapped in the reader's language.
        return ApplicationError("export_failed", reason=obj.error).message() if obj.error else None
