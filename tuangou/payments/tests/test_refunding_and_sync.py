"""Issue 7, refunds and payments as the member and staff see them while the provider works:

* a refund the provider has not confirmed yet reads 退款中 (amount, time) on the member's and the
  console's order, and the console's refundable amount leaves it out;
* the order's payment is asked about at the provider (back from the pay page, and on a
  schedule): paid → applied exactly as the notify (once); cancelled → closed, the order unpaid.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tuangou.core import schedules
from tuangou.core.testing import ok
from tuangou.core.transactions import InsideTransaction
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login, notify, paid_order, place, staff_login
from tuangou.payments import sandbox, services
from tuangou.payments.models import Payment, PaymentNotification, Refund, SandboxTrade
from tuangou.payments.providers import get_provider

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


# --- 退款中 -----------------------------------------------------------------------------------


def test_a_refund_the_provider_has_not_taken_reads_refunding_until_the_job_completes_it():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    SandboxTrade.objects.filter(payment__order=order).update(refund_failures_planned=1)  # the gateway is busy once
    finance = staff_login(world.shop, "finance")
    member = login(world.member)
    console_url = f"console/shops/{world.shop.id}/orders/{order.id}"
    member_url = f"shops/{world.shop.id}/orders/{order.id}"

    asked = ok(finance.post(f"{console_url}/refund", {"amount_fen": 1000, "reason": "少发一盒"}))
    mine = ok(member.get(member_url))
    console = ok(finance.get(console_url))

    refund = Refund.objects.get()
    assert (asked["status"], asked["refunded_fen"], asked["refunding_fen"]) == ("paid", 0, 1000)
    assert (mine["status"], mine["refunded_fen"], mine["refunding_fen"]) == ("paid", 0, 1000)
    assert mine["pending_refunds"] == [
        {
            "id": refund.id,
            "amount_fen": 1000,
            "status": "pending",
            "status_label": "退款中",
            "created_at": refund.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
    ]
    assert [(r["amount_fen"], r["status"], r["status_label"]) for r in console["refunds"]] == [
        (1000, "pending", "退款中")
    ]
    assert console["refunds"][0]["last_error"] == f"sandbox gateway busy, refund {refund.out_refund_no} not taken"
    assert console["refunding_fen"] == 1000

    # The job runs again (the redrive schedule): the provider takes it and the order's book moves
    assert services.refunds_redrive(now=later(4))["sent"] == 1
    mine = ok(member.get(member_url))
    console = ok(finance.get(console_url))
    assert (mine["status"], mine["refunded_fen"], mine["refunding_fen"], mine["pending_refunds"]) == (
        "paid",
        1000,
        0,
        [],
    )
    assert [(r["status"], r["status_label"], r["last_error"]) for r in console["refunds"]] == [
        ("succeeded", "已退款", "")
    ]
    assert (console["refunded_fen"], console["refunding_fen"]) == (1000, 0)


def test_a_refund_the_provider_refuses_reads_failed_with_its_message_and_is_not_refunding():
    world = given_live_campaign(price_fen=1290)
    order = paid_order(world, 2)
    SandboxTrade.objects.filter(payment__order=order).update(refund_failures_planned=1)
    finance = staff_login(world.shop, "finance")
    console_url = f"console/shops/{world.shop.id}/orders/{order.id}"
    ok(finance.post(f"{console_url}/refund", {"reason": "缺货"}))
    SandboxTrade.objects.filter(payment__order=order).update(state=SandboxTrade.State.CLOSED)  # the gateway says no

    services.refunds_redrive(now=later(4))
    console = ok(finance.get(console_url))

    assert [(r["status"], r["status_label"]) for r in console["refunds"]] == [("failed", "退款失败")]
    assert "sandbox trade not paid or already refunded" in console["refunds"][0]["last_error"]
    assert (console["status"], console["refunded_fen"], console["refunding_fen"]) == ("paid", 0, 0)


# --- asking the provider about a payment ----------------------------------------------------


def opened_payment(world, monkeypatch):
    """An order with a payment opened at the gateway through the API; the gateway's notify is
    held back (never delivered unless the test does it)."""
    monkeypatch.setattr(sandbox, "_queue_notify", lambda payment_id: None)
    order = place(world, 2)
    ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    return order, Payment.objects.get(order=order)


def sync(world, order):
    return ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/payment-sync"))


def test_paid_at_the_gateway_with_the_notify_lost_the_sync_makes_the_order_paid_and_the_late_notify_finds_it_done(
    monkeypatch,
):
    world = given_live_campaign(price_fen=1290)
    order, payment = opened_payment(world, monkeypatch)
    sandbox.gateway_pay(out_trade_no=payment.out_trade_no)

    synced = sync(world, order)
    late = notify(payment)

    trade = SandboxTrade.objects.get(payment=payment)
    assert (synced["status"], synced["status_label"], synced["payment_state"]) == ("paid", "已付款", "paid")
    assert synced["pickup_code"] == Order.objects.get(pk=order.pk).pickup_code
    assert late.status_code == 200
    assert list(PaymentNotification.objects.values_list("outcome", flat=True)) == ["duplicate"]
    payment.refresh_from_db()
    assert (payment.status, payment.provider_transaction_id) == ("succeeded", trade.transaction_id)
    order.refresh_from_db()
    assert [event.type for event in order.events.order_by("id")] == ["placed", "paid"]
    world.campaign.refresh_from_db()
    assert (world.campaign.paid_orders, world.campaign.paid_amount_fen) == (1, 2580)


def test_cancelled_on_the_pay_page_the_sync_closes_the_payment_and_the_order_waits_to_be_paid_again(monkeypatch):
    world = given_live_campaign(price_fen=1290)
    order, payment = opened_payment(world, monkeypatch)
    Client().post(payment.pay_url, {"action": "cancel"})

    synced = sync(world, order)
    again = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))

    assert (synced["status"], synced["status_label"], synced["payment_state"]) == (
        "pending_payment",
        "待付款",
        "closed",
    )
    assert synced["pickup_code"] is None
    payment.refresh_from_db()
    assert payment.status == "closed"
    assert again["out_trade_no"] != payment.out_trade_no  # a new trade: the closed one cannot take money
    assert list(Payment.objects.filter(order=order).order_by("id").values_list("status", flat=True)) == [
        "closed",
        "created",
    ]


def test_not_paid_yet_the_sync_changes_nothing_and_asks_the_provider_once_a_second(monkeypatch):
    world = given_live_campaign(price_fen=1290)
    order, payment = opened_payment(world, monkeypatch)

    first = sync(world, order)
    second = sync(world, order)  # at once: the provider is not asked again

    assert (first["status"], first["payment_state"]) == ("pending_payment", "notpay")
    assert (second["status"], second["payment_state"]) == ("pending_payment", "unknown")
    assert Payment.objects.get(pk=payment.pk).status == "created"


def test_after_the_notify_landed_the_sync_finds_no_open_payment_and_moves_nothing(monkeypatch):
    world = given_live_campaign(price_fen=1290)
    order, payment = opened_payment(world, monkeypatch)
    sandbox.gateway_pay(out_trade_no=payment.out_trade_no)
    assert notify(payment).status_code == 200

    synced = sync(world, order)

    assert (synced["status"], synced["payment_state"]) == ("paid", "none")
    assert Order.objects.get(pk=order.pk).events.filter(type="paid").count() == 1


def test_someone_elses_order_is_not_synced(monkeypatch):
    world = given_live_campaign(price_fen=1290)
    order, payment = opened_payment(world, monkeypatch)
    sandbox.gateway_pay(out_trade_no=payment.out_trade_no)
    stranger = given_live_campaign(price_fen=100).member

    answer = login(stranger).post(f"shops/{world.shop.id}/orders/{order.id}/payment-sync")
    anonymous = Client().post(f"/api/shops/{world.shop.id}/orders/{order.id}/payment-sync")

    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert anonymous.status_code == 401
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_the_schedule_finds_a_lost_notify_of_a_payment_open_over_five_minutes(monkeypatch):
    world = given_live_campaign(price_fen=1290)
    lost, lost_payment = opened_payment(world, monkeypatch)
    sandbox.gateway_pay(out_trade_no=lost_payment.out_trade_no)
    waiting, _ = opened_payment(world, monkeypatch)

    too_early = services.payments_sync_stale()
    found = services.payments_sync_stale(now=later(6))

    assert too_early == {}
    assert found == {"paid": 1, "notpay": 1}
    assert ("tuangou.payments.tasks.payments_sync_stale", 5) in [(func, minutes) for _, func, minutes in schedules.JOBS]
    assert Order.objects.get(pk=lost.pk).status == "paid"
    assert Order.objects.get(pk=waiting.pk).status == "pending_payment"


def test_asking_the_provider_inside_a_transaction_is_refused(monkeypatch):
    world = given_live_campaign(price_fen=1290)
    order, payment = opened_payment(world, monkeypatch)

    with pytest.raises(InsideTransaction), transaction.atomic():
        get_provider("sandbox").query(payment)
    with pytest.raises(InsideTransaction), transaction.atomic():
        services.payment_sync(order=order)

    assert get_provider("sandbox").query(payment)["trade_state"] == "NOTPAY"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_notify_and_the_sync_at_the_same_time_make_the_order_paid_once(require_postgres, monkeypatch):
    from tuangou.campaigns.tests.test_concurrency import run_together

    world = given_live_campaign(price_fen=1290)
    monkeypatch.setattr(sandbox, "_queue_notify", lambda payment_id: None)
    orders = [place(world, 1) for _ in range(4)]
    payments = [services.payment_create(order=order) for order in orders]
    for payment in payments:
        sandbox.gateway_pay(out_trade_no=payment.out_trade_no)

    results = [
        run_together(lambda p=payment: notify(p).status_code, lambda o=order: services.payment_sync(order=o))
        for order, payment in zip(orders, payments, strict=True)
    ]

    # The sync either applies it ("paid") or finds it already applied by the notify ("none"/"paid")
    assert all(status == 200 and synced in ("paid", "none") for status, synced in results), results
    assert [Order.objects.get(pk=order.pk).status for order in orders] == ["paid"] * 4
    assert [Order.objects.get(pk=order.pk).events.filter(type="paid").count() for order in orders] == [1] * 4
    world.campaign.refresh_from_db()
    assert (world.campaign.paid_orders, world.campaign.paid_amount_fen) == (4, 4 * 1290)
