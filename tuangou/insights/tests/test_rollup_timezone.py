"""The rollups' days and months are the shop's: a shop whose timezone changes is never shown the
figures of the old zone's days, and the next run builds every rollup again in the new one."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from tuangou.insights import analytics, selectors
from tuangou.insights.models import (
    BuyerRecord,
    CohortActivity,
    DailyItemSales,
    DailyLeaderSales,
    RollupState,
)
from tuangou.insights.rollups import add_months, rollups_rebuild
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, given_member, paid_order
from tuangou.shops.models import Shop

pytestmark = pytest.mark.django_db

SHANGHAI, LOS_ANGELES = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Los_Angeles")


def _paid_at(world, member, quantity: int, at: datetime) -> None:
    Order.objects.filter(pk=paid_order(world, quantity, member=member).pk).update(paid_at=at)


def _figures(shop) -> dict:
    return {
        "dashboard": selectors.dashboard_get(shop=shop, days=30),
        "margins": analytics.margins(shop=shop, days=365),
        "repeat": analytics.repeat_purchase(shop=shop),
    }


def _figures_live(shop) -> dict:
    """The same figures with no rollups at all: everything read from the orders."""
    with transaction.atomic():
        RollupState.objects.filter(shop=shop).delete()
        figures = _figures(shop)
        transaction.set_rollback(True)
    return figures


def test_rollups_built_in_another_timezone_are_not_read_and_the_next_run_builds_them_in_the_new_one():
    world = given_live_campaign(price_fen=1000, stock=1000)
    shop = world.shop
    assert shop.timezone == "Asia/Shanghai"
    today = timezone.now().astimezone(SHANGHAI).date()
    # Paid at 02:00 in Shanghai: the day before in Los Angeles (the month before, on the 1st).
    for days, quantity in ((3, 1), (5, 2), (5, 4), (40, 3), (200, 5)):
        at = datetime.combine(today - timedelta(days=days), time(2), tzinfo=SHANGHAI)
        _paid_at(world, given_member(shop, world.leader), quantity, at)
    back = given_member(shop, world.leader)  # first paid on the 1st two months ago, again last month
    two_months_ago = add_months(today.replace(day=1), -2)
    _paid_at(world, back, 1, datetime.combine(two_months_ago, time(2), tzinfo=SHANGHAI))
    _paid_at(world, back, 1, datetime.combine(add_months(two_months_ago, 1), time(12), tzinfo=SHANGHAI))

    assert rollups_rebuild(shop=shop) > 0
    shanghai = _figures(shop)
    assert shanghai == _figures_live(shop)
    assert RollupState.objects.get(shop=shop).timezone == "Asia/Shanghai"

    Shop.objects.filter(pk=shop.pk).update(timezone="America/Los_Angeles")
    shop.refresh_from_db()
    moved = _figures(shop)  # the rollups of Shanghai's days are there, and not read

    assert moved == _figures_live(shop)
    assert moved["dashboard"]["series"] != shanghai["dashboard"]["series"]  # the days did move
    assert moved["repeat"]["cohorts"] != shanghai["repeat"]["cohorts"]  # `back` joined a month earlier

    rollups_rebuild(shop=shop)  # every day and month again, in the new zone

    state = RollupState.objects.get(shop=shop)
    assert state.timezone == "America/Los_Angeles"
    la_today = timezone.now().astimezone(LOS_ANGELES).date()
    paid = Order.objects.filter(shop=shop, paid_at__isnull=False).values_list("paid_at", flat=True)
    la_days = {at.astimezone(LOS_ANGELES).date() for at in paid} - {la_today}
    assert set(DailyLeaderSales.objects.filter(shop=shop).values_list("day", flat=True)) == {
        day for day in la_days if day >= la_today - timedelta(days=31)
    }
    assert set(DailyItemSales.objects.filter(shop=shop).values_list("day", flat=True)) == la_days
    assert CohortActivity.objects.filter(shop=shop).exists()
    assert BuyerRecord.objects.filter(shop=shop).count() == 6  # instants, not days: kept as they were
    rolled = _figures(shop)
    assert rolled == _figures_live(shop) == moved
