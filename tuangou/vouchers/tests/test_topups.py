"""Phone top-ups against the vendor simulator (simulators/topup) over HTTP: the callback is posted
through the test client as the vendor would post it."""

import urllib.parse

import pytest
from django.test import Client

from simulators.topup import TopUpSimulator
from tuangou.catalog.models import Product
from tuangou.core.testing import ok
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, paid_order, staff_login
from tuangou.vouchers import tasks
from tuangou.vouchers.models import TopUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendor(settings):
    sim = TopUpSimulator(finish_after=0, auto_deliver=False).start()
    sim.timeout_seconds = 0.6
    settings.TOPUP = {
        "GATEWAY": sim.gateway_url,
        "MERCHANT_ID": sim.merchant_id,
        "KEY": sim.key,
        "NOTIFY_BASE": "http://testserver",
        "TIMEOUT_SECONDS": 0.3,
    }
    yield sim
    sim.stop()


def given_topup_order(phone="13912345678"):
    world = given_live_campaign(price_fen=4980)
    Product.objects.filter(pk=world.item.sku.product_id).update(kind="topup", face_value_fen=5000)
    order = paid_order(world, contact_phone=phone)
    return world, order


def callback(params: dict):
    return Client().post(
        "/api/topups/notify", urllib.parse.urlencode(params), content_type="application/x-www-form-urlencoded"
    )


def test_a_paid_top_up_is_sent_and_the_signed_callback_finishes_it(vendor):
    world, order = given_topup_order()
    topup = TopUp.objects.get(order=order)
    assert (topup.status, topup.attempts, topup.phone, topup.face_value_fen) == ("processing", 1, "13912345678", 5000)

    recharge = vendor.finish(topup.reference)
    response = callback(vendor.callback_params(recharge))
    duplicate = callback(vendor.callback_params(recharge))

    assert (response.status_code, response.content) == (200, b"success")
    assert duplicate.content == b"success"
    topup.refresh_from_db()
    assert (topup.status, topup.vendor_order_no) == ("succeeded", recharge.order_no)
    assert topup.finished_at is not None
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("paid", 0)
    body = ok(staff_login(world.shop, "support").get(f"console/shops/{world.shop.id}/topups"))
    assert [(t["status"], t["phone"]) for t in body["items"]] == [("succeeded", "139****5678")]


def test_a_failed_top_up_refunds_the_line_once_however_often_the_vendor_calls(vendor):
    vendor.fail_numbers.add("13800000000")
    world, order = given_topup_order(phone="13800000000")
    recharge = vendor.finish(TopUp.objects.get(order=order).reference)

    callback(vendor.callback_params(recharge))
    callback(vendor.callback_params(recharge))

    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("refunded", 4980)
    assert TopUp.objects.get().status == "failed"
    assert order.refunds.count() == 1


def test_a_callback_with_a_wrong_signature_changes_nothing(vendor):
    world, order = given_topup_order()
    recharge = vendor.finish(TopUp.objects.get(order=order).reference)
    params = {**vendor.callback_params(recharge), "status": "failed"}  # tampered after signing

    response = callback(params)

    assert (response.status_code, response.json()["code"]) == (400, "topup_callback_invalid")
    assert TopUp.objects.get().status == "processing"
    assert Order.objects.get().refunded_fen == 0


def test_a_timed_out_send_stays_pending_and_the_sweep_asks_the_vendor(vendor):
    vendor.fault("timeout")
    world, order = given_topup_order()
    topup = TopUp.objects.get(order=order)
    assert (topup.status, topup.attempts) == ("pending", 1)
    assert "timed out" in topup.last_error
    vendor.finish(topup.reference)  # the vendor got it all the same; its callback is lost
    TopUp.objects.filter(pk=topup.pk).update(updated_at=topup.updated_at - tasks.SWEEP_AFTER * 2)

    counts = tasks.topups_sync()

    topup.refresh_from_db()
    assert (counts, topup.status) == ({"succeeded": 1}, "succeeded")
    assert len(vendor.orders) == 1


def test_a_number_the_vendor_refuses_fails_at_once_and_is_refunded(vendor):
    world = given_live_campaign(price_fen=4980)
    Product.objects.filter(pk=world.item.sku.product_id).update(kind="topup", face_value_fen=4200)  # not sold
    order = paid_order(world)
    order.refresh_from_db()
    topup = TopUp.objects.get()
    assert (topup.status, topup.last_error[:4]) == ("failed", "1004")
    assert order.status == "refunded"


def test_without_a_gateway_the_sandbox_succeeds_at_once():
    world, order = given_topup_order()
    assert TopUp.objects.get().status == "succeeded"
