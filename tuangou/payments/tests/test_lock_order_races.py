"""Issue 7, seam "one lock order, kept": real races on PostgreSQL, each side in its own thread
and connection. Every service locks campaign → order → payment → refund → after-sale → items
(tuangou/core/locks.py), so these pairs queue behind each other: no deadlock, and whichever
wins, the end state adds up (counters match the orders, money returned once, at the gateway
as in our books)."""

import time
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from tuangou.campaigns import services as campaign_services
from tuangou.campaigns.models import Campaign
from tuangou.campaigns.tests.test_concurrency import run_together
from tuangou.core.errors import ApplicationError
from tuangou.orders import services as order_services
from tuangou.orders.models import AfterSaleRequest, Order
from tuangou.orders.tests.factories import given_live_campaign, given_member, notify, paid_order, place
from tuangou.payments import sandbox
from tuangou.payments.models import Refund, SandboxRefund, SandboxTrade
from tuangou.payments.services import payment_create
from tuangou.shops.tests.factories import StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 4
PAID_STATUSES = ("paid", "confirmed", "shipped", "arrived", "picked_up", "completed")


def after(seconds, function, *args, **kwargs):
    """`function(*args, **kwargs)`, a moment late: rounds alternate which side reaches the rows first."""

    def run():
        time.sleep(seconds)
        return function(*args, **kwargs)

    return run


def stagger(round_number):
    """(delay of the first side, delay of the second): each side goes first in some rounds."""
    return [(0, 0.02), (0.02, 0), (0, 0.005), (0.005, 0)][round_number % 4]


def outcome(result):
    if isinstance(result, ApplicationError):
        return result.code
    if isinstance(result, Exception):
        return repr(result)  # a deadlock or any other error: the assertion shows it
    return "done"


def cut_off_and_decide(campaign):
    def run():
        campaign_services.campaign_close(campaign=campaign)
        return campaign_services.campaign_decide(campaign=campaign)

    return run


def assert_books_add_up(campaign):
    campaign = Campaign.objects.get(pk=campaign.pk)
    kept = Order.objects.filter(campaign=campaign, status__in=PAID_STATUSES)
    assert campaign.paid_orders == kept.count()
    assert campaign.paid_amount_fen == sum(order.total_fen - order.refunded_fen for order in kept)
    ours = dict(
        Refund.objects.filter(order__campaign=campaign, status="succeeded")
        .values("payment__out_trade_no")
        .annotate(fen=Sum("amount_fen"))
        .values_list("payment__out_trade_no", "fen")
    )
    gateways = dict(
        SandboxRefund.objects.filter(trade__payment__order__campaign=campaign)
        .values("trade__out_trade_no")
        .annotate(fen=Sum("amount_fen"))
        .values_list("trade__out_trade_no", "fen")
    )
    assert ours == gateways
    for trade in SandboxTrade.objects.filter(payment__order__campaign=campaign):
        assert trade.refunded_fen <= trade.amount_fen
    assert not Refund.objects.filter(order__campaign=campaign, status="pending").exists()


def given_two_members_paid(price_fen=1000):
    """A live campaign needing 2 members, each with a paid order of 2 pieces."""
    world = given_live_campaign(price_fen=price_fen)
    Campaign.objects.filter(pk=world.campaign.pk).update(threshold_value=2)
    other = given_member(world.shop, world.leader)
    mine = paid_order(world, 2)
    theirs = paid_order(world, 2, member=other)
    return world, mine, theirs


def test_a_member_cancelling_against_the_cutoff_decision_never_deadlocks(require_postgres):
    seen = set()
    for round_number in range(ROUNDS):
        world, mine, theirs = given_two_members_paid()
        first, second = stagger(round_number)

        cancelled, decided = run_together(
            after(first, order_services.order_cancel, order=mine, actor=world.member, reason="临时出差"),
            after(second, cut_off_and_decide(world.campaign)),
        )

        assert outcome(decided) == "done"
        # after the cut-off: refused while closed, or as a confirmed (已成团) order once decided
        assert outcome(cancelled) in ("done", "cancel_after_cutoff", "order_state")
        seen.add(outcome(cancelled))
        mine.refresh_from_db()
        if outcome(cancelled) == "done":
            assert (mine.status, mine.refunded_fen) == ("refunded", 2000)
        else:
            assert mine.status in ("confirmed", "refunded")  # refunded: the campaign failed without it
        assert_books_add_up(world.campaign)
    print("cancel vs cut-off outcomes:", seen)


def test_an_after_sales_refund_against_the_cutoff_decision_never_deadlocks(require_postgres):
    for round_number in range(ROUNDS):
        world, mine, theirs = given_two_members_paid()
        first, second = stagger(round_number)
        request = order_services.after_sale_open(order=mine, member=world.member, reason="少发了")
        admin = StaffFactory(shop=world.shop, role="admin").user

        resolved, decided = run_together(
            after(
                first,
                order_services.after_sale_resolve,
                after_sale=request,
                actor=admin,
                action="refund",
                reason="同意",
            ),
            after(second, cut_off_and_decide(world.campaign)),
        )

        assert (outcome(resolved), outcome(decided)) == ("done", "done")
        assert AfterSaleRequest.objects.get(pk=request.pk).status == "refunded"
        mine.refresh_from_db()
        assert (mine.status, mine.refunded_fen) == ("refunded", 2000)
        assert_books_add_up(world.campaign)


def test_a_payment_arriving_against_the_payment_timeout_never_deadlocks(require_postgres):
    for round_number in range(ROUNDS):
        world = given_live_campaign(price_fen=1000)
        first, second = stagger(round_number)
        order = place(world, 2)
        payment = payment_create(order=order)
        sandbox.gateway_pay(out_trade_no=payment.out_trade_no)
        Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

        notified, expired = run_together(
            after(first, notify, payment), after(second, order_services.orders_expire_unpaid)
        )
        print("notify vs timeout:", expired)

        assert (notified.status_code, outcome(expired)) == (200, "done")
        order.refresh_from_db()
        refunds = list(Refund.objects.filter(order=order).values_list("kind", "status", "amount_fen"))
        if order.status == "paid":  # the payment won: nothing to give back
            assert (expired, refunds) == (0, [])
        else:  # the timeout won: the money that arrived goes back, once
            assert (order.status, expired, refunds) == ("cancelled", 1, [("excess", "succeeded", 2000)])
        assert_books_add_up(world.campaign)
        world.item.refresh_from_db()
        assert world.item.stock_left == (18 if order.status == "paid" else 20)


def test_two_refund_schedules_at_once_return_the_money_once(require_postgres):
    from tuangou.payments.services import refunds_redrive

    world, mine, theirs = given_two_members_paid()
    SandboxTrade.objects.filter(payment__order=mine).update(refund_failures_planned=1)
    order_services.order_refund(order=mine, actor=None, reason="缺货")
    assert Refund.objects.get(order=mine).status == "pending"  # the gateway did not take it
    later = timezone.now() + timedelta(minutes=5)

    first, second = run_together(lambda: refunds_redrive(now=later), lambda: refunds_redrive(now=later))

    assert first["sent"] + second["sent"] >= 1
    assert SandboxRefund.objects.filter(trade__payment__order=mine).count() == 1
    mine.refresh_from_db()
    assert (mine.status, mine.refunded_fen) == ("refunded", 2000)
    assert mine.events.filter(type="refunded").count() == 1
    assert_books_add_up(world.campaign)
