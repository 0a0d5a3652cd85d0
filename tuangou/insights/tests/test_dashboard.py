from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone

from tuangou.core.testing import ok
from tuangou.insights import selectors
from tuangou.insights.models import DailyLeaderSales, RollupState
from tuangou.insights.rollups import rollups_rebuild
from tuangou.leaders.models import Leader
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, given_member, paid_order, place, staff_login

pytestmark = pytest.mark.django_db


def _paid_days_ago(order: Order, days: int) -> None:
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(days=days))


def given_a_month_of_sales():
    """Today: 2 orders (¥20 and ¥10, ¥3 of it refunded) by 2 members; 3 days ago ¥40 by the
    first member again; 10 days ago ¥50 at another leader; an unpaid order; a leader who
    joined 20 days ago."""
    world = given_live_campaign(price_fen=1000, stock=100)
    neighbour = given_member(world.shop, world.leader)
    paid_order(world, 2)
    refunded = paid_order(world, 1, member=neighbour)
    order_services.order_refund(order=refunded, actor=None, reason="少发", amount_fen=300)
    _paid_days_ago(paid_order(world, 4), 3)
    other_leader = LeaderFactory(shop=world.shop, name="陈阿姨")
    _paid_days_ago(paid_order(world, 5, member=given_member(world.shop, other_leader), leader_id=other_leader.id), 10)
    place(world, 3)
    Leader.objects.filter(pk=other_leader.pk).update(created_at=timezone.now() - timedelta(days=20))
    return world, other_leader


def test_the_cards_show_today_seven_and_thirty_days():
    world, _ = given_a_month_of_sales()
    given_a_month_of_sales()  # another shop's sales stay out

    body = ok(staff_login(world.shop).get(f"console/shops/{world.shop.id}/dashboard", {"days": 7}))

    assert body["cards"] == [
        {"days": 1, "gmv_fen": 2700, "orders": 2, "paying_members": 2, "new_leaders": 1},
        {"days": 7, "gmv_fen": 6700, "orders": 3, "paying_members": 2, "new_leaders": 1},
        {"days": 30, "gmv_fen": 11700, "orders": 4, "paying_members": 3, "new_leaders": 2},
    ]


def test_the_series_has_every_day_of_the_window_up_to_today():
    world, _ = given_a_month_of_sales()
    today = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).date()

    body = ok(staff_login(world.shop).get(f"console/shops/{world.shop.id}/dashboard", {"days": 7}))

    assert [day["date"] for day in body["series"]] == [str(today - timedelta(days=n)) for n in range(6, -1, -1)]
    assert body["series"][-1] == {"date": str(today), "gmv_fen": 2700, "orders": 2}
    assert sum(day["gmv_fen"] for day in body["series"]) == 6700
    assert sum(day["orders"] for day in body["series"]) == 3


def test_top_leaders_and_products_rank_the_window_by_gmv():
    world, other_leader = given_a_month_of_sales()

    body = ok(staff_login(world.shop).get(f"console/shops/{world.shop.id}/dashboard", {"days": 30}))

    assert [(row["leader_id"], row["gmv_fen"], row["orders"], row["members"]) for row in body["top_leaders"]] == [
        (world.leader.id, 6700, 3, 2),
        (other_leader.id, 5000, 1, 1),
    ]
    assert body["top_leaders"][1]["name"] == "陈阿姨"
    product = world.item.sku.product
    assert body["top_products"] == [
        {"product_id": product.id, "name": product.name, "quantity": 12, "gmv_fen": 11700, "orders": 4}
    ]


def test_today_only_counts_today():
    world, _ = given_a_month_of_sales()

    body = ok(staff_login(world.shop).get(f"console/shops/{world.shop.id}/dashboard", {"days": 1}))

    assert len(body["series"]) == 1
    assert [(row["leader_id"], row["gmv_fen"]) for row in body["top_leaders"]] == [(world.leader.id, 2700)]


def test_each_figure_is_one_query_whatever_the_volume(django_assert_num_queries):
    world, _ = given_a_month_of_sales()
    for _ in range(5):
        paid_order(world, 1)

    # Freshness; cards (live, rolled up, members), new leaders; series (rolled up, live); top leaders
    # (rolled up, live, their members, their names); top products (rolled up, live, their names);
    # the 0.01元 deals' acquisition cost (figures, new members).
    with django_assert_num_queries(16):
        selectors.dashboard_get(shop=world.shop, days=30)
    rollups_rebuild(shop=world.shop)
    with django_assert_num_queries(16):
        selectors.dashboard_get(shop=world.shop, days=30)


@pytest.mark.parametrize("days", [1, 7, 30])
def test_with_fresh_rollups_the_dashboard_matches_the_orders_read_directly(days):
    world, _ = given_a_month_of_sales()
    # More history: yesterday, the window's first day, and one day before the longest window.
    for ago, quantity in ((1, 3), (29, 2), (30, 6)):
        _paid_days_ago(paid_order(world, quantity), ago)
    direct = selectors.dashboard_get(shop=world.shop, days=days)  # no rollups yet: all live

    assert rollups_rebuild(shop=world.shop) > 0
    assert DailyLeaderSales.objects.filter(shop=world.shop).exists()
    paid_order(world, 1)  # today, after the rebuild: read live
    direct_now = selectors.dashboard_get(shop=world.shop, days=days)
    RollupState.objects.filter(shop=world.shop).update(through_day=F("through_day") - timedelta(days=1))
    stale = selectors.dashboard_get(shop=world.shop, days=days)  # stale rollups are not read
    RollupState.objects.filter(shop=world.shop).update(through_day=F("through_day") + timedelta(days=1))
    rolled = selectors.dashboard_get(shop=world.shop, days=days)

    assert rolled == direct_now == stale
    assert rolled["cards"][0]["orders"] == direct["cards"][0]["orders"] + 1


def test_the_rollup_rows_are_the_direct_per_day_aggregates():
    world, other_leader = given_a_month_of_sales()
    rollups_rebuild(shop=world.shop)
    tz = ZoneInfo(world.shop.timezone)
    today = timezone.now().astimezone(tz).date()
    expected = {}
    for order in Order.objects.filter(shop=world.shop, paid_at__isnull=False):
        day = order.paid_at.astimezone(tz).date()
        if day < today:
            gmv, count = expected.get((day, order.leader_id), (0, 0))
            expected[(day, order.leader_id)] = (gmv + order.total_fen - order.refunded_fen, count + 1)
    rows = DailyLeaderSales.objects.filter(shop=world.shop)
    assert {(r.day, r.leader_id): (r.gmv_fen, r.orders) for r in rows} == expected
    assert len(expected) == 2 and other_leader.id in {leader for _, leader in expected}


def test_a_window_other_than_1_7_30_days_is_refused():
    world = given_live_campaign()

    response = staff_login(world.shop).get(f"console/shops/{world.shop.id}/dashboard", {"days": 5})

    assert response.status_code == 422
    assert response.json()["field"] == "days"


def test_another_shops_staff_get_404_and_only_roles_with_dashboard_view_may_look():
    world = given_live_campaign()
    outsider = given_live_campaign()
    url = f"console/shops/{world.shop.id}/dashboard"

    assert staff_login(outsider.shop).get(url).status_code == 404
    assert staff_login(world.shop, role="finance").get(url).status_code == 200
    assert staff_login(world.shop, role="warehouse").get(url).status_code == 403
