"""A coupon at checkout and through the life of its order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.commissions.models import CommissionEntry
from tuangou.core.errors import ApplicationError
from tuangou.core.money import apply_rate_bp
from tuangou.core.testing import ok
from tuangou.marketing.models import Coupon
from tuangou.orders import services as orders
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import (
    CampaignItemFactory,
    given_live_campaign,
    given_member,
    login,
    pay,
    staff_login,
)

from .factories import given_coupon

pytestmark = pytest.mark.django_db
S = Coupon.Status


def checkout(world, coupon, lines, member=None):
    return orders.order_place(
        shop=world.shop,
        member=member or world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": item.id, "quantity": quantity} for item, quantity in lines],
        coupon_id=coupon.pk if coupon else None,
    )


def three_items(world):
    """Eggs ¥12.90, milk ¥8.00 (another category), rice ¥33.33."""
    world.milk = CampaignItemFactory(campaign=world.campaign, price_fen=800, stock_allotted=10)
    world.rice = CampaignItemFactory(campaign=world.campaign, price_fen=3333, stock_allotted=10)
    return world


def test_a_reduce_coupon_takes_its_amount_off_split_over_the_lines_and_is_used_at_payment():
    world = three_items(given_live_campaign(price_fen=1290))
    coupon = given_coupon(world.shop, world.member, threshold_fen=5000, reduce_fen=500)

    order = checkout(world, coupon, [(world.item, 3), (world.milk, 2), (world.rice, 1)])  # 3870 + 1600 + 3333

    assert (order.items_fen, order.discount_fen, order.total_fen) == (8803, 500, 8303)
    # In proportion, floored; the remainder on the last line: 3870·500/8803 = 219.8 → 219, 90.8 → 90, 189.3 → 189 + 2.
    assert [line.amount_fen for line in order.lines.order_by("id")] == [3870 - 219, 1600 - 90, 3333 - 191]
    coupon.refresh_from_db()
    assert (coupon.status, coupon.order_id, coupon.discount_fen) == (S.LOCKED, order.pk, 500)

    pay(order)

    coupon.refresh_from_db()
    assert coupon.status == S.USED and coupon.used_at is not None
    assert order.total_fen == 8303 and order.status == Order.Status.PAID


def test_percent_off_rounds_for_the_buyer_and_line_shares_add_up_to_the_discount():
    world = three_items(given_live_campaign(price_fen=1290))
    coupon = given_coupon(world.shop, world.member, kind="percent", threshold_fen=0, reduce_fen=0, percent_off_bp=1500)

    order = checkout(world, coupon, [(world.item, 1), (world.milk, 1), (world.rice, 1)])  # 1290 + 800 + 3333 = 5423

    # She pays 85% of 5423 = 4609.55, floored to 4609: the discount is 814, not 813.
    assert (order.discount_fen, order.total_fen) == (814, 4609)
    lines = list(order.lines.order_by("id"))
    assert sum(line.unit_price_fen * line.quantity - line.amount_fen for line in lines) == 814
    assert sum(line.amount_fen for line in lines) == order.total_fen


def test_a_percent_coupon_stops_at_its_cap():
    world = given_live_campaign(price_fen=10000)
    coupon = given_coupon(
        world.shop, world.member, kind="percent", threshold_fen=0, percent_off_bp=5000, max_discount_fen=1200
    )

    order = checkout(world, coupon, [(world.item, 1)])

    assert (order.discount_fen, order.total_fen) == (1200, 8800)


def test_a_coupon_larger_than_the_order_leaves_one_fen_to_pay():
    world = given_live_campaign(price_fen=300)
    coupon = given_coupon(world.shop, world.member, kind="no_threshold", threshold_fen=0, reduce_fen=1000)

    order = checkout(world, coupon, [(world.item, 1)])

    assert (order.discount_fen, order.total_fen) == (299, 1)
    assert order.lines.get().amount_fen == 1


def test_a_category_coupon_counts_and_discounts_only_its_category():
    world = three_items(given_live_campaign(price_fen=1290))
    category = world.milk.sku.product.category_id
    coupon = given_coupon(
        world.shop, world.member, threshold_fen=1500, reduce_fen=1000, scope="categories", scope_ids=[category]
    )

    with pytest.raises(ApplicationError) as refused:  # milk ¥8.00 alone is under the ¥15 threshold
        checkout(world, coupon, [(world.item, 5), (world.milk, 1)])
    assert refused.value.code == "coupon_not_applicable"
    assert Order.objects.count() == 0

    order = checkout(world, coupon, [(world.item, 1), (world.milk, 2), (world.rice, 1)])  # milk ¥16.00

    assert [line.unit_price_fen * line.quantity - line.amount_fen for line in order.lines.order_by("id")] == [
        0,
        1000,
        0,
    ]


def test_someone_elses_a_used_or_an_expired_coupon_is_refused_and_nothing_is_written():
    world = given_live_campaign(price_fen=6000)
    other = given_member(world.shop, world.leader)
    theirs = given_coupon(world.shop, other)
    expired = given_coupon(world.shop, world.member)
    Coupon.objects.filter(pk=expired.pk).update(valid_until=timezone.now() - timedelta(seconds=1))

    with pytest.raises(ApplicationError) as not_mine:
        checkout(world, theirs, [(world.item, 1)])
    with pytest.raises(ApplicationError) as too_late:
        checkout(world, expired, [(world.item, 1)])

    assert (not_mine.value.code, not_mine.value.status, not_mine.value.field) == ("not_found", 404, "coupon_id")
    assert (too_late.value.code, too_late.value.status) == ("coupon_unavailable", 409)
    assert Order.objects.count() == 0
    world.item.refresh_from_db()
    assert world.item.stock_left == 20


def test_one_coupon_serves_one_order_until_that_order_lets_it_go():
    world = given_live_campaign(price_fen=6000)
    coupon = given_coupon(world.shop, world.member)
    first = checkout(world, coupon, [(world.item, 1)])

    with pytest.raises(ApplicationError) as held:
        checkout(world, coupon, [(world.item, 1)])
    assert held.value.code == "coupon_unavailable"

    orders.order_cancel(order=first, actor=world.member)

    coupon.refresh_from_db()
    assert (coupon.status, coupon.order_id) == (S.UNUSED, None)
    assert checkout(world, coupon, [(world.item, 1)]).discount_fen == 500


def test_a_payment_timeout_returns_the_coupon_expired_when_its_validity_is_over():
    world = given_live_campaign(price_fen=6000)
    still_valid = given_coupon(world.shop, world.member)
    other = given_member(world.shop, world.leader)
    lapsed = given_coupon(world.shop, other)
    checkout(world, still_valid, [(world.item, 1)])
    checkout(world, lapsed, [(world.item, 1)], member=other)
    # Its validity ends while the order waits for payment.
    Coupon.objects.filter(pk=lapsed.pk).update(valid_until=timezone.now() - timedelta(seconds=1))

    assert orders.orders_expire_unpaid(now=timezone.now() + timedelta(hours=1)) == 2

    still_valid.refresh_from_db()
    lapsed.refresh_from_db()
    assert (still_valid.status, still_valid.order_id) == (S.UNUSED, None)
    assert (lapsed.status, lapsed.order_id) == (S.EXPIRED, None)
    assert Order.objects.filter(status=Order.Status.CANCELLED).count() == 2


def test_a_cancel_after_the_validity_ended_returns_the_coupon_expired():
    world = given_live_campaign(price_fen=6000)
    coupon = given_coupon(world.shop, world.member)
    order = checkout(world, coupon, [(world.item, 1)])
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=timezone.now() - timedelta(seconds=1))

    orders.order_cancel(order=order, actor=world.member)

    coupon.refresh_from_db()
    assert (coupon.status, coupon.order_id) == (S.EXPIRED, None)


def test_a_full_refund_returns_the_coupon_and_refunds_exactly_what_was_paid():
    world = three_items(given_live_campaign(price_fen=1290))
    coupon = given_coupon(world.shop, world.member, kind="percent", threshold_fen=0, percent_off_bp=1500)
    order = checkout(world, coupon, [(world.item, 3), (world.milk, 1), (world.rice, 1)])
    pay(order)
    finance = staff_login(world.shop, "finance")
    url = f"console/shops/{world.shop.id}/orders/{order.id}/refund"
    lines = list(order.lines.order_by("id"))

    for line in lines:  # every line on its own: the refunds add up to what was paid
        ok(finance.post(url, {"reason": "缺货", "lines": [{"line_id": line.id, "quantity": line.quantity}]}))

    order.refresh_from_db()
    assert order.refunded_fen == order.total_fen == sum(line.amount_fen for line in lines)
    assert order.status == Order.Status.REFUNDED
    coupon.refresh_from_db()
    assert (coupon.status, coupon.order_id) == (S.UNUSED, None)


def test_a_partial_refund_under_the_threshold_keeps_the_coupon_and_refunds_only_what_was_paid():
    world = three_items(given_live_campaign(price_fen=1290))
    coupon = given_coupon(world.shop, world.member, threshold_fen=5000, reduce_fen=1000)
    order = checkout(world, coupon, [(world.item, 3), (world.milk, 2)])  # 3870 + 1600 = 5470 − 1000 = 4470
    pay(order)
    eggs, milk = order.lines.order_by("id")
    assert (eggs.amount_fen, milk.amount_fen) == (3870 - 707, 1600 - 293)
    finance = staff_login(world.shop, "finance")

    body = ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{order.id}/refund",
            {"reason": "鸡蛋破损", "lines": [{"line_id": eggs.id, "quantity": 3}]},
        )
    )

    # What is left (milk ¥13.07 paid) is under the ¥50 threshold: the coupon stays used, and the
    # eggs are refunded at what was paid for them, not at their ¥38.70 price.
    assert (body["refunded_fen"], body["status"]) == (3163, "paid")
    coupon.refresh_from_db()
    assert (coupon.status, coupon.order_id, coupon.order_paid_fen) == (S.USED, order.pk, 4470 - 3163)

    body = ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{order.id}/refund",
            {"reason": "牛奶", "lines": [{"line_id": milk.id, "quantity": 1}]},
        )
    )
    assert body["refunded_fen"] == 3163 + 1307 // 2


def test_commission_is_earned_on_what_each_line_paid():
    world = given_live_campaign(price_fen=6000)
    coupon = given_coupon(world.shop, world.member, threshold_fen=5000, reduce_fen=1000)
    order = checkout(world, coupon, [(world.item, 1)])
    pay(order)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.ARRIVED)
    staff = staff_login(world.shop, "owner")

    ok(staff.post(f"console/shops/{world.shop.id}/orders/verify-pickup", {"code": order.pickup_code}))

    line = order.lines.get()
    accrual = CommissionEntry.objects.get(order_line=line, kind="accrual")
    assert line.amount_fen == 5000
    assert accrual.amount_fen == apply_rate_bp(5000, line.commission_rate_bp)


def test_the_member_pays_through_the_api_with_a_coupon_and_sees_the_discount():
    world = given_live_campaign(price_fen=6000)
    coupon = given_coupon(world.shop, world.member)
    client = login(world.member)

    body = ok(
        client.post(
            f"shops/{world.shop.id}/orders",
            {
                "campaign_id": world.campaign.id,
                "items": [{"campaign_item_id": world.item.id, "quantity": 1}],
                "coupon_id": coupon.pk,
            },
        ),
        201,
    )

    assert (body["items_fen"], body["discount_fen"], body["total_fen"]) == (6000, 500, 5500)
    refused = client.post(
        f"shops/{world.shop.id}/orders",
        {
            "campaign_id": world.campaign.id,
            "items": [{"campaign_item_id": world.item.id, "quantity": 1}],
            "coupon_id": coupon.pk,
        },
    )
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        409,
        "coupon_unavailable",
        "coupon_id",
    )
