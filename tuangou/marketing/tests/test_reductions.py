"""满减送: campaign price → 满减送 → coupon, allocated to lines, refunded at what each line paid."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.core.testing import ok
from tuangou.marketing import reductions
from tuangou.marketing.models import Coupon, FullReduction
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login, pay, staff_login

from .factories import given_coupon
from .test_checkout import checkout, three_items

pytestmark = pytest.mark.django_db
TIERS = [{"threshold_fen": 19900, "reduce_fen": 2500}, {"threshold_fen": 9900, "reduce_fen": 1000}]


def given_reduction(shop, tiers=TIERS, **overrides) -> FullReduction:
    now = timezone.now()
    return reductions.full_reduction_create(
        shop=shop,
        actor=None,
        **{
            "name": "周末满减",
            "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(days=7),
            "scope": "all",
            "scope_ids": [],
            "tiers": tiers,
            **overrides,
        },
    )


def test_the_best_tier_reached_comes_off_split_over_the_lines_to_the_fen():
    world = three_items(given_live_campaign(price_fen=1290))
    given_reduction(world.shop)

    order = checkout(world, None, [(world.item, 3), (world.milk, 2), (world.rice, 2)])  # 3870 + 1600 + 6666

    # ¥121.36 reaches 满99减10, not 满199减25. 3870·1000/12136 = 318.9 → 318, 131.8 → 131, 549.2 → 549 + 2.
    assert (order.items_fen, order.reduction_fen, order.discount_fen, order.total_fen) == (12136, 1000, 1000, 11136)
    lines = list(order.lines.order_by("id"))
    assert [line.reduction_fen for line in lines] == [318, 131, 551]
    assert [line.coupon_fen for line in lines] == [0, 0, 0]
    assert [line.amount_fen for line in lines] == [3870 - 318, 1600 - 131, 6666 - 551]
    assert order.events.get(type="placed").data["reduction"] == "满99减10"


def test_the_coupon_threshold_is_checked_on_what_the_reduction_left():
    world = given_live_campaign(price_fen=10000)
    given_reduction(world.shop)
    coupon = given_coupon(world.shop, world.member, threshold_fen=9500, reduce_fen=500)

    with pytest.raises(Exception) as refused:  # ¥100 − ¥10 = ¥90 is under the coupon's ¥95
        checkout(world, coupon, [(world.item, 1)])
    assert refused.value.code == "coupon_not_applicable"
    assert Order.objects.count() == 0

    order = checkout(world, coupon, [(world.item, 2)])  # ¥200: 满199减25, then ¥175 ≥ ¥95

    assert (order.reduction_fen, order.discount_fen, order.total_fen) == (2500, 3000, 17000)
    line = order.lines.get()
    assert (line.reduction_fen, line.coupon_fen, line.amount_fen) == (2500, 500, 17000)
    coupon.refresh_from_db()
    assert (coupon.status, coupon.discount_fen, coupon.order_paid_fen) == (Coupon.Status.LOCKED, 500, 17000)


def test_a_percent_coupon_after_the_reduction_and_every_line_adds_up():
    world = three_items(given_live_campaign(price_fen=1290))
    given_reduction(world.shop)
    coupon = given_coupon(world.shop, world.member, kind="percent", threshold_fen=0, reduce_fen=0, percent_off_bp=1500)

    order = checkout(world, coupon, [(world.item, 3), (world.milk, 3), (world.rice, 2)])  # 3870 + 2400 + 6666

    # 12936 − 1000 = 11936; 85% of it is 10145.6, floored: she pays 10145, the coupon takes 1791.
    assert (order.reduction_fen, order.discount_fen, order.total_fen) == (1000, 2791, 10145)
    lines = list(order.lines.order_by("id"))
    assert sum(line.reduction_fen for line in lines) == 1000
    assert sum(line.coupon_fen for line in lines) == 1791
    for line in lines:
        assert line.amount_fen == line.unit_price_fen * line.quantity - line.reduction_fen - line.coupon_fen


def test_a_partial_refund_pays_back_what_the_line_paid_and_the_rest_adds_up():
    world = three_items(given_live_campaign(price_fen=1290))
    given_reduction(world.shop)
    order = checkout(world, None, [(world.item, 3), (world.milk, 2), (world.rice, 2)])
    pay(order)
    eggs, milk, rice = order.lines.order_by("id")
    finance = staff_login(world.shop, "finance")
    url = f"console/shops/{world.shop.id}/orders/{order.id}/refund"

    body = ok(finance.post(url, {"reason": "鸡蛋破损", "lines": [{"line_id": eggs.id, "quantity": 3}]}))

    # What is left (¥82.66) no longer reaches ¥99, but the reduction stays: the eggs go back at what
    # was paid for them (¥35.52), not at their ¥38.70 price.
    assert (body["refunded_fen"], body["status"]) == (3552, "paid")
    for line in (milk, rice):
        ok(finance.post(url, {"reason": "不要了", "lines": [{"line_id": line.id, "quantity": line.quantity}]}))
    order.refresh_from_db()
    assert order.refunded_fen == order.total_fen == 11136
    assert order.status == Order.Status.REFUNDED


def test_nothing_comes_off_out_of_scope_paused_or_outside_the_period():
    world = three_items(given_live_campaign(price_fen=1290))
    type(world.milk).objects.filter(pk=world.milk.pk).update(stock_left=100)
    category = world.milk.sku.product.category_id
    given_reduction(world.shop, scope="categories", scope_ids=[category])
    paused = given_reduction(world.shop, tiers=[{"threshold_fen": 100, "reduce_fen": 99}])
    reductions.full_reduction_set_status(activity=paused, status="paused")
    given_reduction(
        world.shop,
        tiers=[{"threshold_fen": 100, "reduce_fen": 99}],
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
    )

    order = checkout(world, None, [(world.item, 10), (world.milk, 1)])  # eggs ¥129, milk only ¥8 in scope

    assert (order.reduction_fen, order.total_fen) == (0, 13700)

    order = checkout(world, None, [(world.item, 1), (world.milk, 13)])  # milk ¥104: 满99减10 on milk alone

    assert [line.reduction_fen for line in order.lines.order_by("id")] == [0, 1000]


def test_the_console_creates_and_pauses_one_and_bad_tiers_are_refused_naming_the_field():
    world = given_live_campaign(price_fen=1290)
    staff = staff_login(world.shop, "owner")
    url = f"console/shops/{world.shop.id}/full-reductions"
    now = timezone.now()
    body = {
        "name": "满减",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
        "tiers": TIERS,
    }

    created = ok(staff.post(url, body), 201)

    assert (created["label"], created["status"]) == ("满99减10 / 满199减25", "active")
    assert created["tiers"] == sorted(TIERS, key=lambda tier: tier["threshold_fen"])
    paused = ok(staff.post(f"{url}/{created['id']}/status", {"status": "paused"}))
    assert paused["status_label"] == "已暂停"
    assert [row["id"] for row in ok(staff.get(url))["items"]] == [created["id"]]

    for tiers, field in (
        ([{"threshold_fen": 1000, "reduce_fen": 1000}], "tiers.0.reduce_fen"),
        ([{"threshold_fen": 1000, "reduce_fen": 100}, {"threshold_fen": 2000, "reduce_fen": 100}], "tiers.1"),
    ):
        refused = staff.post(url, {**body, "tiers": tiers})
        assert (refused.status_code, refused.json()["field"]) == (400, field)
    refused = staff.post(url, {**body, "ends_at": body["starts_at"]})
    assert (refused.status_code, refused.json()["field"]) == (400, "ends_at")
    assert FullReduction.objects.count() == 1


def test_the_member_sees_it_running_and_against_her_cart_and_coupons_are_quoted_after_it():
    world = given_live_campaign(price_fen=10000)
    given_reduction(world.shop)
    given_coupon(world.shop, world.member, threshold_fen=9500, reduce_fen=500)
    client = login(world.member)
    cart = {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": 1}]}

    running = ok(client.get(f"shops/{world.shop.id}/full-reductions"))
    quote = ok(client.post(f"shops/{world.shop.id}/full-reductions/for-cart", cart))
    options = ok(client.post(f"shops/{world.shop.id}/coupons/for-cart", cart))

    assert [row["label"] for row in running] == ["满99减10 / 满199减25"]
    assert (quote["label"], quote["discount_fen"]) == ("满99减10", 1000)
    assert options[0]["discount_fen"] == 0  # ¥90 left after the reduction: under the coupon's ¥95


def test_the_list_shows_what_each_activity_did_paid_orders_only_net_of_refunds():
    world = three_items(given_live_campaign(price_fen=1290))
    activity = given_reduction(world.shop)
    paid = checkout(world, None, [(world.item, 3), (world.milk, 2), (world.rice, 2)])  # 满99减10: pays 11136
    pay(paid)
    checkout(world, None, [(world.rice, 2)])  # 满99减10 too, but never paid: not counted
    small = checkout(world, None, [(world.item, 1)])  # ¥12.90 reaches no tier
    pay(small)
    finance = staff_login(world.shop, "finance")
    eggs = paid.lines.order_by("id").first()
    refund = {"reason": "鸡蛋破损", "lines": [{"line_id": eggs.id, "quantity": 3}]}
    ok(finance.post(f"console/shops/{world.shop.id}/orders/{paid.id}/refund", refund))  # ¥35.52 back

    assert small.full_reduction_id is None and paid.full_reduction_id == activity.id
    row = ok(finance.get(f"console/shops/{world.shop.id}/full-reductions"))["items"][0]
    assert (row["paid_orders"], row["reduced_fen"], row["gmv_fen"]) == (1, 1000, 11136 - 3552)
