"""The dashboard's figures. Closed days come from the daily rollups (rollups.py) when they are
fresh, today's sales live from the orders; without fresh rollups every day is read live. Either
way a fixed number of queries, and with rollups their cost no longer grows with a month's orders.
Paying members are distinct over a window, which no daily sum gives: they are counted live."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tuangou.catalog.models import Product
from tuangou.core.replica import reads_replica
from tuangou.leaders.models import Leader
from tuangou.orders.models import Order, OrderLine

from .models import DailyLeaderSales, DailyProductSales
from .rollups import day_start, rollups_fresh

WINDOWS = (1, 7, 30)
TOP = 10
# A paid order counts from its payment; what was refunded later is taken off its GMV.
_GMV = Sum(F("total_fen") - F("refunded_fen"))


def window_start(*, today: date, days: int, tz: ZoneInfo) -> datetime:
    """Midnight (shop time) of the first day of a window of `days` days ending today."""
    return datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=tz)


@reads_replica
def dashboard_get(*, shop, days: int, now: datetime | None = None) -> dict:
    tz = ZoneInfo(shop.timezone)
    today = (now or timezone.now()).astimezone(tz).date()
    starts = {window: window_start(today=today, days=window, tz=tz) for window in WINDOWS}
    # Orders paid from `live_from` on are read live; the days before it, from the rollups.
    live_from = day_start(today, tz) if rollups_fresh(shop, today) else starts[max(WINDOWS)]
    since = starts[days]
    live = Order.objects.filter(shop=shop, paid_at__gte=live_from)
    rolled = DailyLeaderSales.objects.filter(shop=shop, day__lt=live_from.date())
    return {
        "days": days,
        "since": since,
        "cards": _cards(shop=shop, starts=starts, live=live, rolled=rolled),
        "series": _series(since=since, today=today, tz=tz, live=live, rolled=rolled),
        "top_leaders": _top_leaders(shop=shop, since=since, live=live, rolled=rolled),
        "top_products": _top_products(shop=shop, since=since, live_from=live_from),
        "acquisition": deals_acquisition(shop=shop, since=since),
    }


def _cards(*, shop, starts: dict, live, rolled) -> list[dict]:
    first = starts[max(WINDOWS)]
    now_figures = live.aggregate(
        **{
            name: aggregate
            for window, start in starts.items()
            for name, aggregate in (
                (f"gmv_{window}", Sum(F("total_fen") - F("refunded_fen"), filter=Q(paid_at__gte=start))),
                (f"orders_{window}", Count("id", filter=Q(paid_at__gte=start))),
            )
        }
    )
    past = rolled.filter(day__gte=first.date()).aggregate(
        **{
            name: Sum(field, filter=Q(day__gte=start.date()))
            for window, start in starts.items()
            for name, field in ((f"gmv_{window}", "gmv_fen"), (f"orders_{window}", "orders"))
        }
    )
    # Each member's last payment in the month, then how many of those fall in each window: one pass
    # over an index (orders: shop, paid_at, with member_id), where three COUNT(DISTINCT) sort thrice.
    last_paid = Order.objects.filter(shop=shop, paid_at__gte=first).values("member_id").annotate(last=Max("paid_at"))
    members = last_paid.aggregate(**{f"m_{w}": Count("member_id", filter=Q(last__gte=s)) for w, s in starts.items()})
    leaders = Leader.objects.filter(shop=shop, created_at__gte=first).aggregate(
        **{f"new_{w}": Count("id", filter=Q(created_at__gte=s)) for w, s in starts.items()}
    )
    return [
        {
            "days": window,
            "gmv_fen": (now_figures[f"gmv_{window}"] or 0) + (past[f"gmv_{window}"] or 0),
            "orders": (now_figures[f"orders_{window}"] or 0) + (past[f"orders_{window}"] or 0),
            "paying_members": members[f"m_{window}"],
            "new_leaders": leaders[f"new_{window}"],
        }
        for window in WINDOWS
    ]


def _series(*, since: datetime, today: date, tz: ZoneInfo, live, rolled) -> list[dict]:
    by_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    live_rows = (
        live.filter(paid_at__gte=since)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day")
        .annotate(gmv=_GMV, count=Count("id"))
        .order_by()
    )
    rolled_rows = (
        rolled.filter(day__gte=since.date()).values("day").annotate(gmv=Sum("gmv_fen"), count=Sum("orders")).order_by()
    )
    for row in [*rolled_rows, *live_rows]:
        by_day[row["day"]][0] += row["gmv"] or 0
        by_day[row["day"]][1] += row["count"] or 0
    first = since.date()
    days = (first + timedelta(days=offset) for offset in range((today - first).days + 1))
    # Every day, zero when nothing sold.
    return [{"date": day, "gmv_fen": by_day[day][0], "orders": by_day[day][1]} for day in days]


def _top_leaders(*, shop, since: datetime, live, rolled) -> list[dict]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    live_rows = live.filter(paid_at__gte=since).values("leader_id").annotate(gmv=_GMV, count=Count("id")).order_by()
    rolled_rows = (
        rolled.filter(day__gte=since.date())
        .values("leader_id")
        .annotate(gmv=Sum("gmv_fen"), count=Sum("orders"))
        .order_by()
    )
    for row in [*rolled_rows, *live_rows]:
        totals[row["leader_id"]][0] += row["gmv"] or 0
        totals[row["leader_id"]][1] += row["count"] or 0
    top = sorted(totals, key=lambda leader_id: (-totals[leader_id][0], leader_id))[:TOP]
    if not top:
        return []
    members = dict(
        Order.objects.filter(shop=shop, paid_at__gte=since, leader_id__in=top)
        .values("leader_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("leader_id", "n")
    )
    leaders = Leader.objects.filter(shop=shop, id__in=top).select_related("pickup_point").in_bulk()
    return [
        {
            "leader_id": leader_id,
            "name": leaders[leader_id].name,
            "pickup_point_name": _point_name(leaders[leader_id]),
            "gmv_fen": totals[leader_id][0],
            "orders": totals[leader_id][1],
            "members": members.get(leader_id, 0),
        }
        for leader_id in top
    ]


def _point_name(leader: Leader) -> str:
    point = getattr(leader, "pickup_point", None)
    return point.name if point else ""


def _top_products(*, shop, since: datetime, live_from: datetime) -> list[dict]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    live_rows = (
        # The orders first (index on shop, paid_at), then their lines (index on order): a join
        # filtered on the order's column would read every line of the shop.
        OrderLine.objects.filter(
            shop=shop, order_id__in=Order.objects.filter(shop=shop, paid_at__gte=max(since, live_from)).values("id")
        )
        .values(product_id=F("campaign_item__sku__product_id"))
        .annotate(
            sold=Sum(F("quantity") - F("refunded_quantity")),
            gmv=Sum(F("amount_fen") - F("refunded_fen")),
            count=Count("order_id", distinct=True),
        )
        .order_by()
    )
    rolled_rows = (
        DailyProductSales.objects.filter(shop=shop, day__gte=since.date(), day__lt=live_from.date())
        .values("product_id")
        .annotate(sold=Sum("quantity"), gmv=Sum("gmv_fen"), count=Sum("orders"))
        .order_by()
    )
    for row in [*rolled_rows, *live_rows]:
        figures = totals[row["product_id"]]
        figures[0] += row["sold"] or 0
        figures[1] += row["gmv"] or 0
        figures[2] += row["count"] or 0
    top = sorted(totals, key=lambda product_id: (-totals[product_id][1], product_id))[:TOP]
    names = dict(Product.objects.filter(shop=shop, id__in=top).values_list("id", "name"))
    return [
        {
            "product_id": product_id,
            "name": names.get(product_id, ""),
            "quantity": totals[product_id][0],
            "gmv_fen": totals[product_id][1],
            "orders": totals[product_id][2],
        }
        for product_id in top
    ]


def deals_acquisition(*, shop, since: datetime) -> dict:
    """What the 0.01元 deals (products with a deal rule) cost since `since`, as acquisition cost:
    the item's normal price (its SKU's) less what it sold for, times the units kept (not refunded);
    and the members they brought: those whose first paid order in the shop held a deal."""
    paid_since = Order.objects.filter(shop=shop, paid_at__gte=since).exclude(status=Order.Status.REFUNDED)
    lines = OrderLine.objects.filter(
        shop=shop, order_id__in=paid_since.values("id"), campaign_item__sku__product__deal__gt=""
    )
    figures = lines.aggregate(
        units=Sum(F("quantity") - F("refunded_quantity")),
        cost=Sum((F("campaign_item__sku__price_fen") - F("unit_price_fen")) * (F("quantity") - F("refunded_quantity"))),
        paid=Sum(F("amount_fen") - F("refunded_fen")),
    )
    earlier = Order.objects.filter(
        shop=shop, member_id=OuterRef("member_id"), paid_at__lt=OuterRef("paid_at"), paid_at__isnull=False
    )
    new_members = (
        paid_since.filter(id__in=lines.values("order_id"))
        .exclude(Exists(earlier))
        .values("member_id")
        .distinct()
        .count()
    )
    cost = max(figures["cost"] or 0, 0)
    return {
        "deal_units": figures["units"] or 0,
        "cost_fen": cost,
        "paid_fen": figures["paid"] or 0,
        "new_members": new_members,
        "cost_per_member_fen": cost // new_members if new_members else 0,
    }
