"""The dashboard's figures, each aggregated in the database by one query (conditional
aggregates for the three windows), so its cost does not grow with orders or leaders."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tuangou.leaders.models import Leader
from tuangou.orders.models import Order, OrderLine

WINDOWS = (1, 7, 30)
TOP = 10
# A paid order counts from its payment; what was refunded later is taken off its GMV.
_GMV = Sum(F("total_fen") - F("refunded_fen"))


def window_start(*, today: date, days: int, tz: ZoneInfo) -> datetime:
    """Midnight (shop time) of the first day of a window of `days` days ending today."""
    return datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=tz)


def dashboard_get(*, shop, days: int, now: datetime | None = None) -> dict:
    tz = ZoneInfo(shop.timezone)
    today = (now or timezone.now()).astimezone(tz).date()
    starts = {window: window_start(today=today, days=window, tz=tz) for window in WINDOWS}
    paid = Order.objects.filter(shop=shop, paid_at__gte=starts[max(WINDOWS)])

    figures = paid.aggregate(
        **{
            name: aggregate
            for window in WINDOWS
            for name, aggregate in (
                (f"gmv_{window}", Sum(F("total_fen") - F("refunded_fen"), filter=Q(paid_at__gte=starts[window]))),
                (f"orders_{window}", Count("id", filter=Q(paid_at__gte=starts[window]))),
                (f"members_{window}", Count("member_id", distinct=True, filter=Q(paid_at__gte=starts[window]))),
            )
        }
    )
    leaders = Leader.objects.filter(shop=shop, created_at__gte=starts[max(WINDOWS)]).aggregate(
        **{f"new_{window}": Count("id", filter=Q(created_at__gte=starts[window])) for window in WINDOWS}
    )
    cards = [
        {
            "days": window,
            "gmv_fen": figures[f"gmv_{window}"] or 0,
            "orders": figures[f"orders_{window}"],
            "paying_members": figures[f"members_{window}"],
            "new_leaders": leaders[f"new_{window}"],
        }
        for window in WINDOWS
    ]
    since = starts[days]
    return {
        "days": days,
        "since": since,
        "cards": cards,
        "series": _series(shop=shop, since=since, today=today, tz=tz),
        "top_leaders": _top_leaders(shop=shop, since=since),
        "top_products": _top_products(shop=shop, since=since),
    }


def _series(*, shop, since: datetime, today: date, tz: ZoneInfo) -> list[dict]:
    rows = (
        Order.objects.filter(shop=shop, paid_at__gte=since)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day")
        .annotate(gmv=_GMV, count=Count("id"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    first = since.date()
    series = []
    for offset in range((today - first).days + 1):  # every day, zero when nothing sold
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        series.append({"date": day, "gmv_fen": row.get("gmv") or 0, "orders": row.get("count", 0)})
    return series


def _top_leaders(*, shop, since: datetime) -> list[dict]:
    rows = (
        Order.objects.filter(shop=shop, paid_at__gte=since)
        .values("leader_id", "leader__name", "pickup_point__name")
        .annotate(gmv=_GMV, count=Count("id"), members=Count("member_id", distinct=True))
        .order_by("-gmv", "leader_id")[:TOP]
    )
    return [
        {
            "leader_id": row["leader_id"],
            "name": row["leader__name"],
            "pickup_point_name": row["pickup_point__name"],
            "gmv_fen": row["gmv"] or 0,
            "orders": row["count"],
            "members": row["members"],
        }
        for row in rows
    ]


def _top_products(*, shop, since: datetime) -> list[dict]:
    rows = (
        OrderLine.objects.filter(shop=shop, order__paid_at__gte=since)
        .values("campaign_item__sku__product_id", "campaign_item__sku__product__name")
        .annotate(
            sold=Sum(F("quantity") - F("refunded_quantity")),
            gmv=Sum(F("amount_fen") - F("refunded_fen")),
            count=Count("order_id", distinct=True),
        )
        .order_by("-gmv", "campaign_item__sku__product_id")[:TOP]
    )
    return [
        {
            "product_id": row["campaign_item__sku__product_id"],
            "name": row["campaign_item__sku__product__name"],
            "quantity": row["sold"] or 0,
            "gmv_fen": row["gmv"] or 0,
            "orders": row["count"],
        }
        for row in rows
    ]
