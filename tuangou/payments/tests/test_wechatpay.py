"""Issue 8: WeChat Pay API v3 against the local simulator (simulators/wechatpay), on PostgreSQL.
Each fault the simulator injects, and what our side answers and writes."""

import base64
import json
import time
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from tuangou.campaigns.tests.test_concurrency import run_together
from tuangou.core.testing import ok
from tuangou.orders import services as order_services
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.tests.factories import given_live_campaign, login, place, staff_login
from tuangou.payments import services
from tuangou.payments.models import Payment, PaymentNotification, Refund
from tuangou.payments.providers import get_provider

from .wechatpay_world import APPID, MCHID, SUB_MCHID, given_wechatpay, pay_on_the_page, to_our_server

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def wechat(settings, require_postgres):
    world = given_wechatpay(settings)
    yield world
    world.sim.stop()


def given_an_order_opened_at_wechatpay(quantity=2, price_fen=1290):
    world = given_live_campaign(price_fen=price_fen)
    order = place(world, quantity)
    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    return world, order, Payment.objects.get(pk=started["payment_id"]), started


def paid_events(order) -> int:
    return OrderEvent.objects.filter(order=order, to_status="paid").count()


def outcomes() -> list[str]:
    return list(PaymentNotification.objects.order_by("id").values_list("outcome", flat=True))


def test_member_pays_on_the_h5_page_the_notify_lands_and_staff_refund_part_completed_by_the_refund_notify(wechat):
    world, order, payment, started = given_an_order_opened_at_wechatpay(quantity=2, price_fen=1290)
    trade = wechat.sim.trade(payment.out_trade_no)
    assert started["pay_url"].startswith(f"{wechat.sim.base_url}/pay/h5?prepay_id=wx")
    assert (trade.amount, trade.appid, trade.merchant.mchid, trade.trade_type) == (2580, APPID, MCHID, "H5")
    assert trade.notify_url == f"http://testserver/api/payments/notify/wechatpay/{world.shop.id}"
    assert trade.time_expire.isoformat() == order.expires_at.astimezone(trade.time_expire.tzinfo).replace(
        microsecond=0
    ).isoformat()

    assert "支付成功" in pay_on_the_page(started["pay_url"]).decode()
    wechat.sim.deliver_all(to_our_server)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status, payment.provider_transaction_id) == ("paid", "succeeded", trade.transaction_id)
    assert [(d["event_type"], d["status"]) for d in wechat.sim.deliveries] == [("TRANSACTION.SUCCESS", 200)]
    assert outcomes() == ["applied"]

    finance = staff_login(world.shop, role="owner")
    ok(finance.post(f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "少了一件", "amount_fen": 1290}))
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount_fen) == ("pending", 1290)  # WeChat Pay answered PROCESSING

    assert wechat.sim.refunds_settle() == 1
    wechat.sim.deliver_all(to_our_server)

    refund.refresh_from_db()
    order.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("succeeded", wechat.sim.refunds[(MCHID, refund.out_refund_no)].refund_id)
    assert order.refunded_fen == 1290
    assert [(d["event_type"], d["status"]) for d in wechat.sim.deliveries] == [
        ("TRANSACTION.SUCCESS", 200),
        ("REFUND.SUCCESS", 200),
    ]
    assert outcomes() == ["applied", "refund_applied"]
