"""Notifications: an in-app Message per person, copied to the configured outbound channels by
jobs queued after commit (so a rolled-back action never texts anyone)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.accounts.sms import SmsError, sms_receipts_parse
from tuangou.accounts.sms import get_backend as get_sms_backend
from tuangou.core.errors import NotFound
from tuangou.core.transactions import after_commit

from .channels import get_channel, outbound_channels
from .models import Delivery, Message

logger = logging.getLogger("tuangou.notifications")
MAX_ATTEMPTS = 5
STALE_SENDING = timedelta(minutes=5)


def _queue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        async_task("tuangou.notifications.tasks.delivery_send", delivery_id)


@transaction.atomic
def notifications_send_many(*, shop, kind: str, messages: list[dict]) -> list[Message]:
    """One Message per entry of `messages` ({user, title, body, data}), written in bulk, with a
    Delivery per outbound channel the person can be reached on."""
    rows = Message.objects.bulk_create(
        [
            Message(shop=shop, user=m["user"], kind=kind, title=m["title"], body=m["body"], data=m.get("data") or {})
            for m in messages
        ]
    )
    # A channel with a fallback (WeChat, then SMS) goes first; whoever it reaches gets no copy on
    # the fallback channel unless WeChat cannot carry the message (delivery_attempt falls back).
    channels = sorted(outbound_channels(), key=lambda c: getattr(c, "fallback", None) is None)
    deliveries = []
    for message, entry in zip(rows, messages):
        covered = set()
        for channel in channels:
            address = None if channel.name in covered else channel.address_for(entry["user"])
            if address:
                deliveries.append(Delivery(shop=shop, message=message, channel=channel.name, to=address))
                covered.add(getattr(channel, "fallback", None))
    created = Delivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in created]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return rows


def notification_send(*, shop, user, kind: str, title: str, body: str, data: dict | None = None) -> Message:
    """Send one person a message: in-app now, SMS/WeChat by jobs after commit."""
    return notifications_send_many(
        shop=shop, kind=kind, messages=[{"user": user, "title": title, "body": body, "data": data}]
    )[0]


@transaction.atomic
def message_mark_read(*, shop, user, message_id: int) -> Message:
    message = Message.objects.select_for_update().filter(shop=shop, user=user, pk=message_id).first()
    if message is None:
        raise NotFound("消息", "Message")
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at", "updated_at"])
    return message


@transaction.atomic
def messages_mark_all_read(*, shop, user) -> int:
    return Message.objects.filter(shop=shop, user=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def _delivery_claim(*, delivery_id: int) -> tuple[Delivery | None, bool]:
    """Mark a delivery as being sent (attempts + 1) under its row lock, so a second worker finds it
    sending and leaves it; (the delivery, whether this caller claimed it)."""
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("message__shop", "message__user")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.attempts >= MAX_ATTEMPTS:
        return delivery, False
    if delivery.status == Delivery.Status.SENT:
        return delivery, False
    if delivery.status == Delivery.Status.SENDING and delivery.updated_at > timezone.now() - STALE_SENDING:
        return delivery, False  # another worker is at it (past this, its worker died: send again)
    delivery.attempts += 1
    delivery.status = Delivery.Status.SENDING
    delivery.save(update_fields=["status", "attempts", "updated_at"])
    return delivery, True


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one delivery on its channel, outside any transaction (the vendor is called with no row
    locked). A sent or sending delivery is left alone, so the job can run any number of times. A
    failure is recorded (attempts, error) for the retry job, not raised; a WeChat message WeChat
    cannot carry is closed and goes by SMS instead."""
    delivery, claimed = _delivery_claim(delivery_id=delivery_id)
    if not claimed:
        return delivery
    try:
        delivery.provider_id = str(get_channel(delivery.channel).send(delivery, delivery.message))[:64]
    except Exception as exc:  # any provider fault: keep it on the row and let the retry job try again
        fallback = getattr(exc, "fallback", None)
        data = {"delivery_id": delivery.pk, "channel": delivery.channel}
        if fallback:  # expected (no acceptance left, no template): a line, not a traceback
            logger.info("delivery goes by %s: %s", fallback, exc, extra={"data": data})
        else:
            logger.warning("delivery failed", extra={"data": data}, exc_info=True)
        delivery.status = Delivery.Status.FAILED
        delivery.error = f"{exc.__class__.__name__}: {exc}"[:200]
        if getattr(exc, "retryable", True) is False:  # a wrong number, an exhausted budget: no retry helps
            delivery.attempts = MAX_ATTEMPTS
    else:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.error = ""
        fallback = None
    delivery.save(update_fields=["status", "attempts", "provider_id", "error", "sent_at", "updated_at"])
    if fallback:
        _fall_back(delivery=delivery, channel_name=fallback)
    return delivery


def _fall_back(*, delivery: Delivery, channel_name: str) -> Delivery | None:
    """The same message on the fallback channel (once: one delivery per message and channel)."""
    if channel_name not in settings.NOTIFICATION_CHANNELS:
        return None
    message = delivery.message
    address = get_channel(channel_name).address_for(message.user)
    if not address:
        return None
    fallback, created = Delivery.objects.get_or_create(
        message=message, channel=channel_name, defaults={"shop_id": message.shop_id, "to": address}
    )
    if created:
        after_commit(lambda: _queue([fallback.pk]))
    return fallback


def deliveries_retry_due() -> int:
    """Queue again the deliveries that failed, or whose job was lost (queued, or left sending by a
    worker that died, for 5+ minutes)."""
    stale = timezone.now() - STALE_SENDING
    ids = list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.FAILED)
            | Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING], updated_at__lt=stale),
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    _queue(ids)
    return len(ids)


def notice_send(*, shop, user, kind: str, key: str, title: str, body: str, data: dict) -> Message | None:
    """Tell someone that something happened to them, at most once per `key` (the event's key is kept
    in Message.data["notice"]), so a notice job that runs twice sends one message. The apps that own
    the events compose the words (leaders/notices.py, payments/notices.py, commissions/notices.py)
    and queue their notice jobs after their transaction commits: a rolled-back action tells nobody."""
    if Message.objects.filter(shop_id=shop.id, user_id=user.id, data__notice=key).exists():
        return None
    return notification_send(shop=shop, user=user, kind=kind, title=title, body=body, data={**data, "notice": key})


def sms_receipts_record(*, vendor: str, body: bytes) -> int:
    """Store a vendor's delivery receipts on the SMS deliveries they are about (matched by the
    vendor's message id): delivered, or failed with the vendor's reason. Receipts for messages that
    are not deliveries (login codes) or unknown ids are skipped; a repeated push writes the same."""
    updated = 0
    now = timezone.now()
    for receipt in sms_receipts_parse(vendor=vendor, body=body):
        if not receipt.message_id:
            continue
        updated += Delivery.objects.filter(channel="sms", provider_id=receipt.message_id[:64]).update(
            receipt_status=Delivery.ReceiptStatus.DELIVERED if receipt.delivered else Delivery.ReceiptStatus.FAILED,
            receipt_error=receipt.reason[:200],
            receipt_at=now,
            updated_at=now,
        )
    return updated


def sms_receipts_query_due(*, older_than_minutes: int = 10, limit: int = 200) -> int:
    """Ask the SMS vendor about sent deliveries whose receipt never came (a lost push), when the
    backend can be asked: Aliyun's QuerySendDetails per delivery, from 10 minutes after sending for two
    days; Tencent Cloud's PullSmsSendStatus, which hands out each status report once. Returns how
    many deliveries got a receipt."""
    backend = get_sms_backend()
    if hasattr(backend, "pull"):
        return _sms_receipts_pull(backend)
    if not hasattr(backend, "query"):
        return 0
    now = timezone.now()
    due = Delivery.objects.filter(
        channel="sms",
        status=Delivery.Status.SENT,
        receipt_status="",
        sent_at__lt=now - timedelta(minutes=older_than_minutes),
        sent_at__gt=now - timedelta(days=2),
    ).exclude(provider_id="")
    found = 0
    for delivery in due.order_by("id")[:limit]:
        try:
            receipt = backend.query(phone=delivery.to, message_id=delivery.provider_id, sent_at=delivery.sent_at)
        except SmsError:
            logger.warning("sms receipt query failed", extra={"data": {"delivery_id": delivery.pk}}, exc_info=True)
            continue
        if receipt is None:
            continue
        found += Delivery.objects.filter(pk=delivery.pk, receipt_status="").update(
            receipt_status=Delivery.ReceiptStatus.DELIVERED if receipt.delivered else Delivery.ReceiptStatus.FAILED,
            receipt_error=receipt.reason[:200],
            receipt_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return found


def _sms_receipts_pull(backend, *, batches: int = 10) -> int:
    """Pull the vendor's pending status reports (100 a batch, until it has none) onto the deliveries.
    A report already pushed to us writes the same again; one for a login code matches no delivery."""
    found = 0
    for _ in range(batches):
        try:
            receipts = backend.pull(limit=100)
        except SmsError:
            logger.warning("sms receipt pull failed", exc_info=True)
            break
        now = timezone.now()
        for receipt in receipts:
            if not receipt.message_id:
                continue
            found += Delivery.objects.filter(channel="sms", provider_id=receipt.message_id[:64]).update(
                receipt_status=Delivery.ReceiptStatus.DELIVERED if receipt.delivered else Delivery.ReceiptStatus.FAILED,
                receipt_error=receipt.reason[:200],
                receipt_at=now,
                updated_at=now,
            )
        if len(receipts) < 100:
            break
    return found
