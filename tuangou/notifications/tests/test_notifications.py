import pytest
from django.db import transaction

from tuangou.accounts.testing import ApiClient
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client
from tuangou.notifications import services, tasks
from tuangou.notifications.models import Delivery, Message
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db


def send(shop, user, **changes):
    fields = {"kind": "system", "title": "系统消息", "body": "欢迎加入鲜果小铺"}
    fields.update(changes)
    return services.notification_send(shop=shop, user=user, **fields)


def test_a_message_goes_in_app_and_by_sms_after_commit(django_capture_on_commit_callbacks):
    shop, user = ShopFactory(name="鲜果小铺"), MemberUserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send(shop, user)
        queued_before_commit = Delivery.objects.get().status

    delivery = Delivery.objects.get()
    assert len(callbacks) == 1
    assert queued_before_commit == "queued"
    assert (delivery.message, delivery.channel, delivery.to, delivery.status, delivery.attempts) == (
        message,
        "sms",
        user.phone,
        "sent",
        1,
    )
    assert delivery.provider_id.startswith("console-")
    assert delivery.sent_at is not None


def test_sending_a_delivery_again_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(ShopFactory(), MemberUserFactory())
    delivery = Delivery.objects.get()

    tasks.delivery_send(delivery.id)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_failed_delivery_is_recorded_and_retried(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "aliyun"  # chosen but without its templates: every send fails
    with django_capture_on_commit_callbacks(execute=True):
        send(ShopFactory(), MemberUserFactory())
    failed = Delivery.objects.get()

    settings.SMS_BACKEND = "console"
    requeued = tasks.deliveries_retry()

    assert (failed.status, failed.attempts, failed.error) == (
        "failed",
        1,
        "SmsError: template_not_configured: SMS_TEMPLATES_ALIYUN has no notice",
    )
    assert requeued == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("sent", 2, "")


def test_only_in_app_when_no_outbound_channel_is_configured(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_CHANNELS = ["inapp"]

    with django_capture_on_commit_callbacks(execute=True):
        send(ShopFactory(), MemberUserFactory())

    assert Message.objects.count() == 1
    assert not Delivery.objects.exists()


def test_a_rolled_back_action_leaves_no_message_and_queues_nothing(django_capture_on_commit_callbacks):
    shop, user = ShopFactory(), MemberUserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send(shop, user)
                raise RuntimeError("the order refund failed")

    assert callbacks == []
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_member_reads_messages_with_unread_count():
    shop, user = ShopFactory(), MemberUserFactory()
    first = send(shop, user, title="一")
    send(shop, user, title="二")
    send(shop, MemberUserFactory(), title="别人的")
    send(ShopFactory(), user, title="另一家店")
    client = phone_client(user)
    base = f"shops/{shop.id}/messages"

    inbox = ok(client.get(base))
    ok(client.post(f"{base}/{first.id}/read"))
    after_one = ok(client.get(base))
    marked = ok(client.post(f"{base}/read-all"))
    after_all = ok(client.get(base))

    assert ([m["title"] for m in inbox["items"]], inbox["count"], inbox["unread_count"]) == (["二", "一"], 2, 2)
    assert after_one["unread_count"] == 1
    assert marked == {"marked_read": 1}
    assert after_all["unread_count"] == 0
    assert Message.objects.filter(read_at__isnull=True).count() == 2  # the other person's and the other shop's


def test_someone_elses_message_is_404_and_stays_unread():
    shop = ShopFactory()
    theirs = send(shop, MemberUserFactory())
    client = phone_client(MemberUserFactory())

    response = client.post(f"shops/{shop.id}/messages/{theirs.id}/read")
    other_shop = client.post(f"shops/{ShopFactory().id}/messages/{theirs.id}/read")

    assert response.status_code == other_shop.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_messages_need_a_login():
    response = ApiClient().get(f"shops/{ShopFactory().id}/messages")

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
