from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tuangou.campaigns.tests.factories import CampaignItemFactory
from tuangou.catalog.models import Sku
from tuangou.core.testing import ok
from tuangou.fulfilment.models import Shipment
from tuangou.insights import analytics, rollups
from tuangou.insights.models import BuyerRecord, CohortActivity, DailyItemSales, RollupState
from tuangou.insights.rollups import rollups_rebuild
from tuangou.leaders.models import Leader
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.notifications.models import Message
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, given_member, paid_order, place, staff_login

pytestmark = pytest.mark.django_db


def _paid_days_ago(order: Order, days: float) -> None:
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(days=days))


def test_margin_is_what_was_kept_less_its_cost_and_a_product_without_cost_says_so():
    world = given_live_campaign(price_fen=1290)
    Sku.objects.filter(pk=world.item.sku_id).update(cost_fen=800)
    order = paid_order(world, 3)
    finance = staff_login(world.shop, "finance")
    line = order.lines.get()
    refund = {"reason": "坏了一个", "lines": [{"line_id": line.id, "quantity": 1}]}
    ok(finance.post(f"console/shops/{world.shop.id}/orders/{order.id}/refund", refund))
    place(world, 5)  # never paid: not sold

    body = ok(finance.get(f"console/shops/{world.shop.id}/analytics/margins?days=30"))

    [product] = body["products"]
    # 2 kept of 3: ¥25.80 in, 2 × ¥8.00 cost, ¥9.80 margin = 37.98 %
    assert (product["quantity"], product["revenue_fen"], product["cost_fen"]) == (2, 2580, 1600)
    assert (product["margin_fen"], product["margin_bp"], product["cost_missing"]) == (980, 3798, False)
    [campaign] = body["campaigns"]
    assert (campaign["campaign_id"], campaign["orders"], campaign["margin_fen"]) == (world.campaign.id, 1, 980)
    assert body["total"]["margin_fen"] == 980

    Sku.objects.filter(pk=world.item.sku_id).update(cost_fen=0)
    body = ok(finance.get(f"console/shops/{world.shop.id}/analytics/margins"))
    assert body["products"][0]["cost_missing"] is True

    refused = finance.get(f"console/shops/{world.shop.id}/analytics/margins?days=31")
    assert (refused.status_code, refused.json()["field"]) == (422, "days")


def test_margins_add_each_campaign_item_to_its_product_its_campaign_and_the_total(django_assert_num_queries):
    apples = given_live_campaign(price_fen=1000, stock=100)
    shop = apples.shop
    pears = given_live_campaign(price_fen=500, stock=100, shop=shop)  # another campaign, another product
    again = CampaignItemFactory(campaign=pears.campaign, sku=apples.item.sku, price_fen=900, stock_allotted=100)
    Sku.objects.filter(pk=apples.item.sku_id).update(cost_fen=600)
    Sku.objects.filter(pk=pears.item.sku_id).update(cost_fen=0)  # not known yet
    paid_order(apples, 2)  # 2 × 10.00
    paid_order(pears, 3, member=pears.member)  # 3 × 5.00, uncosted
    paid_order(pears, 1, member=pears.member, item=again)  # apples again, in the pears' campaign: 9.00
    _paid_days_ago(paid_order(apples, 5), 40)  # outside the 30 days
    paid_order(given_live_campaign())  # another shop's

    with django_assert_num_queries(5):  # rollups? (none), the items, the orders, the products' names, the titles
        body = analytics.margins(shop=shop, days=30)

    products = [
        (p["product_id"], p["quantity"], p["revenue_fen"], p["cost_fen"], p["cost_missing"]) for p in body["products"]
    ]
    assert products == [
        (apples.item.sku.product_id, 3, 2900, 1800, False),
        (pears.item.sku.product_id, 3, 1500, 0, True),
    ]
    campaigns = [(c["campaign_id"], c["orders"], c["revenue_fen"], c["cost_fen"]) for c in body["campaigns"]]
    assert campaigns == [(pears.campaign.id, 2, 2400, 600), (apples.campaign.id, 1, 2000, 1200)]
    assert body["campaigns"][0]["name"] == pears.campaign.title
    assert body["products"][1]["name"] == pears.item.sku.product.name
    total = body["total"]
    assert (total["quantity"], total["revenue_fen"], total["cost_fen"], total["cost_missing"]) == (6, 4400, 1800, True)
    assert (total["margin_fen"], total["margin_bp"]) == (2600, 5909)


def _margins_read_live(shop, days):
    """margins() as it reads without item rollups: every day from the lines."""
    state = RollupState.objects.filter(shop=shop)
    kept = list(state.values_list("pk", "items_from"))
    state.update(items_from=None)
    try:
        return analytics.margins(shop=shop, days=days)
    finally:
        for pk, items_from in kept:
            RollupState.objects.filter(pk=pk).update(items_from=items_from)


def test_margins_over_a_year_read_the_item_rollups_and_a_refund_of_an_old_order_reaches_them(
    django_assert_num_queries,
):
    apples = given_live_campaign(price_fen=1000, stock=100)
    shop = apples.shop
    pears = given_live_campaign(price_fen=500, stock=100, shop=shop)
    Sku.objects.filter(pk=apples.item.sku_id).update(cost_fen=600)
    Sku.objects.filter(pk=pears.item.sku_id).update(cost_fen=0)
    old = paid_order(apples, 4)
    for order, days in ((old, 100), (paid_order(apples, 2), 40), (paid_order(pears, 3, member=pears.member), 5)):
        _paid_days_ago(order, days)
    paid_order(pears, 1, member=pears.member)  # today: read live
    _paid_days_ago(paid_order(apples, 9), 400)  # before the year

    assert rollups_rebuild(shop=shop) > 0
    with django_assert_num_queries(7):  # state; today's lines and orders; the rollups' two; names, titles
        rolled = analytics.margins(shop=shop, days=365)

    assert rolled == _margins_read_live(shop, 365)
    assert rolled["total"]["quantity"] == 10 and rolled["total"]["cost_missing"] is True
    assert [(c["campaign_id"], c["orders"]) for c in rolled["campaigns"]] == [
        (apples.campaign.id, 2),
        (pears.campaign.id, 2),
    ]
    assert analytics.margins(shop=shop, days=30) == _margins_read_live(shop, 30)

    finance = staff_login(shop, "finance")
    line = old.lines.get()
    refund = {"reason": "放坏了", "lines": [{"line_id": line.id, "quantity": 3}]}
    ok(finance.post(f"console/shops/{shop.id}/orders/{old.id}/refund", refund))
    rows = DailyItemSales.objects.filter(shop=shop).count()

    rollups_rebuild(shop=shop)  # the next run: the day of the refunded order, 100 days ago, again

    assert DailyItemSales.objects.filter(shop=shop).count() == rows
    after = analytics.margins(shop=shop, days=365)
    assert after == _margins_read_live(shop, 365)
    assert after["total"]["quantity"] == 7 and after["total"]["revenue_fen"] == rolled["total"]["revenue_fen"] - 3000


def test_margins_read_every_line_while_the_item_rollups_do_not_hold_the_window():
    world = given_live_campaign(price_fen=1000, stock=100)
    _paid_days_ago(paid_order(world, 2), 100)
    assert analytics.margins(shop=world.shop, days=365)["total"]["quantity"] == 2  # no rollups yet
    rollups_rebuild(shop=world.shop)
    RollupState.objects.filter(shop=world.shop).update(items_from=timezone.localdate() - timedelta(days=60))

    body = analytics.margins(shop=world.shop, days=365)  # the rollups begin inside the window

    assert body["total"]["quantity"] == 2


def test_repeat_rate_and_cohorts_count_each_member_once_per_month():
    world = given_live_campaign(stock=100)
    regular, once = world.member, given_member(world.shop, world.leader)
    now = timezone.now()
    this_month = now.replace(day=15)
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=15)
    # `regular` first paid last month, twice this month; `once` paid once, this month.
    for member, at in ((regular, last_month), (regular, this_month), (regular, this_month), (once, this_month)):
        order = paid_order(world, member=member)
        Order.objects.filter(pk=order.pk).update(paid_at=min(at, now))

    body = analytics.repeat_purchase(shop=world.shop, now=now)

    assert (body["buyers"], body["repeaters"], body["repeat_bp"]) == (2, 1, 5000)
    cohorts = {c["month"]: c for c in body["cohorts"]}
    last = cohorts[last_month.date().replace(day=1)]
    assert (last["members"], last["retention_bp"]) == (1, [10000])  # came back this month
    assert cohorts[now.date().replace(day=1)]["members"] == 1


def _repeat_read_live(shop):
    """repeat_purchase from the orders alone, as before the job's first run."""
    through = RollupState.objects.filter(shop=shop).values_list("buyers_through", flat=True).first()
    RollupState.objects.filter(shop=shop).update(buyers_through=None)
    try:
        return analytics.repeat_purchase(shop=shop)
    finally:
        RollupState.objects.filter(shop=shop).update(buyers_through=through)


def test_repeat_purchase_reads_a_buyer_record_per_member_and_the_orders_of_those_who_paid_since(
    django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(rollups, "BUYERS_PER_WRITE", 3)  # the records are written a few at a time
    world = given_live_campaign(stock=100)
    shop = world.shop
    old, back, once, twice_at_once = (given_member(shop, world.leader) for _ in range(4))
    for member, days in (
        (old, 240),  # before the 6 months: counts as a buyer by this month's order only
        (old, 1),
        (back, 100),  # first paid 100 days ago, again 40 days ago: a repeater, in a cohort
        (back, 40),
        (once, 40),
    ):
        _paid_days_ago(paid_order(world, member=member), days)
    at = timezone.now() - timedelta(days=10)
    for _ in range(2):  # two orders paid at the same instant are two orders
        Order.objects.filter(pk=paid_order(world, member=twice_at_once).pk).update(paid_at=at)
    paid_order(given_live_campaign())  # another shop's order

    assert rollups_rebuild(shop=shop) > 0
    assert BuyerRecord.objects.filter(shop=shop).count() == 4
    expected = _repeat_read_live(shop)
    assert (expected["buyers"], expected["repeaters"]) == (4, 2)
    assert any(any(c["retention_bp"]) for c in expected["cohorts"])  # `back` came back in a later month
    assert CohortActivity.objects.filter(shop=shop).exists()
    # the state; the records' counts and cohorts; who paid since (none); the closed months' activity
    with django_assert_num_queries(5):
        assert analytics.repeat_purchase(shop=shop) == expected

    # Paid after the run: `once` comes back, a new member pays; read from their orders until the next run.
    newcomer = given_member(shop, world.leader)
    paid_order(world, member=once)
    paid_order(world, member=newcomer)
    live = _repeat_read_live(shop)
    assert (live["buyers"], live["repeaters"]) == (5, 3)
    assert analytics.repeat_purchase(shop=shop) == live

    rollups_rebuild(shop=shop)  # the next run reads those members' orders again, and only theirs
    assert BuyerRecord.objects.filter(shop=shop).count() == 5
    record = BuyerRecord.objects.get(shop=shop, member=once)
    assert record.previous_paid_at is not None and record.last_paid_at > record.previous_paid_at
    assert analytics.repeat_purchase(shop=shop) == live

    # Records a day old (the job stopped): the orders are read, with the same figures.
    RollupState.objects.filter(shop=shop).update(buyers_through=timezone.now() - timedelta(days=2))
    paid_order(world, member=old)
    assert analytics.repeat_purchase(shop=shop) == _repeat_read_live(shop)
    assert analytics.repeat_purchase(shop=shop)["repeaters"] == 4


def test_idle_leaders_are_listed_and_nudged_once_a_day_only_in_their_shop():
    world = given_live_campaign(stock=100)
    Leader.objects.filter(pk=world.leader.pk).update(created_at=timezone.now() - timedelta(days=60))
    _paid_days_ago(paid_order(world), 20)
    busy = LeaderFactory(shop=world.shop)
    Leader.objects.filter(pk=busy.pk).update(created_at=timezone.now() - timedelta(days=60))
    paid_order(world, member=given_member(world.shop, busy), leader_id=busy.id)
    other = given_live_campaign()  # another shop's idle leader
    Leader.objects.filter(pk=other.leader.pk).update(created_at=timezone.now() - timedelta(days=60))
    ops = staff_login(world.shop, "operations")
    url = f"console/shops/{world.shop.id}/analytics/idle-leaders"

    rows = ok(ops.get(url))

    assert [(row["leader_id"], row["idle_days"], row["gmv_before_fen"]) for row in rows] == [
        (world.leader.id, 20, 1290)
    ]
    nudge = {"leader_ids": [world.leader.id, busy.id, other.leader.id], "text": "周末有新团，记得转发哦🍊"}
    assert ok(ops.post(f"{url}/nudge", nudge)) == {"sent": 1}
    assert ok(ops.post(f"{url}/nudge", nudge)) == {"sent": 0}  # once a day
    assert Message.objects.filter(user=world.leader.user, kind="leader").count() == 1
    assert Message.objects.filter(user=other.leader.user).count() == 0
    assert ok(ops.get(url))[0]["nudged_today"] is True
    refused = ops.post(f"{url}/nudge", {**nudge, "text": "a\x00b"})
    assert (refused.status_code, refused.json()["field"]) == (422, "text")
    finance = staff_login(world.shop, "finance")  # may look, may not message
    assert finance.post(f"{url}/nudge", nudge).status_code == 403


def test_pickup_rate_and_hours_from_arrival_per_point():
    world = given_live_campaign(stock=100)
    orders = [paid_order(world, member=given_member(world.shop, world.leader)) for _ in range(4)]
    point = world.leader.pickup_point
    arrived_at = timezone.now() - timedelta(hours=30)
    Shipment.objects.create(
        shop=world.shop, campaign=world.campaign, pickup_point=point, shipped_at=arrived_at, arrived_at=arrived_at
    )
    S = Order.Status
    for order, hours in zip(orders, (2, 5, 9)):
        Order.objects.filter(pk=order.pk).update(status=S.PICKED_UP, picked_up_at=arrived_at + timedelta(hours=hours))
    Order.objects.filter(pk=orders[3].pk).update(status=S.ARRIVED)

    [row] = analytics.pickup_by_point(shop=world.shop, days=7)

    assert (row["pickup_point_id"], row["orders"], row["picked_up"], row["pickup_bp"]) == (point.id, 4, 3, 7500)
    assert (row["median_hours"], row["max_hours"]) == (5.0, 9.0)


def test_the_export_has_a_sheet_per_analysis():
    world = given_live_campaign()
    paid_order(world, 2)
    staff = staff_login(world.shop, "owner")

    response = staff.get(f"console/shops/{world.shop.id}/analytics/export.xlsx")

    assert response.status_code == 200
    from io import BytesIO

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["商品毛利", "团购毛利", "复购与留存", "沉睡团长", "提货"]
    assert book["商品毛利"]["C2"].value == 25.8


def test_cohort_activity_is_built_once_per_closed_month_of_the_window():
    shop = SimpleNamespace(timezone="Asia/Shanghai")
    now = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    window = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]

    def state(built_from, built_to):
        return SimpleNamespace(cohorts_from=built_from, cohorts_to=built_to)

    assert rollups._cohort_months(shop, None, now) == (window, date(2026, 7, 1), date(2026, 12, 1))
    # built last month: only November is new, and the range grows
    assert rollups._cohort_months(shop, state(date(2026, 6, 1), date(2026, 11, 1)), now) == (
        [date(2026, 11, 1)],
        date(2026, 6, 1),
        date(2026, 12, 1),
    )
    assert rollups._cohort_months(shop, state(date(2026, 6, 1), date(2026, 12, 1)), now)[0] == []
    # a range that stopped long ago is built again from the window
    assert rollups._cohort_months(shop, state(date(2025, 1, 1), date(2025, 6, 1)), now)[0] == window
    # five minutes into December (shop time), November waits for its late commits
    early = datetime(2026, 12, 1, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert rollups._cohort_months(shop, None, early) == (window[:-1], date(2026, 7, 1), date(2026, 11, 1))
