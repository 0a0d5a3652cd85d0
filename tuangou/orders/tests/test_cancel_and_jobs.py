from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.core.testing import ok
from tuangou.orders import services
from tuangou.orders.models import Order, OrderEvent
from tuangou.payments.models import Refund

from .factories import given_live_campaign, login, paid_order, place, staff_login

pytestmark = pytest.mark.django_db


def test_member_cancels_an_unpaid_order_and_the_stock_comes_back():
    world = given_live_campaign(stock=20)
    order = place(world, 3)

    body = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {"reason": "买错了"}))

    assert body["status"] == "cancelled"
    world.item.refresh_from_db()
    assert world.item.stock_left == 20
    event = OrderEvent.objects.get(order=order, type="cancelled")
    assert (event.from_status, event.to_status, event.data, event.actor_id) == (
        "pending_payment",
        "cancelled",
        {"reason": "买错了"},
        world.member.id,
    )


def test_cancelling_twice_is_refused_and_returns_stock_once():
    world = given_live_campaign(stock=20)
    order = place(world, 3)
    client = login(world.member)
    ok(client.post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {}))

    again = client.post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {})

    assert (again.status_code, again.json()["code"]) == (409, "order_state")
    world.item.refresh_from_db()
    assert world.item.stock_left == 20


def test_a_paid_order_cancelled_before_the_cutoff_is_refunded_in_full():
    world = given_live_campaign(stock=20, price_fen=1290)
    order = paid_order(world, 2)

    body = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {"reason": "临时出差"}))

    assert (body["status"], body["refunded_fen"]) == ("refunded", 2580)
    assert Refund.objects.get().amount_fen == 2580
    world.item.refresh_from_db()
    assert world.item.stock_left == 20
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.paid_orders, campaign.paid_quantity, campaign.paid_amount_fen) == (0, 0, 0)


def test_a_paid_order_cannot_be_cancelled_after_the_cutoff():
    world = given_live_campaign()
    order = paid_order(world)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {})

    assert (response.status_code, response.json()["code"]) == (409, "cancel_after_cutoff")
    order.refresh_from_db()
    assert order.status == "paid"
    assert Refund.objects.count() == 0


def test_support_staff_cancel_unpaid_orders_but_need_the_refund_permission_for_paid_ones():
    world = given_live_campaign()
    unpaid, paid = place(world), paid_order(world)
    support = staff_login(world.shop, "support")

    cancelled = ok(support.post(f"console/shops/{world.shop.id}/orders/{unpaid.id}/cancel", {"reason": "客户电话要求"}))
    refused = support.post(f"console/shops/{world.shop.id}/orders/{paid.id}/cancel", {})

    assert cancelled["status"] == "cancelled"
    assert refused.status_code == 403
    paid.refresh_from_db()
    assert paid.status == "paid"


def test_the_expiry_job_cancels_overdue_orders_returns_stock_and_is_safe_to_rerun():
    world = given_live_campaign(stock=20)
    overdue, fresh = place(world, 2), place(world, 3)
    Order.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    first = services.orders_expire_unpaid()
    second = services.orders_expire_unpaid()

    assert (first, second) == (1, 0)
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert (overdue.status, fresh.status) == ("cancelled", "pending_payment")
    world.item.refresh_from_db()
    assert world.item.stock_left == 17
    assert list(OrderEvent.objects.filter(order=overdue).values_list("type", flat=True)) == ["placed", "expired"]


def test_cut_off_cancels_the_campaigns_unpaid_orders_only():
    world = given_live_campaign(stock=20)
    unpaid, paid = place(world, 2), paid_order(world, 1)
    other = given_live_campaign()
    elsewhere = place(other)

    cancelled = services.orders_cancel_unpaid_for_campaign(campaign=world.campaign)

    assert cancelled == 1
    assert Order.objects.get(pk=unpaid.pk).status == "cancelled"
    assert Order.objects.get(pk=paid.pk).status == "paid"
    assert Order.objects.get(pk=elsewhere.pk).status == "pending_payment"
    world.item.refresh_from_db()
    assert world.item.stock_left == 19


def test_a_succeeded_campaign_confirms_its_paid_orders():
    world = given_live_campaign()
    paid_one, paid_two, unpaid = paid_order(world), paid_order(world), place(world)

    confirmed = services.orders_confirm_for_campaign(campaign=world.campaign)

    assert confirmed == 2
    statuses = dict(Order.objects.values_list("id", "status"))
    assert statuses == {paid_one.id: "confirmed", paid_two.id: "confirmed", unpaid.id: "pending_payment"}
    assert OrderEvent.objects.filter(type="confirmed").count() == 2


def test_a_failed_campaign_refunds_every_paid_order_in_full():
    world = given_live_campaign(stock=20, price_fen=1000)
    first, second = paid_order(world, 2), paid_order(world, 3)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.FAILED)

    refunded = services.orders_refund_for_failed_campaign(campaign=world.campaign)
    again = services.orders_refund_for_failed_campaign(campaign=world.campaign)

    assert (refunded, again) == (2, 0)
    assert sorted(Refund.objects.values_list("amount_fen", flat=True)) == [2000, 3000]
    for order in (first, second):
        order.refresh_from_db()
        assert (order.status, order.refunded_fen) == ("refunded", order.total_fen)
        assert order.events.get(type="refunded").data["reason"] == "campaign_failed"
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.paid_orders, campaign.paid_quantity, campaign.paid_amount_fen) == (0, 0, 0)
    world.item.refresh_from_db()
    assert world.item.stock_left == 15  # not live any more: stock is the campaign's to return


def test_a_failed_campaigns_order_whose_refund_job_was_lost_is_refunded_by_the_schedule():
    world = given_live_campaign(stock=20, price_fen=1000)
    lost, other = paid_order(world, 2), paid_order(world, 1)
    # The campaign failed but the per-order refund jobs never ran (raised three times, or lost).
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.FAILED)

    assert services.orders_refund_failed_redrive() == 2
    assert services.orders_refund_failed_redrive() == 0
    assert sorted(Refund.objects.values_list("order_id", "amount_fen")) == [(lost.id, 2000), (other.id, 1000)]
    assert Order.objects.get(pk=lost.pk).events.get(type="refunded").data["reason"] == "campaign_failed"


def test_the_scheduled_expiry_task_runs_through_the_queue():
    from django_q.tasks import async_task, result

    world = given_live_campaign(stock=20)
    order = place(world, 2)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    task_id = async_task("tuangou.orders.tasks.orders_expire_unpaid")

    assert result(task_id) == 1
    world.item.refresh_from_db()
    assert world.item.stock_left == 20
