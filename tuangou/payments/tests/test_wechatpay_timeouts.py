"""Issue 8: WeChat Pay answering too late (the simulator's `timeout` fault: the call is carried
out, its answer held past our client's timeout). We answer 503 / keep the refund pending, and the
next try with the same reference finds what WeChat Pay already did: one trade, one refund."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.core.testing import ok
from tuangou.orders.tests.factories import given_live_campaign, login, place
from tuangou.payments import services
from tuangou.payments.models import Payment

from .wechatpay_world import given_wechatpay, to_our_server

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def wechat(settings, require_postgres):
    world = given_wechatpay(settings)
    settings.WECHATPAY["TIMEOUT_SECONDS"] = 0.5
    world.sim.timeout_delay = 1.5
    yield world
    world.sim.stop()


def test_a_gateway_timeout_on_opening_answers_503_and_the_next_try_gets_the_trade_it_opened(wechat):
    world = given_live_campaign(price_fen=1290)
    order = place(world, 1)
    wechat.sim.fault("timeout")

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay")

    assert (response.status_code, response.json()["code"]) == (503, "provider_unavailable")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.pay_url) == ("created", "")
    assert len(wechat.sim.trades) == 1  # WeChat Pay opened it; we never heard
    again = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    assert (again["payment_id"], again["out_trade_no"]) == (payment.id, payment.out_trade_no)
    assert again["pay_url"].startswith(
        f"{wechat.sim.base_url}/pay/h5?prepay_id={wechat.sim.trade(payment.out_trade_no).prepay_id}"
    )
    assert len(wechat.sim.trades) == 1


def test_a_gateway_timeout_on_refunding_leaves_it_pending_and_the_redrive_finds_the_one_refund(wechat):
    world = given_live_campaign(price_fen=1290)
    order = place(world, 2)
    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    wechat.sim.pay(started["out_trade_no"])
    wechat.sim.deliver_all(to_our_server)
    wechat.sim.fault("timeout")

    refund = services.order_refund(order=order, actor=None, reason="缺货", amount_fen=1290)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == ("pending", 1)
    assert len(wechat.sim.refunds) == 1  # taken by WeChat Pay, its answer lost
    services.refunds_redrive(now=timezone.now() + timedelta(minutes=4))  # asks by out_refund_no first
    wechat.sim.refunds_settle()
    wechat.sim.deliver_all(to_our_server)
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == "succeeded" and order.refunded_fen == 1290
    assert len(wechat.sim.refunds) == 1 and wechat.sim.trade(started["out_trade_no"]).refunded == 1290
