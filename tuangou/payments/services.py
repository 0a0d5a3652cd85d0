"""Payments: open a payment for an order, take in provider callbacks, send refunds."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.orders.models import Order

from .models import Payment, PaymentNotification, Refund
from .providers import get_provider

P = Payment.Status


def _new_reference(prefix: str) -> str:
    return f"{prefix}{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}"


@transaction.atomic
def payment_create(*, order: Order) -> Payment:
    """A payment for a pending order: the open one of the same amount if there is one (the
    payer reopened the page), else a new trade at the provider."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise ApplicationError(
            "order_state", field="status", status=409, status_label=order.get_status_display(), action="支付"
        )
    if order.expires_at and order.expires_at <= timezone.now():
        raise ApplicationError("order_expired", status=409)
    provider_name = settings.PAYMENT_PROVIDER
    payment = (
        Payment.objects.filter(order=order, status=P.CREATED, amount_fen=order.total_fen, provider=provider_name)
        .order_by("-id")
        .first()
    )
    if payment is not None:
        return payment
    payment = Payment.objects.create(
        shop_id=order.shop_id,
        order=order,
        provider=provider_name,
        out_trade_no=_new_reference("PAY"),
        amount_fen=order.total_fen,
    )
    payment.pay_url = get_provider(provider_name).create_payment(payment)
    payment.save(update_fields=["pay_url", "updated_at"])
    return payment


def payments_close_open(*, order_ids: list[int]) -> int:
    """Our side stops waiting for these orders' open payments (money that still arrives is
    refunded by order_mark_paid). Runs inside the caller's transaction."""
    return Payment.objects.filter(order_id__in=order_ids, status=P.CREATED).update(
        status=P.CLOSED, updated_at=timezone.now()
    )


@transaction.atomic
def refund_create(*, order: Order, payment: Payment, amount_fen: int, reason: str, lines: list[dict]) -> Refund:
    """Send money back through the provider that took it; the caller holds the order lock.

    The sandbox answers at once. A real gateway that answers later would leave the row
    `pending` and finish it from its refund notify.
    """
    refund = Refund.objects.create(
        shop_id=order.shop_id,
        order=order,
        payment=payment,
        out_refund_no=_new_reference("RF"),
        amount_fen=amount_fen,
        reason=reason[:200],
        lines=lines,
    )
    refund.provider_refund_id = get_provider(payment.provider).refund(refund)
    refund.status = Refund.Status.SUCCEEDED
    refund.save(update_fields=["provider_refund_id", "status", "updated_at"])
    # The member is told once the refund succeeded, after commit (one place: notifications.tasks.refund_notify).
    transaction.on_commit(lambda: async_task("tuangou.notifications.tasks.refund_notify", refund.pk))
    return refund


def _parse_paid_at(value) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@transaction.atomic
def payment_notify_receive(
    *, provider_name: str, headers, body: bytes
) -> tuple[PaymentNotification, ApplicationError | None]:
    """Take in one provider callback. Every callback is stored with its outcome; the error (if
    any) is returned rather than raised so that the stored row survives the answer.

    The same notify any number of times moves the order once: the order and then the payment
    are locked (always in that order, like every order service), and a payment already
    succeeded answers `duplicate`.
    """
    provider = get_provider(provider_name)
    text = body.decode("utf-8", errors="replace")

    def record(outcome: str, out_trade_no: str = "", signature_valid: bool = True) -> PaymentNotification:
        return PaymentNotification.objects.create(
            provider=provider_name,
            out_trade_no=out_trade_no[:40],
            body=text,
            signature_valid=signature_valid,
            outcome=outcome,
        )

    try:
        data = provider.verify_notify(headers, body)
    except ApplicationError as error:
        outcome = {"signature_invalid": "bad_signature", "notify_expired": "expired"}.get(error.code, "invalid")
        return record(outcome, signature_valid=outcome != "bad_signature"), error
    out_trade_no = str(data["out_trade_no"])
    found = (
        Payment.objects.filter(provider=provider_name, out_trade_no=out_trade_no)
        .values_list("order_id", flat=True)
        .first()
    )
    if found is None:
        return record("unknown_payment", out_trade_no), NotFound("支付单", "Payment", field="out_trade_no")
    order = Order.objects.select_for_update().get(pk=found)
    payment = Payment.objects.select_for_update().get(provider=provider_name, out_trade_no=out_trade_no)
    if data["amount_fen"] != payment.amount_fen:
        return record("amount_mismatch", out_trade_no), ApplicationError("amount_mismatch", field="amount_fen")
    if data["trade_state"] != "SUCCESS":
        return record("ignored", out_trade_no), None
    if payment.status == P.SUCCEEDED:
        return record("duplicate", out_trade_no), None
    payment.status = P.SUCCEEDED
    payment.provider_transaction_id = str(data["transaction_id"])[:64]
    payment.paid_at = _parse_paid_at(data["paid_at"])
    payment.save(update_fields=["status", "provider_transaction_id", "paid_at", "updated_at"])

    from tuangou.orders.services import order_mark_paid

    order_mark_paid(order=order, payment=payment)
    return record("applied", out_trade_no), None
