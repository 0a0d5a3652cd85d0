"""What a member is told of their campaign's result (sent through notifications, once per member
and campaign; WeChat's campaign_result subscribe template carries it where the member accepted
one at checkout, else SMS). A failed campaign's members hear it with their refund (payments/notices.py)."""

from tuangou.campaigns.models import Campaign
from tuangou.notifications.models import Message
from tuangou.notifications.services import notice_send

from .models import Order


def campaign_formed_notify(campaign_id: int) -> int:
    """Every member with a confirmed order hears that the campaign formed (成团) and what comes
    next. Returns how many were told now (a second run tells nobody again)."""
    campaign = Campaign.objects.select_related("shop").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.Status.SUCCEEDED:
        return 0
    orders = (
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status=Order.Status.CONFIRMED)
        .select_related("member")
        .order_by("member_id", "id")
    )
    by_member: dict[int, list[Order]] = {}
    for order in orders:
        by_member.setdefault(order.member_id, []).append(order)
    told = 0
    for member_orders in by_member.values():
        first = member_orders[0]
        numbers = "、".join(order.number for order in member_orders)
        message = notice_send(
            shop=campaign.shop,
            user=first.member,
            kind=Message.Kind.ORDER,
            key=f"campaign:{campaign.id}:succeeded",
            title="团购已成团",
            body=f"「{campaign.title}」已成团，您的订单{numbers}正在备货，到货后会通知您提货。",
            data={
                "campaign": campaign.title,
                "order_id": first.id,
                "order_number": first.number,
                "link": f"/h5/s/{campaign.shop_id}/orders/{first.id}",
            },
        )
        told += message is not None
    return told
