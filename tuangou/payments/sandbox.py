"""The sandbox payment gateway, played in-process for the demo and tests.

It speaks the protocol a real gateway would: a trade opened per payment, a pay page, and a
notify callback POSTed over HTTP as JSON, signed with HMAC-SHA256 over "<timestamp>\\n<body>"
(headers X-Sandbox-Signature / X-Sandbox-Timestamp). Anything here that writes is the
gateway's side; our side only learns about it through the notify.
"""

import hashlib
import hmac
import json
import secrets
import time
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tuangou.core.errors import ApplicationError

from .models import SandboxRefund, SandboxTrade

SIGNATURE_HEADER = "X-Sandbox-Signature"
TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
MAX_AGE_SECONDS = 300
NOTIFY_FIELDS = ("mch_id", "out_trade_no", "transaction_id", "amount_fen", "trade_state", "paid_at", "nonce")
DELIVERY_TIMEOUT_SECONDS = 10


def merchant_id() -> str:
    return settings.PAYMENT_SANDBOX_MERCHANT_ID


def _signature(timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + body
    return hmac.new(settings.PAYMENT_SANDBOX_SECRET.encode(), message, hashlib.sha256).hexdigest()


def sign_notify(body: bytes | str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers the gateway sends with a notify body."""
    body = body.encode() if isinstance(body, str) else body
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {SIGNATURE_HEADER: _signature(stamp, body), TIMESTAMP_HEADER: stamp}


def verify_signature(headers, body: bytes) -> None:
    """Signature first (it also vouches for the timestamp), then freshness against replays."""
    stamp = headers.get(TIMESTAMP_HEADER) or ""
    given = headers.get(SIGNATURE_HEADER) or ""
    if not stamp or not given or not hmac.compare_digest(_signature(stamp, body), given):
        raise ApplicationError("signature_invalid", field=SIGNATURE_HEADER)
    try:
        age = time.time() - int(stamp)
    except ValueError:
        raise ApplicationError("signature_invalid", field=TIMESTAMP_HEADER) from None
    if abs(age) > MAX_AGE_SECONDS:
        raise ApplicationError("notify_expired", field=TIMESTAMP_HEADER)


def notify_body(trade: SandboxTrade, *, nonce: str | None = None) -> bytes:
    """The JSON the gateway POSTs when a trade succeeded."""
    return json.dumps(
        {
            "mch_id": merchant_id(),
            "out_trade_no": trade.out_trade_no,
            "transaction_id": trade.transaction_id,
            "amount_fen": trade.amount_fen,
            "trade_state": trade.state,
            "paid_at": trade.paid_at.isoformat() if trade.paid_at else "",
            "nonce": nonce or secrets.token_hex(8),
        },
        separators=(",", ":"),
    ).encode()


def notify_path() -> str:
    return reverse("api:payments_notify_sandbox")


# --- the gateway's side -------------------------------------------------------------------


def gateway_open_trade(*, payment) -> SandboxTrade:
    trade, _ = SandboxTrade.objects.get_or_create(
        payment=payment,
        defaults={"shop_id": payment.shop_id, "out_trade_no": payment.out_trade_no, "amount_fen": payment.amount_fen},
    )
    return trade


@transaction.atomic
def gateway_pay(*, out_trade_no: str) -> SandboxTrade:
    """The payer confirmed on the pay page: the gateway takes the money, then tells us (after commit)."""
    trade = (
        SandboxTrade.objects.select_for_update().select_related("payment__order__shop").get(out_trade_no=out_trade_no)
    )
    if trade.state == SandboxTrade.State.NOTPAY:
        trade.state = SandboxTrade.State.SUCCESS
        trade.transaction_id = f"SBX{timezone.now():%Y%m%d}{secrets.token_hex(8)}"
        trade.paid_at = timezone.now()
        trade.save(update_fields=["state", "transaction_id", "paid_at", "updated_at"])
        payment_id = trade.payment_id
        # robust: the money is taken whatever happens to the first delivery attempt.
        transaction.on_commit(lambda: _queue_notify(payment_id), robust=True)
    return trade


@transaction.atomic
def gateway_cancel(*, out_trade_no: str) -> SandboxTrade:
    """The payer cancelled on the pay page: the gateway closes the unpaid trade (no money can
    arrive under it any more), as a real checkout closes an abandoned trade. A paid trade stays paid."""
    trade = SandboxTrade.objects.select_for_update().get(out_trade_no=out_trade_no)
    if trade.state == SandboxTrade.State.NOTPAY:
        trade.state = SandboxTrade.State.CLOSED
        trade.save(update_fields=["state", "updated_at"])
    return trade


def gateway_query(*, out_trade_no: str) -> dict:
    """The gateway's answer to "what became of this trade?", from its own books: the fields a
    notify carries, trade_state SUCCESS / NOTPAY / CLOSED (a trade it never opened: NOTPAY)."""
    trade = SandboxTrade.objects.filter(out_trade_no=out_trade_no).first()
    if trade is None:
        return {"out_trade_no": out_trade_no, "trade_state": SandboxTrade.State.NOTPAY, "amount_fen": None}
    return {
        "out_trade_no": trade.out_trade_no,
        "transaction_id": trade.transaction_id,
        "amount_fen": trade.amount_fen,
        "trade_state": trade.state,
        "paid_at": trade.paid_at.isoformat() if trade.paid_at else "",
    }


def _queue_notify(payment_id: int) -> None:
    from django_q.tasks import async_task

    async_task("tuangou.payments.tasks.sandbox_deliver_notify", payment_id)


class GatewayBusy(Exception):
    """The gateway did not take the request (an outage): nothing happened on its side, so the
    same request may be sent again."""


def gateway_refund(*, out_trade_no: str, out_refund_no: str, amount_fen: int) -> str:
    """The gateway's side of a refund, answered at once, in the gateway's own books: a
    reference it already accepted answers its first refund again (no money moves twice); a
    new one is refused beyond what the trade took."""
    done = SandboxRefund.objects.filter(out_refund_no=out_refund_no).first()
    if done is None:
        planned_failure = SandboxTrade.objects.filter(out_trade_no=out_trade_no, refund_failures_planned__gt=0).update(
            refund_failures_planned=F("refund_failures_planned") - 1
        )
        if planned_failure:
            raise GatewayBusy(f"sandbox gateway busy, refund {out_refund_no} not taken")
    return _gateway_refund_book(out_trade_no=out_trade_no, out_refund_no=out_refund_no, amount_fen=amount_fen)


@transaction.atomic
def _gateway_refund_book(*, out_trade_no: str, out_refund_no: str, amount_fen: int) -> str:
    trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
    if trade is None:
        raise ApplicationError("refund_failed", field="out_trade_no", status=409, reason="sandbox trade not found")
    done = SandboxRefund.objects.filter(out_refund_no=out_refund_no).first()
    if done is not None:
        if (done.trade_id, done.amount_fen) != (trade.pk, amount_fen):
            raise ApplicationError("refund_failed", field="out_refund_no", status=409, reason="reference reused")
        return done.refund_id
    if trade.state != SandboxTrade.State.SUCCESS or trade.refunded_fen + amount_fen > trade.amount_fen:
        raise ApplicationError(
            "refund_failed", field="amount_fen", status=409, reason="sandbox trade not paid or already refunded"
        )
    SandboxTrade.objects.filter(pk=trade.pk).update(
        refunded_fen=F("refunded_fen") + amount_fen, updated_at=timezone.now()
    )
    refund = SandboxRefund.objects.create(
        trade=trade,
        out_refund_no=out_refund_no,
        refund_id=f"SBR{timezone.now():%Y%m%d}{secrets.token_hex(8)}",
        amount_fen=amount_fen,
    )
    return refund.refund_id


def gateway_deliver_notify(*, payment_id: int) -> str:
    """POST the notify to our server over real HTTP, as the gateway does; raises when the
    server does not answer SUCCESS so the task queue retries. Stops once acknowledged."""
    trade = SandboxTrade.objects.filter(payment_id=payment_id).first()
    if trade is None or trade.state != SandboxTrade.State.SUCCESS or trade.notified_at is not None:
        return "skipped"
    SandboxTrade.objects.filter(pk=trade.pk).update(notify_attempts=F("notify_attempts") + 1)
    body = notify_body(trade)
    request = urllib.request.Request(
        settings.SITE_URL + notify_path(),
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **sign_notify(body)},
    )
    with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:  # noqa: S310 (our own URL)
        answer = json.loads(response.read() or b"{}")
    if answer.get("code") != "SUCCESS":
        raise RuntimeError(f"notify for {trade.out_trade_no} not acknowledged: {answer}")
    SandboxTrade.objects.filter(pk=trade.pk).update(notified_at=timezone.now())
    return "delivered"
