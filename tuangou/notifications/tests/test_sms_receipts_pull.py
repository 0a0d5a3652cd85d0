"""Tencent Cloud in pull mode: the receipt job asks PullSmsSendStatus (TC3-signed) for the status
reports the vendor holds and writes them on the SMS deliveries; each report is handed out once."""

import pytest

from tuangou.accounts.tests.sms_simulators import VENDORS
from tuangou.core import schedules
from tuangou.notifications import services, tasks
from tuangou.notifications.models import Delivery, Message
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db


def pickup_notice(shop, user):
    return services.notification_send(
        shop=shop, user=user, kind=Message.Kind.PICKUP_NOTICE, title="提货通知", body="-",
        data={"campaign": "鲜鸡蛋", "point": "海韵花园自提点", "code": "K7Q2"},
    )  # fmt: skip


def test_the_receipt_job_pulls_tencents_status_reports_onto_the_deliveries(
    settings, django_capture_on_commit_callbacks
):
    shop = ShopFactory()
    with VENDORS["tencent"](settings) as simulator:
        with django_capture_on_commit_callbacks(execute=True):
            for phone in ("13800007801", "13800007802", "13800007803"):
                pickup_notice(shop, MemberUserFactory(phone=phone))
        delivered, failed, waiting = simulator.inbox
        nothing_yet = tasks.sms_receipts_query()
        simulator.mark(delivered)
        simulator.mark(failed, success=False, errmsg="MK:0012", description="用户关机")

        found = tasks.sms_receipts_query()
        again = tasks.sms_receipts_query()

    assert (nothing_yet, found, again) == (0, 2, 0)
    rows = list(Delivery.objects.order_by("id").values_list("to", "receipt_status", "receipt_error"))
    assert rows == [
        ("13800007801", "delivered", ""),
        ("13800007802", "failed", "MK:0012 用户关机"),
        ("13800007803", "", ""),
    ]
    assert waiting.delivered is None
    assert simulator.pending_reports == []
    assert ("tuangou.notifications.tasks.sms_receipts_query", 30) in [(f, m) for _, f, m in schedules.JOBS]


def test_a_pull_with_a_wrong_secret_is_refused_and_changes_nothing(settings, django_capture_on_commit_callbacks):
    shop = ShopFactory()
    with VENDORS["tencent"](settings) as simulator:
        with django_capture_on_commit_callbacks(execute=True):
            pickup_notice(shop, MemberUserFactory(phone="13800007811"))
        simulator.mark(simulator.inbox[0])
        settings.SMS_TENCENT_SECRET_KEY = "not-the-secret"

        refused = tasks.sms_receipts_query()
        settings.SMS_TENCENT_SECRET_KEY = "tencent-secret-0001"
        found = tasks.sms_receipts_query()

    assert (refused, found) == (0, 1)
    assert Delivery.objects.get().receipt_status == "delivered"


def test_more_than_a_hundred_reports_are_pulled_in_batches(settings):
    shop = ShopFactory()
    user = MemberUserFactory(phone="13800007821")
    with VENDORS["tencent"](settings) as simulator:
        for i in range(130):
            message = Message.objects.create(shop=shop, user=user, kind="system", title="t", body="-")
            Delivery.objects.create(
                shop=shop, message=message, channel="sms", to=user.phone, status="sent", provider_id=f"2433:{i}"
            )
            simulator.pending_reports.append({"SerialNo": f"2433:{i}", "ReportStatus": "SUCCESS", "Description": ""})

        found = tasks.sms_receipts_query()

    assert found == 130
    assert Delivery.objects.filter(receipt_status="delivered").count() == 130
