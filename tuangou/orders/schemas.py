from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from tuangou.core.bounds import MAX_ORDER_QUANTITY, MAX_QUANTITY, AmountFen, Id, Int, Quantity
from tuangou.core.phones import mask_phone, public_name
from tuangou.core.validation import Name, Text

from .models import Order
from .selectors import order_has_goods

# The member sees the code once the order is paid; before that there is nothing to pick up.
_CODE_VISIBLE = {
    Order.Status.PAID,
    Order.Status.CONFIRMED,
    Order.Status.SHIPPED,
    Order.Status.ARRIVED,
    Order.Status.PICKED_UP,
    Order.Status.COMPLETED,
}


class OrderItemIn(Schema):
    campaign_item_id: Id
    quantity: Int = Field(..., ge=1, le=MAX_ORDER_QUANTITY)


class DeliveryIn(Schema):
    """Home delivery instead of self-pickup: one of my saved addresses and one of the campaign's slots."""

    address_id: Id
    slot: Name = Field(..., min_length=1, max_length=11)


class OrderDeliveryOut(Schema):
    """Where and when a home-delivery order goes (the address as it was at checkout)."""

    warehouse_name: str
    slot: str
    delivery_date: date
    recipient_name: str
    recipient_phone: str
    community: str
    address: str
    delivered_at: datetime | None

    @staticmethod
    def resolve_warehouse_name(obj):
        return obj.warehouse.name


class OrderIn(Schema):
    campaign_id: Id
    leader_id: Id | None = None  # default: the member's bound leader
    items: list[OrderItemIn] = Field(..., min_length=1, max_length=50)
    idempotency_key: Name | None = Field(None, min_length=1, max_length=64)  # or the Idempotency-Key header
    contact_name: Name = Field("", max_length=30)
    contact_phone: Name = Field("", max_length=20)
    note: Text = Field("", max_length=200)
    coupon_id: Id | None = None  # one of my unused coupons; at most one per order
    delivery: DeliveryIn | None = None  # none: self-pickup at the leader's point


class OrderCancelIn(Schema):
    reason: Text = Field("", max_length=200)


class RefundLineIn(Schema):
    line_id: Id
    quantity: Quantity


class OrderRefundIn(Schema):
    """No lines and no amount: refund everything that is left."""

    lines: list[RefundLineIn] | None = Field(None, min_length=1)
    amount_fen: AmountFen | None = None
    reason: Text = Field(..., min_length=1, max_length=200)


class AfterSaleIn(Schema):
    line_id: Id | None = None  # none: the whole order
    quantity: Int = Field(0, ge=0, le=MAX_QUANTITY)  # 0 with a line: all of it
    reason: Text = Field(..., min_length=1, max_length=200)


class AfterSaleResolveIn(Schema):
    action: Literal["refund", "reject"]
    reason: Text = Field(..., min_length=1, max_length=200)
    amount_fen: AmountFen | None = None  # refund this amount instead of the request's line


class PickupVerifyIn(Schema):
    code: Name = Field(..., min_length=1, max_length=12)


class OrderLineOut(Schema):
    id: int
    campaign_item_id: int
    product_name: str
    spec: str
    unit_price_fen: int
    quantity: int
    amount_fen: int  # what the line pays: unit price × quantity − reduction_fen − coupon_fen
    reduction_fen: int  # its share of the 满减送
    coupon_fen: int  # its share of the coupon
    refunded_quantity: int
    refunded_fen: int


class ConsoleOrderLineOut(OrderLineOut):
    commission_rate_bp: int


class OrderEventOut(Schema):
    id: int
    type: str
    from_status: str
    to_status: str
    data: dict
    created_at: datetime


class AfterSaleOut(Schema):
    id: int
    order_id: int
    order_number: str
    line_id: int | None
    quantity: int
    reason: str
    status: str
    status_label: str
    resolution: str
    refund_fen: int
    created_at: datetime
    handled_at: datetime | None

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class _OrderBase(Schema):
    id: int
    number: str
    status: str
    status_label: str
    campaign_id: int
    campaign_title: str
    leader_id: int
    pickup_point_name: str
    pickup_point_address: str
    pickup_at: datetime
    items_fen: int
    discount_fen: int  # 满减送 + coupon
    reduction_fen: int  # the 满减送 part
    delivery_mode: str  # pickup | delivery
    delivery_fee_fen: int  # part of total_fen
    delivery: OrderDeliveryOut | None
    has_goods: bool  # false: vouchers / services / top-ups only, nothing to pick up or deliver
    total_fen: int
    refunded_fen: int
    contact_name: str
    note: str
    expires_at: datetime | None
    paid_at: datetime | None
    picked_up_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_campaign_title(obj):
        return obj.campaign.title

    @staticmethod
    def resolve_pickup_point_name(obj):
        return obj.pickup_point.name

    @staticmethod
    def resolve_pickup_point_address(obj):
        return obj.pickup_point.address

    @staticmethod
    def resolve_pickup_at(obj):
        return obj.campaign.pickup_at

    @staticmethod
    def resolve_has_goods(obj):
        return order_has_goods(obj)

    @staticmethod
    def resolve_delivery(obj):
        # The warehouses app's row, read through the relation (orders stand below it).
        if obj.delivery_mode != "delivery":
            return None
        return getattr(obj, "delivery", None)


class OrderOut(_OrderBase):
    """The member's view of their own order."""

    contact_phone: str
    pickup_code: str | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_pickup_code(obj):
        return obj.pickup_code if obj.status in _CODE_VISIBLE and order_has_goods(obj) else None


class PendingRefundOut(Schema):
    """A refund asked for and not yet confirmed by the provider (退款中)."""

    id: int
    amount_fen: int
    status: str
    status_label: str
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


# Refunds are the payments app's (above orders): read through the order's relation, prefetched
# by the selectors; "pending" is their status until the provider confirms.
def _pending_refunds(order) -> list:
    return [refund for refund in order.refunds.all() if refund.status == "pending"]


def _refunding_fen(order) -> int:
    """Money of the order's own refunds still pending (not an excess payment sent back): what
    the order's refundable amount already excludes."""
    return sum(refund.amount_fen for refund in _pending_refunds(order) if refund.kind == "order")


class OrderDetailOut(OrderOut):
    events: list[OrderEventOut]
    after_sales: list[AfterSaleOut]
    pending_refunds: list[PendingRefundOut]
    refunding_fen: int

    @staticmethod
    def resolve_pending_refunds(obj):
        return _pending_refunds(obj)

    @staticmethod
    def resolve_refunding_fen(obj):
        return _refunding_fen(obj)


class JsapiParamsOut(Schema):
    """WeixinJSBridge.invoke("getBrandWCPayRequest", params) / wx.chooseWXPay, as WeChat Pay wants them."""

    appId: str  # noqa: N815 — WeChat's own field names
    timeStamp: str  # noqa: N815
    nonceStr: str  # noqa: N815
    package: str  # "prepay_id=wx…"
    signType: Literal["RSA"]  # noqa: N815
    paySign: str  # noqa: N815


class PaymentStartOut(Schema):
    """How the member pays, by channel: `h5` (outside WeChat) — open `pay_url` (WeChat Pay's h5_url
    takes a url-encoded `redirect_url` back to the order, the sandbox a `return_url`); `jsapi`
    (inside WeChat's browser) and `miniprogram` — `jsapi` holds the parameters of
    getBrandWCPayRequest / wx.requestPayment; `native` (a desktop browser) — `code_url` is the
    QR code to show, scanned with WeChat. `pay_url` is empty but for h5."""

    payment_id: int
    out_trade_no: str
    amount_fen: int
    provider: str
    channel: Literal["h5", "jsapi", "miniprogram", "native"]
    pay_url: str
    jsapi: JsapiParamsOut | None = None
    code_url: str = ""


class PaymentStartIn(Schema):
    """Where the member pays from: `jsapi` inside WeChat's browser (needs a WeChat login, so the
    order's payer has an openid for the merchant's app id), `miniprogram` in the mini-program (its
    code2session login gave the openid), `native` a desktop browser (a QR code scanned with
    WeChat), `h5` elsewhere. Left out: read from the User-Agent (MicroMessenger → jsapi). A
    provider without JSAPI or Native (the sandbox) pays by h5 (the mini-program is refused)."""

    channel: Literal["h5", "jsapi", "miniprogram", "native"] | None = None


class PaymentOut(Schema):
    id: int
    provider: str
    out_trade_no: str
    amount_fen: int
    status: str
    provider_transaction_id: str
    paid_at: datetime | None
    created_at: datetime


class RefundOut(Schema):
    id: int
    out_refund_no: str
    kind: str
    amount_fen: int
    reason: str
    lines: list
    status: str
    status_label: str
    provider_refund_id: str
    last_error: str  # the provider's message when it refused (退款失败) or was busy (退款中)
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ConsoleOrderOut(_OrderBase):
    """Staff see the contact phone in full: the merchant has to reach the customer."""

    member_id: int
    contact_phone: str
    leader_name: str
    pickup_point_id: int
    lines: list[ConsoleOrderLineOut]

    @staticmethod
    def resolve_leader_name(obj):
        return obj.leader.name


class ConsoleOrderDetailOut(ConsoleOrderOut):
    pickup_code: str | None  # None: nothing to pick up (vouchers only)
    completed_at: datetime | None
    events: list[OrderEventOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    after_sales: list[AfterSaleOut]
    refunding_fen: int  # refunds of the order still pending at the provider (退款中)

    @staticmethod
    def resolve_refunding_fen(obj):
        return _refunding_fen(obj)

    @staticmethod
    def resolve_pickup_code(obj):
        return obj.pickup_code if order_has_goods(obj) else None


class LeaderOrderOut(Schema):
    """What a leader sees of a member's order: masked name and phone, no pickup code."""

    id: int
    number: str
    status: str
    status_label: str
    member_name: str
    member_phone: str
    total_fen: int
    refunded_fen: int
    note: str
    created_at: datetime
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_member_name(obj):
        return public_name(obj.contact_name or obj.member.name, obj.contact_phone or obj.member.phone or "")

    @staticmethod
    def resolve_member_phone(obj):
        return mask_phone(obj.contact_phone or obj.member.phone or "")


class LeaderCampaignOrdersOut(Schema):
    campaign_id: int
    campaign_title: str
    campaign_status: str
    cutoff_at: datetime
    pickup_at: datetime
    order_count: int
    quantity: int
    total_fen: int  # order totals less refunds
    status_counts: dict[str, int]
    orders: list[LeaderOrderOut]


class PickupVerifiedOut(Schema):
    order_id: int
    number: str
    status: str
    member_name: str
    member_phone: str
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_order_id(obj):
        return obj.id

    @staticmethod
    def resolve_member_name(obj):
        return public_name(obj.contact_name, obj.contact_phone)

    @staticmethod
    def resolve_member_phone(obj):
        return mask_phone(obj.contact_phone)


# --- a campaign's buyers and the 他们都在买 feed (member pages) -----------------------------------


class BuyerOut(Schema):
    name: str
    quantity: int
    joined_at: datetime | None

    @staticmethod
    def resolve_name(obj):
        return public_name(obj["display_name"] or obj["contact_name"] or "", obj.get("contact_phone") or "")

    @staticmethod
    def resolve_quantity(obj):
        return obj["quantity"] or 0


class PurchaseOut(Schema):
    id: int  # the order line: pass the largest one seen as after_id to poll for newer ones
    name: str
    product_name: str
    spec: str
    quantity: int
    at: datetime | None

    @staticmethod
    def resolve_name(obj):
        return public_name(obj.order.member.display_name or obj.order.contact_name or "", obj.order.contact_phone)

    @staticmethod
    def resolve_at(obj):
        return obj.order.paid_at


class PurchaseFeedOut(Schema):
    items: list[PurchaseOut]
    last_id: int


class FeedLineOut(Schema):
    product_name: str
    spec: str
    quantity: int


class FeedEventOut(Schema):
    """One paid order as the live feed sends it; `id` is the SSE event id (the same on every channel)."""

    id: int
    name: str
    items: list[FeedLineOut]
    at: str | None


class FeedEventsOut(Schema):
    items: list[FeedEventOut]  # oldest first
    last_id: int  # pass it back as after_id
