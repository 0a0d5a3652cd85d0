"""What a member is told when money comes back (sent through notifications, once per refund)."""

from tuangou.core.money import format_fen
from tuangou.notifications.models import Message
from tuangou.notifications.services import notice_send

from .models import Refund


def refund_notify(refund_id: int) -> Message | None:
    """The member hears that money came back: a refund of their order, or the whole order refunded
    because its campaign did not reach its threshold (reason campaign_failed). Sent once the refund
    has succeeded — the one place every refund completion calls."""
    refund = Refund.objects.select_related("shop", "order__member", "order__campaign").filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.SUCCEEDED:
        return None
    order, shop = refund.order, refund.shop
    amount = format_fen(refund.amount_fen)
    key = f"refund:{refund.id}"
    data = {"order_id": order.id, "order_number": order.number, "refund_id": refund.id, "amount_fen": refund.amount_fen}
    if refund.reason == "campaign_failed":  # the campaign's result: its subscribe template carries it
        key = f"campaign:{order.campaign_id}:failed:refund:{refund.id}"
        data["campaign"] = order.campaign.title
        campaign = order.campaign
        unit = "人" if campaign.threshold_type == "members" else "件"
        title = "团购未成团，已全额退款"
        body = (
            f"「{campaign.title}」未达到成团条件（{campaign.threshold_value}{unit}成团），"
            f"您的订单{order.number}已全额退款{amount}，将原路退回。"
        )
    elif refund.reason == "late_payment" and order.status == "cancelled":
        title = "订单已取消，款项已退回"
        body = f"您的订单{order.number}在付款到账前已取消（超时未付或已截单），支付的{amount}将原路退回。"
    elif refund.reason == "late_payment":
        title = "重复支付已退回"
        body = f"您的订单{order.number}已付款，重复支付的{amount}将原路退回。"
    else:
        title = "退款成功"
        body = f"您的订单{order.number}（{order.campaign.title}）已退款{amount}，将原路退回。"
    return notice_send(
        shop=shop,
        user=order.member,
        kind=Message.Kind.ORDER,
        key=key,
        title=title,
        body=body,
        data=data,
    )
