"""Issue 8: Alipay (RSA2) against the local simulator (simulators/alipay). Each fault the simulator
injects, and what our side answers and writes. The races run on PostgreSQL; the rest on both."""

import json
import urllib.parse
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tuangou.campaigns.tests.test_concurrency import run_together
from tuangou.core.testing import ok
from tuangou.orders import services as order_services
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.tests.factories import given_live_campaign, login, place, staff_login
from tuangou.payments import services
from tuangou.payments.models import Payment, PaymentNotification, Refund
from tuangou.payments.providers.alipay import fen_of, sign_content, yuan_of

from .alipay_world import APP_ID, SELLER_ID, given_alipay, pay_on_the_page, to_our_server

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def alipay(settings):
    world = given_alipay(settings)
    yield world
    world.sim.stop()


def given_an_order_opened_at_alipay(quantity=2, price_fen=1290):
    world = given_live_campaign(price_fen=price_fen)
    order = place(world, quantity)
    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    return world, order, Payment.objects.get(pk=started["payment_id"]), started


def given_paid_at_the_gateway(alipay, **kwargs):
    world, order, payment, started = given_an_order_opened_at_alipay(**kwargs)
    pay_on_the_page(started["pay_url"])
    return world, order, payment


def paid_events(order) -> int:
    return OrderEvent.objects.filter(order=order, to_status="paid").count()


def outcomes() -> list[str]:
    return list(PaymentNotification.objects.order_by("id").values_list("outcome", flat=True))


def assert_unpaid(order, payment):
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == ("pending_payment", "created")


def test_member_pays_on_the_wap_page_the_notify_lands_and_staff_refund_part(alipay):
    world, order, payment, started = given_an_order_opened_at_alipay(quantity=2, price_fen=1290)
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(started["pay_url"]).query))
    assert started["pay_url"].startswith(f"{alipay.sim.gateway_url}?")
    assert (params["method"], params["app_id"], params["sign_type"], params["charset"]) == (
        "alipay.trade.wap.pay",
        APP_ID,
        "RSA2",
        "utf-8",
    )
    assert params["notify_url"] == f"http://testserver/api/payments/notify/alipay/{world.shop.id}"
    biz = json.loads(params["biz_content"])
    assert (biz["out_trade_no"], biz["total_amount"], biz["product_code"]) == (
        payment.out_trade_no,
        "25.80",
        "QUICK_WAP_WAY",
    )
    assert biz["time_expire"] == order.expires_at.astimezone(timezone.get_fixed_timezone(480)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )

    assert "支付成功" in pay_on_the_page(started["pay_url"])
    alipay.sim.deliver_all(to_our_server)

    trade = alipay.sim.trade(payment.out_trade_no)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (trade.total, trade.status) == (2580, "TRADE_SUCCESS")
    assert (order.status, payment.status, payment.provider_transaction_id) == ("paid", "succeeded", trade.trade_no)
    assert [(d["trade_status"], d["status"], d["answer"]) for d in alipay.sim.deliveries] == [
        ("TRADE_SUCCESS", 200, "success")
    ]
    assert outcomes() == ["applied"]

    finance = staff_login(world.shop, role="owner")
    ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "少了一件", "amount_fen": 1290}
        )
    )

    refund = Refund.objects.get(order=order)
    order.refresh_from_db()
    assert (refund.status, refund.amount_fen) == ("succeeded", 1290)  # Alipay refunds synchronously
    assert refund.provider_refund_id == f"{trade.trade_no}/{refund.out_refund_no}"
    assert order.refunded_fen == 1290 and trade.refunded == 1290
    assert [(r["method"], r["code"]) for r in alipay.sim.requests] == [
        ("alipay.trade.wap.pay", "10000"),
        ("alipay.trade.refund", "10000"),
    ]


def test_the_notify_reply_is_the_plain_text_success(alipay):
    world, order, payment = given_paid_at_the_gateway(alipay)
    delivery = alipay.sim.outbox[0]
    body, _ = alipay.sim.notify_body(delivery.params)

    response = to_our_server(delivery.url, body)

    assert response == (200, b"success")


def test_a_bad_signature_is_refused_with_nothing_written_and_the_resent_notify_applies(alipay, caplog):
    world, order, payment = given_paid_at_the_gateway(alipay)
    alipay.sim.fault("bad_signature")

    alipay.sim.deliver(to_our_server)

    assert [(d["status"], d["ok"], d["faults"]) for d in alipay.sim.deliveries] == [(400, False, ["bad_signature"])]
    assert_unpaid(order, payment)
    assert PaymentNotification.objects.count() == 0
    assert "payment notify from alipay refused: bad signature" in caplog.text

    alipay.sim.deliver_all(to_our_server)  # Alipay re-sends on its schedule, signed properly

    assert [(d["status"], d["answer"]) for d in alipay.sim.deliveries] == [
        (400, alipay.sim.deliveries[0]["answer"]),
        (200, "success"),
    ]
    order.refresh_from_db()
    assert order.status == "paid" and outcomes() == ["applied"]


def test_a_notify_with_a_field_changed_after_signing_is_refused(alipay):
    world, order, payment = given_paid_at_the_gateway(alipay)
    body, _ = alipay.sim.notify_body(alipay.sim.outbox[0].params)
    forged = body.replace(b"trade_status=TRADE_SUCCESS", b"trade_status=TRADE_FINISHED")

    status, answer = to_our_server(alipay.sim.outbox[0].url, forged)

    assert (status, json.loads(answer)["code"], json.loads(answer)["field"]) == (400, "signature_invalid", "sign")
    assert_unpaid(order, payment)
    assert PaymentNotification.objects.count() == 0


def test_the_same_notify_ten_times_is_one_transition(alipay):
    world, order, payment = given_paid_at_the_gateway(alipay)
    alipay.sim.deliver(to_our_server)
    notify_id = alipay.sim.deliveries[0]["notify_id"]

    statuses = alipay.sim.resend(notify_id, times=10, transport=to_our_server)

    assert statuses == [200] * 10
    assert [d["answer"] for d in alipay.sim.deliveries] == ["success"] * 11
    order.refresh_from_db()
    assert order.status == "paid" and paid_events(order) == 1
    assert outcomes() == ["applied"] + ["duplicate"] * 10


def test_a_duplicate_delivery_fault_is_answered_success_and_moves_the_order_once(alipay):
    alipay.sim.fault("duplicate")  # applies to the next notify queued
    world, order, payment = given_paid_at_the_gateway(alipay)

    alipay.sim.deliver_all(to_our_server)

    assert [(d["status"], d["answer"]) for d in alipay.sim.deliveries] == [(200, "success")] * 3
    order.refresh_from_db()
    assert paid_events(order) == 1 and order.status == "paid"
    assert outcomes() == ["applied", "duplicate", "duplicate"]


def test_an_amount_mismatch_is_refused_logged_and_the_order_unchanged(alipay, caplog):
    world, order, payment, started = given_an_order_opened_at_alipay(quantity=2, price_fen=1290)
    alipay.sim.fault("amount_mismatch")
    pay_on_the_page(started["pay_url"])

    statuses = []
    alipay.sim.deliver(lambda *args: statuses.append(to_our_server(*args)) or statuses[-1])

    assert alipay.sim.outbox[0].params["total_amount"] == "25.81"
    assert (statuses[0][0], json.loads(statuses[0][1])["code"]) == (400, "amount_mismatch")
    assert_unpaid(order, payment)
    assert outcomes() == ["amount_mismatch"]
    assert f"payment notify from alipay for {payment.out_trade_no} refused: amount_mismatch" in caplog.text


def test_a_notify_for_another_seller_is_refused_and_the_order_unchanged(alipay, settings):
    world, order, payment = given_paid_at_the_gateway(alipay)
    settings.ALIPAY = {**alipay.config, "SELLER_ID": "2088000000009999"}  # the trade was paid to SELLER_ID

    statuses = []
    alipay.sim.deliver(lambda *args: statuses.append(to_our_server(*args)) or statuses[-1])

    body = json.loads(statuses[0][1])
    assert (statuses[0][0], body["code"], body["field"]) == (400, "notify_invalid", "seller_id")
    assert_unpaid(order, payment)
    assert outcomes() == ["merchant_mismatch"]
    settings.ALIPAY = alipay.config
    alipay.sim.deliver_all(to_our_server)
    order.refresh_from_db()
    assert order.status == "paid" and SELLER_ID == alipay.sim.outbox[0].params["seller_id"]


def test_a_notify_for_another_app_id_is_refused_and_the_order_unchanged(alipay, settings):
    world, order, payment = given_paid_at_the_gateway(alipay)
    settings.ALIPAY = {**alipay.config, "APP_ID": "2021000000009999"}

    statuses = []
    alipay.sim.deliver(lambda *args: statuses.append(to_our_server(*args)) or statuses[-1])

    body = json.loads(statuses[0][1])
    assert (statuses[0][0], body["code"], body["field"]) == (400, "notify_invalid", "app_id")
    assert_unpaid(order, payment)
    assert outcomes() == ["invalid"]


def test_a_notify_sent_to_another_shops_path_is_refused_and_the_order_unchanged(alipay):
    world, order, payment = given_paid_at_the_gateway(alipay)
    other = given_live_campaign()
    delivery = alipay.sim.outbox[0]
    delivery.url = delivery.url.replace(f"/alipay/{world.shop.id}", f"/alipay/{other.shop.id}")

    alipay.sim.deliver(to_our_server)

    assert [d["status"] for d in alipay.sim.deliveries] == [400]
    assert_unpaid(order, payment)
    assert outcomes() == ["merchant_mismatch"]


def test_a_lost_notify_is_completed_by_the_query_schedule(alipay):
    alipay.sim.fault("lost")
    world, order, payment = given_paid_at_the_gateway(alipay)
    alipay.sim.deliver_all(to_our_server)
    assert alipay.sim.deliveries == [] and len(alipay.sim.lost) == 1

    counts = services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6))

    assert counts == {"paid": 1}
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.provider_transaction_id) == ("paid", alipay.sim.trade(payment.out_trade_no).trade_no)
    assert payment.paid_at is not None
    assert ("alipay.trade.query", "10000") in [(r["method"], r["code"]) for r in alipay.sim.requests]


def test_a_late_notify_after_the_query_found_the_payment_is_a_duplicate(alipay):
    alipay.sim.fault("late")
    world, order, payment = given_paid_at_the_gateway(alipay)
    alipay.sim.deliver_all(to_our_server, timeout=0.2)
    assert alipay.sim.deliveries == []
    assert services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6)) == {"paid": 1}

    alipay.sim.release_late()
    alipay.sim.deliver_all(to_our_server)

    assert [(d["status"], d["answer"]) for d in alipay.sim.deliveries] == [(200, "success")]
    order.refresh_from_db()
    assert paid_events(order) == 1 and outcomes() == ["duplicate"]


def test_a_trade_never_opened_at_the_gateway_is_notpay_to_the_query(alipay):
    world, order, payment, _ = given_an_order_opened_at_alipay()  # the payer never opened the pay URL

    counts = services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6))

    assert counts == {"notpay": 1}
    assert [(r["method"], r["sub_code"]) for r in alipay.sim.requests] == [
        ("alipay.trade.query", "ACQ.TRADE_NOT_EXIST")
    ]
    assert_unpaid(order, payment)


def test_a_payment_timeout_closes_the_gateway_trade(alipay):
    world, order, payment, started = given_an_order_opened_at_alipay()
    assert "确认付款" in urllib_open(started["pay_url"])  # the payer opened the page and left

    order_services.orders_expire_unpaid(now=order.expires_at + timedelta(seconds=1))

    payment.refresh_from_db()
    assert payment.status == "closed"
    assert alipay.sim.trade(payment.out_trade_no).status == "TRADE_CLOSED"
    assert ("alipay.trade.close", "10000") in [(r["method"], r["code"]) for r in alipay.sim.requests]
    with pytest.raises(ValueError):
        alipay.sim.pay(payment.out_trade_no)  # the payer can no longer pay it


def urllib_open(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_a_gateway_5xx_on_refunding_leaves_it_pending_and_the_redrive_sends_it_once(alipay):
    world, order, payment = given_paid_at_the_gateway(alipay)
    alipay.sim.deliver_all(to_our_server)
    alipay.sim.fault("server_error")

    refund = services.order_refund(order=order, actor=None, reason="缺货", amount_fen=1290)

    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == ("pending", 1) and "HTTP 502" in refund.last_error
    assert services.refunds_redrive(now=timezone.now() + timedelta(minutes=4)) == {
        "sent": 1,
        "still_pending": 0,
        "failed": 0,
        "orders": 0,
    }
    refund.refresh_from_db()
    assert refund.status == "succeeded" and alipay.sim.trade(payment.out_trade_no).refunded == 1290


def test_a_refund_sent_twice_with_its_reference_moves_money_once(alipay):
    from tuangou.payments.providers import get_provider

    world, order, payment = given_paid_at_the_gateway(alipay)
    alipay.sim.deliver_all(to_our_server)
    refund = services.order_refund(order=order, actor=None, reason="缺货", amount_fen=1290)
    refund.refresh_from_db()

    again = get_provider("alipay").refund(refund)  # a retry whose first answer was lost

    trade = alipay.sim.trade(payment.out_trade_no)
    assert again == refund.provider_refund_id and trade.refunded == 1290
    assert get_provider("alipay").refund_query(refund)["refund_amount"] == "12.90"


def test_our_request_signed_with_a_wrong_key_is_refused_invalid_signature(alipay, settings):
    other = alipay.sim.app_add("2021000000000777", seller_id=SELLER_ID)
    settings.ALIPAY = {**alipay.config, "APP_PRIVATE_KEY": other.private_key_pem}
    world = given_live_campaign(price_fen=1290)
    order = place(world, 1)
    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))

    page = urllib_open(started["pay_url"])
    counts = services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6))

    assert json.loads(page)["error_response"]["sub_code"] == "isv.invalid-signature"
    assert counts == {"unknown": 1}
    assert [(r["method"], r["code"], r["sub_code"]) for r in alipay.sim.requests] == [
        ("alipay.trade.wap.pay", "40002", "isv.invalid-signature"),
        ("alipay.trade.query", "40002", "isv.invalid-signature"),
    ]


def test_a_query_answer_not_signed_by_alipay_is_not_trusted(alipay, settings):
    alipay.sim.fault("lost")
    world, order, payment = given_paid_at_the_gateway(alipay)
    other = alipay.sim.app_add("2021000000000888", seller_id=SELLER_ID)  # any key but Alipay's
    settings.ALIPAY = {**alipay.config, "ALIPAY_PUBLIC_KEY": _public_pem(other)}

    counts = services.payments_sync_stale(now=timezone.now() + timedelta(minutes=6))

    assert counts == {"unknown": 1}
    assert_unpaid(order, payment)


def _public_pem(app) -> str:
    from cryptography.hazmat.primitives import serialization

    return app.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_a_desktop_gets_the_page_pay_url_and_pays_there(alipay):
    from tuangou.payments.providers.alipay import AlipayProvider

    world = given_live_campaign(price_fen=1290)
    payment = services.payment_open(order=place(world, 1))

    url = AlipayProvider().pay_url(payment, desktop=True)

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert (params["method"], json.loads(params["biz_content"])["product_code"]) == (
        "alipay.trade.page.pay",
        "FAST_INSTANT_TRADE_PAY",
    )
    assert "支付成功" in pay_on_the_page(url)
    assert alipay.sim.trade(payment.out_trade_no).method == "alipay.trade.page.pay"


def test_money_is_turned_between_fen_and_yuan_exactly():
    assert [yuan_of(fen) for fen in (1, 10, 1290, 100000)] == ["0.01", "0.10", "12.90", "1000.00"]
    assert [fen_of(text) for text in ("12.90", "12.9", "0.01", "1000", "12.901", "-1", "abc", None, "NaN")] == [
        1290,
        1290,
        1,
        100000,
        None,
        None,
        None,
        None,
        None,
    ]
    assert fen_of("19.99") == int(Decimal("1999"))


def test_the_string_to_sign_sorts_and_skips_sign_and_empty_values():
    params = {"b": "2", "a": "1", "sign": "x", "sign_type": "RSA2", "c": ""}
    assert sign_content(params) == "a=1&b=2&sign_type=RSA2"
    assert sign_content(params, exclude=("sign", "sign_type")) == "a=1&b=2"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_notify_at_once_are_one_transition(alipay, require_postgres):
    world, order, payment = given_paid_at_the_gateway(alipay)
    delivery = alipay.sim.outbox[0]

    results = run_together(
        lambda: alipay.sim.resend(delivery.notify_id, transport=to_our_server),
        lambda: alipay.sim.resend(delivery.notify_id, transport=to_our_server),
    )

    assert results == [[200], [200]]
    order = Order.objects.get(pk=order.pk)
    assert order.status == "paid" and paid_events(order) == 1
    assert sorted(outcomes()) == ["applied", "duplicate"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notify_and_the_query_at_once_are_one_transition(alipay, require_postgres):
    world, order, payment = given_paid_at_the_gateway(alipay)
    delivery = alipay.sim.outbox[0]

    results = run_together(
        lambda: alipay.sim.resend(delivery.notify_id, transport=to_our_server),
        lambda: services.payment_query_apply(payment=Payment.objects.get(pk=payment.pk)),
    )

    assert results == [[200], "paid"]
    order = Order.objects.get(pk=order.pk)
    assert order.status == "paid" and paid_events(order) == 1


@pytest.mark.parametrize(
    "body",
    [b"", b"sign=abc&sign_type=RSA2&out_trade_no=PAY1&total_amount=1.00", b"%ff%fe=1", b"a=1&&=&sign_type=RSA2"],
)
def test_a_notify_to_an_unconfigured_shop_is_a_400_never_a_500(settings, body):
    settings.ALIPAY = {**settings.ALIPAY, "ALIPAY_PUBLIC_KEY": "", "APP_ID": ""}

    status, answer = to_our_server("http://testserver/api/payments/notify/alipay/1", body)

    assert (status, json.loads(answer)["code"]) == (400, "signature_invalid")
    assert PaymentNotification.objects.count() == 0


def test_paying_at_a_shop_without_alipay_credentials_is_a_409_and_no_trade(settings):
    given_alipay(settings).sim.stop()
    settings.ALIPAY = {**settings.ALIPAY, "APP_PRIVATE_KEY": ""}
    world = given_live_campaign(price_fen=1290)
    order = place(world, 1)

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay")

    assert (response.status_code, response.json()["code"], response.json()["message"]) == (
        409,
        "alipay_unconfigured",
        "本店尚未开通支付宝支付",
    )
    assert Payment.objects.get(order=order).pay_url == ""


def test_a_timeout_of_a_trade_the_payer_never_opened_finds_nothing_to_close(alipay):
    world, order, payment, _ = given_an_order_opened_at_alipay()

    counts = services.payments_gateway_close(payment_ids=[payment.pk])  # not closed on our side yet: skipped
    order_services.orders_expire_unpaid(now=order.expires_at + timedelta(seconds=1))

    payment.refresh_from_db()
    assert counts == {} and payment.status == "closed"
    assert [(r["method"], r["sub_code"]) for r in alipay.sim.requests] == [
        ("alipay.trade.close", "ACQ.TRADE_NOT_EXIST")
    ]
    assert services.payments_gateway_close(payment_ids=[payment.pk]) == {"missing": 1}
