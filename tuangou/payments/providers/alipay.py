"""Alipay (open platform, RSA2): a thin client on `cryptography` and urllib (settings.ALIPAY).

Why not `python-alipay-sdk`: it pulls in pycryptodomex beside the `cryptography` we already pin,
and what the protocol needs is small:

  * a request's `sign` is SHA256withRSA (PKCS#1 v1.5) with the app's private key over every
    non-empty parameter but `sign`, sorted by name and joined `k=v` with `&`;
  * an answer `{"<method>_response": {...}, "sign": "..."}` is verified with Alipay's public key
    over the exact JSON text of the `*_response` node (cut from the raw answer, never re-dumped);
  * a notify (a form POST) is verified over its URL-decoded fields but `sign` and `sign_type`,
    sorted and joined the same way; we answer the plain text `success`, else Alipay re-sends;
  * money is a yuan string ("12.90"), turned to and from integer fen exactly (Decimal, no floats).

Wap pay (outside WeChat) and page pay (desktop) are not API calls: the payer's browser opens the
gateway URL with the signed parameters, and the trade opens there.
"""

import base64
import io
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.urls import reverse

from tuangou.core.errors import ApplicationError

from . import AnswerUnverified, GatewayUnreachable, ProviderUnavailable

CST = ZoneInfo("Asia/Shanghai")
TRADE_STATES = {
    "TRADE_SUCCESS": "SUCCESS",
    "TRADE_FINISHED": "SUCCESS",
    "WAIT_BUYER_PAY": "NOTPAY",
    "TRADE_CLOSED": "CLOSED",
}


def _pem(value: str) -> bytes:
    return (value if "-----BEGIN" in value else Path(value).read_text()).encode()


@lru_cache(maxsize=16)
def _private_key(value: str):
    return serialization.load_pem_private_key(_pem(value), password=None)


@lru_cache(maxsize=16)
def _public_key(value: str):
    return serialization.load_pem_public_key(_pem(value))


def sign_content(params: dict, *, exclude=("sign",)) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in exclude and params[k] not in ("", None))


def yuan_of(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fen_of(text) -> int | None:
    """ "12.90" -> 1290; None for anything that is not a yuan amount with at most two decimals."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, TypeError):
        return None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
        return None
    return int(value * 100)


def _cst_iso(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST).isoformat()
    except (TypeError, ValueError):
        return None


class AlipayProvider:
    name = "alipay"

    def __init__(self, config: dict | None = None):
        self.config = config or settings.ALIPAY
        self.app_id = self.config["APP_ID"]
        self.seller_id = self.config["SELLER_ID"]

    # --- signing and verifying ------------------------------------------------------------

    def sign(self, params: dict) -> str:
        key = _private_key(self.config["APP_PRIVATE_KEY"])
        return base64.b64encode(key.sign(sign_content(params).encode(), padding.PKCS1v15(), hashes.SHA256())).decode()

    def verify(self, content: str, signature: str) -> bool:
        if not self.config.get("ALIPAY_PUBLIC_KEY"):  # not configured: nothing verifies
            return False
        try:
            raw = base64.b64decode(signature, validate=True)
            _public_key(self.config["ALIPAY_PUBLIC_KEY"]).verify(
                raw, content.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError, OSError):
            return False
        return True

    def signed_params(self, method: str, biz: dict, *, notify_url: str = "") -> dict:
        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "notify_url": notify_url,
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        params = {k: v for k, v in params.items() if v}
        params["sign"] = self.sign(params)
        return params

    # --- the wire -------------------------------------------------------------------------

    def _call(self, method: str, biz: dict) -> dict:
        """POST to the gateway; the verified `*_response` node. An answer that does not verify is
        not trusted (ProviderUnavailable); only an unsigned error_response is read unverified,
        and it can only refuse."""
        body = urllib.parse.urlencode(self.signed_params(method, biz)).encode()
        request = urllib.request.Request(
            self.config["GATEWAY"],
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.get("TIMEOUT_SECONDS", 10)) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            raise GatewayUnreachable(f"alipay {method}: {error}") from error
        if status != 200:
            raise ProviderUnavailable(f"alipay {method}: HTTP {status}")
        try:
            text = raw.decode("utf-8")
            answer = json.loads(text)
        except ValueError as error:
            raise ProviderUnavailable(f"alipay {method}: answer is not JSON") from error
        node_name = method.replace(".", "_") + "_response"
        if node_name not in answer:
            error_node = answer.get("error_response") or {}
            raise ApplicationError(
                "provider_refused",
                status=502,
                reason=f"{error_node.get('sub_code')}: {error_node.get('sub_msg')}"[:120],
            )
        node_text = self._node_text(text, node_name)
        if node_text is None or not self.verify(node_text, str(answer.get("sign", ""))):
            raise AnswerUnverified(f"alipay {method}: answer not verified")
        return answer[node_name]

    @staticmethod
    def _node_text(text: str, node_name: str) -> str | None:
        """The exact JSON text of the `*_response` node in the raw answer (what Alipay signed)."""
        marker = f'"{node_name}"'
        start = text.find(marker)
        if start < 0:
            return None
        start = text.find(":", start + len(marker)) + 1
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
        try:
            _, end = json.JSONDecoder().raw_decode(text, start)
        except ValueError:
            return None
        return text[start:end]

    # --- our payment ----------------------------------------------------------------------

    def merchant_of(self, shop_id: int) -> dict:
        """What a notify for this shop's payment must say (checked by services)."""
        return {"app_id": self.app_id, "seller_id": self.seller_id}

    def notify_url(self, shop_id: int) -> str:
        path = reverse("api:payments_notify_alipay", kwargs={"shop_id": shop_id})
        return self.config["NOTIFY_BASE"].rstrip("/") + path

    def _biz(self, payment, product_code: str) -> dict:
        order = payment.order
        biz = {
            "out_trade_no": payment.out_trade_no,
            "total_amount": yuan_of(payment.amount_fen),
            "subject": f"{order.shop.name} 团购订单"[:128],
            "product_code": product_code,
        }
        if order.expires_at:  # the shop's payment timeout: Alipay closes the trade itself then
            biz["time_expire"] = order.expires_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
        return biz

    def pay_url(self, payment, *, desktop: bool = False) -> str:
        """The gateway URL the payer's browser opens: wap pay (a phone outside WeChat), or page pay (a desktop)."""
        if desktop:
            method, biz = "alipay.trade.page.pay", self._biz(payment, "FAST_INSTANT_TRADE_PAY")
        else:
            method, biz = "alipay.trade.wap.pay", self._biz(payment, "QUICK_WAP_WAY")
        params = self.signed_params(method, biz, notify_url=self.notify_url(payment.shop_id))
        return self.config["GATEWAY"] + "?" + urllib.parse.urlencode(params)

    def create_payment(self, payment) -> str:
        if not (self.app_id and self.config.get("APP_PRIVATE_KEY") and self.config.get("ALIPAY_PUBLIC_KEY")):
            raise ApplicationError("alipay_unconfigured", status=409)
        return self.pay_url(payment)

    def _trade_fields(self, node: dict) -> dict:
        return {
            "out_trade_no": node.get("out_trade_no", ""),
            "trade_state": TRADE_STATES.get(node.get("trade_status", ""), node.get("trade_status", "")),
            "amount_fen": fen_of(node.get("total_amount")),
            "transaction_id": node.get("trade_no", ""),
            "paid_at": _cst_iso(node.get("gmt_payment") or node.get("send_pay_date") or ""),
        }

    def query(self, payment) -> dict:
        try:
            node = self._call("alipay.trade.query", {"out_trade_no": payment.out_trade_no})
        except ApplicationError as error:
            raise ProviderUnavailable(f"alipay query {payment.out_trade_no}: {error.code}") from error
        if node.get("code") != "10000":
            if node.get("sub_code") == "ACQ.TRADE_NOT_EXIST":  # the payer never opened the pay page
                return {"out_trade_no": payment.out_trade_no, "trade_state": "NOTPAY"}
            raise ProviderUnavailable(f"alipay query {payment.out_trade_no}: {node.get('sub_code')}")
        fields = self._trade_fields(node)
        if fields["out_trade_no"] != payment.out_trade_no:
            raise ProviderUnavailable(f"alipay query {payment.out_trade_no}: answer about another trade")
        return fields

    def connection_probe(self) -> dict:
        """alipay.trade.query of a trade that cannot exist (测试连接): an app whose private key
        and Alipay public key are right gets a signed ACQ.TRADE_NOT_EXIST. Raises what _call raises."""
        return self._call("alipay.trade.query", {"out_trade_no": f"TGCHECK{secrets.token_hex(8).upper()}"})

    def close(self, payment) -> str:
        node = self._call("alipay.trade.close", {"out_trade_no": payment.out_trade_no})
        if node.get("code") == "10000":
            return "closed"
        if node.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return "missing"
        if node.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            return "paid"
        raise ApplicationError("provider_refused", status=502, reason=f"{node.get('sub_code')}")

    # --- refunds --------------------------------------------------------------------------

    def refund_query(self, refund) -> dict:
        node = self._call(
            "alipay.trade.fastpay.refund.query",
            {"out_trade_no": refund.payment.out_trade_no, "out_request_no": refund.out_refund_no},
        )
        if node.get("code") == "10000" and node.get("refund_status") == "REFUND_SUCCESS":
            return node
        return {}

    def refund(self, refund) -> str:
        """`alipay.trade.refund` with out_request_no = our refund's reference: the same reference
        refunds once however often it is sent (Alipay answers fund_change N the second time). Its
        success is synchronous; the refund id we keep is `trade_no/out_request_no`."""
        biz = {
            "out_trade_no": refund.payment.out_trade_no,
            "refund_amount": yuan_of(refund.amount_fen),
            "out_request_no": refund.out_refund_no,
            "refund_reason": refund.reason[:80],
        }
        node = self._call("alipay.trade.refund", biz)
        if node.get("code") == "10000" and node.get("out_trade_no") == refund.payment.out_trade_no:
            return f"{node.get('trade_no', '')}/{refund.out_refund_no}"
        if node.get("code") in ("20000", None) or node.get("sub_code") == "ACQ.SYSTEM_ERROR":
            raise ProviderUnavailable(f"alipay refund {refund.out_refund_no}: {node.get('sub_code')}")
        raise ApplicationError("refund_failed", reason=f"支付宝退款失败 {node.get('sub_code')}")

    # --- notifies -------------------------------------------------------------------------

    def trade_bill(self, bill_date: date, shop_id: int) -> list[dict]:
        """The day's trade bill of the app (alipay.data.dataservice.bill.downloadurl.query, then the
        zip at the URL it gives), read by parse_alipay_bill. A day Alipay has no bill for: []."""
        return _alipay_trade_bill(self, bill_date)

    def verify_notify(self, headers, body: bytes) -> dict:
        try:
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise ApplicationError("signature_invalid", field="sign") from None
        signature = params.get("sign", "")
        if params.get("sign_type") != "RSA2" or not signature:
            raise ApplicationError("signature_invalid", field="sign")
        if not self.verify(sign_content(params, exclude=("sign", "sign_type")), signature):
            raise ApplicationError("signature_invalid", field="sign")
        if params.get("app_id") != self.app_id:
            raise ApplicationError("notify_invalid", field="app_id", reason="app_id")
        fields = self._trade_fields(params)
        if not fields["out_trade_no"] or fields["amount_fen"] is None:
            raise ApplicationError("notify_invalid", field="total_amount", reason="total_amount")
        return {
            "kind": "payment",
            "event_id": params.get("notify_id", ""),
            **fields,
            "app_id": params.get("app_id", ""),
            "seller_id": params.get("seller_id", ""),
        }


# --- bills (对账单: alipay.data.dataservice.bill.downloadurl.query) ---------------------------


def _alipay_trade_bill(provider: "AlipayProvider", bill_date: date) -> list[dict]:
    node = provider._call(
        "alipay.data.dataservice.bill.downloadurl.query", {"bill_type": "trade", "bill_date": bill_date.isoformat()}
    )
    if node.get("code") != "10000":
        if node.get("sub_code") == "isp.bill_not_exist":
            return []
        raise ProviderUnavailable(f"alipay bill {bill_date}: {node.get('sub_code')} {node.get('sub_msg')}")
    url = str(node.get("bill_download_url", ""))
    if not url.startswith(("https://", "http://")):
        raise ProviderUnavailable(f"alipay bill {bill_date}: no download URL")
    try:  # a short-lived signed URL of Alipay's file server: nothing of ours is sent
        with urllib.request.urlopen(url, timeout=provider.config.get("TIMEOUT_SECONDS", 10)) as response:
            raw = response.read()
    except (urllib.error.URLError, OSError) as error:
        raise ProviderUnavailable(f"alipay bill {bill_date}: download {error}") from error
    try:
        return parse_alipay_bill(raw)
    except (ValueError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ProviderUnavailable(f"alipay bill {bill_date}: {error}") from error


def parse_alipay_bill(raw: bytes) -> list[dict]:
    """Rows of Alipay's zipped trade bill (the 业务明细 CSV, GBK; '#' lines are notes; every field
    ends with a tab): kind (payment / refund), out_trade_no, transaction_id (支付宝交易号),
    out_refund_no (退款请求号), amount_fen (the order amount, or the refund as a positive
    number), state SUCCESS. A file without its end marker is refused (cut off)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zipped:
        names = [n for n in zipped.namelist() if n.endswith("业务明细.csv")]
        if len(names) != 1:
            raise ValueError("bill archive without its 业务明细 file")
        text = zipped.read(names[0]).decode("gb18030")
    lines = [line for line in text.splitlines() if line.strip()]
    header_at = next((i for i, line in enumerate(lines) if line.startswith("支付宝交易号")), None)
    end_at = next((i for i, line in enumerate(lines) if line.startswith("#") and "业务明细列表结束" in line), None)
    if header_at is None or end_at is None or end_at < header_at:
        raise ValueError("bill without its columns or end marker")
    header = lines[header_at].split(",")
    at = {
        name: header.index(name)
        for name in ("支付宝交易号", "商户订单号", "业务类型", "订单金额（元）", "商家实收（元）")
    }
    at["request_no"] = header.index("退款批次号/请求号")
    rows = []
    for line in lines[header_at + 1 : end_at]:
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != len(header):
            raise ValueError(f"bill line with {len(fields)} fields, {len(header)} expected")
        refund = fields[at["业务类型"]] == "退款"
        amount = fen_of(fields[at["商家实收（元）"]].lstrip("-")) if refund else fen_of(fields[at["订单金额（元）"]])
        if amount is None:
            raise ValueError(f"bill amount in {line[:60]!r}")
        rows.append(
            {
                "kind": "refund" if refund else "payment",
                "out_trade_no": fields[at["商户订单号"]],
                "transaction_id": fields[at["支付宝交易号"]],
                "out_refund_no": fields[at["request_no"]] if refund else "",
                "refund_id": "",
                "amount_fen": amount,
                "state": "SUCCESS",
                "at": "",
                "sub_mchid": "",
            }
        )
    return rows
