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
    assert (
        trade.time_expire.isoformat()
        == order.expires_at.astimezone(trade.time_expire.tzinfo).replace(microsecond=0).isoformat()
    )

    assert "支付成功" in pay_on_the_page(started["pay_url"]).decode()
    wechat.sim.deliver_all(to_our_server)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status, payment.provider_transaction_id) == (
        "paid",
        "succeeded",
        trade.transaction_id,
    )
    assert [(d["event_type"], d["status"]) for d in wechat.sim.deliveries] == [("TRANSACTION.SUCCESS", 200)]
    assert outcomes() == ["applied"]

    finance = staff_login(world.shop, role="owner")
    ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "少了一件", "amount_fen": 1290}
        )
    )
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount_fen) == ("pending", 1290)  # WeChat Pay answered PROCESSING

    assert wechat.sim.refunds_settle() == 1
    wechat.sim.deliver_all(to_our_server)

    refund.refresh_from_db()
    order.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == (
        "succeeded",
        wechat.sim.refunds[(MCHID, refund.out_refund_no)].refund_id,
    )
    assert order.refunded_fen == 1290
    assert [(d["event_type"], d["status"]) for d in wechat.sim.deliveries] == [
        ("TRANSACTION.SUCCESS", 200),
        ("REFUND.SUCCESS", 200),
    ]
    assert outcomes() == ["applied", "refund_applied"]


def given_paid_at_the_gateway(wechat, **kwargs):
    world, order, payment, _ = given_an_order_opened_at_wechatpay(**kwargs)
    wechat.sim.pay(payment.out_trade_no)
    return world, order, payment


def assert_unpaid(order, payment):
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == ("pending_payment", "created")


def test_a_bad_signature_is_refused_with_nothing_written_and_the_resent_notify_applies(wechat, caplog):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.fault("bad_signature")

    wechat.sim.deliver(to_our_server)

    assert [(d["status"], d["faults"]) for d in wechat.sim.deliveries] == [(400, ["bad_signature"])]
    assert_unpaid(order, payment)
    assert PaymentNotification.objects.count() == 0
    assert "payment notify from wechatpay refused: bad signature" in caplog.text

    wechat.sim.deliver_all(to_our_server)  # WeChat Pay re-sends on its schedule, signed properly

    assert [(d["status"], d["faults"]) for d in wechat.sim.deliveries] == [(400, ["bad_signature"]), (200, [])]
    order.refresh_from_db()
    assert order.status == "paid" and outcomes() == ["applied"]


def test_a_signtest_probe_is_refused_with_nothing_written(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.fault("signtest")

    wechat.sim.deliver(to_our_server)

    assert [(d["status"], d["faults"]) for d in wechat.sim.deliveries] == [(400, ["signtest"])]
    assert_unpaid(order, payment)
    assert PaymentNotification.objects.count() == 0


def test_a_notify_signed_ten_minutes_ago_is_refused_as_expired_and_the_order_unchanged(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.fault("stale_timestamp")

    statuses = []
    wechat.sim.deliver(lambda *args: statuses.append(to_our_server(*args)) or statuses[-1])

    assert statuses[0][0] == 400 and json.loads(statuses[0][1])["code"] == "notify_expired"
    assert_unpaid(order, payment)
    assert outcomes() == ["expired"]


def test_the_same_notify_ten_times_is_one_transition(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.deliver(to_our_server)
    event_id = wechat.sim.deliveries[0]["event_id"]

    statuses = wechat.sim.resend(event_id, times=10, transport=to_our_server)

    assert statuses == [200] * 10
    order.refresh_from_db()
    assert order.status == "paid" and paid_events(order) == 1
    assert outcomes() == ["applied"] + ["duplicate"] * 10


def test_a_duplicate_delivery_fault_is_answered_success_and_moves_the_order_once(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.fault("duplicate")  # applies to the next notify queued
    world2, order2, payment2 = given_paid_at_the_gateway(wechat)

    wechat.sim.deliver_all(to_our_server)

    assert [d["status"] for d in wechat.sim.deliveries] == [200, 200, 200, 200]
    order2.refresh_from_db()
    assert paid_events(order2) == 1 and order2.status == "paid"


def test_an_amount_mismatch_is_refused_logged_and_the_order_unchanged(wechat, caplog):
    world, order, payment, _ = given_an_order_opened_at_wechatpay(quantity=2, price_fen=1290)
    wechat.sim.fault("amount_mismatch")
    wechat.sim.pay(payment.out_trade_no)

    wechat.sim.deliver(to_our_server)

    assert [d["status"] for d in wechat.sim.deliveries] == [400]
    assert_unpaid(order, payment)
    assert outcomes() == ["amount_mismatch"]
    assert f"payment notify from wechatpay for {payment.out_trade_no} refused: amount_mismatch" in caplog.text


def test_a_notify_for_another_app_id_is_refused_and_the_order_unchanged(wechat, settings):
    world, order, payment = given_paid_at_the_gateway(wechat)
    settings.WECHATPAY = {**wechat.config, "APPID": "wx0000000000000000"}  # the trade was opened for APPID

    statuses = []
    wechat.sim.deliver(lambda *args: statuses.append(to_our_server(*args)) or statuses[-1])

    body = json.loads(statuses[0][1])
    assert (statuses[0][0], body["code"], body["field"]) == (400, "notify_invalid", "appid")
    assert_unpaid(order, payment)


def test_a_notify_sent_to_another_shops_path_is_refused_and_the_order_unchanged(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    other = given_live_campaign()
    delivery = wechat.sim.outbox[0]
    delivery.url = delivery.url.replace(f"/wechatpay/{world.shop.id}", f"/wechatpay/{other.shop.id}")

    wechat.sim.deliver(to_our_server)

    assert [d["status"] for d in wechat.sim.deliveries] == [400]
    assert_unpaid(order, payment)
    assert outcomes() == ["merchant_mismatch"]


def test_a_lost_notify_is_completed_by_the_query_schedule(wechat):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()
    wechat.sim.fault("lost")
    wechat.sim.pay(payment.out_trade_no)
    wechat.sim.deliver_all(to_our_server)
    assert wechat.sim.deliveries == [] and len(wechat.sim.lost) == 1

    counts = services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6))

    assert counts == {"paid": 1}
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.provider_transaction_id) == (
        "paid",
        wechat.sim.trade(payment.out_trade_no).transaction_id,
    )
    assert ("GET", f"/v3/pay/transactions/out-trade-no/{payment.out_trade_no}", 200) in [
        (r["method"], r["path"], r["status"]) for r in wechat.sim.requests
    ]


def test_a_late_notify_after_the_query_found_the_payment_is_a_duplicate(wechat):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()
    wechat.sim.fault("late")
    wechat.sim.pay(payment.out_trade_no)
    wechat.sim.deliver_all(to_our_server, timeout=0.2)
    assert wechat.sim.deliveries == []
    assert services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6)) == {"paid": 1}

    wechat.sim.release_late()
    wechat.sim.deliver_all(to_our_server)

    assert [d["status"] for d in wechat.sim.deliveries] == [200]
    order.refresh_from_db()
    assert paid_events(order) == 1 and outcomes() == ["duplicate"]


def test_a_payment_timeout_closes_the_gateway_trade(wechat):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()

    order_services.orders_expire_unpaid(now=order.expires_at + timedelta(seconds=1))

    payment.refresh_from_db()
    assert payment.status == "closed"
    assert wechat.sim.trade(payment.out_trade_no).state == "CLOSED"
    assert ("POST", f"/v3/pay/transactions/out-trade-no/{payment.out_trade_no}/close", 204) in [
        (r["method"], r["path"], r["status"]) for r in wechat.sim.requests
    ]
    with pytest.raises(ValueError):
        wechat.sim.pay(payment.out_trade_no)  # the payer can no longer pay it


def test_platform_key_rotation_to_a_public_key_mid_stream_keeps_verifying(wechat, settings):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.deliver_all(to_our_server)
    old_serial = wechat.sim.signing_serial
    new_id = wechat.sim.rotate("public_key")
    # The merchant downloaded the new public key: both are accepted during the switch-over.
    settings.WECHATPAY = {**wechat.config, "PLATFORM_KEYS": wechat.sim.platform_keys()}
    world2, order2, payment2, _ = given_an_order_opened_at_wechatpay()  # the API answer is signed by the new key
    wechat.sim.pay(payment2.out_trade_no)

    wechat.sim.deliver_all(to_our_server)

    assert new_id.startswith("PUB_KEY_ID_") and old_serial != new_id
    order2.refresh_from_db()
    assert order2.status == "paid"
    assert outcomes() == ["applied", "applied"]


def test_a_notify_signed_by_a_key_we_do_not_have_yet_is_refused_until_we_do(wechat, settings):
    world, order, payment = given_paid_at_the_gateway(wechat)
    # The platform switched to a WeChat Pay public key we were not given yet (a certificate would be
    # downloaded from /v3/certificates: test_wechatpay_certificates.py).
    wechat.sim.rotate("public_key")

    wechat.sim.deliver(to_our_server)

    assert [d["status"] for d in wechat.sim.deliveries] == [400]
    assert_unpaid(order, payment)
    assert PaymentNotification.objects.count() == 0

    settings.WECHATPAY = {**wechat.config, "PLATFORM_KEYS": wechat.sim.platform_keys()}
    wechat.sim.deliver_all(to_our_server)
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_gateway_5xx_on_opening_answers_503_and_the_next_try_opens_it(wechat):
    world = given_live_campaign(price_fen=1290)
    order = place(world, 1)
    wechat.sim.fault("server_error")

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay")

    assert (response.status_code, response.json()["code"]) == (503, "provider_unavailable")
    again = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    assert again["pay_url"].startswith(wechat.sim.base_url)


def test_a_gateway_5xx_on_refunding_leaves_it_pending_and_the_redrive_sends_it(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.deliver_all(to_our_server)
    wechat.sim.fault("server_error")

    refund = services.order_refund(order=order, actor=None, reason="缺货", amount_fen=1290)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == ("pending", 1) and "HTTP 500" in refund.last_error

    assert services.refunds_redrive(now=timezone.now() + timedelta(minutes=4)) == {
        "sent": 0,
        "still_pending": 1,
        "failed": 0,
        "orders": 0,
    }  # taken now, PROCESSING at WeChat Pay
    wechat.sim.refunds_settle()
    wechat.sim.deliver_all(to_our_server)
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    wechat.sim.resend(wechat.sim.deliveries[-1]["event_id"], times=3, transport=to_our_server)
    assert outcomes()[-4:] == ["refund_applied", "duplicate", "duplicate", "duplicate"]


def test_our_request_signed_with_a_wrong_key_is_refused_sign_error(wechat, settings):
    other = wechat.sim.merchant_add("1900000999")
    settings.WECHATPAY = {**wechat.config, "MERCHANT_PRIVATE_KEY": other.private_key_pem}
    world = given_live_campaign(price_fen=1290)
    order = place(world, 1)

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay")

    assert (response.status_code, response.json()["code"]) == (502, "provider_refused")
    assert [(r["status"], r["code"]) for r in wechat.sim.requests] == [(401, "SIGN_ERROR")]


def test_jsapi_parameters_carry_a_pay_sign_the_merchant_key_verifies(wechat):
    world = given_live_campaign(price_fen=1290)
    payment = services.payment_open(order=place(world, 1))  # inside WeChat: a JSAPI trade, not an H5 one

    params = get_provider("wechatpay").jsapi_params(payment, openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")

    trade = wechat.sim.trade(payment.out_trade_no)
    assert params["package"] == f"prepay_id={trade.prepay_id}" and params["appId"] == APPID
    message = f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    wechat.merchant.public_key.verify(base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256())
    assert abs(int(params["timeStamp"]) - time.time()) < 5 and params["signType"] == "RSA"


def test_partner_mode_opens_the_trade_for_the_shops_sub_merchant_and_checks_it_in_the_notify(
    settings, require_postgres
):
    world = given_live_campaign(price_fen=1290)
    wechat = given_wechatpay(settings, mode="partner", shop_ids=[world.shop.id])
    try:
        order = place(world, 1)
        started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
        trade = wechat.sim.trade(started["out_trade_no"])
        assert (trade.merchant.mchid, trade.sub_mchid) == ("1230000109", SUB_MCHID)
        wechat.sim.pay(started["out_trade_no"])
        settings.WECHATPAY = {**wechat.config, "SUB_MCHIDS": {str(world.shop.id): "1900000777"}}

        wechat.sim.deliver(to_our_server)  # our books say the shop has another sub-merchant now

        assert [d["status"] for d in wechat.sim.deliveries] == [400]
        assert outcomes() == ["merchant_mismatch"]
        settings.WECHATPAY = wechat.config
        wechat.sim.deliver_all(to_our_server)
        order.refresh_from_db()
        assert order.status == "paid" and outcomes() == ["merchant_mismatch", "applied"]
    finally:
        wechat.sim.stop()


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_notify_at_once_are_one_transition(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    delivery = wechat.sim.outbox[0]

    results = run_together(
        lambda: wechat.sim.resend(delivery.event_id, transport=to_our_server),
        lambda: wechat.sim.resend(delivery.event_id, transport=to_our_server),
    )

    assert results == [[200], [200]]
    order = Order.objects.get(pk=order.pk)
    assert order.status == "paid" and paid_events(order) == 1
    assert sorted(outcomes()) == ["applied", "duplicate"]


def test_an_h5_url_older_than_five_minutes_is_asked_again_for_the_same_trade(wechat):
    world, order, payment, first = given_an_order_opened_at_wechatpay()
    again = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    assert again == first  # within its 5 minutes: the same h5_url
    Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now() - timedelta(minutes=5, seconds=1))

    later = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))

    assert later["payment_id"] == first["payment_id"] and later["out_trade_no"] == first["out_trade_no"]
    assert later["pay_url"] != first["pay_url"]
    assert later["pay_url"].split("&")[0] == first["pay_url"].split("&")[0]  # the same prepay_id
    assert len(wechat.sim.trades) == 1


def test_partner_mode_query_and_refund_name_the_shops_sub_merchant(settings, require_postgres):
    world = given_live_campaign(price_fen=1290)
    wechat = given_wechatpay(settings, mode="partner", shop_ids=[world.shop.id])
    try:
        order = place(world, 2)
        started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
        wechat.sim.fault("lost")
        wechat.sim.pay(started["out_trade_no"])

        assert services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6)) == {"paid": 1}
        refund = services.order_refund(order=order, actor=None, reason="缺货", amount_fen=1290)
        wechat.sim.refunds_settle()
        wechat.sim.deliver_all(to_our_server)

        refund.refresh_from_db()
        assert refund.status == "succeeded"
        paths = [(r["method"], r["path"].split("?")[0], r["status"]) for r in wechat.sim.requests]
        assert paths == [
            ("POST", "/v3/pay/partner/transactions/h5", 200),
            ("GET", f"/v3/pay/partner/transactions/out-trade-no/{started['out_trade_no']}", 200),
            ("GET", f"/v3/refund/domestic/refunds/{refund.out_refund_no}", 404),
            ("POST", "/v3/refund/domestic/refunds", 200),
        ]
        assert wechat.sim.refunds[("1230000109", refund.out_refund_no)].trade.sub_mchid == SUB_MCHID
    finally:
        wechat.sim.stop()


def test_an_abnormal_refund_notify_fails_the_refund_and_leaves_the_order_book(wechat):
    world, order, payment = given_paid_at_the_gateway(wechat)
    wechat.sim.deliver_all(to_our_server)
    refund = services.order_refund(order=order, actor=None, reason="缺货", amount_fen=1290)

    wechat.sim.refunds_settle(status="ABNORMAL")  # the member's card was cancelled
    wechat.sim.deliver_all(to_our_server)

    refund.refresh_from_db()
    order.refresh_from_db()
    assert (refund.status, refund.last_error) == ("failed", "微信支付退款ABNORMAL")
    assert (order.status, order.refunded_fen) == ("paid", 0)
    assert [d["event_type"] for d in wechat.sim.deliveries] == ["TRANSACTION.SUCCESS", "REFUND.ABNORMAL"]
    assert outcomes() == ["applied", "refund_failed"]


def test_a_query_answer_signed_by_a_key_we_do_not_know_is_not_trusted(wechat, caplog):
    world, order, payment, _ = given_an_order_opened_at_wechatpay()
    wechat.sim.fault("lost")
    wechat.sim.pay(payment.out_trade_no)
    wechat.sim.rotate("public_key")  # not (yet) in our PLATFORM_KEYS: the answer cannot be verified

    counts = services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6))

    assert counts == {"unknown": 1}
    assert_unpaid(order, payment)
    assert "answer not verified (signature_invalid)" in caplog.text
