"""The sandbox provider: our side of the protocol spoken by the sandbox gateway (../sandbox.py)."""

import json

from django.urls import reverse

from tuangou.core.errors import ApplicationError

from .. import sandbox
from . import ProviderUnavailable


class SandboxProvider:
    name = "sandbox"

    def create_payment(self, payment) -> str:
        sandbox.gateway_open_trade(payment=payment)
        return reverse("sandbox-pay", args=[payment.out_trade_no])

    def verify_notify(self, headers, body: bytes) -> dict:
        sandbox.verify_signature(headers, body)
        try:
            data = json.loads(body)
        except ValueError:
            raise ApplicationError("notify_invalid", field="body", reason="JSON") from None
        missing = [key for key in sandbox.NOTIFY_FIELDS if key not in data]
        if missing:
            raise ApplicationError("notify_invalid", field=missing[0], reason=f"missing {missing[0]}")
        if data["mch_id"] != sandbox.merchant_id():
            raise ApplicationError("notify_invalid", field="mch_id", reason="mch_id")
        if not isinstance(data["amount_fen"], int):
            raise ApplicationError("notify_invalid", field="amount_fen", reason="amount_fen")
        return data

    def refund(self, refund) -> str:
        try:
            return sandbox.gateway_refund(
                out_trade_no=refund.payment.out_trade_no,
                out_refund_no=refund.out_refund_no,
                amount_fen=refund.amount_fen,
            )
        except sandbox.GatewayBusy as error:
            raise ProviderUnavailable(str(error)) from error

    def query(self, payment) -> dict:
        try:
            return sandbox.gateway_query(out_trade_no=payment.out_trade_no)
        except sandbox.GatewayBusy as error:
            raise ProviderUnavailable(str(error)) from error
