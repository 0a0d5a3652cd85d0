"""经营分析: the figures a merchant runs the business by, beyond the dashboard's sales.

- Margin by product and by campaign: what paid lines brought in net of refunds, less the cost of
  the units kept (the SKU's cost as it is set now: lines keep no cost of their own), so a product
  without a cost says so instead of showing a 100 % margin.
- Repeat purchase and monthly cohorts: of the members who first paid in a month, the share who paid
  again in each following month.
- Leaders with no sale in 14 days, to nudge with one message.
- Pickup per point: of the orders whose goods arrived, how many were picked up, and how long after.

Each is a few grouped queries; nothing here reads a row per order into Python except the pickup
figures, which are bounded by the window (median times need the values).
"""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.catalog.models import Product
from tuangou.core.errors import ApplicationError
from tuangou.fulfilment.models import Shipment
from tuangou.leaders.models import Leader
from tuangou.notifications.models import Message
from tuangou.notifications.services import notice_send
from tuangou.orders.models import Order, OrderLine

from . import rollups
from .models import BuyerRecord, CohortActivity, DailyCampaignOrders, DailyItemSales
from .rollups import COHORT_MONTHS, add_months, day_start, month_date, rollups_zoned
from .selectors import window_start

TOP = 200
IDLE_DAYS = 14
NUDGE_MAX = 200
_KEPT = ExpressionWrapper(F("quantity") - F("refunded_quantity"), output_field=IntegerField())
_NET = ExpressionWrapper(F("amount_fen") - F("refunded_fen"), output_field=IntegerField())
_COST = ExpressionWrapper(
    (F("quantity") - F("refunded_quantity")) * F("campaign_item__sku__cost_fen"), output_field=IntegerField()
)
_UNCOSTED = Q(campaign_item__sku__cost_fen=0) & Q(quantity__gt=F("refunded_quantity"))
_ZERO = {"kept": 0, "revenue_fen": 0, "cost_fen": 0, "uncosted": 0}  # what margins() adds up


def _since(shop, days: int, now: datetime | None) -> datetime:
    tz = ZoneInfo(shop.timezone)
    return window_start(today=(now or timezone.now()).astimezone(tz).date(), days=days, tz=tz)


def _margin(row: dict) -> dict:
    revenue, cost = row["revenue_fen"] or 0, row["cost_fen"] or 0
    return {
        **row,
        "quantity": row.pop("kept") or 0,
        "revenue_fen": revenue,
        "cost_fen": cost,
        "margin_fen": revenue - cost,
        # basis points of the revenue; None when nothing was kept
        "margin_bp": (revenue - cost) * 10000 // revenue if revenue > 0 else None,
        "cost_missing": bool(row.pop("uncosted")),
    }


def margins(*, shop, days: int, now: datetime | None = None) -> dict:
    """Paid lines since the window's first day, by product and by campaign, the best sellers first.

    Grouped by campaign item (an item is one SKU in one campaign, so its figures add up to both its
    product's and its campaign's, and all of them to the total), with each campaign's orders. The
    closed days come from the item rollups (rollups.py) when they hold the whole window, today's
    lines live; else every day is read from the lines (a year of a big shop's: ~1 s)."""
    tz = ZoneInfo(shop.timezone)
    today = (now or timezone.now()).astimezone(tz).date()
    since = window_start(today=today, days=days, tz=tz)
    rolled = _items_rolled(shop, today, since.date())
    live_from = day_start(today, tz) if rolled else since
    paid = Order.objects.filter(shop=shop, paid_at__gte=live_from)
    # The orders first (their paid_at index), then their lines: a join filtered on the orders'
    # paid_at read every line of the shop for today's few (88 against 11 ms at 10^6 orders).
    lines = OrderLine.objects.filter(shop=shop, order__in=paid.values("id"))
    items = list(
        lines.values(campaign_id=F("campaign_item__campaign_id"), product_id=F("campaign_item__sku__product_id"))
        .annotate(kept=Sum(_KEPT), revenue_fen=Sum(_NET), cost_fen=Sum(_COST), uncosted=Count("id", filter=_UNCOSTED))
        .order_by()
    )
    orders = list(paid.values_list("campaign_id").annotate(n=Count("id")).order_by())
    if rolled:
        past = DailyItemSales.objects.filter(shop=shop, day__gte=since.date(), day__lt=today)
        items += [
            {**row, "kept": row.pop("pieces"), "revenue_fen": row.pop("money")}
            for row in past.values(
                campaign_id=F("campaign_item__campaign_id"), product_id=F("campaign_item__sku__product_id")
            )
            .annotate(
                pieces=Sum("kept"),  # named apart from the columns: F("kept") below is the column
                money=Sum("revenue_fen"),
                cost_fen=Sum(F("kept") * F("campaign_item__sku__cost_fen")),
                uncosted=Sum("kept_lines", filter=Q(campaign_item__sku__cost_fen=0)),
            )
            .order_by()
        ]
        orders += (
            DailyCampaignOrders.objects.filter(shop=shop, day__gte=since.date(), day__lt=today)
            .values_list("campaign_id")
            .annotate(n=Sum("orders"))
            .order_by()
        )
    products: dict[int, dict] = {}
    campaigns: dict[int, dict] = {}
    total = {"name": "", **_ZERO}
    for item in items:
        product = products.setdefault(item["product_id"], {"product_id": item["product_id"], **_ZERO})
        campaign = campaigns.setdefault(item["campaign_id"], {"campaign_id": item["campaign_id"], **_ZERO})
        for row in (product, campaign, total):
            for figure in _ZERO:
                row[figure] += item[figure] or 0
    for product_id, name in Product.objects.filter(shop=shop, pk__in=products).values_list("id", "name"):
        products[product_id]["name"] = name
    for campaign_id, n in orders:
        if campaign_id in campaigns:
            campaigns[campaign_id]["orders"] = campaigns[campaign_id].get("orders", 0) + n
    for campaign_id, title in Campaign.objects.filter(shop=shop, pk__in=campaigns).values_list("id", "title"):
        campaigns[campaign_id]["name"] = title
    by_product = sorted(products.values(), key=lambda row: (-row["revenue_fen"], row["product_id"]))
    by_campaign = sorted(campaigns.values(), key=lambda row: (-row["revenue_fen"], -row["campaign_id"]))
    return {
        "days": days,
        "total": _margin(total),
        "products": [_margin({"name": "", **row}) for row in by_product[:TOP]],
        "campaigns": [_margin({"name": "", "orders": 0, **row}) for row in by_campaign[:TOP]],
    }


def _items_rolled(shop, today: date, first_day: date) -> bool:
    """Whether the item rollups hold every closed day from `first_day` (and so the window's)."""
    return rollups_zoned(shop).filter(through_day__gte=today - timedelta(days=1), items_from__lte=first_day).exists()


def repeat_purchase(*, shop, months: int = COHORT_MONTHS, now: datetime | None = None) -> dict:
    """The repeat rate over the last `months` calendar months (members with two or more paid orders
    among those with one), and a cohort per month: members whose first paid order in the shop was
    that month, and the share of them who paid in each month after it.

    From the buyer records and the cohort activity (rollups.py) while the job keeps them; else from
    the orders."""
    tz = ZoneInfo(shop.timezone)
    this_month = (now or timezone.now()).astimezone(tz).date().replace(day=1)
    first_month = add_months(this_month, -(months - 1))
    recorded = _repeat_recorded(shop, tz, first_month, this_month)
    buyers, repeaters, sizes, active = recorded or _repeat_read(shop, tz, first_month)
    cohorts = []
    for i in range(months):
        month = add_months(first_month, i)
        members = sizes[month]
        later = [add_months(month, k) for k in range(1, months - i)]
        cohorts.append(
            {
                "month": month,
                "members": members,
                # share of the cohort (basis points) who paid again in month +1, +2, …
                "retention_bp": [active[(month, m)] * 10000 // members if members else 0 for m in later],
            }
        )
    return {
        "months": months,
        "since": day_start(first_month, tz),
        "buyers": buyers,
        "repeaters": repeaters,
        "repeat_bp": repeaters * 10000 // buyers if buyers else 0,
        "cohorts": cohorts,
    }


def _month_of(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date().replace(day=1)


def _repeat_read(shop, tz: ZoneInfo, first_month: date) -> tuple[int, int, Counter, Counter]:
    """(buyers, repeaters, {cohort: members}, {(cohort, month): members who paid in it}) from the
    orders: every paid order of the shop twice, and the window's orders of the cohorts' members."""
    since = day_start(first_month, tz)
    paid = Order.objects.filter(shop=shop, paid_at__isnull=False)
    per_member = paid.filter(paid_at__gte=since).values("member_id").annotate(n=Count("id"))
    rate = per_member.aggregate(buyers=Count("member_id"), repeaters=Count("member_id", filter=Q(n__gte=2)))
    first_paid = paid.values("member_id").annotate(first=Min("paid_at")).filter(first__gte=since)
    firsts = {row["member_id"]: _month_of(row["first"], tz) for row in first_paid}
    active = Counter()
    for member_id, month in (
        paid.filter(paid_at__gte=since, member_id__in=list(firsts))
        .annotate(month=TruncMonth("paid_at", tzinfo=tz))
        .values_list("member_id", "month")
        .distinct()
    ):
        active[(firsts[member_id], month_date(month))] += 1
    return rate["buyers"] or 0, rate["repeaters"] or 0, Counter(firsts.values()), active


def _repeat_recorded(shop, tz: ZoneInfo, first_month: date, this_month: date) -> tuple | None:
    """_repeat_read's figures from the buyer records (a row per member) and the cohort activity of
    the closed months; this month's activity from the records' last paid order. The members who
    paid since the records were built count by their orders instead. None while the job has not
    built the records in the last day and the activity of every closed month of the window."""
    state = rollups_zoned(shop).values_list("buyers_through", "cohorts_from", "cohorts_to").first()
    if state is None or state[0] is None or state[0] < timezone.now() - timedelta(days=1):
        return None
    through, built_from, built_to = state
    if first_month < this_month and (built_from is None or built_from > first_month or built_to < this_month):
        return None
    since, this_start = day_start(first_month, tz), day_start(this_month, tz)
    records = BuyerRecord.objects.filter(shop=shop)
    counts = records.aggregate(
        buyers=Count("id", filter=Q(last_paid_at__gte=since)),
        repeaters=Count("id", filter=Q(previous_paid_at__gte=since)),
    )
    buyers, repeaters = counts["buyers"], counts["repeaters"]
    sizes, active = Counter(), Counter()
    cohorts = (
        records.filter(first_paid_at__gte=since)
        .annotate(cohort=TruncMonth("first_paid_at", tzinfo=tz))
        .values_list("cohort")
        .annotate(members=Count("id"), now=Count("id", filter=Q(last_paid_at__gte=this_start)))
        .order_by()
    )
    for cohort, members, paid_now in cohorts:
        cohort = month_date(cohort)
        sizes[cohort] += members
        active[(cohort, this_month)] += paid_now

    def count(first, last, previous, sign: int):
        nonlocal buyers, repeaters
        buyers += sign * (last >= since)
        repeaters += sign * (previous is not None and previous >= since)
        if first >= since:
            sizes[_month_of(first, tz)] += sign
            active[(_month_of(first, tz), this_month)] += sign * (last >= this_start)

    paid_since = Order.objects.filter(shop=shop, paid_at__gte=through - rollups.SLACK)
    fresh = sorted(set(paid_since.values_list("member_id", flat=True).distinct().order_by()))
    for i in range(0, len(fresh), rollups.MEMBERS_PER_READ):
        stale = records.filter(member_id__in=fresh[i : i + rollups.MEMBERS_PER_READ])
        for first, last, previous in stale.values_list("first_paid_at", "last_paid_at", "previous_paid_at"):
            count(first, last, previous, -1)
    for _, first, last, previous in rollups.buyer_histories(shop, fresh):
        count(first, last, previous, +1)
    closed = CohortActivity.objects.filter(
        shop=shop, cohort__gte=first_month, month__gte=first_month, month__lt=this_month
    )
    for cohort, month, members in closed.values_list("cohort", "month", "members"):
        active[(cohort, month)] = members
    return buyers, repeaters, sizes, active


def idle_leaders(*, shop, days: int = IDLE_DAYS, now: datetime | None = None) -> list[dict]:
    """Active leaders with no paid order through them in the last `days` days (or never), the ones
    who sold most recently first: those are the ones a message can still bring back."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    leaders = (
        Leader.objects.filter(shop=shop, status=Leader.Status.ACTIVE)
        .annotate(
            last_sale_at=Max("orders__paid_at"),
            gmv_before_fen=Sum(
                F("orders__total_fen") - F("orders__refunded_fen"),
                filter=Q(orders__paid_at__gte=cutoff - timedelta(days=30), orders__paid_at__lt=cutoff),
            ),
        )
        .filter(Q(last_sale_at__lt=cutoff) | Q(last_sale_at__isnull=True), created_at__lt=cutoff)
        .order_by(F("last_sale_at").desc(nulls_last=True), "id")
    )
    nudged = _nudged_today(shop, now)
    return [
        {
            "leader_id": leader.id,
            "name": leader.name,
            "phone": leader.phone,
            "last_sale_at": leader.last_sale_at,
            "idle_days": (now - leader.last_sale_at).days if leader.last_sale_at else None,
            "gmv_before_fen": leader.gmv_before_fen or 0,
            "nudged_today": leader.id in nudged,
        }
        for leader in leaders[:TOP]
    ]


def _nudge_key(leader_id: int, now: datetime, tz: ZoneInfo) -> str:
    return f"idle-nudge:{leader_id}:{now.astimezone(tz).date().isoformat()}"


def _nudged_today(shop, now: datetime) -> set[int]:
    day = now.astimezone(ZoneInfo(shop.timezone)).date().isoformat()
    sent = Message.objects.filter(
        shop=shop, data__notice__startswith="idle-nudge:", data__notice__endswith=f":{day}"
    ).values_list("data__leader_id", flat=True)
    return set(sent)


def idle_leaders_nudge(*, shop, leader_ids: list[int], text: str, now: datetime | None = None) -> int:
    """Send each of these idle leaders one message (at most one a day each: a second click sends
    nothing). Only leaders of this shop that are idle are reached. How many were sent."""
    if len(leader_ids) > NUDGE_MAX:
        raise ApplicationError("too_many", field="leader_ids", max=NUDGE_MAX)
    now = now or timezone.now()
    tz = ZoneInfo(shop.timezone)
    idle = {row["leader_id"] for row in idle_leaders(shop=shop, now=now)}
    chosen = Leader.objects.filter(shop=shop, pk__in=[i for i in leader_ids if i in idle]).select_related("user")
    sent = 0
    for leader in chosen:
        message = notice_send(
            shop=shop,
            user=leader.user,
            kind=Message.Kind.LEADER,
            key=_nudge_key(leader.id, now, tz),
            title="最近没有订单，来开一团吧",
            body=text,
            data={"leader_id": leader.id},
        )
        sent += message is not None
    return sent


def pickup_by_point(*, shop, days: int, now: datetime | None = None) -> list[dict]:
    """Per pickup point, for goods that arrived in the window: the orders that were waiting, how many
    were picked up, the rate, and the median and slowest hours from arrival to pickup."""
    arrived = Shipment.objects.filter(shop=shop, arrived_at__gte=_since(shop, days, now)).values_list(
        "campaign_id", "pickup_point_id", "arrived_at", "pickup_point__name"
    )
    arrivals = {(c, p): at for c, p, at, _ in arrived}
    names = {p: name for _, p, _, name in arrived}
    if not arrivals:
        return []
    S = Order.Status
    orders = Order.objects.filter(
        shop=shop,
        campaign_id__in={c for c, _ in arrivals},
        pickup_point_id__in=set(names),
        status__in=[S.ARRIVED, S.PICKED_UP, S.COMPLETED],
    ).values_list("campaign_id", "pickup_point_id", "picked_up_at")
    waiting, hours = defaultdict(int), defaultdict(list)
    for campaign_id, point_id, picked_up_at in orders:
        arrived_at = arrivals.get((campaign_id, point_id))
        if arrived_at is None:
            continue
        waiting[point_id] += 1
        if picked_up_at:
            hours[point_id].append(max(0.0, (picked_up_at - arrived_at).total_seconds() / 3600))
    rows = [
        {
            "pickup_point_id": point_id,
            "name": names[point_id],
            "orders": waiting[point_id],
            "picked_up": len(hours[point_id]),
            "pickup_bp": len(hours[point_id]) * 10000 // waiting[point_id] if waiting[point_id] else 0,
            "median_hours": round(median(hours[point_id]), 1) if hours[point_id] else None,
            "max_hours": round(max(hours[point_id]), 1) if hours[point_id] else None,
        }
        for point_id in names
    ]
    return sorted(rows, key=lambda row: (row["pickup_bp"], -row["orders"], row["pickup_point_id"]))
