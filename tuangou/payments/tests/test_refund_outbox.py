"""Issue 7, seam "no provider call inside a transaction": refunds are an outbox.

The transaction writes a pending refund with its reference; a job sends it after COMMIT, with
the same reference on every try; the provider's answer moves the order's book. The sandbox
gateway keeps its own refund book, so money returned is reconciled with refunds recorded.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.core.testing import ok
from tuangou.core.transactions import InsideTransaction
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login, paid_order, place, staff_login
from tuangou.payments import services
from tuangou.payments.models import Payment, Refund, SandboxRefund, SandboxTrade
from tuangou.payments.providers import get_provider

pytestmark = pytest.mark.django_db


def gateway_busy_for(order, times=1):
    """The sandbox gateway will answer the next `times` refund requests of this order's trade
    with "system busy" (nothing refunded)."""
    SandboxTrade.objects.filter(payment__order=order).update(refund_failures_planned=times)


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_provider_call_inside_a_transaction_is_refused_and_outside_it_runs():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    payment = Payment.objects.get(order=order)
    provider = get_provider("sandbox")
    refund = Refund(payment=payment, out_refund_no="RFGUARD0001", amount_fen=1290)
    unpaid = place(world)

    with pytest.raises(InsideTransaction, match="must not run inside a transaction"):
        with transaction.atomic():
            provider.refund(refund)
    with pytest.raises(InsideTransaction):
        with transaction.atomic():
            services.payment_create(order=unpaid)  # the service opens the trade after its own COMMIT

    assert SandboxTrade.objects.get(payment=payment).refunded_fen == 0
    assert not Payment.objects.filter(order=unpaid).exists()
    assert provider.refund(refund).startswith("SBR")  # outside any transaction it goes through
    assert SandboxTrade.objects.get(payment=payment).refunded_fen == 1290


@pytest.mark.django_db(transaction=True)
def test_without_a_test_case_around_it_the_guard_sees_the_first_atomic_block_and_refunds_follow_the_real_commit():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    payment = Payment.objects.get(order=order)

    with pytest.raises(InsideTransaction), transaction.atomic():
        get_provider("sandbox").refund(Refund(payment=payment, out_refund_no="RFGUARD0002", amount_fen=1290))
    with transaction.atomic():
        refund = order_services.order_refund(order=order, actor=None, reason="缺货")
        sent_before_commit = SandboxRefund.objects.count()

    assert sent_before_commit == 0  # the provider is called after COMMIT, not before
    refund.refresh_from_db()
    assert (refund.status, list(SandboxRefund.objects.values_list("out_refund_no", flat=True))) == (
        "succeeded",
        [refund.out_refund_no],
    )


def test_a_refund_the_provider_does_not_take_stays_pending_and_is_resent_with_the_same_reference():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    gateway_busy_for(order)
    finance = staff_login(world.shop, "finance")
    url = f"console/shops/{world.shop.id}/orders/{order.id}/refund"

    asked = ok(finance.post(url, {"reason": "缺货"}))
    twice = finance.post(url, {"reason": "再退一次"})
    too_early = services.refunds_redrive()
    resent = services.refunds_redrive(now=later(4))
    again = services.refunds_redrive(now=later(8))

    assert (asked["status"], asked["refunded_fen"]) == ("paid", 0)  # nothing moved yet
    assert [(r["amount_fen"], r["status"]) for r in asked["refunds"]] == [(2580, "pending")]
    assert (twice.status_code, twice.json()["code"], twice.json()["field"]) == (400, "refund_too_much", "amount_fen")
    assert too_early == {"sent": 0, "still_pending": 0, "failed": 0, "orders": 0}
    assert resent == {"sent": 1, "still_pending": 0, "failed": 0, "orders": 0}
    assert again == {"sent": 0, "still_pending": 0, "failed": 0, "orders": 0}
    refund = Refund.objects.get()
    assert (refund.status, refund.attempts, refund.out_refund_no) == (
        "succeeded",
        2,
        asked["refunds"][0]["out_refund_no"],
    )
    assert list(SandboxRefund.objects.values_list("out_refund_no", "amount_fen")) == [(refund.out_refund_no, 2580)]
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("refunded", 2580)
    assert [event.type for event in order.events.order_by("id")] == ["placed", "paid", "refunded"]


def test_sending_and_confirming_a_refund_twice_moves_money_once():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    refund = order_services.order_refund(order=order, actor=None, reason="缺货")

    second_send = services.refund_send(refund_id=refund.pk)
    second_confirm = services.refund_complete(refund_id=refund.pk, provider_refund_id="SBR-ANOTHER")

    assert (second_send, second_confirm.status) == ("succeeded", "succeeded")
    assert SandboxRefund.objects.count() == 1
    assert SandboxTrade.objects.get().refunded_fen == 2580
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("refunded", 2580)
    assert order.events.filter(type="refunded").count() == 1


def test_a_refund_asked_in_a_transaction_that_rolls_back_is_never_sent():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)

    with pytest.raises(RuntimeError), transaction.atomic():
        order_services.order_refund(order=order, actor=None, reason="缺货")
        raise RuntimeError("the caller fails after asking")

    assert Refund.objects.count() == 0
    assert SandboxTrade.objects.get().refunded_fen == 0


def test_a_refund_the_provider_refuses_fails_and_leaves_the_order_as_it_was():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    SandboxTrade.objects.filter(payment__order=order).update(refunded_fen=2580)  # the gateway says: nothing left

    refund = order_services.order_refund(order=order, actor=None, reason="缺货")

    refund.refresh_from_db()
    assert (refund.status, refund.last_error) == ("failed", "退款失败：sandbox trade not paid or already refunded")
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("paid", 0)


def test_a_failed_campaign_refunds_each_order_on_its_own_and_the_gateway_books_match_ours():
    world = given_live_campaign(price_fen=1000)
    orders = [paid_order(world, quantity) for quantity in (1, 2, 3)]
    gateway_busy_for(orders[1])  # one order's refund is not taken the first time
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED, threshold_value=50)

    campaign_services.campaign_decide(campaign=world.campaign)

    after_decide = dict(Order.objects.values_list("id", "status"))
    assert after_decide == {orders[0].id: "refunded", orders[1].id: "paid", orders[2].id: "refunded"}
    assert Campaign.objects.get(pk=world.campaign.pk).status == "failed"  # one failure rolled nothing back
    assert Refund.objects.get(order=orders[1]).status == "pending"

    services.refunds_redrive(now=later(5))

    assert set(Order.objects.values_list("status", flat=True)) == {"refunded"}
    ours = dict(
        Refund.objects.filter(status="succeeded")
        .values("payment__out_trade_no")
        .annotate(fen=Sum("amount_fen"))
        .values_list("payment__out_trade_no", "fen")
    )
    gateways = dict(
        SandboxRefund.objects.values("trade__out_trade_no")
        .annotate(fen=Sum("amount_fen"))
        .values_list("trade__out_trade_no", "fen")
    )
    assert ours == gateways
    assert sorted(gateways.values()) == [1000, 2000, 3000]
    assert sorted(SandboxTrade.objects.values_list("refunded_fen", flat=True)) == [1000, 2000, 3000]
    assert SandboxRefund.objects.count() == Refund.objects.count() == 3  # no double refund
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.paid_orders, campaign.paid_quantity, campaign.paid_amount_fen) == (0, 0, 0)


def test_a_paid_order_of_a_failed_campaign_whose_job_was_lost_is_refunded_by_the_schedule():
    world = given_live_campaign(price_fen=1000)
    order = paid_order(world, 2)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.FAILED)  # its jobs never ran

    too_early = services.refunds_redrive()
    redriven = services.refunds_redrive(now=later(5))

    assert (too_early["orders"], redriven["orders"]) == (0, 1)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("refunded", 2000)
    assert order.events.get(type="refunded").data["reason"] == "campaign_failed"


def test_a_member_who_cancels_twice_while_the_refund_is_on_its_way_gets_the_same_answer():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    gateway_busy_for(order)
    member = login(world.member)
    url = f"shops/{world.shop.id}/orders/{order.id}/cancel"

    first = ok(member.post(url, {"reason": "临时出差"}))
    second = ok(member.post(url, {"reason": "临时出差"}))

    assert (first["status"], second["status"]) == ("paid", "paid")  # the money is on its way back
    assert list(Refund.objects.values_list("amount_fen", "status")) == [(2580, "pending")]
    services.refunds_redrive(now=later(4))
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("refunded", 2580)
    assert SandboxRefund.objects.count() == 1
