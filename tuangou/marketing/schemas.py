from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from tuangou.core.bounds import MAX_AMOUNT_FEN, MAX_ORDER_QUANTITY, MAX_STOCK, NOT_A_BOOLEAN, Id, Int
from tuangou.core.validation import Moment, Name

from .models import Channel, Coupon, CouponPack, CouponTemplate, Kind, Scope

Fen = Field(0, ge=0, le=MAX_AMOUNT_FEN)


class CouponTemplateIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    kind: Kind
    threshold_fen: Int = Fen  # 满减: in-scope payable needed; 折扣: optional
    reduce_fen: Int = Fen  # 满减 / 无门槛
    percent_off_bp: Int = Field(0, ge=0, le=9_999)  # 折扣: 1500 = 15% off
    max_discount_fen: Int = Fen  # 折扣: 0 = no cap
    scope: Scope = Scope.ALL
    scope_ids: list[Id] = Field([], max_length=200)
    validity: CouponTemplate.Validity
    valid_from: Moment | None = None
    valid_until: Moment | None = None
    valid_days: Int = Field(0, ge=0, le=3650)
    claim_starts_at: Moment | None = None
    claim_ends_at: Moment | None = None
    total: Int = Field(..., ge=1, le=MAX_STOCK)
    per_member_limit: Int = Field(1, ge=1, le=100)
    channels: list[Channel] = Field(..., min_length=1, max_length=5)


class CouponRulesOut(Schema):
    name: str
    kind: str
    kind_label: str
    threshold_fen: int
    reduce_fen: int
    percent_off_bp: int
    max_discount_fen: int
    scope: str
    scope_ids: list[int]

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())


class CouponTemplateOut(CouponRulesOut):
    id: int
    status: str
    status_label: str
    validity: str
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int
    claim_starts_at: datetime | None
    claim_ends_at: datetime | None
    total: int
    issued: int
    per_member_limit: int
    channels: list[str]
    used: int = 0
    gmv_fen: int = 0
    cost_fen: int = 0
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class CouponTemplateStatusIn(Schema):
    status: Literal["active", "paused"]


class CouponCentreOut(Schema):
    template: CouponTemplateOut
    left: int
    received: int
    can_claim: bool


class CouponOut(CouponRulesOut):
    id: int
    template_id: int
    status: str
    status_label: str
    channel: str
    valid_from: datetime
    valid_until: datetime
    order_id: int | None
    used_at: datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class CartItemIn(Schema):
    campaign_item_id: Id
    quantity: Int = Field(..., ge=1, le=MAX_ORDER_QUANTITY)


class CartIn(Schema):
    campaign_id: Id
    items: list[CartItemIn] = Field(..., min_length=1, max_length=50)


class CouponOptionOut(Schema):
    coupon: CouponOut
    discount_fen: int  # 0: does not apply to this cart


MyCouponStatus = Literal["unused", "used", "expired"]
__all__ = ["Coupon"]


class CouponPackIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    template_id: Id
    quantity: Int = Field(1, ge=1, le=100)  # coupons per member
    audience: CouponPack.Audience
    days: Annotated[int, Field(ge=1, le=3650), NOT_A_BOOLEAN] | None = None  # new / idle
    category_id: Id | None = None  # category
    leader_ids: list[Id] = Field([], max_length=500)  # leaders
    phones: list[Annotated[Name, Field(max_length=20)]] = Field([], max_length=5000)  # phones


class CouponPackOut(Schema):
    id: int
    name: str
    template_id: int
    template_name: str
    quantity: int
    audience: str
    audience_label: str
    audience_params: dict
    status: str
    status_label: str
    members_total: int
    delivered: int
    refused: int
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_template_name(obj):
        return obj.template.name

    @staticmethod
    def resolve_audience_label(obj):
        return str(obj.get_audience_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


# --- 支付有礼 (payment gifts) -------------------------------------------------------------


class PaymentGiftItemIn(Schema):
    template_id: Id
    count: Int = Field(1, ge=1, le=100)  # coupons of it per paid order


class PaymentGiftIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    starts_at: Moment
    ends_at: Moment
    min_paid_fen: Int = Fen  # in-scope paid amount needed; 0: any paid order
    scope: Scope = Scope.ALL
    scope_ids: list[Id] = Field([], max_length=200)
    gifts: list[PaymentGiftItemIn] = Field(..., min_length=1, max_length=5)


class PaymentGiftStatusIn(Schema):
    status: Literal["active", "paused"]


class PaymentGiftItemOut(Schema):
    template_id: int
    template_name: str
    count: int


class PaymentGiftOut(Schema):
    id: int
    name: str
    status: str
    status_label: str
    starts_at: datetime
    ends_at: datetime
    min_paid_fen: int
    scope: str
    scope_ids: list[int]
    gifts: list[PaymentGiftItemOut]
    grants_count: int  # orders given their gift (revoked ones not counted)
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class PaymentGiftGrantOut(Schema):
    """A gift on the payment result page."""

    activity_name: str
    status: str
    status_label: str
    coupons: list[CouponOut]

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


# --- 发券宝 -----------------------------------------------------------------------------------


class AllotmentIn(Schema):
    template_id: Id
    quantity: Int = Field(..., ge=1, le=MAX_STOCK)  # coupons each leader may hand out
    all_leaders: bool = False  # every active leader; leader_ids is ignored
    leader_ids: list[Id] = Field([], max_length=500)


class AllotmentSetOut(Schema):
    leaders: int  # how many leaders the allotment covers


class AllotmentOut(Schema):
    id: int
    template_id: int
    template_name: str
    template_status: str
    leader_id: int
    leader_name: str
    quantity: int
    claimed: int
    used: int = 0
    gmv_fen: int = 0
    created_at: datetime

    @staticmethod
    def resolve_template_name(obj):
        return obj.template.name

    @staticmethod
    def resolve_template_status(obj):
        return obj.template.status

    @staticmethod
    def resolve_leader_name(obj):
        return obj.leader.name


class LeaderAllotmentOut(AllotmentOut):
    template: CouponTemplateOut
    link: str


class LeaderCouponOut(Schema):
    """A coupon on a leader's link, as the member sees it."""

    template: CouponTemplateOut
    leader_id: int
    leader_name: str
    left: int  # min(what the leader has left, the template's stock)
    received: int = 0  # of this template the member holds already
    can_claim: bool = False

    @staticmethod
    def resolve_leader_name(obj):
        return obj.leader.name

    @staticmethod
    def resolve_left(obj):
        return max(min(obj.quantity - obj.claimed, obj.template.total - obj.template.issued), 0)

    @staticmethod
    def resolve_can_claim(obj):
        left = min(obj.quantity - obj.claimed, obj.template.total - obj.template.issued)
        return left > 0 and getattr(obj, "received", 0) < obj.template.per_member_limit


class LeaderCouponClaimIn(Schema):
    leader_id: Id


# --- 满减送 -----------------------------------------------------------------------------------


class ReductionTierIn(Schema):
    threshold_fen: Int = Field(..., ge=1, le=MAX_AMOUNT_FEN)  # in-scope amount at campaign price
    reduce_fen: Int = Field(..., ge=1, le=MAX_AMOUNT_FEN)


class FullReductionIn(Schema):
    name: Name = Field(..., min_length=1, max_length=40)
    starts_at: Moment
    ends_at: Moment
    scope: Scope = Scope.ALL
    scope_ids: list[Id] = Field([], max_length=200)
    tiers: list[ReductionTierIn] = Field(..., min_length=1, max_length=5)


class FullReductionStatusIn(Schema):
    status: Literal["active", "paused"]


class ReductionTierOut(Schema):
    threshold_fen: int
    reduce_fen: int


class FullReductionOut(Schema):
    id: int
    name: str
    label: str  # 满99减10 / 满199减25
    status: str
    status_label: str
    starts_at: datetime
    ends_at: datetime
    scope: str
    scope_ids: list[int]
    tiers: list[ReductionTierOut]
    created_at: datetime
    paid_orders: int = 0  # paid orders it reduced (refunded ones included)
    reduced_fen: int = 0  # what it took off those orders
    gmv_fen: int = 0  # those orders' payable, net of refunds

    @staticmethod
    def resolve_label(obj):
        from .reductions import reduction_label

        return reduction_label(obj)

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class ReductionQuoteOut(Schema):
    """满减送 against a cart: the tier reached (empty label and 0 when none)."""

    activity_id: int | None
    name: str
    label: str  # the tier reached: 满99减10
    discount_fen: int
