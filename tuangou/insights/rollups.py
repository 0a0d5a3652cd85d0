"""The dashboard's daily rollups (models.py): rebuilt from the orders for the closed days of the
longest window, then marked fresh through yesterday. The dashboard adds today's sales live, and
reads the orders alone when the rollups are not fresh (a new shop, a missed run)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tuangou.orders.models import Order, OrderLine

from .models import DailyLeaderSales, DailyProductSales, RollupState

# The dashboard's longest window (selectors.WINDOWS) and a day more: a refund on an order paid at
# the window's edge still reaches its rollup at the next run.
REBUILT_DAYS = 31


def shop_today(shop, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(shop.timezone)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def rollups_fresh(shop, today: date) -> bool:
    """Whether the rollups hold every closed day (up to yesterday)."""
    return RollupState.objects.filter(shop=shop, through_day__gte=today - timedelta(days=1)).exists()


def rollups_rebuild(*, shop, now: datetime | None = None) -> int:
    """Rebuild the closed days of the last REBUILT_DAYS from the orders; returns the rows written."""
    tz = ZoneInfo(shop.timezone)
    today = shop_today(shop, now)
    first = today - timedelta(days=REBUILT_DAYS)
    start, end = day_start(first, tz), day_start(today, tz)
    paid = Order.objects.filter(shop=shop, paid_at__gte=start, paid_at__lt=end)
    leaders = (
        paid.annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day", "leader_id")
        .annotate(gmv=Sum(F("total_fen") - F("refunded_fen")), n=Count("id"))
        .order_by()
    )
    products = (
        OrderLine.objects.filter(shop=shop, order__paid_at__gte=start, order__paid_at__lt=end)
        .annotate(day=TruncDate("order__paid_at", tzinfo=tz))
        .values("day", "campaign_item__sku__product_id")
        .annotate(
            sold=Sum(F("quantity") - F("refunded_quantity")),
            gmv=Sum(F("amount_fen") - F("refunded_fen")),
            n=Count("order_id", distinct=True),
        )
        .order_by()
    )
    leader_rows = [
        DailyLeaderSales(shop=shop, day=r["day"], leader_id=r["leader_id"], gmv_fen=r["gmv"] or 0, orders=r["n"])
        for r in leaders
    ]
    product_rows = [
        DailyProductSales(
            shop=shop,
            day=r["day"],
            product_id=r["campaign_item__sku__product_id"],
            quantity=r["sold"] or 0,
            gmv_fen=r["gmv"] or 0,
            orders=r["n"],
        )
        for r in products
    ]
    with transaction.atomic():
        DailyLeaderSales.objects.filter(shop=shop, day__gte=first).delete()
        DailyProductSales.objects.filter(shop=shop, day__gte=first).delete()
        DailyLeaderSales.objects.bulk_create(leader_rows, batch_size=2000)
        DailyProductSales.objects.bulk_create(product_rows, batch_size=2000)
        RollupState.objects.update_or_create(shop=shop, defaults={"through_day": today - timedelta(days=1)})
    return len(leader_rows) + len(product_rows)
