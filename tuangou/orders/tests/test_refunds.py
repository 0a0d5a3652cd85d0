import pytest

from tuangou.campaigns.models import Campaign
from tuangou.commissions.models import CommissionEntry
from tuangou.core.testing import ok
from tuangou.orders import services
from tuangou.orders.models import Order, OrderLine
from tuangou.payments.models import Refund, SandboxTrade

from .factories import CampaignItemFactory, given_live_campaign, paid_order, pay, place, staff_login

pytestmark = pytest.mark.django_db


def given_paid_two_line_order():
    """Eggs 3 × ¥12.90 and milk 2 × ¥8.00 = ¥54.70, paid."""
    world = given_live_campaign(stock=20, price_fen=1290)
    world.milk = CampaignItemFactory(campaign=world.campaign, price_fen=800, stock_allotted=10)
    order = services.order_place(
        shop=world.shop,
        member=world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": world.item.id, "quantity": 3}, {"campaign_item_id": world.milk.id, "quantity": 2}],
    )
    pay(order)
    world.eggs_line, world.milk_line = order.lines.order_by("id")
    return world, order


def refund_url(world, order):
    return f"console/shops/{world.shop.id}/orders/{order.id}/refund"


def test_finance_refunds_everything_left_and_the_order_is_refunded():
    world, order = given_paid_two_line_order()
    finance = staff_login(world.shop, "finance")

    body = ok(finance.post(refund_url(world, order), {"reason": "商家缺货"}))

    assert (body["status"], body["refunded_fen"]) == ("refunded", 5470)
    assert [(r["amount_fen"], r["status"]) for r in body["refunds"]] == [(5470, "succeeded")]
    assert [(line["refunded_quantity"], line["refunded_fen"]) for line in body["lines"]] == [(3, 3870), (2, 1600)]
    assert SandboxTrade.objects.get().refunded_fen == 5470
    world.item.refresh_from_db()
    world.milk.refresh_from_db()
    assert (world.item.stock_left, world.milk.stock_left) == (20, 10)  # campaign still live
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.paid_orders, campaign.paid_quantity, campaign.paid_amount_fen) == (0, 0, 0)
    assert [event["type"] for event in body["events"]] == ["placed", "paid", "refunded"]


def test_a_partial_refund_of_some_pieces_keeps_the_status():
    world, order = given_paid_two_line_order()
    finance = staff_login(world.shop, "finance")

    body = ok(
        finance.post(
            refund_url(world, order), {"reason": "鸡蛋破损", "lines": [{"line_id": world.eggs_line.id, "quantity": 1}]}
        )
    )

    assert (body["status"], body["refunded_fen"]) == ("paid", 1290)
    assert [(line["refunded_quantity"], line["refunded_fen"]) for line in body["lines"]] == [(1, 1290), (0, 0)]
    assert body["events"][-1]["type"] == "partial_refund"
    assert body["refunds"][0]["lines"] == [{"line_id": world.eggs_line.id, "quantity": 1, "amount_fen": 1290}]
    world.item.refresh_from_db()
    assert world.item.stock_left == 18
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.paid_orders, campaign.paid_quantity, campaign.paid_amount_fen) == (1, 4, 4180)


def test_an_amount_refund_is_spread_over_the_lines_and_the_rest_completes_it():
    world, order = given_paid_two_line_order()
    finance = staff_login(world.shop, "finance")

    partial = ok(finance.post(refund_url(world, order), {"reason": "补偿", "amount_fen": 1000}))
    rest = ok(finance.post(refund_url(world, order), {"reason": "全部退款"}))

    assert [line["refunded_fen"] for line in partial["lines"]] == [708, 292]  # 3870 : 1600
    assert [line["refunded_quantity"] for line in partial["lines"]] == [0, 0]
    assert (rest["status"], rest["refunded_fen"]) == ("refunded", 5470)
    assert [r["amount_fen"] for r in rest["refunds"]] == [1000, 4470]


def test_refunding_more_than_is_left_is_refused_and_changes_nothing():
    world, order = given_paid_two_line_order()
    finance = staff_login(world.shop, "finance")
    ok(finance.post(refund_url(world, order), {"reason": "补偿", "amount_fen": 470}))

    too_much = finance.post(refund_url(world, order), {"reason": "再退", "amount_fen": 5001})
    too_many = finance.post(
        refund_url(world, order), {"reason": "再退", "lines": [{"line_id": world.milk_line.id, "quantity": 3}]}
    )

    assert (too_much.status_code, too_much.json()["code"], too_much.json()["field"]) == (
        400,
        "refund_too_much",
        "amount_fen",
    )
    assert too_much.json()["message"] == "退款金额超过可退金额（最多¥50.00）"  # 元, never 分
    assert (too_many.json()["code"], too_many.json()["field"]) == ("refund_quantity_too_much", "lines.0.quantity")
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("paid", 470)
    assert Refund.objects.count() == 1
    assert SandboxTrade.objects.get().refunded_fen == 470


def test_an_unpaid_order_cannot_be_refunded():
    world = given_live_campaign()
    order = place(world)

    response = staff_login(world.shop, "finance").post(refund_url(world, order), {"reason": "x"})

    assert (response.status_code, response.json()["code"]) == (409, "order_state")
    assert Refund.objects.count() == 0


def test_support_staff_may_not_refund():
    world = given_live_campaign()
    order = paid_order(world)

    response = staff_login(world.shop, "support").post(refund_url(world, order), {"reason": "x"})

    assert response.status_code == 403
    assert Refund.objects.count() == 0


def test_refunding_after_pickup_reverses_the_commission_and_keeps_stock_of_a_closed_campaign():
    world, order = given_paid_two_line_order()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.ARRIVED)
    services.order_pickup_verify(shop=world.shop, code=order.pickup_code, leader=world.leader, actor=world.leader.user)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.SUCCEEDED)
    accrued = dict(CommissionEntry.objects.filter(kind="accrual").values_list("order_line_id", "amount_fen"))

    services.order_refund(
        order=order, actor=None, reason="牛奶变质", lines=[{"line_id": world.milk_line.id, "quantity": 2}]
    )

    assert accrued == {world.eggs_line.id: 387, world.milk_line.id: 160}
    reversal = CommissionEntry.objects.get(kind="reversal")
    assert (reversal.order_line_id, reversal.amount_fen) == (world.milk_line.id, -160)
    world.milk.refresh_from_db()
    assert world.milk.stock_left == 8
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("picked_up", 1600)
    assert OrderLine.objects.get(pk=world.milk_line.pk).refunded_quantity == 2
