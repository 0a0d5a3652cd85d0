"""The daily rollups (models.py): rebuilt from the orders for the closed days of the dashboard's
longest window, then marked fresh through yesterday. The dashboard adds today's sales live, and
reads the orders alone when the rollups are not fresh (a new shop, a missed run).

经营分析's margins look back a year: their item and campaign rollups are built for a year once
(`ITEM_DAYS`), then, at each run, for the same closed days as the dashboard's and for the older
days whose orders had a refund completed since the run before (the only change to a paid line).

Repeat purchase reads one buyer record per member (`BuyerRecord`: first, last and previous paid
order), rebuilt at each run for the members who paid since the run before, and the cohorts'
activity in each closed month of its window (`CohortActivity`), built once the month is over.

Days and months are the shop's: when its timezone changes, the rollups built in the old one are
not read (`rollups_zoned`) and the next run deletes and builds them all again; the buyer records
hold instants, not days, and are kept."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, DateTimeField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from tuangou.orders.models import Order, OrderLine
from tuangou.payments.models import Refund

from .models import (
    BuyerRecord,
    CohortActivity,
    DailyCampaignOrders,
    DailyItemSales,
    DailyLeaderSales,
    DailyProductSales,
    RollupState,
)

# The dashboard's longest window (selectors.WINDOWS) and a day more: a refund on an order paid at
# the window's edge still reaches its rollup at the next run.
REBUILT_DAYS = 31
# The longest window of 经营分析 (schemas.AnalyticsDays) and a day more.
ITEM_DAYS = 366
# A refund that completed (an order paid) while the run before read them is looked for again:
# its transaction stamped the time before it committed.
SLACK = timedelta(minutes=10)
# The months repeat purchase looks back, this one included (analytics.repeat_purchase).
COHORT_MONTHS = 6
# Members whose orders one query reads (within SQLite's limit of bound parameters); buyer records
# one statement writes.
MEMBERS_PER_READ = 900
BUYERS_PER_WRITE = 2000


def shop_today(shop, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(shop.timezone)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def rollups_zoned(shop):
    """The shop's rollup state if its rollups were built in the shop's timezone (else none)."""
    return RollupState.objects.filter(shop=shop, timezone=shop.timezone)


def rollups_fresh(shop, today: date) -> bool:
    """Whether the rollups hold every closed day (up to yesterday)."""
    return rollups_zoned(shop).filter(through_day__gte=today - timedelta(days=1)).exists()


def rollups_rebuild(*, shop, now: datetime | None = None) -> int:
    """Rebuild the closed days of the last REBUILT_DAYS from the orders, and the item rollups'
    (`_item_days`); returns the rows written."""
    now = now or timezone.now()
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
    built = RollupState.objects.filter(shop=shop).first()
    state = built if built is not None and built.timezone == shop.timezone else None  # else: all again
    item_days = _item_days(shop, state, today, first, now)
    item_rows, campaign_rows = [], []
    for day_from, day_to in item_days:
        items, campaigns = _item_rollups(shop, tz, day_from, day_to)
        item_rows += items
        campaign_rows += campaigns
    buyers = _buyer_records_refresh(shop, built)
    months, cohorts_from, cohorts_to = _cohort_months(shop, state, now)
    cohort_rows = [row for month in months for row in _cohort_activity(shop, tz, month)]
    with transaction.atomic():
        if built is not None and state is None:  # built in another timezone: no day of it is kept
            for model in (DailyLeaderSales, DailyProductSales, DailyItemSales, DailyCampaignOrders, CohortActivity):
                model.objects.filter(shop=shop).delete()
        DailyLeaderSales.objects.filter(shop=shop, day__gte=first).delete()
        DailyProductSales.objects.filter(shop=shop, day__gte=first).delete()
        DailyLeaderSales.objects.bulk_create(leader_rows, batch_size=2000)
        DailyProductSales.objects.bulk_create(product_rows, batch_size=2000)
        for day_from, day_to in item_days:
            DailyItemSales.objects.filter(shop=shop, day__gte=day_from, day__lt=day_to).delete()
            DailyCampaignOrders.objects.filter(shop=shop, day__gte=day_from, day__lt=day_to).delete()
        DailyItemSales.objects.bulk_create(item_rows, batch_size=2000)
        DailyCampaignOrders.objects.bulk_create(campaign_rows, batch_size=2000)
        CohortActivity.objects.filter(shop=shop, month__in=months).delete()
        CohortActivity.objects.bulk_create(cohort_rows, batch_size=2000)
        items_from = min(day_from for day_from, _ in item_days)
        if state is not None and state.items_from is not None:
            items_from = min(items_from, state.items_from)
        RollupState.objects.update_or_create(
            shop=shop,
            defaults={
                "through_day": today - timedelta(days=1),
                "items_from": items_from,
                "built_at": now,
                "buyers_through": now,
                "cohorts_from": cohorts_from,
                "cohorts_to": cohorts_to,
                "timezone": shop.timezone,
            },
        )
    return len(leader_rows) + len(product_rows) + len(item_rows) + len(campaign_rows) + buyers + len(cohort_rows)


def month_date(value: date | datetime) -> date:
    """A month from TruncMonth: a datetime in the shop's timezone on a DateTimeField, else a date."""
    return value.date() if isinstance(value, datetime) else value


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _cohort_months(shop, state: RollupState | None, now: datetime) -> tuple[list[date], date | None, date | None]:
    """The closed months of repeat purchase's window whose cohort activity this run builds (a month
    is built once it ended SLACK ago, after the buyer records of its buyers), and the range of
    months built after it."""
    tz = ZoneInfo(shop.timezone)
    this_month = now.astimezone(tz).date().replace(day=1)
    start = add_months(this_month, -(COHORT_MONTHS - 1))
    end = this_month if now >= day_start(this_month, tz) + SLACK else add_months(this_month, -1)
    built_from, built_to = (state.cohorts_from, state.cohorts_to) if state is not None else (None, None)
    if built_from is None or built_to is None or built_to < start or built_from > end:
        built_from = built_to = None  # nothing built, or nothing that touches the window
    months, month = [], start
    while month < end:
        if built_from is None or not built_from <= month < built_to:
            months.append(month)
        month = add_months(month, 1)
    if built_from is None:
        return months, (start if start < end else None), (end if start < end else None)
    return months, min(start, built_from), max(end, built_to)


def _cohort_activity(shop, tz: ZoneInfo, month: date) -> list[CohortActivity]:
    """Members who paid in `month`, counted by the month of their first paid order (their record's)."""
    first_paid = BuyerRecord.objects.filter(shop=shop, member_id=OuterRef("member_id")).values("first_paid_at")[:1]
    paid = Order.objects.filter(
        shop=shop, paid_at__gte=day_start(month, tz), paid_at__lt=day_start(add_months(month, 1), tz)
    )
    rows = (
        paid.annotate(first=Subquery(first_paid, output_field=DateTimeField()))
        .annotate(cohort=TruncMonth("first", tzinfo=tz))
        .values("cohort")
        .annotate(members=Count("member_id", distinct=True))
        .order_by()
    )
    return [
        CohortActivity(
            shop=shop,
            cohort=month_date(row["cohort"]),
            month=month,
            members=row["members"],
        )
        for row in rows
        if row["cohort"] is not None
    ]


def buyer_histories(shop, member_ids=None) -> Iterator[tuple[int, datetime, datetime, datetime | None]]:
    """(member, first, last, previous paid_at) of each member's paid orders in the shop (previous
    None after one order), member after member: those of `member_ids`, or every buyer in one pass.
    Read in member order, so that a member's figures are done when the next member's begin: a shop
    with a million buyers is never held in memory."""
    paid = Order.objects.filter(shop=shop, paid_at__isnull=False).order_by("member_id")
    ids = sorted(member_ids) if member_ids is not None else None
    reads = (
        [paid]
        if ids is None
        else [paid.filter(member_id__in=ids[i : i + MEMBERS_PER_READ]) for i in range(0, len(ids), MEMBERS_PER_READ)]
    )
    for orders in reads:
        member = first = last = previous = None
        for member_id, paid_at in orders.values_list("member_id", "paid_at").iterator(chunk_size=10_000):
            if member_id != member:
                if member is not None:
                    yield member, first, last, previous
                member, first, last, previous = member_id, paid_at, paid_at, None
                continue
            first = min(first, paid_at)
            if paid_at >= last:
                last, previous = paid_at, last
            elif previous is None or paid_at > previous:
                previous = paid_at
        if member is not None:
            yield member, first, last, previous


def _buyer_records_refresh(shop, state: RollupState | None) -> int:
    """Writes again the record of every member who paid since the run before (of every buyer at the
    first run) from all their paid orders, 2,000 at a time; returns how many. Outside the run's
    transaction: each record is whole whenever it is written, and a run that stops half-way leaves
    `buyers_through` where it was, so the next run writes them all again."""
    members = None  # the first run: every buyer
    if state is not None and state.buyers_through is not None:
        paid = Order.objects.filter(shop=shop, paid_at__gte=state.buyers_through - SLACK)
        members = set(paid.values_list("member_id", flat=True).distinct().order_by())
    now, written, batch = timezone.now(), 0, []
    for member_id, first, last, previous in buyer_histories(shop, members):
        batch.append(
            BuyerRecord(
                shop=shop,
                member_id=member_id,
                first_paid_at=first,
                last_paid_at=last,
                previous_paid_at=previous,
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) == BUYERS_PER_WRITE:
            written += _buyer_records_write(batch)
            batch = []
    return written + _buyer_records_write(batch)


def _buyer_records_write(records: list[BuyerRecord]) -> int:
    BuyerRecord.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["shop", "member"],
        update_fields=["first_paid_at", "last_paid_at", "previous_paid_at", "updated_at"],
    )
    return len(records)


def _item_days(shop, state: RollupState | None, today: date, first: date, now: datetime) -> list[tuple[date, date]]:
    """The days [from, to) whose item rollups this run builds: the year at the first run (or a
    missed day ago), then the dashboard's days and each older day of an order refunded since."""
    year = today - timedelta(days=ITEM_DAYS)
    if state is None or state.items_from is None or state.built_at is None or state.through_day < first:
        return [(year, today)]
    if state.items_from > year:  # not a year yet: the days before it are built too
        days = [(year, state.items_from), (first, today)]
    else:
        days = [(first, today)]
    tz = ZoneInfo(shop.timezone)
    refunded = (
        Refund.objects.filter(
            shop=shop,
            kind=Refund.Kind.ORDER,
            completed_at__gte=state.built_at - SLACK,
            order__paid_at__gte=day_start(year, tz),
            order__paid_at__lt=day_start(first, tz),
        )
        .values_list("order__paid_at", flat=True)
        .distinct()
    )
    old = {paid_at.astimezone(tz).date() for paid_at in refunded}
    old = [day for day in sorted(old) if not any(day_from <= day < day_to for day_from, day_to in days)]
    return days + [(day, day + timedelta(days=1)) for day in old]


def _item_rollups(shop, tz: ZoneInfo, day_from: date, day_to: date) -> tuple[list, list]:
    start, end = day_start(day_from, tz), day_start(day_to, tz)
    items = (
        OrderLine.objects.filter(shop=shop, order__paid_at__gte=start, order__paid_at__lt=end)
        .annotate(day=TruncDate("order__paid_at", tzinfo=tz))
        .values("day", "campaign_item_id")
        .annotate(
            kept=Sum(F("quantity") - F("refunded_quantity")),
            revenue=Sum(F("amount_fen") - F("refunded_fen")),
            lines=Count("id", filter=Q(quantity__gt=F("refunded_quantity"))),
        )
        .order_by()
    )
    campaigns = (
        Order.objects.filter(shop=shop, paid_at__gte=start, paid_at__lt=end)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day", "campaign_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return (
        [
            DailyItemSales(
                shop=shop,
                day=r["day"],
                campaign_item_id=r["campaign_item_id"],
                kept=r["kept"] or 0,
                revenue_fen=r["revenue"] or 0,
                kept_lines=r["lines"],
            )
            for r in items
        ],
        [DailyCampaignOrders(shop=shop, day=r["day"], campaign_id=r["campaign_id"], orders=r["n"]) for r in campaigns],
    )
