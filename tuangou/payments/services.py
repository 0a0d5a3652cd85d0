"""Payments: open a payment for an order, take in provider callbacks, send refunds.

Payments stand above orders: they import orders, never the reverse; what orders need from
here (a refund, closing open payments) they ask through tuangou/orders/money.py, which this
module is plugged into (apps.py).

No provider call runs inside a transaction (the providers refuse, see providers/__init__.py):
  * a payment is written and committed, then opened at the provider;
  * a refund is an outbox row: the transaction that decides it writes it `pending` with a
    reference that never changes (out_refund_no); after COMMIT a job (refund_send) sends it
    to the provider, again and again with that same reference until the provider answers;
    the answer completes it (refund_complete), and only then does the order's book move.
    The schedule refunds_redrive re-sends what a lost job left pending.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.accounts.models import WechatIdentity
from tuangou.audit.services import audit_record
from tuangou.campaigns.models import Campaign
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.locks import lock_objects
from tuangou.core.transactions import after_commit, outside_transaction
from tuangou.orders import services as order_services
from tuangou.orders.models import Order, OrderEvent

from .credentials import provider_name_for
from .models import Payment, PaymentNotification, Refund
from .providers import ProviderUnavailable, RefundPending, get_provider

logger = logging.getLogger(__name__)
P = Payment.Status
R = Refund.Status
REDRIVE_AFTER = timedelta(minutes=3)


def _new_reference(prefix: str) -> str:
    return f"{prefix}{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}"


# --- paying ---------------------------------------------------------------------------------


JSAPI_MARK = "jsapi:"  # pay_url of a payment opened as a JSAPI trade: "jsapi:prepay_id=wx…"
MINIPROGRAM_MARK = "miniprogram:"  # a JSAPI trade under the mini-program's app id: "miniprogram:prepay_id=wx…"
NATIVE_MARK = "native:"  # a Native trade (desk QR code): "native:weixin://wxpay/bizpayurl?pr=…"
MARKS = {"jsapi": JSAPI_MARK, "miniprogram": MINIPROGRAM_MARK, "native": NATIVE_MARK}


def _payment_channel(payment: Payment) -> str:
    """The channel the payment was opened with at the gateway ("" = not opened yet)."""
    if not payment.pay_url:
        return ""
    return next((channel for channel, mark in MARKS.items() if payment.pay_url.startswith(mark)), "h5")


@transaction.atomic
def payment_open(*, order: Order, channel: str = "h5") -> Payment:
    """Our side of a payment for a pending order: the open one of the same amount if there is
    one (the payer reopened the page), else a new one. No provider call (see payment_create).
    An open payment already opened at the gateway by the other channel (an H5 trade, and now
    the member pays inside WeChat) is closed and a new one made: a gateway trade keeps its type.
    So is one at another gateway (a shop with both: Alipay outside WeChat, WeChat Pay inside)."""
    lock_objects(orders=order.pk)
    order = Order.objects.get(pk=order.pk)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise ApplicationError(
            "order_state", field="status", status=409, status_label=order.get_status_display(), action="支付"
        )
    if order.expires_at and order.expires_at <= timezone.now():
        raise ApplicationError("order_expired", status=409)
    provider_name = provider_name_for(shop_id=order.shop_id, channel=channel)
    payment = Payment.objects.filter(order=order, status=P.CREATED, amount_fen=order.total_fen).order_by("-id").first()
    if payment is not None and payment.provider == provider_name and _payment_channel(payment) in ("", channel):
        return payment
    if payment is not None:
        payments_close_open(order_ids=[order.pk])
    return Payment.objects.create(
        shop_id=order.shop_id,
        order=order,
        provider=provider_name,
        out_trade_no=_new_reference("PAY"),
        amount_fen=order.total_fen,
    )


def payment_channel_choose(*, member, channel: str, shop_id: int) -> tuple[str, str]:
    """The channel the member pays by, and the openid a JSAPI trade needs. A provider without
    JSAPI or Native (the sandbox) pays by h5 wherever the member is; a mini-program cannot, so
    there it is refused (409 payment_channel_unavailable). Inside WeChat the payer must be known
    to WeChat Pay by the openid of the app id paid through — the merchant's official account
    (a WeChat login) or the mini-program (its code2session login): without one the client is
    told to log in with WeChat first (409 wechat_login_required) — an H5 payment inside
    WeChat's browser is refused by WeChat Pay itself."""
    provider_name = provider_name_for(shop_id=shop_id, channel=channel)
    provider = get_provider(provider_name, shop_id=shop_id)
    if channel == "miniprogram" and not (hasattr(provider, "miniprogram_params") and provider.miniprogram_appid):
        raise ApplicationError("payment_channel_unavailable", field="channel", status=409)
    if channel == "native" and hasattr(provider, "native_code_url"):
        return "native", ""
    if channel not in ("jsapi", "miniprogram") or not hasattr(provider, "jsapi_params"):
        return "h5", ""
    app_id = provider.miniprogram_appid if channel == "miniprogram" else provider.appid
    openid = (
        WechatIdentity.objects.filter(user=member, app_id=app_id)
        .order_by("-last_login_at", "-id")
        .values_list("openid", flat=True)
        .first()
    )
    if not openid:
        raise ApplicationError("wechat_login_required", field="channel", status=409)
    return channel, openid


def payment_create(*, order: Order, channel: str = "h5", openid: str = "", client_ip: str | None = None) -> Payment:
    """A payment for a pending order, opened at the provider after our row committed (opening
    is idempotent by out_trade_no, so a payer who reopens the page gets the same trade).

    channel "h5": `payment.pay_url` is the page the payer opens. channel "jsapi" (inside WeChat,
    with the payer's openid) or "miniprogram" (the payer's mini-program openid): a JSAPI trade,
    `payment.jsapi` the signed getBrandWCPayRequest / wx.requestPayment parameters (signed
    afresh each time: they carry a timestamp). channel "native" (a desktop browser):
    `payment.code_url`, the QR code the payer scans with WeChat. `client_ip` is the payer's
    address, which WeChat Pay's H5 trade requires (scene_info.payer_client_ip)."""
    payment = payment_open(order=order, channel=channel)
    provider = get_provider(payment.provider, shop_id=payment.shop_id)
    payment.client_ip = client_ip or ""
    payment.jsapi = None
    payment.code_url = ""
    try:
        if channel in ("jsapi", "miniprogram"):
            prepay = provider.jsapi_params if channel == "jsapi" else provider.miniprogram_params
            payment.jsapi = prepay(payment, openid=openid)
            _pay_url_keep(payment, MARKS[channel] + payment.jsapi["package"])
            return payment
        if channel == "native":
            if not payment.pay_url:  # the same trade answers the same code: asked once
                _pay_url_keep(payment, NATIVE_MARK + provider.native_code_url(payment))
            payment.code_url = payment.pay_url.removeprefix(NATIVE_MARK)
            return payment
        valid_for = getattr(provider, "pay_url_valid_for", None)
        if payment.pay_url and valid_for and payment.updated_at <= timezone.now() - valid_for:
            payment.pay_url = ""  # WeChat Pay's h5_url lasts 5 minutes: asked again with the same parameters
        if not payment.pay_url:
            _pay_url_keep(payment, provider.create_payment(payment))
    except ProviderUnavailable as error:
        logger.warning("payment %s not opened, provider unavailable: %s", payment.out_trade_no, error)
        raise ApplicationError("provider_unavailable", status=503) from error
    return payment


def _pay_url_keep(payment: Payment, pay_url: str) -> None:
    """What the gateway answered, kept (its time too: an h5_url expires)."""
    if payment.pay_url != pay_url:
        Payment.objects.filter(pk=payment.pk).update(pay_url=pay_url, updated_at=timezone.now())
    payment.pay_url = pay_url


def payments_close_open(*, order_ids: list[int]) -> int:
    """Our side stops waiting for these orders' open payments (money that still arrives is
    refunded by the notify). Runs inside the caller's transaction."""
    closing = list(
        Payment.objects.filter(order_id__in=order_ids, status=P.CREATED)
        .exclude(pay_url="")
        .values_list("pk", flat=True)
    )
    closed = Payment.objects.filter(order_id__in=order_ids, status=P.CREATED).update(
        status=P.CLOSED, updated_at=timezone.now()
    )
    if closing:  # the gateway closes them too, after COMMIT (its time_expire is the safety net)
        after_commit(lambda: async_task("tuangou.payments.tasks.payments_gateway_close", closing))
    return closed


@outside_transaction
def payments_gateway_close(*, payment_ids: list[int]) -> dict[str, int]:
    """Close our closed payments' trades at their gateway (a gateway without a close, like the
    sandbox, has nothing to close). A gateway that is down is left to the trade's time_expire."""
    counts: dict[str, int] = {}
    for payment in Payment.objects.filter(pk__in=payment_ids, status=P.CLOSED).select_related("order"):
        provider = get_provider(payment.provider, shop_id=payment.shop_id)
        if not hasattr(provider, "close"):
            continue
        try:
            outcome = provider.close(payment)
        except (ProviderUnavailable, ApplicationError) as error:
            logger.warning("payment %s not closed at %s: %s", payment.out_trade_no, payment.provider, error)
            outcome = "unknown"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# --- refunds: the outbox --------------------------------------------------------------------


def refunds_pending_fen(*, order_id: int) -> int:
    """Money of the order's refunds asked for and not yet confirmed by the provider."""
    pending = Refund.objects.filter(order_id=order_id, kind=Refund.Kind.ORDER, status=R.PENDING)
    return pending.aggregate(total=Sum("amount_fen"))["total"] or 0


def _refund_queue(refund_id: int) -> None:
    from django_q.tasks import async_task

    async_task("tuangou.payments.tasks.refund_send", refund_id)


def _refund_write(
    *, order: Order, payment: Payment, amount_fen: int, reason: str, lines: list[dict], actor, kind: str
) -> Refund:
    """The pending row, with its reference for good; the job that sends it is queued after COMMIT."""
    refund = Refund.objects.create(
        shop_id=order.shop_id,
        order=order,
        payment=payment,
        out_refund_no=_new_reference("RF"),
        amount_fen=amount_fen,
        reason=reason[:200],
        lines=lines,
        kind=kind,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    refund_id = refund.pk
    after_commit(lambda: _refund_queue(refund_id))
    return refund


@transaction.atomic
def order_refund(
    *,
    order: Order,
    actor,
    reason: str,
    lines: list[dict] | None = None,
    amount_fen: int | None = None,
    close_after_sales: bool = True,
) -> Refund:
    """Refund all that is left of an order (no lines, no amount), some pieces of some lines, or
    an amount (spread over the lines), through the provider that took the money.

    Written `pending` here; sent after COMMIT; the order's lines, totals, counters, stock and
    commission move when the provider confirms (refund_complete). Refunds still pending count
    as refunded already, so asking twice never returns money twice. A refund made outside
    after-sales closes the order's open after-sales request (close_after_sales)."""
    lock_objects(campaigns=order.campaign_id, orders=order.pk)
    order = Order.objects.select_related("shop", "campaign").get(pk=order.pk)
    pending = list(
        Refund.objects.filter(order=order, kind=Refund.Kind.ORDER, status=R.PENDING).values_list("lines", flat=True)
    )
    refund_lines = order_services.order_refund_plan(order, lines=lines, amount_fen=amount_fen, pending=pending)
    payment = Payment.objects.filter(order=order, status=P.SUCCEEDED).order_by("-paid_at", "-id").first()
    if payment is None:
        raise ApplicationError("payment_missing", status=409)
    total_fen = sum(line["amount_fen"] for line in refund_lines)
    refund = _refund_write(
        order=order,
        payment=payment,
        amount_fen=total_fen,
        reason=reason,
        lines=refund_lines,
        actor=actor,
        kind=Refund.Kind.ORDER,
    )
    # The order's book moves when the provider confirms; the record says what was asked.
    after = {"refunded_fen": order.refunded_fen + total_fen, "refund": refund.out_refund_no, "amount_fen": total_fen}
    after.update(reason=reason, lines=refund_lines)
    before = {"refunded_fen": order.refunded_fen}
    audit_record(shop=order.shop, actor=actor, action="refund", target=order, before=before, after=after)
    if close_after_sales:
        order_services.after_sales_close_for_refund(order=order, actor=actor, reason=reason, refund_fen=total_fen)
    return refund


@outside_transaction
def refund_send(*, refund_id: int) -> str:
    """The job: send a pending refund to its provider with its own reference (the provider
    answers the same refund for the same reference, so sending twice is safe), then complete
    it. A provider that did not take it leaves it pending for the next try; one that refused
    it marks it failed. Safe to run twice, and at the same time."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None or refund.status != R.PENDING:
        return refund.status if refund is not None else "missing"
    Refund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    try:
        provider_refund_id = get_provider(refund.payment.provider, shop_id=refund.shop_id).refund(refund)
    except ProviderUnavailable as error:
        Refund.objects.filter(pk=refund.pk).update(last_error=str(error)[:200], updated_at=timezone.now())
        logger.warning("refund %s not taken by the provider, will retry: %s", refund.out_refund_no, error)
        raise
    except RefundPending:
        # Taken and processing: its refund notify (refund_notify_apply) or the next try completes it.
        Refund.objects.filter(pk=refund.pk).update(last_error="", updated_at=timezone.now())
        return R.PENDING
    except ApplicationError as error:
        refund_fail(refund_id=refund.pk, message=error.message("zh-hans"))
        return R.FAILED
    return refund_complete(refund_id=refund.pk, provider_refund_id=provider_refund_id).status


@transaction.atomic
def refund_complete(*, refund_id: int, provider_refund_id: str) -> Refund:
    """The provider confirmed a refund (its answer, or its refund notify): the refund succeeds
    and, for an order refund, the order's book follows. Once: a second confirmation finds it
    done."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    lock_objects(campaigns=refund.order.campaign_id, orders=refund.order_id, refunds=refund.pk)
    refund = Refund.objects.select_related("order", "requested_by").get(pk=refund_id)
    if refund.status != R.PENDING:
        return refund
    refund.status = R.SUCCEEDED
    refund.provider_refund_id = provider_refund_id[:64]
    refund.completed_at = timezone.now()
    refund.last_error = ""
    refund.save(update_fields=["status", "provider_refund_id", "completed_at", "last_error", "updated_at"])
    if refund.kind == Refund.Kind.ORDER:
        order_services.order_refund_apply(
            order=refund.order,
            refund_id=refund.pk,
            refund_lines=refund.lines,
            reason=refund.reason,
            actor=refund.requested_by,
        )
    # The member is told once the refund succeeded, after commit (one place: payments.tasks.refund_notify).
    after_commit(lambda: async_task("tuangou.payments.tasks.refund_notify", refund_id))
    return refund


@transaction.atomic
def refund_fail(*, refund_id: int, message: str) -> Refund:
    """The provider refused a refund for good: failed, the order's book untouched (staff see
    退款失败 and may refund again)."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    lock_objects(campaigns=refund.order.campaign_id, orders=refund.order_id, refunds=refund.pk)
    refund.refresh_from_db()
    if refund.status == R.PENDING:
        refund.status = R.FAILED
        refund.last_error = message[:200]
        refund.save(update_fields=["status", "last_error", "updated_at"])
        logger.error("refund %s refused by the provider: %s", refund.out_refund_no, message)
    return refund


def refunds_redrive(*, now=None, older_than: timedelta = REDRIVE_AFTER) -> dict[str, int]:
    """Schedule: re-send refunds left pending longer than `older_than` since their last try (a
    lost job, a provider outage), and ask for the refund of a failed campaign's paid orders
    that have none pending (a lost job). Safe to run twice, even at once: the provider answers
    the same reference with the same refund and completion happens once."""
    now = now or timezone.now()
    counts = {"sent": 0, "still_pending": 0, "failed": 0, "orders": 0}
    stale = Refund.objects.filter(status=R.PENDING, updated_at__lte=now - older_than).order_by("id")
    for refund_id in stale.values_list("id", flat=True)[:500]:
        try:
            outcome = refund_send(refund_id=refund_id)
        except ProviderUnavailable:
            outcome = "still_pending"
        counts["sent" if outcome == R.SUCCEEDED else "failed" if outcome == R.FAILED else "still_pending"] += 1
    stranded = (
        Order.objects.filter(
            status=Order.Status.PAID,
            campaign__status=Campaign.Status.FAILED,
            campaign__updated_at__lte=now - older_than,
        )
        .exclude(refunds__status=R.PENDING, refunds__kind=Refund.Kind.ORDER)
        .order_by("id")
    )
    for order_id in stranded.values_list("id", flat=True)[:500]:
        if order_services.order_refund_for_failed_campaign(order_id=order_id) == "queued":
            counts["orders"] += 1
    return counts


# --- notifies -------------------------------------------------------------------------------


def _parse_paid_at(value) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def payment_notify_receive(
    *, provider_name: str, headers, body: bytes, shop_id: int | None = None
) -> tuple[PaymentNotification | None, ApplicationError | None]:
    """Take in one provider callback. A callback whose signature does not verify is not ours to
    keep: nothing is written (it is logged) and the error comes back. Every other callback is
    stored with its outcome; the error (if any) is returned rather than raised so that the
    stored row survives the answer.

    The same notify any number of times moves the order once: the campaign, the order and then
    the payment are locked (the one lock order, core/locks.py), and a payment already
    succeeded answers `duplicate`.
    """
    # The shop in the notify URL's path names whose keys verify it (its own, or the platform's).
    provider = get_provider(provider_name, shop_id=shop_id)
    try:
        data = provider.verify_notify(headers, body)
    except ApplicationError as error:
        if error.code == "signature_invalid":
            logger.warning(
                "payment notify from %s refused: bad signature (%s bytes, first 200: %r)",
                provider_name,
                len(body),
                body[:200],
            )
            return None, error
        outcome = {"notify_expired": "expired"}.get(error.code, "invalid")
        logger.warning("payment notify from %s refused: %s %s", provider_name, error.code, error.field)
        return _notify_record(provider_name, body, outcome), error
    if data.get("kind") == "refund":
        return _refund_notify_apply(provider_name, body, data, shop_id=shop_id)
    return _notify_apply(provider_name, body, data, shop_id=shop_id)


def _notify_record(provider_name: str, body: bytes, outcome: str, out_trade_no: str = "") -> PaymentNotification:
    return PaymentNotification.objects.create(
        provider=provider_name,
        out_trade_no=out_trade_no[:40],
        body=body.decode("utf-8", errors="replace"),
        signature_valid=True,
        outcome=outcome,
    )


def _merchant_mismatch(provider_name: str, shop_id: int, data: dict, notify_shop_id: int | None) -> str | None:
    """The field of a notify that names another shop or merchant than our payment's, if any."""
    if notify_shop_id is not None and notify_shop_id != shop_id:
        return "shop_id"
    merchant_of = getattr(get_provider(provider_name, shop_id=shop_id), "merchant_of", None)
    expected = merchant_of(shop_id) if merchant_of else {}
    return next((key for key, value in expected.items() if data.get(key, "") != value), None)


def _notify_apply(provider_name: str, body: bytes, data: dict, *, shop_id: int | None = None):
    out_trade_no = str(data["out_trade_no"])
    found = (
        Payment.objects.filter(provider=provider_name, out_trade_no=out_trade_no).values_list("pk", "shop_id").first()
    )
    if found is None:
        return _notify_record(provider_name, body, "unknown_payment", out_trade_no), NotFound(
            "支付单", "Payment", field="out_trade_no"
        )
    payment_id, payment_shop_id = found
    mismatch = _merchant_mismatch(provider_name, payment_shop_id, data, shop_id)
    if mismatch:
        logger.error("payment notify from %s for %s refused: %s does not match", provider_name, out_trade_no, mismatch)
        error = ApplicationError("notify_invalid", field=mismatch, reason=mismatch)
        return _notify_record(provider_name, body, "merchant_mismatch", out_trade_no), error
    outcome, error = _payment_result_apply(payment_id=payment_id, data=data)
    if error is not None:
        logger.error("payment notify from %s for %s refused: %s", provider_name, out_trade_no, outcome)
    return _notify_record(provider_name, body, outcome, out_trade_no), error


def _refund_notify_apply(provider_name: str, body: bytes, data: dict, *, shop_id: int | None = None):
    """The provider's refund notify: a pending refund completes (or fails) once."""
    out_trade_no = str(data["out_trade_no"])
    refund = (
        Refund.objects.filter(payment__provider=provider_name, out_refund_no=data["out_refund_no"])
        .values("pk", "shop_id", "amount_fen", "payment__out_trade_no")
        .first()
    )
    if refund is None or refund["payment__out_trade_no"] != out_trade_no:
        return _notify_record(provider_name, body, "unknown_refund", out_trade_no), NotFound(
            "退款单", "Refund", field="out_refund_no"
        )
    mismatch = _merchant_mismatch(provider_name, refund["shop_id"], data, shop_id)
    if mismatch is None and data["amount_fen"] != refund["amount_fen"]:
        mismatch = "amount_fen"
    if mismatch:
        logger.error("refund notify from %s for %s refused: %s", provider_name, data["out_refund_no"], mismatch)
        error = ApplicationError("notify_invalid", field=mismatch, reason=mismatch)
        return _notify_record(provider_name, body, "refund_mismatch", out_trade_no), error
    if data["refund_status"] == "SUCCESS":
        pending = Refund.objects.filter(pk=refund["pk"], status=R.PENDING).exists()
        refund_complete(refund_id=refund["pk"], provider_refund_id=str(data["refund_id"]))
        outcome = "refund_applied" if pending else "duplicate"
    elif data["refund_status"] in ("CLOSED", "ABNORMAL"):
        refund_fail(refund_id=refund["pk"], message=f"微信支付退款{data['refund_status']}")
        outcome = "refund_failed"
    else:
        outcome = "ignored"
    return _notify_record(provider_name, body, outcome, out_trade_no), None


@transaction.atomic
def _payment_result_apply(*, payment_id: int, data: dict) -> tuple[str, ApplicationError | None]:
    """The provider says what became of a payment (its notify, or its answer to a query): the one
    path that turns money received into a paid order. The campaign, the order and then the
    payment are locked (the one lock order, core/locks.py); a payment already succeeded answers
    `duplicate`, so a notify and a query of the same payment move the order once."""
    order_id, campaign_id = Payment.objects.filter(pk=payment_id).values_list("order_id", "order__campaign_id").get()
    lock_objects(campaigns=campaign_id, orders=order_id, payments=payment_id)
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if data["amount_fen"] != payment.amount_fen:
        return "amount_mismatch", ApplicationError("amount_mismatch", field="amount_fen")
    if data["trade_state"] != "SUCCESS":
        return "ignored", None
    if payment.status == P.SUCCEEDED:
        return "duplicate", None
    payment.status = P.SUCCEEDED
    payment.provider_transaction_id = str(data["transaction_id"])[:64]
    payment.paid_at = _parse_paid_at(data["paid_at"])
    payment.save(update_fields=["status", "provider_transaction_id", "paid_at", "updated_at"])
    order = payment.order
    if order_services.order_mark_paid(order=order, payment_id=payment.pk, amount_fen=payment.amount_fen):
        payments_close_open(order_ids=[order.pk])
        return "applied", None
    # The order stopped waiting (cancelled, expired, campaign closed) or was paid already:
    # this money goes back.
    order.refresh_from_db()
    refund = _refund_write(
        order=order,
        payment=payment,
        amount_fen=payment.amount_fen,
        reason="late_payment",
        lines=[],
        actor=None,
        kind=Refund.Kind.EXCESS,
    )
    event_type = "late_payment_refunded" if order.status == Order.Status.CANCELLED else "duplicate_payment_refunded"
    OrderEvent.objects.create(
        shop_id=order.shop_id,
        order=order,
        type=event_type,
        from_status=order.status,
        to_status=order.status,
        data={"payment_id": payment.pk, "refund_id": refund.pk, "amount_fen": payment.amount_fen},
    )
    return "applied", None


# --- asking the provider (a late or lost notify, a payer who cancelled) ---------------------

SYNC_STALE_AFTER = timedelta(minutes=5)
SYNC_GIVE_UP_AFTER = timedelta(days=1)


@outside_transaction
def payment_query_apply(*, payment: Payment) -> str:
    """Ask the provider what became of one open payment and act on it: SUCCESS is applied
    exactly as its notify would be (the same path; whichever comes second finds it done);
    CLOSED closes our payment (the order stays unpaid and may be paid again with a new one).
    Answers paid / closed / notpay / unknown (the provider did not answer) / done (the payment
    was no longer open)."""
    try:
        data = get_provider(payment.provider, shop_id=payment.shop_id).query(payment)
    except ProviderUnavailable as error:
        logger.warning("payment %s not queried, provider unavailable: %s", payment.out_trade_no, error)
        return "unknown"
    state = data.get("trade_state")
    if state == "SUCCESS":
        outcome, error = _payment_result_apply(payment_id=payment.pk, data=data)
        if error is not None:
            logger.error("payment %s query answered %s: %s", payment.out_trade_no, outcome, error.code)
            return "unknown"
        return "paid"
    if state == "CLOSED":
        closed = Payment.objects.filter(pk=payment.pk, status=P.CREATED).update(
            status=P.CLOSED, updated_at=timezone.now()
        )
        return "closed" if closed else "done"
    # NOTPAY: nothing was paid (the payer left the page); any other state (a payer still paying
    # in a wallet app, USERPAYING at WeChat Pay) is not an answer yet.
    return "notpay" if state == "NOTPAY" else "unknown"


def payment_sync(*, order: Order) -> str:
    """The member is back from the pay page (or still waiting on it): ask the provider about the
    order's open payment, newest first. Answers none when the order has no open payment, else
    what payment_query_apply answers."""
    payment = Payment.objects.filter(order_id=order.pk, status=P.CREATED).exclude(pay_url="").order_by("-id").first()
    if payment is None:
        return "none"
    return payment_query_apply(payment=payment)


def payments_sync_stale(*, now=None, older_than: timedelta = SYNC_STALE_AFTER) -> dict[str, int]:
    """Schedule: payments open longer than `older_than` (and less than a day) are asked about at
    their provider — a notify that never arrived is found, a trade the payer abandoned is closed."""
    now = now or timezone.now()
    stale = Payment.objects.filter(
        status=P.CREATED,
        created_at__lte=now - older_than,
        created_at__gte=now - SYNC_GIVE_UP_AFTER,
    ).exclude(pay_url="")
    counts: dict[str, int] = {}
    for payment in stale.order_by("id")[:500]:
        outcome = payment_query_apply(payment=payment)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
