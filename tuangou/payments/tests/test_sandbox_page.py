import pytest
from django.test import Client

from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, place
from tuangou.payments.models import Payment, PaymentNotification, SandboxTrade
from tuangou.payments.services import payment_create
from tuangou.payments.tasks import sandbox_deliver_notify


def given_open_payment(quantity=2):
    world = given_live_campaign(price_fen=1290)
    order = place(world, quantity)
    return world, order, payment_create(order=order)


@pytest.mark.django_db
def test_the_pay_page_shows_shop_order_and_amount_in_chinese():
    world, order, payment = given_open_payment()

    page = Client().get(payment.pay_url)

    html = page.content.decode()
    assert page.status_code == 200
    assert world.shop.name in html and order.number in html
    assert "¥25.80" in html and "确认支付" in html and "取消" in html
    assert 'name="viewport"' in html


@pytest.mark.django_db
def test_an_unknown_trade_has_no_pay_page():
    assert Client().get("/pay/sandbox/PAY-NOPE").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_confirming_on_the_pay_page_delivers_a_signed_notify_over_http(live_server, settings):
    # The gateway's notify task (run inline by the sync queue) POSTs to the live server.
    settings.SITE_URL = live_server.url
    world, order, payment = given_open_payment()

    response = Client().post(payment.pay_url, {"action": "confirm", "return_url": f"/h5/orders/{order.id}"})

    assert response.status_code == 302
    assert response["Location"] == f"/h5/orders/{order.id}"
    order.refresh_from_db()
    assert order.status == "paid"
    trade = SandboxTrade.objects.get(payment=payment)
    assert trade.state == "SUCCESS" and trade.notified_at is not None and trade.notify_attempts == 1
    assert list(PaymentNotification.objects.values_list("outcome", "signature_valid")) == [("applied", True)]
    # Acknowledged: running the task again sends nothing.
    assert sandbox_deliver_notify(payment.id) == "skipped"


@pytest.mark.django_db(transaction=True)
def test_a_notify_the_server_refuses_raises_so_the_queue_retries(live_server, settings):
    settings.SITE_URL = live_server.url
    world, order, payment = given_open_payment()
    Payment.objects.filter(pk=payment.pk).update(amount_fen=1)  # our side now disagrees: 400 amount_mismatch
    Client().post(payment.pay_url, {"action": "confirm"})  # delivery fails inside the sync queue
    trade = SandboxTrade.objects.get(payment=payment)

    with pytest.raises(Exception, match="400"):
        sandbox_deliver_notify(payment.id)

    trade.refresh_from_db()
    assert (trade.state, trade.notified_at, trade.notify_attempts) == ("SUCCESS", None, 2)
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert list(PaymentNotification.objects.values_list("outcome", flat=True)) == ["amount_mismatch", "amount_mismatch"]


@pytest.mark.django_db
def test_confirm_without_return_url_shows_success_and_an_unsafe_one_is_ignored(django_capture_on_commit_callbacks):
    world, order, payment = given_open_payment()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = Client().post(payment.pay_url, {"action": "confirm", "return_url": "//evil.example/steal"})

    assert page.status_code == 200
    assert "支付成功" in page.content.decode()
    assert len(queued) == 1  # the notify delivery, queued after commit


@pytest.mark.django_db
def test_cancel_on_the_pay_page_closes_the_trade_and_leaves_the_order_unpaid():
    world, order, payment = given_open_payment()

    page = Client().post(payment.pay_url, {"action": "cancel"})

    assert "已取消支付" in page.content.decode()
    assert SandboxTrade.objects.get(payment=payment).state == "CLOSED"  # what a query of the trade answers
    order.refresh_from_db()
    assert order.status == "pending_payment"
