"""A shop with leaders whose orders are picked up and refunded through the orders services, so
the incentives run from the real hooks."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils import timezone

from tuangou.commissions.models import CommissionEntry, IncentiveAward
from tuangou.fulfilment.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    PickupPointFactory,
    order_with_lines,
)
from tuangou.leaders.models import Leader
from tuangou.orders import services as order_services
from tuangou.orders.models import Order, OrderEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=12, minute=0) -> datetime:
    """A moment in the shop's timezone (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def leader_point(shop=None, **leader_fields):
    point = PickupPointFactory(**({"leader__shop": shop} if shop else {}))
    if leader_fields:
        Leader.objects.filter(pk=point.leader_id).update(**leader_fields)
        point.leader.refresh_from_db()
    return point


def paid_order(point, fen: int, *, paid_at=None, rate_bp=1000) -> Order:
    """A ¥fen order of one item, paid at `paid_at` and waiting at the point."""
    campaign = CampaignFactory(shop=point.shop, paid_orders=1, paid_quantity=1, paid_amount_fen=fen)
    item = CampaignItemFactory(campaign=campaign, price_fen=fen)
    return order_with_lines(
        campaign=campaign,
        point=point,
        lines=[(item, 1)],
        status=Order.Status.ARRIVED,
        rate_bp=rate_bp,
        paid_at=paid_at or timezone.now(),
    )


def pick_up(order) -> Order:
    return order_services.order_pickup_verify(shop=order.shop, code=order.pickup_code, actor=None)


def refund(order, fen: int, *, when=None) -> Order:
    """The provider confirmed a refund of `fen` on the order's only line (made at `when`)."""
    order.refresh_from_db()
    line = order.lines.get()
    order_services.order_refund_apply(
        order=order,
        refund_id=0,
        refund_lines=[{"line_id": line.id, "quantity": 0, "amount_fen": fen}],
        reason="质量问题",
        actor=None,
    )
    if when is not None:
        OrderEvent.objects.filter(order=order, type__in=("refunded", "partial_refund")).update(created_at=when)
    order.refresh_from_db()
    return order


def rewards(leader, kind=None) -> list[int]:
    awards = IncentiveAward.objects.filter(leader=leader, is_revoked=False).order_by("id")
    if kind:
        awards = awards.filter(kind=kind)
    return [award.amount_fen for award in awards]


def award_net(award) -> int:
    return CommissionEntry.objects.filter(award=award, bucket="pending").aggregate(t=Sum("amount_fen"))["t"] or 0


def ledger_sum(leader, **filters) -> int:
    return (
        CommissionEntry.objects.filter(leader=leader, award__isnull=False, **filters).aggregate(t=Sum("amount_fen"))[
            "t"
        ]
        or 0
    )
