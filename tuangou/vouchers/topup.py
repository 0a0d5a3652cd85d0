"""Phone top-up vendors behind one interface. The wire is the one most Chinese recharge vendors
speak (and simulators/topup plays): form-encoded requests signed with MD5 over the params sorted
by name (`k=v&...&key=KEY`, upper-case hex), a JSON answer with code 0000 and a status
(processing / success / failed), an async form callback signed the same way, answered `success`,
and a query by our reference. Without TOPUP_GATEWAY set the sandbox vendor succeeds at once."""

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

STATUSES = {"processing": "processing", "success": "succeeded", "failed": "failed"}


class VendorUnavailable(Exception):
    """No answer (timeout, refused, 5xx): the request may or may not have arrived. Retry with the
    same reference; the vendor answers a repeat with the first order."""


@dataclass
class VendorAnswer:
    status: str  # processing | succeeded | failed | not_found
    vendor_order_no: str = ""
    message: str = ""


def sign(params: dict, key: str) -> str:
    text = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "sign" and params[name] != "")
    return hashlib.md5(f"{text}&key={key}".encode()).hexdigest().upper()


def signature_valid(params: dict, key: str) -> bool:
    return hmac.compare_digest(str(params.get("sign", "")), sign(params, key))


class SandboxVendor:
    name = "sandbox"

    def recharge(self, *, reference: str, phone: str, face_value_fen: int, notify_url: str) -> VendorAnswer:
        return VendorAnswer("succeeded", f"SB{reference}")

    def query(self, *, reference: str) -> VendorAnswer:
        return VendorAnswer("succeeded", f"SB{reference}")

    def callback(self, params: dict) -> tuple[str, VendorAnswer] | None:
        return None


class HttpVendor:
    name = "http"

    def __init__(self, *, gateway: str, merchant_id: str, key: str, timeout: float = 5):
        self.gateway, self.merchant_id, self.key, self.timeout = gateway.rstrip("/"), merchant_id, key, timeout

    def _call(self, path: str, params: dict) -> dict:
        params = {
            **params,
            "mch_id": self.merchant_id,
            "timestamp": str(int(time.time())),
            "nonce_str": secrets.token_hex(8),
        }
        params["sign"] = sign(params, self.key)
        request = urllib.request.Request(
            f"{self.gateway}{path}", data=urllib.parse.urlencode(params).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise VendorUnavailable(str(error)) from error
        data = body.get("data") or {}
        if data and not signature_valid(data, self.key):
            raise VendorUnavailable("answer signature invalid")
        return body

    def _answer(self, body: dict) -> VendorAnswer:
        code, data = body.get("code"), body.get("data") or {}
        if code == "2004":
            return VendorAnswer("not_found", message=body.get("msg", ""))
        if code != "0000":
            # A refused request (bad number, no such face value, balance): the top-up failed.
            return VendorAnswer("failed", message=f"{code} {body.get('msg', '')}"[:200])
        return VendorAnswer(STATUSES.get(data.get("status"), "processing"), data.get("order_no", ""))

    def recharge(self, *, reference: str, phone: str, face_value_fen: int, notify_url: str) -> VendorAnswer:
        body = self._call(
            "/api/recharge",
            {"out_trade_no": reference, "mobile": phone, "face_fen": str(face_value_fen), "notify_url": notify_url},
        )
        return self._answer(body)

    def query(self, *, reference: str) -> VendorAnswer:
        return self._answer(self._call("/api/query", {"out_trade_no": reference}))

    def callback(self, params: dict) -> tuple[str, VendorAnswer] | None:
        """(our reference, the outcome) of a signed callback; None when the signature is wrong."""
        if params.get("mch_id") != self.merchant_id or not signature_valid(params, self.key):
            return None
        status = STATUSES.get(params.get("status", ""), "processing")
        return params.get("out_trade_no", ""), VendorAnswer(status, params.get("order_no", ""), params.get("msg", ""))


def vendor():
    config = settings.TOPUP
    if not config["GATEWAY"]:
        return SandboxVendor()
    return HttpVendor(
        gateway=config["GATEWAY"],
        merchant_id=config["MERCHANT_ID"],
        key=config["KEY"],
        timeout=config["TIMEOUT_SECONDS"],
    )


def notify_url() -> str:
    return f"{settings.TOPUP['NOTIFY_BASE'].rstrip('/')}/api/topups/notify"
