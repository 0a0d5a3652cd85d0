"""WeChat Pay API v3, direct-merchant and partner (服务商) mode: a thin client on `cryptography`
and urllib (settings.WECHATPAY).

Why not the `wechatpayv3` package: the version read (wechatpayv3/core.py) verifies answers over
`response.text` and callbacks over the body decoded to str (not the raw bytes the signature
covers), checks no timestamp, finds keys by parsing the serial as a hex certificate serial (so a
`PUB_KEY_ID_…` cannot be named), and fetches /v3/certificates when it is constructed. What the
protocol needs is small:

  * every request carries `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,
    signature=…,timestamp=…,serial_no=…`, the signature RSA-SHA256 (PKCS#1 v1.5) over
    `METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n` with the merchant's API key;
  * every answer and every notify is verified over its raw body bytes with the platform key
    `Wechatpay-Serial` names — a platform certificate serial or a WeChat Pay public key id
    (`PUB_KEY_ID_…`), any of those configured — and refused when its timestamp is more than 5
    minutes off; WeChat's `WECHATPAY/SIGNTEST/` probes are refused like any bad signature;
  * a notify's `resource` is AEAD_AES_256_GCM under the APIv3 key.
"""

import base64
import gzip
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tuangou.core.errors import ApplicationError
from tuangou.core.transactions import in_our_transaction

from . import AnswerUnverified, GatewayUnreachable, ProviderUnavailable, RefundPending

CST = ZoneInfo("Asia/Shanghai")
MAX_SKEW_SECONDS = 300
SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/"
SCHEME = "WECHATPAY2-SHA256-RSA2048"
PUBLIC_KEY_PREFIX = "PUB_KEY_ID_"
CERTIFICATES_KEEP = 60 * 60 * 24  # downloaded platform certificates are kept a day (refreshed every 12 hours)
REFRESH_AT_MOST_EVERY = 60  # seconds: an unknown serial refreshes the certificates once a minute at most


def _pem(value: str) -> bytes:
    return (value if "-----BEGIN" in value else Path(value).read_text()).encode()


@lru_cache(maxsize=16)
def _private_key(value: str):
    return serialization.load_pem_private_key(_pem(value), password=None)


@lru_cache(maxsize=64)
def _public_key(value: str):
    data = _pem(value)
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def _nonce() -> str:
    return secrets.token_hex(16).upper()


def _refused(reason: str) -> ApplicationError:
    return ApplicationError("provider_refused", status=502, reason=reason[:120])


class WechatPayProvider:
    name = "wechatpay"
    pay_url_valid_for = timedelta(minutes=5)  # an h5_url's life; the trade itself lives until time_expire

    def __init__(self, config: dict | None = None):
        self.config = config or settings.WECHATPAY
        self.partner = self.config["MODE"] == "partner"
        self.mchid = self.config["MCHID"]
        self.appid = self.config["APPID"]
        # The platform's mini-program (bound to the same merchant): its trades carry its app id.
        self.miniprogram_appid = self.config.get("MINIPROGRAM_APPID", "")

    # --- signing and verifying ------------------------------------------------------------

    def sign(self, message: bytes) -> str:
        key = _private_key(self.config["MERCHANT_PRIVATE_KEY"])
        return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()

    def authorization(self, method: str, target: str, body: bytes) -> str:
        timestamp, nonce = str(int(time.time())), _nonce()
        signature = self.sign(f"{method}\n{target}\n{timestamp}\n{nonce}\n".encode() + body + b"\n")
        return (
            f'{SCHEME} mchid="{self.mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{self.config["MERCHANT_SERIAL"]}"'
        )

    def verify_signature(self, headers, body: bytes, keys: dict | None = None) -> None:
        """The platform's signature over the raw bytes, with the key the serial names (among
        `keys` when given, else the configured keys and the downloaded certificates); fresh."""
        serial = headers.get("Wechatpay-Serial") or ""
        signature = headers.get("Wechatpay-Signature") or ""
        timestamp = headers.get("Wechatpay-Timestamp") or ""
        nonce = headers.get("Wechatpay-Nonce") or ""
        if not (serial and signature and timestamp and nonce):
            raise ApplicationError("signature_invalid", field="Wechatpay-Signature")
        if signature.startswith(SIGNTEST_PREFIX):  # WeChat checks that we refuse what does not verify
            raise ApplicationError("signature_invalid", field="Wechatpay-Signature")
        pem = (keys or {}).get(serial) if keys is not None else self._platform_key(serial)
        if pem is None:
            raise ApplicationError("signature_invalid", field="Wechatpay-Serial")
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        try:
            raw_signature = base64.b64decode(signature, validate=True)
            _public_key(pem).verify(raw_signature, message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            raise ApplicationError("signature_invalid", field="Wechatpay-Signature") from None
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
            raise ApplicationError("notify_expired", field="Wechatpay-Timestamp")

    def decrypt_bytes(self, resource: dict) -> bytes:
        """An AEAD_AES_256_GCM `resource` (a notify's, a platform certificate's) under the APIv3 key."""
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise ApplicationError("notify_invalid", field="resource", reason="algorithm")
        try:
            return AESGCM(self.config["APIV3_KEY"].encode()).decrypt(
                resource["nonce"].encode(),
                base64.b64decode(resource["ciphertext"]),
                (resource.get("associated_data") or "").encode(),
            )
        except (InvalidTag, KeyError, ValueError, TypeError):
            raise ApplicationError("notify_invalid", field="resource", reason="resource") from None

    def decrypt(self, resource: dict) -> dict:
        plaintext = self.decrypt_bytes(resource)
        try:
            return json.loads(plaintext)
        except ValueError:
            raise ApplicationError("notify_invalid", field="resource", reason="resource") from None

    # --- the wire -------------------------------------------------------------------------

    def _request(self, method: str, target: str, body: dict | None = None) -> tuple[int, bytes, object]:
        """One signed request; its status, raw answer and headers (not verified here). A
        connection error, 5xx or 429 raises ProviderUnavailable."""
        raw = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Authorization": self.authorization(method, target, raw),
            "Accept": "application/json",
            "User-Agent": "tuangou (WeChat Pay API v3)",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        url = self.config["API_BASE"].rstrip("/") + target
        request = urllib.request.Request(url, data=raw if body is not None else None, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.config.get("TIMEOUT_SECONDS", 10)) as response:
                status, answer, answer_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, answer, answer_headers = error.code, error.read(), error.headers
        except (urllib.error.URLError, OSError) as error:
            raise GatewayUnreachable(f"wechatpay {method} {target}: {error}") from error
        if status >= 500 or status == 429:
            raise ProviderUnavailable(f"wechatpay {method} {target}: HTTP {status} {answer[:120]!r}")
        return status, answer, answer_headers

    def _call(self, method: str, target: str, body: dict | None = None) -> tuple[int, dict]:
        status, answer, answer_headers = self._request(method, target, body)
        try:
            self.verify_signature(answer_headers, answer)
        except ApplicationError as error:
            # Not WeChat Pay's answer (or not a fresh one): ask again later rather than trust it.
            raise AnswerUnverified(f"wechatpay {method} {target}: answer not verified ({error.code})") from error
        try:
            return status, json.loads(answer) if answer else {}
        except ValueError as error:
            raise ProviderUnavailable(f"wechatpay {method} {target}: answer is not JSON") from error

    # --- platform certificates (GET /v3/certificates) -------------------------------------

    def _certificates_key(self, what: str) -> str:
        origin = hashlib.sha1(f"{self.config['API_BASE']}|{self.mchid}".encode()).hexdigest()[:16]
        return f"wechatpay:{what}:{origin}"

    def certificates_downloaded(self) -> dict[str, str]:
        """Platform certificates fetched from /v3/certificates (serial -> PEM), as cached."""
        return cache.get(self._certificates_key("certificates")) or {}

    def _platform_key(self, serial: str) -> str | None:
        """The PEM for a serial: configured (certificates and PUB_KEY_ID_ public keys, side by
        side during a switch-over) or downloaded. An unknown certificate serial (WeChat Pay
        rotated its certificate) refreshes the download once, then is looked up again."""
        pem = self.config["PLATFORM_KEYS"].get(serial) or self.certificates_downloaded().get(serial)
        if pem is not None or serial.startswith(PUBLIC_KEY_PREFIX) or not self.config.get("APIV3_KEY"):
            return pem  # a public key is never listed by /v3/certificates: it is configured or unknown
        if in_our_transaction() or not cache.add(self._certificates_key("refreshing"), 1, REFRESH_AT_MOST_EVERY):
            return None  # no call out under our locks; and a flood of made-up serials costs one refresh a minute
        try:
            return self.certificates_refresh().get(serial)
        except (ProviderUnavailable, ApplicationError):
            return None

    def certificates_refresh(self) -> dict[str, str]:
        """Download the platform certificates, decrypt each with the APIv3 key, check the answer's
        signature with a key already trusted — or, when no certificate is trusted yet, with one of
        those just decrypted (as WeChat Pay's SDKs bootstrap) — and cache them. Answers serial -> PEM."""
        status, raw, headers = self._request("GET", "/v3/certificates")
        if status != 200:
            raise ProviderUnavailable(f"wechatpay certificates: HTTP {status} {raw[:120]!r}")
        try:
            items = json.loads(raw)["data"]
            fresh = {item["serial_no"].upper(): self._certificate_decrypt(item) for item in items}
        except (ValueError, KeyError, TypeError) as error:
            raise ProviderUnavailable(f"wechatpay certificates: answer unreadable ({error})") from error
        trusted = {**self.certificates_downloaded(), **self.config["PLATFORM_KEYS"]}
        certificates_trusted = any(not serial.startswith(PUBLIC_KEY_PREFIX) for serial in trusted)
        try:
            self.verify_signature(headers, raw, keys=trusted if certificates_trusted else fresh)
        except ApplicationError as error:
            raise ProviderUnavailable(f"wechatpay certificates: answer not verified ({error.code})") from error
        cache.set(self._certificates_key("certificates"), fresh, CERTIFICATES_KEEP)
        return fresh

    def _certificate_decrypt(self, item: dict) -> str:
        encrypted = item["encrypt_certificate"]
        try:
            pem = AESGCM(self.config["APIV3_KEY"].encode()).decrypt(
                encrypted["nonce"].encode(),
                base64.b64decode(encrypted["ciphertext"]),
                (encrypted.get("associated_data") or "").encode(),
            )
            certificate = x509.load_pem_x509_certificate(pem)
        except (InvalidTag, ValueError) as error:
            raise ValueError(f"certificate {item.get('serial_no')}: {error}") from None
        if f"{certificate.serial_number:X}" != item["serial_no"].upper():
            raise ValueError(f"certificate {item['serial_no']}: serial does not match")
        if certificate.not_valid_after_utc < datetime.now(CST):
            raise ValueError(f"certificate {item['serial_no']}: expired")
        return pem.decode()

    # --- bills (交易账单) -------------------------------------------------------------------

    def trade_bill(self, bill_date: date, shop_id: int) -> list[dict]:
        """The day's ALL trade bill of the shop's merchant (its sub-merchant in partner mode):
        ask for it, download it (signed, gzip), check its SHA1 and read it (parse_trade_bill).
        A day without trades answers []. Raises ProviderUnavailable (ask again later)."""
        query = {"bill_date": bill_date.isoformat(), "bill_type": "ALL", "tar_type": "GZIP"}
        if self.partner:
            query["sub_mchid"] = self.sub_mchid(shop_id)
        status, data = self._call("GET", "/v3/bill/tradebill?" + urllib.parse.urlencode(query))
        if status == 400 and data.get("code") == "NO_STATEMENT_EXIST":
            return []
        if status != 200 or not data.get("download_url"):
            raise ProviderUnavailable(f"wechatpay bill {bill_date}: {data.get('code')} {data.get('message')}")
        url = urllib.parse.urlsplit(data["download_url"])
        if url.netloc != urllib.parse.urlsplit(self.config["API_BASE"]).netloc:  # our signature goes nowhere else
            raise ProviderUnavailable(f"wechatpay bill {bill_date}: download URL on another host")
        status, raw, _ = self._request("GET", url.path + (f"?{url.query}" if url.query else ""))
        if status != 200:
            raise ProviderUnavailable(f"wechatpay bill {bill_date}: download HTTP {status}")
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        if data.get("hash_type") != "SHA1" or hashlib.sha1(raw).hexdigest() != str(data.get("hash_value")).lower():
            raise ProviderUnavailable(f"wechatpay bill {bill_date}: the file does not match its hash")
        try:
            return parse_trade_bill(raw)
        except ValueError as error:
            raise ProviderUnavailable(f"wechatpay bill {bill_date}: {error}") from error

    # --- the shop's merchant --------------------------------------------------------------

    def sub_mchid(self, shop_id: int) -> str:
        if not self.partner:
            return ""
        sub_mchid = self.config["SUB_MCHIDS"].get(str(shop_id), "")
        if not sub_mchid:
            raise ApplicationError("payment_unconfigured", status=409)
        return sub_mchid

    def merchant_of(self, shop_id: int) -> dict:
        """What a notify or a query answer for this shop's payment must say (checked by services)."""
        return {"sub_mchid": self.config["SUB_MCHIDS"].get(str(shop_id), "") if self.partner else ""}

    def _merchant_fields(self, shop_id: int) -> dict:
        if self.partner:
            fields = {"sp_appid": self.appid, "sp_mchid": self.mchid, "sub_mchid": self.sub_mchid(shop_id)}
            sub_appid = (self.config.get("SUB_APPIDS") or {}).get(str(shop_id))
            return {**fields, "sub_appid": sub_appid} if sub_appid else fields
        return {"appid": self.appid, "mchid": self.mchid}

    def _check_merchant(self, data: dict) -> None:
        """The answer or notify is about our merchant (and, for a trade, our app id)."""
        mchid = data.get("sp_mchid" if self.partner else "mchid")
        if mchid != self.mchid:
            raise ApplicationError("notify_invalid", field="mchid", reason="mchid")
        appid_key = "sp_appid" if self.partner else "appid"
        if appid_key in data and data[appid_key] not in {self.appid, self.miniprogram_appid} - {""}:
            raise ApplicationError("notify_invalid", field="appid", reason="appid")

    def notify_url(self, shop_id: int) -> str:
        # WeChat Pay forbids a query string here: the tenant is in the path.
        path = reverse("api:payments_notify_wechatpay", kwargs={"shop_id": shop_id})
        return self.config["NOTIFY_BASE"].rstrip("/") + path

    def _prefix(self) -> str:
        return "/v3/pay/partner/transactions" if self.partner else "/v3/pay/transactions"

    def _order_body(self, payment) -> dict:
        order = payment.order
        body = {
            **self._merchant_fields(payment.shop_id),
            "description": f"{order.shop.name} 团购订单"[:40],
            "out_trade_no": payment.out_trade_no,
            "notify_url": self.notify_url(payment.shop_id),
            "amount": {"total": payment.amount_fen, "currency": "CNY"},
        }
        if order.expires_at:  # the shop's payment timeout: WeChat Pay closes the trade itself then
            body["time_expire"] = order.expires_at.astimezone(CST).replace(microsecond=0).isoformat()
        return body

    # --- paying ---------------------------------------------------------------------------

    def create_payment(self, payment) -> str:
        """An H5 trade (outside WeChat): the `h5_url` the payer opens (valid 5 minutes; asking
        again with the same parameters gives a fresh one)."""
        body = self._order_body(payment)
        body["scene_info"] = {
            "payer_client_ip": getattr(payment, "client_ip", "") or "127.0.0.1",
            "h5_info": {"type": "Wap"},
        }
        status, data = self._call("POST", f"{self._prefix()}/h5", body)
        if status != 200 or "h5_url" not in data:
            raise _refused(f"{data.get('code')}: {data.get('message')}")
        return data["h5_url"]

    def native_code_url(self, payment) -> str:
        """A Native trade (desk payment, 扫码支付): the `code_url` (weixin://wxpay/bizpayurl?pr=…)
        shown as a QR code the payer scans with WeChat. Asking again for the same trade answers
        the same code (it lives until the trade's time_expire)."""
        status, data = self._call("POST", f"{self._prefix()}/native", self._order_body(payment))
        if status != 200 or "code_url" not in data:
            raise _refused(f"{data.get('code')}: {data.get('message')}")
        return data["code_url"]

    def jsapi_params(self, payment, *, openid: str) -> dict:
        """A JSAPI trade (inside WeChat's browser): the parameters of WeixinJSBridge
        getBrandWCPayRequest / wx.chooseWXPay, `paySign` over appId, timeStamp, nonceStr, package."""
        return self._prepay_params(payment, appid=self.appid, openid=openid)

    def miniprogram_params(self, payment, *, openid: str) -> dict:
        """A JSAPI trade opened for the mini-program (its app id, the payer's mini-program openid):
        the parameters of wx.requestPayment (timeStamp, nonceStr, package, signType, paySign; the
        mini-program knows its own app id, which paySign covers)."""
        if not self.miniprogram_appid:
            raise ApplicationError("wechat_not_configured", status=400)
        return self._prepay_params(payment, appid=self.miniprogram_appid, openid=openid)

    def _prepay_params(self, payment, *, appid: str, openid: str) -> dict:
        body = self._order_body(payment)
        body["sp_appid" if self.partner else "appid"] = appid
        body["payer"] = {"sp_openid" if self.partner else "openid": openid}
        status, data = self._call("POST", f"{self._prefix()}/jsapi", body)
        if status != 200 or "prepay_id" not in data:
            raise _refused(f"{data.get('code')}: {data.get('message')}")
        params = {
            "appId": appid,
            "timeStamp": str(int(time.time())),
            "nonceStr": _nonce(),
            "package": f"prepay_id={data['prepay_id']}",
            "signType": "RSA",
        }
        message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
        params["paySign"] = self.sign(message.encode())
        return params

    def _trade_target(self, payment) -> str:
        no = urllib.parse.quote(payment.out_trade_no, safe="")
        if self.partner:
            query = urllib.parse.urlencode({"sp_mchid": self.mchid, "sub_mchid": self.sub_mchid(payment.shop_id)})
        else:
            query = urllib.parse.urlencode({"mchid": self.mchid})
        return f"{self._prefix()}/out-trade-no/{no}?{query}"

    @staticmethod
    def _payment_fields(data: dict) -> dict:
        return {
            "out_trade_no": data.get("out_trade_no", ""),
            "trade_state": data.get("trade_state", ""),
            "amount_fen": (data.get("amount") or {}).get("total"),
            "transaction_id": data.get("transaction_id", ""),
            "paid_at": data.get("success_time"),
            "sub_mchid": data.get("sub_mchid", ""),
        }

    def query(self, payment) -> dict:
        status, data = self._call("GET", self._trade_target(payment))
        if status == 404:  # never opened there
            return {"out_trade_no": payment.out_trade_no, "trade_state": "NOTPAY"}
        if status != 200:
            raise ProviderUnavailable(f"wechatpay query {payment.out_trade_no}: {data.get('code')}")
        self._check_merchant(data)
        fields = self._payment_fields(data)
        if fields["out_trade_no"] != payment.out_trade_no or fields["sub_mchid"] != self.sub_mchid(payment.shop_id):
            raise ProviderUnavailable(f"wechatpay query {payment.out_trade_no}: answer about another trade")
        return fields

    def connection_probe(self, shop_id: int) -> tuple[int, dict]:
        """Ask about a trade that cannot exist (测试连接): a merchant whose key, serial and
        platform keys are right gets a signed 404 ORDER_NOT_EXIST. Raises what _call raises."""
        probe = SimpleNamespace(out_trade_no=f"TGCHECK{secrets.token_hex(8).upper()}", shop_id=shop_id)
        return self._call("GET", self._trade_target(probe))

    def certificates_download(self) -> dict[str, str]:
        """下载平台证书 (GET /v3/certificates): {serial: PEM}, each decrypted with the APIv3 key —
        what proves the APIv3 key right before the first notify needs it. Raises what _call
        raises, and notify_invalid when a certificate does not decrypt (a wrong APIv3 key)."""
        status, data = self._call("GET", "/v3/certificates")
        if status != 200:
            raise _refused(f"{data.get('code')}: {data.get('message')}")
        entries = data.get("data") or []
        return {entry["serial_no"]: self.decrypt_bytes(entry["encrypt_certificate"]).decode() for entry in entries}

    def close(self, payment) -> str:
        """Close the trade at WeChat Pay (our payment stopped waiting): closed / paid / missing."""
        target = self._trade_target(payment).split("?")[0] + "/close"
        body = {
            k: v for k, v in self._merchant_fields(payment.shop_id).items() if k in ("mchid", "sp_mchid", "sub_mchid")
        }
        status, data = self._call("POST", target, body)
        if status == 204:
            return "closed"
        if data.get("code") == "ORDERPAID":
            return "paid"
        if status == 404:
            return "missing"
        raise _refused(f"{data.get('code')}: {data.get('message')}")

    # --- refunds --------------------------------------------------------------------------

    def _refund_outcome(self, data: dict) -> str:
        status = data.get("status")
        if status == "SUCCESS":
            return data["refund_id"]
        if status == "PROCESSING":
            raise RefundPending(data.get("refund_id", ""))
        raise ApplicationError("refund_failed", reason=f"微信支付退款{status}")

    def refund_query(self, refund) -> dict:
        target = f"/v3/refund/domestic/refunds/{urllib.parse.quote(refund.out_refund_no, safe='')}"
        if self.partner:
            target += "?" + urllib.parse.urlencode({"sub_mchid": self.sub_mchid(refund.shop_id)})
        status, data = self._call("GET", target)
        return data if status == 200 else {}

    def refund(self, refund) -> str:
        """Ask about the refund's reference first (sent before? then its state), else send it.
        SUCCESS answers the refund id; PROCESSING raises RefundPending (its notify, or the next
        try, completes it); CLOSED / ABNORMAL or a refusal raise refund_failed."""
        known = self.refund_query(refund)
        if known:
            return self._refund_outcome(known)
        body = {
            "out_trade_no": refund.payment.out_trade_no,
            "out_refund_no": refund.out_refund_no,
            "reason": refund.reason[:80],
            "notify_url": self.notify_url(refund.shop_id),
            "amount": {"refund": refund.amount_fen, "total": refund.payment.amount_fen, "currency": "CNY"},
        }
        if self.partner:
            body = {"sub_mchid": self.sub_mchid(refund.shop_id), **body}
        status, data = self._call("POST", "/v3/refund/domestic/refunds", body)
        if status != 200:
            raise ApplicationError("refund_failed", reason=f"{data.get('code')}: {data.get('message')}")
        return self._refund_outcome(data)

    # --- merchant transfers (商家转账): paying a leader's withdrawal ------------------------

    TRANSFER_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
    PARTNER_TRANSFER_PATH = "/v3/fund-app/mch-transfer/partner/transfer-bills"

    def _transfer_path(self) -> str:
        return self.PARTNER_TRANSFER_PATH if self.partner else self.TRANSFER_PATH

    def transfer_notify_url(self, shop_id: int) -> str:
        path = reverse("api:commissions_notify_wechatpay_transfer", kwargs={"shop_id": shop_id})
        return self.config["NOTIFY_BASE"].rstrip("/") + path

    @staticmethod
    def _transfer_fields(data: dict) -> dict:
        return {
            "out_bill_no": data.get("out_bill_no", ""),
            "transfer_bill_no": data.get("transfer_bill_no", ""),
            "state": data.get("state", ""),
            "fail_reason": data.get("fail_reason", ""),
            "amount_fen": data.get("transfer_amount"),
            "package_info": data.get("package_info", ""),  # WAIT_USER_CONFIRM: what the payee confirms with
        }

    def transfer_create(self, transfer: dict) -> dict:
        """Send (or send again: the same out_bill_no is the same bill) a transfer of
        transfer["amount_fen"] to transfer["openid"]. Answers {out_bill_no, transfer_bill_no,
        state, fail_reason}; a refusal (4xx) answers state FAIL with WeChat Pay's code as the
        reason; ProviderUnavailable when no answer came (ask again with the same number)."""
        body = {
            "appid": self.appid,
            "out_bill_no": transfer["out_bill_no"],
            "transfer_scene_id": self.config.get("TRANSFER_SCENE_ID") or "1000",
            "openid": transfer["openid"],
            "transfer_amount": transfer["amount_fen"],
            "transfer_remark": transfer["remark"][:32],
            "notify_url": self.transfer_notify_url(transfer["shop_id"]),
            "transfer_scene_report_infos": [
                {"info_type": "活动名称", "info_content": "团长佣金提现"},
                {"info_type": "奖励说明", "info_content": "团长佣金"},
            ],
        }
        if self.partner:  # 服务商: the transfer is paid from the shop's sub-merchant
            body = {"sub_mchid": self.sub_mchid(transfer["shop_id"]), **body}
        status, data = self._call("POST", self._transfer_path(), body)
        if status != 200:
            return {
                "out_bill_no": transfer["out_bill_no"],
                "transfer_bill_no": "",
                "state": "FAIL",
                "fail_reason": str(data.get("code") or f"HTTP {status}"),
                "amount_fen": transfer["amount_fen"],
                "package_info": "",
            }
        return self._transfer_fields(data)

    def transfer_confirm_params(self, shop_id: int, package_info: str) -> dict:
        """The parameters of WeixinJSBridge.invoke("requestMerchantTransfer", {mchId, appId,
        package}) with which the payee confirms a WAIT_USER_CONFIRM transfer in WeChat: the
        merchant that pays (the shop's sub-merchant in partner mode) and our app id."""
        mch_id = self.sub_mchid(shop_id) if self.partner else self.mchid
        return {"mch_id": mch_id, "app_id": self.appid, "package": package_info}

    def transfer_query(self, out_bill_no: str, shop_id: int | None = None) -> dict | None:
        """What WeChat Pay knows of the bill (None: it never got it). Partner mode asks about
        the shop's sub-merchant's bill."""
        target = f"{self._transfer_path()}/out-bill-no/{urllib.parse.quote(out_bill_no, safe='')}"
        if self.partner:
            target += "?" + urllib.parse.urlencode({"sub_mchid": self.sub_mchid(shop_id)})
        status, data = self._call("GET", target)
        if status == 404:
            return None
        if status != 200:
            raise ProviderUnavailable(f"wechatpay transfer query {out_bill_no}: {data.get('code')}")
        mchid = data.get("sp_mchid" if self.partner else "mch_id", self.mchid)
        if mchid != self.mchid or data.get("out_bill_no") != out_bill_no:
            raise ProviderUnavailable(f"wechatpay transfer query {out_bill_no}: answer about another bill")
        return self._transfer_fields(data)

    def verify_transfer_notify(self, headers, body: bytes) -> dict:
        """A MCHTRANSFER.BILL.FINISHED notify: signature, freshness, our merchant; its fields."""
        self.verify_signature(headers, body)
        try:
            envelope = json.loads(body)
            event_type, resource = str(envelope["event_type"]), envelope["resource"]
            if not isinstance(resource, dict):
                raise TypeError("resource")
        except (ValueError, KeyError, TypeError):
            raise ApplicationError("notify_invalid", field="body", reason="JSON") from None
        if not event_type.startswith("MCHTRANSFER."):
            raise ApplicationError("notify_invalid", field="event_type", reason="event_type")
        data = self.decrypt(resource)
        if not isinstance(data, dict) or data.get("sp_mchid" if self.partner else "mch_id") != self.mchid:
            raise ApplicationError("notify_invalid", field="mchid", reason="mchid")
        fields = self._transfer_fields(data)
        if not fields["out_bill_no"] or not isinstance(fields["amount_fen"], int):
            raise ApplicationError("notify_invalid", field="resource", reason="resource")
        return {"kind": "transfer", "event_id": envelope.get("id", ""), **fields}

    # --- notifies -------------------------------------------------------------------------

    def verify_notify(self, headers, body: bytes) -> dict:
        self.verify_signature(headers, body)
        try:
            envelope = json.loads(body)
            event_type, resource = str(envelope["event_type"]), envelope["resource"]
            if not isinstance(resource, dict):
                raise TypeError("resource")
        except (ValueError, KeyError, TypeError):
            raise ApplicationError("notify_invalid", field="body", reason="JSON") from None
        data = self.decrypt(resource)
        if not isinstance(data, dict) or not isinstance(data.get("amount", {}), dict):
            raise ApplicationError("notify_invalid", field="resource", reason="resource")
        self._check_merchant(data)
        if event_type.startswith("TRANSACTION."):
            fields = self._payment_fields(data)
            if not isinstance(fields["amount_fen"], int) or not fields["out_trade_no"]:
                raise ApplicationError("notify_invalid", field="amount", reason="amount")
            return {"kind": "payment", "event_id": envelope.get("id", ""), **fields}
        if event_type.startswith("REFUND."):
            return {
                "kind": "refund",
                "event_id": envelope.get("id", ""),
                "out_trade_no": data.get("out_trade_no", ""),
                "out_refund_no": data.get("out_refund_no", ""),
                "refund_id": data.get("refund_id", ""),
                "refund_status": data.get("refund_status", ""),
                "amount_fen": (data.get("amount") or {}).get("refund"),
                "sub_mchid": data.get("sub_mchid", ""),
            }
        raise ApplicationError("notify_invalid", field="event_type", reason="event_type")


# --- the trade bill's file format ------------------------------------------------------------

BILL_COLUMNS = {  # the columns we read, by their header name
    "at": "交易时间",
    "sub_mchid": "特约商户号",
    "transaction_id": "微信订单号",
    "out_trade_no": "商户订单号",
    "trade_state": "交易状态",
    "order_amount": "订单金额",
    "refund_id": "微信退款单号",
    "out_refund_no": "商户退款单号",
    "refund_amount": "申请退款金额",
    "refund_state": "退款状态",
}


def _bill_fields(line: str) -> list[str]:
    # Every field starts with a backtick (so a spreadsheet keeps long numbers as text); a product
    # name may hold a comma, so fields are split on ",`" rather than on every comma.
    if not line.startswith("`"):
        raise ValueError(f"bill line without backticks: {line[:60]!r}")
    return line[1:].split(",`")


def _fen(value: str) -> int:
    try:
        amount = Decimal(value) * 100
    except InvalidOperation:
        raise ValueError(f"bill amount {value!r}") from None
    if amount != amount.to_integral_value():
        raise ValueError(f"bill amount {value!r}")
    return int(amount)


def parse_trade_bill(raw: bytes) -> list[dict]:
    """Rows of a WeChat Pay ALL trade bill: a header, one backtick-prefixed line per trade and per
    refund, then "总交易单数,…" and its summary line. Each row: kind (payment / refund),
    out_trade_no, transaction_id, out_refund_no, refund_id, amount_fen (the order amount of a
    trade, the refund asked for), state (SUCCESS or the refund's state), at, sub_mchid. The
    summary's count must match (a cut-off file is refused)."""
    lines = [line for line in raw.decode("utf-8-sig").splitlines() if line.strip()]
    if len(lines) < 3 or not lines[-2].startswith("总交易单数"):
        raise ValueError("bill without its summary")
    header = lines[0].split(",")
    try:
        at = {name: header.index(column) for name, column in BILL_COLUMNS.items()}
    except ValueError as error:
        raise ValueError(f"bill header: {error}") from None
    rows = []
    for line in lines[1:-2]:
        fields = _bill_fields(line)
        if len(fields) != len(header):
            raise ValueError(f"bill line with {len(fields)} fields, {len(header)} expected")
        refund = fields[at["trade_state"]] == "REFUND"
        rows.append(
            {
                "kind": "refund" if refund else "payment",
                "out_trade_no": fields[at["out_trade_no"]],
                "transaction_id": fields[at["transaction_id"]],
                "out_refund_no": fields[at["out_refund_no"]] if refund else "",
                "refund_id": fields[at["refund_id"]] if refund else "",
                "amount_fen": _fen(fields[at["refund_amount" if refund else "order_amount"]]),
                "state": fields[at["refund_state"]] if refund else fields[at["trade_state"]],
                "at": fields[at["at"]],
                "sub_mchid": "" if fields[at["sub_mchid"]] == "0" else fields[at["sub_mchid"]],
            }
        )
    summary = _bill_fields(lines[-1])
    if not summary[0].isdigit() or int(summary[0]) != len(rows):
        raise ValueError(f"bill says {summary[0]} trades, {len(rows)} listed")
    return rows
