"""Net GMV of leaders over a period, as incentives count it: what members paid on orders paid in
the period (each line's paid amount, the one commission is earned on), less the refunds made in
the period. A refund is booked on the day it happens, so money returned after a period closed
lowers the next one, never the one already judged."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from tuangou.orders.models import OrderEvent, OrderLine

REFUND_EVENTS = ("refunded", "partial_refund")


def shop_zone(shop) -> ZoneInfo:
    return ZoneInfo(shop.timezone or "Asia/Shanghai")


def local_start(shop, day: date) -> datetime:
    """Midnight of `day` in the shop's timezone."""
    return datetime.combine(day, time.min, tzinfo=shop_zone(shop))


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def sales_fen_by_leader(*, shop, leader_ids, start: datetime, end: datetime) -> dict[int, int]:
    rows = (
        OrderLine.objects.filter(
            shop=shop, order__leader_id__in=leader_ids, order__paid_at__gte=start, order__paid_at__lt=end
        )
        .values("order__leader_id")
        .annotate(total=Sum("amount_fen"))
    )
    return {row["order__leader_id"]: row["total"] or 0 for row in rows}


def refunds_fen_by_leader(*, shop, leader_ids, start: datetime, end: datetime) -> dict[int, int]:
    rows = (
        OrderEvent.objects.filter(
            shop=shop,
            order__leader_id__in=leader_ids,
            type__in=REFUND_EVENTS,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("order__leader_id")
        .annotate(total=Sum(Cast(KeyTextTransform("amount_fen", "data"), BigIntegerField())))
    )
    return {row["order__leader_id"]: row["total"] or 0 for row in rows}


def net_gmv_by_leader(
    *, shop, leader_ids, start: datetime, end: datetime, refunds_start: datetime | None = None
) -> dict[int, int]:
    """{leader id: paid in [start, end) − refunded in [refunds_start or start, end)}; every id answers."""
    leader_ids = list(leader_ids)
    sales = sales_fen_by_leader(shop=shop, leader_ids=leader_ids, start=start, end=end)
    refunds = refunds_fen_by_leader(shop=shop, leader_ids=leader_ids, start=refunds_start or start, end=end)
    return {leader_id: sales.get(leader_id, 0) - refunds.get(leader_id, 0) for leader_id in leader_ids}


def net_gmv(*, leader, start: datetime, end: datetime, refunds_start: datetime | None = None) -> int:
    return net_gmv_by_leader(
        shop=leader.shop, leader_ids=[leader.id], start=start, end=end, refunds_start=refunds_start
    )[leader.id]
