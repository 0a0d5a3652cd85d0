from datetime import datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import Field, field_validator

from tuangou.core.bounds import CommissionBp, Id, PriceFen, PurchaseLimit, Stock, Threshold
from tuangou.core.validation import Moment, Name, Text

from .selectors import campaign_progress

Template = Literal["fast", "rich"]
ThresholdType = Literal["members", "quantity"]
FulfilmentMode = Literal["pickup", "delivery", "both"]
# A delivery slot on the delivery (pickup) date, "09:00-12:00".
DeliverySlot = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$")]
CampaignStatus = Literal["draft", "scheduled", "live", "closed", "succeeded", "failed", "cancelled"]


class CampaignItemIn(Schema):
    sku_id: Id
    price_fen: PriceFen
    stock_allotted: Stock
    purchase_limit: PurchaseLimit | None = None  # absent: the product's limit
    commission_rate_bp: CommissionBp | None = None  # absent: the leader's rate


def _aware(value: datetime | None) -> datetime | None:
    """A time without an offset is read in the server's time zone (comparing it with a stored,
    aware time would otherwise fail)."""
    return timezone.make_aware(value) if value is not None and timezone.is_naive(value) else value


class CampaignIn(Schema):
    title: Name = Field(..., max_length=60)
    description: Text = Field("", max_length=5000)
    template: Template = "fast"
    starts_at: Moment
    cutoff_at: Moment
    pickup_at: Moment
    threshold_type: ThresholdType = "members"
    threshold_value: Threshold = 1
    all_leaders: bool = True
    leader_ids: list[Id] = Field([], max_length=10_000)
    items: list[CampaignItemIn] = Field(..., max_length=200)
    fulfilment_mode: FulfilmentMode = "pickup"
    delivery_fee_fen: PriceFen = 0
    delivery_free_above_fen: PriceFen | None = None  # none: the fee is always charged
    delivery_slots: list[DeliverySlot] = Field([], max_length=12)

    @field_validator("starts_at", "cutoff_at", "pickup_at")
    @classmethod
    def _aware_times(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class CampaignPatch(Schema):
    title: Name | None = Field(None, max_length=60)
    description: Text | None = Field(None, max_length=5000)
    template: Template | None = None
    starts_at: Moment | None = None
    cutoff_at: Moment | None = None
    pickup_at: Moment | None = None
    threshold_type: ThresholdType | None = None
    threshold_value: Threshold | None = None
    all_leaders: bool | None = None
    leader_ids: list[Id] | None = Field(None, max_length=10_000)
    items: list[CampaignItemIn] | None = Field(None, max_length=200)
    fulfilment_mode: FulfilmentMode | None = None
    delivery_fee_fen: PriceFen | None = None
    delivery_free_above_fen: PriceFen | None = None  # sent as null: the fee is always charged
    delivery_slots: list[DeliverySlot] | None = Field(None, max_length=12)

    @field_validator("starts_at", "cutoff_at", "pickup_at")
    @classmethod
    def _aware_times(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class CampaignDuplicateIn(Schema):
    title: Name | None = Field(None, max_length=60)
    starts_at: Moment
    cutoff_at: Moment
    pickup_at: Moment

    @field_validator("starts_at", "cutoff_at", "pickup_at")
    @classmethod
    def _aware_times(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class CampaignExtendCutoffIn(Schema):
    cutoff_at: datetime
    pickup_at: datetime | None = None  # absent: pickup stays; it must still be after the new cut-off
    reason: str = Field(..., max_length=200)

    @field_validator("cutoff_at", "pickup_at")
    @classmethod
    def _aware_times(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class CampaignCancelIn(Schema):
    reason: Text = Field("", max_length=200)


class ProgressOut(Schema):
    threshold_type: str
    threshold_value: int
    members: int
    quantity: int
    current: int
    percent: int
    reached: bool


def _images(item) -> list[str]:
    return [image.image.url for image in item.sku.product.images.all()]


def _cover(campaign) -> str | None:
    for item in campaign.items.all():
        images = _images(item)
        if images:
            return images[0]
    return None


class CampaignItemOut(Schema):
    id: int
    sku_id: int
    product_id: int
    product_name: str
    spec: str
    unit: str
    sku_price_fen: int
    sku_stock: int
    price_fen: int
    stock_allotted: int
    stock_left: int
    stock_returned: int
    sold: int
    purchase_limit: int
    commission_rate_bp: int | None
    images: list[str]

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
    def resolve_unit(obj):
        return obj.sku.product.unit

    @staticmethod
    def resolve_sku_price_fen(obj):
        return obj.sku.price_fen

    @staticmethod
    def resolve_sku_stock(obj):
        return obj.sku.stock

    @staticmethod
    def resolve_sold(obj):
        return obj.stock_allotted - obj.stock_left - obj.stock_returned

    @staticmethod
    def resolve_images(obj):
        return _images(obj)


class CampaignEventOut(Schema):
    id: int
    type: str
    from_status: str
    to_status: str
    actor_name: str
    data: dict
    created_at: datetime

    @staticmethod
    def resolve_actor_name(obj):
        return obj.actor.name if obj.actor_id else "系统"


class CampaignLeaderOut(Schema):
    leader_id: int
    name: str
    pickup_point_name: str
    joined_at: datetime | None

    @staticmethod
    def resolve_name(obj):
        return obj.leader.name

    @staticmethod
    def resolve_pickup_point_name(obj):
        point = getattr(obj.leader, "pickup_point", None)
        return point.name if point else ""


class _CampaignBase(Schema):
    id: int
    title: str
    status: str
    status_label: str
    template: str
    starts_at: datetime
    cutoff_at: datetime
    pickup_at: datetime
    progress: ProgressOut
    fulfilment_mode: str
    delivery_fee_fen: int
    delivery_free_above_fen: int | None
    delivery_slots: list[str]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_progress(obj):
        return campaign_progress(campaign=obj)


class CampaignListOut(_CampaignBase):
    item_count: int
    min_price_fen: int | None
    paid_orders: int
    paid_quantity: int
    paid_amount_fen: int
    created_at: datetime


class CampaignOut(_CampaignBase):
    description: str
    threshold_type: str
    threshold_value: int
    all_leaders: bool
    paid_orders: int
    paid_quantity: int
    paid_amount_fen: int
    source_id: int | None
    created_by_name: str
    created_at: datetime
    items: list[CampaignItemOut]
    leaders: list[CampaignLeaderOut]
    events: list[CampaignEventOut]

    @staticmethod
    def resolve_created_by_name(obj):
        return obj.created_by.name if obj.created_by_id else ""

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_leaders(obj):
        return list(obj.campaign_leaders.all())

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


# --- member pages -------------------------------------------------------------------------


class PublicItemOut(Schema):
    id: int
    sku_id: int
    product_id: int
    product_name: str
    spec: str
    unit: str
    images: list[str]
    price_fen: int
    original_price_fen: int
    stock_left: int
    purchase_limit: int
    sold: int

    resolve_product_id = staticmethod(CampaignItemOut.resolve_product_id)
    resolve_product_name = staticmethod(CampaignItemOut.resolve_product_name)
    resolve_spec = staticmethod(CampaignItemOut.resolve_spec)
    resolve_unit = staticmethod(CampaignItemOut.resolve_unit)
    resolve_images = staticmethod(CampaignItemOut.resolve_images)
    resolve_sold = staticmethod(CampaignItemOut.resolve_sold)

    @staticmethod
    def resolve_original_price_fen(obj):
        return obj.sku.price_fen


class PublicCampaignListOut(_CampaignBase):
    cover_url: str | None
    min_price_fen: int | None
    item_count: int

    @staticmethod
    def resolve_cover_url(obj):
        return _cover(obj)


class PublicCampaignOut(_CampaignBase):
    description: str
    cover_url: str | None
    now: datetime
    items: list[PublicItemOut]

    @staticmethod
    def resolve_cover_url(obj):
        return _cover(obj)

    @staticmethod
    def resolve_now(obj):
        return timezone.now()

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


# --- leader center ------------------------------------------------------------------------


class LeaderCampaignOut(_CampaignBase):
    joined: bool
    joined_at: datetime | None
    my_orders: int
    my_amount_fen: int

    @staticmethod
    def resolve_joined(obj):
        return obj.joined_at is not None


class LeaderJoinOut(Schema):
    campaign_id: int
    joined_at: datetime
