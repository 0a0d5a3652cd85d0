import json
import time

import pytest

from tuangou.campaigns.models import Campaign
from tuangou.core.testing import ok
from tuangou.orders import services as order_services
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.tests.factories import given_live_campaign, login, notify, place
from tuangou.payments import sandbox
from tuangou.payments.models import Payment, PaymentNotification, Refund, SandboxTrade
from tuangou.payments.services import payment_create

pytestmark = pytest.mark.django_db


def given_payment_taken_by_the_gateway(quantity=2):
    world = given_live_campaign(price_fen=1290)
    order = place(world, quantity)
    pay = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    sandbox.gateway_pay(out_trade_no=pay["out_trade_no"])
    return world, order, Payment.objects.get(pk=pay["payment_id"])


def test_member_starts_paying_and_gets_the_sandbox_pay_url_reused_on_retry():
    world = given_live_campaign(price_fen=1290)
    order = place(world, 2)
    client = login(world.member)

    first = ok(client.post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    again = ok(client.post(f"shops/{world.shop.id}/orders/{order.id}/pay"))

    assert first == again
    assert first["amount_fen"] == 2580
    assert first["pay_url"] == f"/pay/sandbox/{first['out_trade_no']}"
    assert SandboxTrade.objects.get().state == "NOTPAY"


def test_a_signed_notify_marks_the_order_paid_and_counts_it_in_the_campaign():
    world, order, payment = given_payment_taken_by_the_gateway(quantity=2)

    response = notify(payment)

    assert response.status_code == 200
    assert response.json() == {"code": "SUCCESS", "message": "OK"}
    order.refresh_from_db()
    payment.refresh_from_db()
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert order.status == "paid" and order.paid_at is not None
    assert payment.status == "succeeded" and payment.provider_transaction_id.startswith("SBX")
    assert (campaign.paid_orders, campaign.paid_quantity, campaign.paid_amount_fen) == (1, 2, 2580)
    assert list(PaymentNotification.objects.values_list("outcome", "signature_valid")) == [("applied", True)]
    detail = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}"))
    assert detail["pickup_code"] == order.pickup_code


def test_a_wrong_signature_is_refused_writes_nothing_and_is_logged(caplog):
    world, order, payment = given_payment_taken_by_the_gateway()
    body = sandbox.notify_body(SandboxTrade.objects.get(payment=payment))
    headers = sandbox.sign_notify(body)
    headers[sandbox.SIGNATURE_HEADER] = "0" * 64

    response = notify(payment, body=body, headers=headers)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "signature_invalid",
        sandbox.SIGNATURE_HEADER,
    )
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == ("pending_payment", "created")
    assert PaymentNotification.objects.count() == 0  # an unsigned body is not ours to keep
    assert [record.getMessage()[:50] for record in caplog.records if record.name == "tuangou.payments.services"] == [
        "payment notify from sandbox refused: bad signature"
    ]


def test_a_notify_without_signature_headers_writes_nothing():
    world, order, payment = given_payment_taken_by_the_gateway()
    body = sandbox.notify_body(SandboxTrade.objects.get(payment=payment))

    response = notify(payment, body=body, headers={})

    assert (response.status_code, response.json()["code"]) == (400, "signature_invalid")
    assert PaymentNotification.objects.count() == 0


def test_a_body_changed_after_signing_is_refused():
    world, order, payment = given_payment_taken_by_the_gateway()
    body = sandbox.notify_body(SandboxTrade.objects.get(payment=payment))
    forged = body.replace(b'"amount_fen":2580', b'"amount_fen":1')

    response = notify(payment, body=forged, headers=sandbox.sign_notify(body))

    assert response.json()["code"] == "signature_invalid"
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert PaymentNotification.objects.count() == 0


def test_a_notify_older_than_five_minutes_is_refused():
    world, order, payment = given_payment_taken_by_the_gateway()
    body = sandbox.notify_body(SandboxTrade.objects.get(payment=payment))

    response = notify(payment, body=body, headers=sandbox.sign_notify(body, timestamp=int(time.time()) - 301))

    assert (response.status_code, response.json()["code"]) == (400, "notify_expired")
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert PaymentNotification.objects.get().outcome == "expired"


def test_the_same_notify_ten_times_is_one_transition_and_one_event():
    world, order, payment = given_payment_taken_by_the_gateway(quantity=2)
    body = sandbox.notify_body(SandboxTrade.objects.get(payment=payment))

    answers = [notify(payment, body=body).json() for _ in range(10)]

    assert answers == [{"code": "SUCCESS", "message": "OK"}] * 10
    assert OrderEvent.objects.filter(order=order, type="paid").count() == 1
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.paid_orders, campaign.paid_quantity) == (1, 2)
    outcomes = list(PaymentNotification.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["applied"] + ["duplicate"] * 9


def test_an_amount_that_does_not_match_is_refused():
    world, order, payment = given_payment_taken_by_the_gateway()
    trade = SandboxTrade.objects.get(payment=payment)
    data = json.loads(sandbox.notify_body(trade))
    data["amount_fen"] = 1
    body = json.dumps(data).encode()

    response = notify(payment, body=body)

    assert (response.status_code, response.json()["code"]) == (400, "amount_mismatch")
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert PaymentNotification.objects.get().outcome == "amount_mismatch"


def test_an_unknown_trade_is_404_and_recorded():
    world, order, payment = given_payment_taken_by_the_gateway()
    data = json.loads(sandbox.notify_body(SandboxTrade.objects.get(payment=payment)))
    data["out_trade_no"] = "PAY-NOT-OURS"
    body = json.dumps(data).encode()

    response = notify(payment, body=body)

    assert response.status_code == 404
    assert PaymentNotification.objects.get().outcome == "unknown_payment"


def test_money_arriving_for_an_expired_order_is_refunded_automatically():
    world, order, payment = given_payment_taken_by_the_gateway(quantity=2)
    Order.objects.filter(pk=order.pk).update(expires_at=order.created_at)
    order_services.orders_expire_unpaid()

    response = notify(payment)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "cancelled"
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.status, refund.payment_id) == (2580, "succeeded", payment.id)
    assert SandboxTrade.objects.get(payment=payment).refunded_fen == 2580
    assert list(order.events.values_list("type", flat=True)) == ["placed", "expired", "late_payment_refunded"]
    world.item.refresh_from_db()
    assert world.item.stock_left == 20
    assert Campaign.objects.get(pk=world.campaign.pk).paid_orders == 0


def test_paying_a_cancelled_order_is_refused():
    world = given_live_campaign()
    order = place(world)
    order_services.order_cancel(order=order, actor=world.member, reason="")

    response = login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay")

    assert (response.status_code, response.json()["code"]) == (409, "order_state")
    assert Payment.objects.count() == 0


def test_cancelling_an_order_closes_its_open_payment():
    world = given_live_campaign()
    order = place(world)
    payment = payment_create(order=order)

    order_services.order_cancel(order=order, actor=world.member, reason="不要了")

    payment.refresh_from_db()
    assert payment.status == "closed"
