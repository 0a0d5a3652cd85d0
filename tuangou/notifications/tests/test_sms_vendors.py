"""Notification SMS through the vendors' simulators: each notice goes as its own template with its
parameters, a vendor 5xx is retried by the delivery job, a shop's daily budget stops sends past it,
and the vendors' delivery receipts (pushed over HTTP to our callback) land on the delivery row."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F

from simulators.sms import Fault
from tuangou.accounts.tests.sms_simulators import VENDORS
from tuangou.core import schedules
from tuangou.notifications import services, tasks
from tuangou.notifications.models import Delivery, Message
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory


def pickup_notice(shop, user):
    return services.notification_send(
        shop=shop,
        user=user,
        kind=Message.Kind.PICKUP_NOTICE,
        title="提货通知",
        body="您的鲜鸡蛋已到海韵花园自提点，提货码 K7Q2，请尽快提货",
        data={"campaign": "鲜鸡蛋", "point": "海韵花园自提点", "code": "K7Q2"},
    )


@pytest.fixture(params=["aliyun", "tencent"])
def vendor(request, settings):
    with VENDORS[request.param](settings) as simulator:
        yield request.param, simulator


@pytest.mark.django_db
def test_a_pickup_notice_goes_as_the_pickup_template_with_its_parameters(vendor, django_capture_on_commit_callbacks):
    name, simulator = vendor
    user = MemberUserFactory(phone="13800007001")

    with django_capture_on_commit_callbacks(execute=True):
        pickup_notice(ShopFactory(), user)

    [sms] = simulator.inbox
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.provider_id) == ("sent", 1, sms.message_id)
    if name == "aliyun":
        assert (sms.template, sms.params) == (
            "SMS_100000002",
            {"campaign": "鲜鸡蛋", "point": "海韵花园自提点", "code": "K7Q2"},
        )
    else:
        assert (sms.template, sms.params) == ("1000002", ["鲜鸡蛋", "海韵花园自提点", "K7Q2"])
    assert sms.text == "【团购】您购买的鲜鸡蛋已到海韵花园自提点，提货码K7Q2，请尽快提货。"


@pytest.mark.django_db
def test_a_vendor_5xx_is_retried_by_the_delivery_job(vendor, django_capture_on_commit_callbacks):
    _, simulator = vendor
    simulator.inject(Fault.SERVER_ERROR)
    with django_capture_on_commit_callbacks(execute=True):
        pickup_notice(ShopFactory(), MemberUserFactory(phone="13800007002"))
    failed = Delivery.objects.get()
    assert (failed.status, failed.attempts, failed.error) == ("failed", 1, "SmsError: http_500")

    assert tasks.deliveries_retry() == 1

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("sent", 2, "")
    assert [sms.phone[-11:] for sms in simulator.inbox] == ["13800007002"]
    assert simulator.requests == 2


@pytest.mark.django_db
def test_a_number_the_vendor_refuses_is_not_retried(vendor, django_capture_on_commit_callbacks):
    name, simulator = vendor
    simulator.inject(Fault.INVALID_NUMBER)
    with django_capture_on_commit_callbacks(execute=True):
        pickup_notice(ShopFactory(), MemberUserFactory(phone="13800007003"))

    assert tasks.deliveries_retry() == 0
    delivery = Delivery.objects.get()
    vendor_error = {
        "aliyun": "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号",
        "tencent": "InvalidParameterValue.IncorrectPhoneNumber: 手机号格式错误",
    }[name]
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 5, f"SmsError: {vendor_error}")


@pytest.mark.django_db
def test_the_shops_daily_budget_stops_sends_past_it(settings, django_capture_on_commit_callbacks):
    settings.SMS_DAILY_BUDGET_PER_SHOP = 2
    shop, other_shop, own_budget_shop = ShopFactory(), ShopFactory(), ShopFactory(sms_daily_budget=1)
    users = [MemberUserFactory(phone=f"1380000710{i}") for i in range(3)]
    with VENDORS["aliyun"](settings) as simulator:
        with django_capture_on_commit_callbacks(execute=True):
            for user in users:
                pickup_notice(shop, user)
            pickup_notice(other_shop, users[0])
            pickup_notice(own_budget_shop, users[0])
            pickup_notice(own_budget_shop, users[1])

        assert tasks.deliveries_retry() == 0

    rows = list(Delivery.objects.order_by("id").values_list("shop_id", "status", "attempts", "error"))
    assert rows == [
        (shop.id, "sent", 1, ""),
        (shop.id, "sent", 1, ""),
        (shop.id, "failed", 5, "SmsBudgetExhausted: daily SMS budget of 2 reached"),
        (other_shop.id, "sent", 1, ""),
        (own_budget_shop.id, "sent", 1, ""),
        (own_budget_shop.id, "failed", 5, "SmsBudgetExhausted: daily SMS budget of 1 reached"),
    ]
    assert [sms.phone for sms in simulator.inbox] == ["13800007100", "13800007101", "13800007100", "13800007100"]


@pytest.mark.django_db
def test_a_send_the_vendor_refused_gives_back_its_budget(settings, django_capture_on_commit_callbacks):
    settings.SMS_DAILY_BUDGET_PER_SHOP = 1
    shop = ShopFactory()
    with VENDORS["tencent"](settings) as simulator:
        simulator.inject(Fault.SERVER_ERROR)
        with django_capture_on_commit_callbacks(execute=True):
            pickup_notice(shop, MemberUserFactory(phone="13800007201"))

        tasks.deliveries_retry()

    assert list(Delivery.objects.values_list("status", "attempts")) == [("sent", 2)]
    assert len(simulator.inbox) == 1


@pytest.mark.django_db(transaction=True)
def test_delivery_receipts_pushed_by_the_vendor_land_on_the_delivery(vendor, live_server, settings):
    name, simulator = vendor
    settings.SMS_RECEIPT_TOKEN = "receipt-token-42"
    simulator.receipt_url = f"{live_server.url}/api/sms/receipts/{name}/receipt-token-42"
    shop = ShopFactory()
    for phone in ("13800007301", "13800007302"):
        tasks.delivery_send(
            Delivery.objects.get(message=pickup_notice(shop, MemberUserFactory(phone=phone)), channel="sms").id
        )
    delivered, missed = simulator.inbox

    answers = [simulator.report(delivered)]
    if name == "aliyun":
        answers.append(simulator.report(missed, success=False, err_code="MK:0001", err_msg="用户手机关机"))
    else:
        answers.append(simulator.report(missed, success=False, errmsg="MK:0001", description="用户手机关机"))

    expected_answer = {"aliyun": {"code": 0, "msg": "成功"}, "tencent": {"result": 0, "errmsg": "OK"}}[name]
    assert answers == [expected_answer, expected_answer]
    rows = list(Delivery.objects.order_by("id").values_list("to", "provider_id", "receipt_status", "receipt_error"))
    assert rows == [
        ("13800007301", delivered.message_id, "delivered", ""),
        ("13800007302", missed.message_id, "failed", "MK:0001 用户手机关机"),
    ]


@pytest.mark.django_db
def test_a_receipt_push_to_a_wrong_token_changes_nothing(settings, client):
    settings.SMS_RECEIPT_TOKEN = "receipt-token-42"
    delivery = Delivery.objects.create(
        shop=(shop := ShopFactory()),
        message=Message.objects.create(shop=shop, user=MemberUserFactory(), kind="system", title="t", body="b"),
        channel="sms",
        to="13800007401",
        status="sent",
        provider_id="900619746936^0",
    )
    push = '[{"biz_id": "900619746936^0", "success": true, "err_code": "DELIVERED", "err_msg": "用户接收成功"}]'

    wrong = client.post("/api/sms/receipts/aliyun/guessed", push, content_type="application/json")
    not_ascii = client.post("/api/sms/receipts/aliyun/回执", push, content_type="application/json")
    garbled = client.post("/api/sms/receipts/aliyun/receipt-token-42", '{"biz_id": 1}', content_type="application/json")

    assert (wrong.status_code, wrong.json()["code"]) == (404, "not_found")
    assert (not_ascii.status_code, not_ascii.json()["code"]) == (404, "not_found")
    assert (garbled.status_code, garbled.json()) == (
        400,
        {"code": "invalid", "message": "请求内容无效：不是有效的短信回执", "field": "body"},
    )
    delivery.refresh_from_db()
    assert (delivery.receipt_status, delivery.receipt_error, delivery.receipt_at) == ("", "", None)


@pytest.mark.django_db(transaction=True)
def test_a_vendor_pushing_receipts_by_itself_marks_the_delivery_delivered(live_server, settings):
    settings.SMS_RECEIPT_TOKEN = "receipt-token-42"
    with VENDORS["tencent"](settings) as simulator:
        simulator.receipt_url = f"{live_server.url}/api/sms/receipts/tencent/receipt-token-42"
        simulator.auto_receipt_seconds = 0.1
        message = pickup_notice(ShopFactory(), MemberUserFactory(phone="13800007501"))
        tasks.delivery_send(Delivery.objects.get(message=message).id)

        deadline = time.monotonic() + 5
        while Delivery.objects.get().receipt_status == "" and time.monotonic() < deadline:
            time.sleep(0.05)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.receipt_status, delivery.receipt_error) == ("sent", "delivered", "")
    assert delivery.provider_id == simulator.inbox[0].message_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twelve_deliveries_sent_at_once_stay_within_the_budget(require_postgres, settings):
    settings.SMS_DAILY_BUDGET_PER_SHOP = 5
    shop = ShopFactory()
    data = {"campaign": "鲜鸡蛋", "point": "海韵花园自提点", "code": "K7Q2"}
    ids = []
    for i in range(12):  # queued rows, as notifications_send_many writes them (its own jobs would send them now)
        user = MemberUserFactory(phone=f"138000076{i:02d}")
        message = Message.objects.create(
            shop=shop, user=user, kind="pickup_notice", title="提货通知", body="-", data=data
        )
        ids.append(Delivery.objects.create(shop=shop, message=message, channel="sms", to=user.phone).id)
    start = threading.Barrier(len(ids))

    def send(delivery_id):
        try:
            start.wait()
            tasks.delivery_send(delivery_id)
        finally:
            connection.close()

    with VENDORS["aliyun"](settings) as simulator:
        threads = [threading.Thread(target=send, args=(delivery_id,)) for delivery_id in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    statuses = sorted(Delivery.objects.values_list("status", "error"))
    assert statuses == [("failed", "SmsBudgetExhausted: daily SMS budget of 5 reached")] * 7 + [("sent", "")] * 5
    assert len(simulator.inbox) == 5


@pytest.mark.django_db
def test_receipts_whose_push_was_lost_are_asked_for_with_query_send_details(
    settings, django_capture_on_commit_callbacks
):
    shop = ShopFactory()
    with VENDORS["aliyun"](settings) as simulator:
        with django_capture_on_commit_callbacks(execute=True):
            for phone in ("13800007701", "13800007702", "13800007703"):
                pickup_notice(shop, MemberUserFactory(phone=phone))
        delivered, missed, waiting = simulator.inbox
        simulator.mark(delivered)  # the handsets answered; no push reached us
        simulator.mark(missed, success=False, err_code="MK:0001")
        too_new = tasks.sms_receipts_query()
        # Eleven minutes pass, for us and for the vendor alike (SendDate is the Beijing day it was
        # sent: moving only our side across midnight would ask the vendor about the wrong day).
        Delivery.objects.update(sent_at=F("sent_at") - timedelta(minutes=11))
        for sms in simulator.inbox:
            sms.at -= 11 * 60

        found = tasks.sms_receipts_query()
        again = tasks.sms_receipts_query()

    assert (too_new, found, again) == (0, 2, 0)
    rows = list(Delivery.objects.order_by("id").values_list("to", "receipt_status", "receipt_error"))
    assert rows == [("13800007701", "delivered", ""), ("13800007702", "failed", "MK:0001"), ("13800007703", "", "")]
    assert waiting.delivered is None
    assert ("tuangou.notifications.tasks.sms_receipts_query", 30) in [(f, m) for _, f, m in schedules.JOBS]
