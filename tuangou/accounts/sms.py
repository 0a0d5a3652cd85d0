"""Outbound SMS behind one interface. A message is a vendor template with parameters and a
signature name (签名), never free text: mainland vendors send only approved templates.

Backends (settings.SMS_BACKEND):
- "console" (development, demo): renders the template text locally, logs it and keeps the last
  messages in a small outbox file that /dev/sms shows (every web worker sees the same file);
- "aliyun": dysmsapi SendSms (2017-05-25), the classic RPC signature (HMAC-SHA1, SignatureVersion
  1.0) that aliyun-python-sdk-core and the Tea SDK's RPC path compute;
- "tencent": Tencent Cloud sms SendSms (2021-01-11), signed TC3-HMAC-SHA256.
Both are thin stdlib clients (the official SDKs pull in a lot and hard-code their hosts); each
vendor's template ids come from SMS_TEMPLATES_ALIYUN / SMS_TEMPLATES_TENCENT."""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings

logger = logging.getLogger("tuangou.sms")
_OUTBOX_KEEP = 50

# Our template names, the parameters each takes (in the order Tencent's {1}, {2}… take them) and
# the text registered with the vendors (Aliyun's ${name} form), rendered locally by the console.
TEMPLATES: dict[str, tuple[tuple[str, ...], str]] = {
    "login_code": (("code",), "您的验证码为${code}，5分钟内有效，如非本人操作请忽略。"),
    "pickup_notice": (("campaign", "point", "code"), "您购买的${campaign}已到${point}，提货码${code}，请尽快提货。"),
    "refund": (("order", "amount"), "您的订单${order}已退款${amount}，将原路退回。"),
    "application_result": (("shop", "result"), "您在${shop}的团长申请${result}，详情请进入团长中心查看。"),
    "withdrawal_paid": (("amount",), "您的提现${amount}已打款，请注意查收。"),
    "notice": (("title",), "您有一条新消息：${title}，请进入团购查看。"),
}
CHINA = ZoneInfo("Asia/Shanghai")  # vendors count days in Beijing time
PARAM_MAX_CHARS = 35  # Aliyun's limit for a variable (Tencent's is larger for most template kinds)


@dataclass(frozen=True)
class SmsMessage:
    template: str  # a key of TEMPLATES
    params: dict[str, str] = field(default_factory=dict)
    sign_name: str = ""  # default settings.SMS_SIGN_NAME

    @property
    def sign(self) -> str:
        return self.sign_name or settings.SMS_SIGN_NAME

    def values(self) -> dict[str, str]:
        names, _ = TEMPLATES[self.template]
        return {name: str(self.params.get(name, ""))[:PARAM_MAX_CHARS] for name in names}

    def render(self) -> str:
        text = TEMPLATES[self.template][1]
        for name, value in self.values().items():
            text = text.replace("${" + name + "}", value)
        return f"【{self.sign}】{text}"


class SmsError(Exception):
    """The vendor did not take the message. `kind` is ours: "invalid_number", "limited" (the vendor's
    flow control), "refused" (credentials, signature, template: a configuration fault) or
    "unavailable" (5xx, timeout)."""

    def __init__(self, kind: str, vendor_code: str, vendor_message: str = ""):
        self.kind, self.vendor_code, self.vendor_message = kind, vendor_code, vendor_message
        super().__init__(f"{vendor_code}: {vendor_message}" if vendor_message else vendor_code)

    @property
    def retryable(self) -> bool:
        # A refused number stays refused; flow control, outages and our configuration can change.
        return self.kind != "invalid_number"


class SmsBackend(Protocol):
    name: str

    def send(self, *, phone: str, message: SmsMessage) -> str:
        """Send one SMS; returns the vendor's message id (for its delivery receipt). Raises SmsError."""


def template_ids(setting: str) -> dict[str, str]:
    """A vendor's template table: "login_code=SMS_1,pickup_notice=SMS_2" (env) or a dict (settings)."""
    value = getattr(settings, setting, "") or {}
    if isinstance(value, dict):
        return value
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {name.strip(): code.strip() for name, code in pairs}


def _template_id(setting: str, message: SmsMessage) -> str:
    code = template_ids(setting).get(message.template)
    if not code:
        raise SmsError("refused", "template_not_configured", f"{setting} has no {message.template}")
    return code


def _post(url: str, *, data: bytes, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        raise SmsError("unavailable", "network", str(getattr(exc, "reason", exc))) from None


class ConsoleSmsBackend:
    name = "console"

    def send(self, *, phone, message):
        text = message.render()
        logger.info("sms", extra={"data": {"phone": phone, "template": message.template, "text": text}})
        path = settings.SMS_OUTBOX
        lines = path.read_text().splitlines()[-(_OUTBOX_KEEP - 1) :] if path.exists() else []
        lines.append(
            json.dumps(
                {
                    "phone": phone,
                    "code": message.params.get("code", "") if message.template == "login_code" else "",
                    "template": message.template,
                    "text": text,
                    "sent_at": datetime.now().isoformat(timespec="seconds"),
                },
                ensure_ascii=False,
            )
        )
        path.write_text("\n".join(lines) + "\n")
        return f"console-{uuid.uuid4().hex[:12]}"


def _percent(value) -> str:
    return quote(str(value), safe="-_.~")


def aliyun_signature(params: dict, secret: str, method: str = "POST") -> str:
    """The RPC signature: HMAC-SHA1 with `secret&` over METHOD&%2F&encode(sorted canonical query)."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&%2F&{_percent(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


# Aliyun's codes (https://help.aliyun.com/document_detail/101346.html) mapped to our kinds.
ALIYUN_ERRORS = {
    "isv.BUSINESS_LIMIT_CONTROL": "limited",
    "isv.DAY_LIMIT_CONTROL": "limited",
    "isv.AMOUNT_NOT_ENOUGH": "limited",
    "isv.MOBILE_NUMBER_ILLEGAL": "invalid_number",
    "isv.MOBILE_COUNT_OVER_LIMIT": "invalid_number",
    "isv.BLACK_KEY_CONTROL_LIMIT": "invalid_number",
    "isp.SYSTEM_ERROR": "unavailable",
    "isp.RAM_PERMISSION_DENY": "refused",
    "Throttling.User": "limited",
    "ServiceUnavailable": "unavailable",
}


class AliyunSmsBackend:
    name = "aliyun"

    def _call(self, action: str, params: dict) -> dict:
        """One signed RPC call; the answer when its Code is OK, else SmsError."""
        params = {
            "AccessKeyId": settings.SMS_ALIYUN_ACCESS_KEY_ID,
            "Action": action,
            "Format": "JSON",
            "RegionId": settings.SMS_ALIYUN_REGION,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            **params,
        }
        params["Signature"] = aliyun_signature(params, settings.SMS_ALIYUN_ACCESS_KEY_SECRET)
        status, body = _post(
            settings.SMS_ALIYUN_ENDPOINT,
            data=urlencode(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        if status >= 500:
            raise SmsError("unavailable", f"http_{status}")
        try:
            answer = json.loads(body)
        except ValueError:
            raise SmsError("unavailable", f"http_{status}", "not JSON") from None
        code = answer.get("Code", "")
        if code != "OK":
            raise SmsError(ALIYUN_ERRORS.get(code, "refused"), code, answer.get("Message", ""))
        return answer

    def query(self, *, phone: str, message_id: str, sent_at: datetime) -> "SmsReceipt | None":
        """QuerySendDetails for one message: its receipt, or None while the handset has not answered
        (for receipts whose push never came)."""
        answer = self._call(
            "QuerySendDetails",
            {
                "PhoneNumber": phone,
                "BizId": message_id,
                "SendDate": sent_at.astimezone(CHINA).strftime("%Y%m%d"),
                "PageSize": "10",
                "CurrentPage": "1",
            },
        )
        for detail in (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []:
            if detail.get("SendStatus") == 3:
                return SmsReceipt(message_id, True, "")
            if detail.get("SendStatus") == 2:
                return SmsReceipt(message_id, False, str(detail.get("ErrCode", "")))
        return None

    def send(self, *, phone, message):
        return self._call(
            "SendSms",
            {
                "PhoneNumbers": phone,
                "SignName": message.sign,
                "TemplateCode": _template_id("SMS_TEMPLATES_ALIYUN", message),
                "TemplateParam": json.dumps(message.values(), ensure_ascii=False, separators=(",", ":")),
            },
        )["BizId"]


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tencent_authorization(
    *, secret_id: str, secret_key: str, host: str, action: str, body: bytes, timestamp: int, service: str = "sms"
) -> str:
    """TC3-HMAC-SHA256: canonical request -> string to sign -> key derived TC3+SecretKey, date, service, tc3_request."""
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = f"content-type:application/json; charset=utf-8\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = f"POST\n/\n\n{canonical_headers}\n{signed_headers}\n{_sha256_hex(body)}"
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical_request.encode())}"

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


TENCENT_ERRORS = {
    "LimitExceeded.PhoneNumberDailyLimit": "limited",
    "LimitExceeded.PhoneNumberThirtySecondLimit": "limited",
    "LimitExceeded.PhoneNumberOneHourLimit": "limited",
    "LimitExceeded.DeliveryFrequencyLimit": "limited",
    "FailedOperation.InsufficientBalanceInSmsPackage": "limited",
    "InvalidParameterValue.IncorrectPhoneNumber": "invalid_number",
    "FailedOperation.PhoneNumberInBlacklist": "invalid_number",
    "InternalError.Timeout": "unavailable",
    "InternalError.RequestTimeException": "unavailable",
    "RequestLimitExceeded": "limited",
}


class TencentSmsBackend:
    name = "tencent"

    def _call(self, action: str, payload: dict) -> dict:
        """One TC3-signed call of the sms API (2021-01-11); its Response, or SmsError on an Error."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        url = settings.SMS_TENCENT_ENDPOINT
        host = urlsplit(url).netloc
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": settings.SMS_TENCENT_REGION,
            "Authorization": tencent_authorization(
                secret_id=settings.SMS_TENCENT_SECRET_ID,
                secret_key=settings.SMS_TENCENT_SECRET_KEY,
                host=host,
                action=action,
                body=body,
                timestamp=timestamp,
            ),
        }
        status, raw = _post(url, data=body, headers=headers)
        if status >= 500:
            raise SmsError("unavailable", f"http_{status}")
        try:
            answer = json.loads(raw)["Response"]
        except (ValueError, KeyError, TypeError):
            raise SmsError("unavailable", f"http_{status}", "not a Tencent Cloud answer") from None
        if "Error" in answer:
            code = answer["Error"].get("Code", "")
            kind = TENCENT_ERRORS.get(code, "unavailable" if code.startswith("InternalError") else "refused")
            raise SmsError(kind, code, answer["Error"].get("Message", ""))
        return answer

    def send(self, *, phone, message):
        values = message.values()
        answer = self._call(
            "SendSms",
            {
                "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
                "SmsSdkAppId": settings.SMS_TENCENT_SDK_APP_ID,
                "SignName": message.sign,
                "TemplateId": _template_id("SMS_TEMPLATES_TENCENT", message),
                "TemplateParamSet": [values[name] for name in TEMPLATES[message.template][0]],
            },
        )
        result = (answer.get("SendStatusSet") or [{}])[0]
        if result.get("Code") == "Ok":
            return result["SerialNo"]
        code = result.get("Code", "unknown")
        raise SmsError(TENCENT_ERRORS.get(code, "refused"), code, result.get("Message", ""))

    def pull(self, *, limit: int = 100) -> list["SmsReceipt"]:
        """PullSmsSendStatus: the status reports Tencent Cloud holds for the app and has not handed
        out yet (each is handed out once), for receipts whose push never came or with no callback."""
        answer = self._call(
            "PullSmsSendStatus", {"Limit": max(1, min(limit, 100)), "SmsSdkAppId": settings.SMS_TENCENT_SDK_APP_ID}
        )
        return [
            SmsReceipt(
                str(item.get("SerialNo", "")),
                item.get("ReportStatus") == "SUCCESS",
                "" if item.get("ReportStatus") == "SUCCESS" else str(item.get("Description", "")),
            )
            for item in answer.get("PullSmsSendStatusSet") or []
        ]


_BACKENDS = {"console": ConsoleSmsBackend, "aliyun": AliyunSmsBackend, "tencent": TencentSmsBackend}


def get_backend() -> SmsBackend:
    return _BACKENDS[settings.SMS_BACKEND]()


def sms_send(*, phone: str, message: SmsMessage) -> str:
    """Send one templated SMS on the configured backend; the vendor's message id. Raises SmsError."""
    return get_backend().send(phone=phone, message=message)


def recent_outbox() -> list[dict]:
    path = settings.SMS_OUTBOX
    if not path.exists():
        return []
    return [json.loads(line) for line in reversed(path.read_text().splitlines()) if line.strip()]


def codes_for(phone: str) -> list[str]:
    """The codes sent to a phone by the console backend (demo and tests), newest first."""
    return [message["code"] for message in recent_outbox() if message["phone"] == phone and message["code"]]


def last_code_for(phone: str) -> str | None:
    """The newest code sent to a phone by the console backend (demo and tests)."""
    codes = codes_for(phone)
    return codes[0] if codes else None


@dataclass(frozen=True)
class SmsReceipt:
    """A vendor's delivery receipt for one message: delivered, or failed with the vendor's reason."""

    message_id: str
    delivered: bool
    reason: str


# The answers each vendor expects from a receipt callback (anything else makes it push again).
RECEIPT_ANSWERS = {"aliyun": {"code": 0, "msg": "成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


def sms_receipts_parse(*, vendor: str, body: bytes) -> list[SmsReceipt]:
    """The receipts in a vendor's push: Aliyun's SmsReport array (biz_id, success, err_code, err_msg)
    or Tencent Cloud's status report array (sid, report_status, errmsg, description). Raises
    ValueError on a body that is neither."""
    items = json.loads(body or b"null")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError("a receipt push is a JSON array of objects")
    if vendor == "aliyun":
        return [
            SmsReceipt(
                str(item.get("biz_id", "")),
                item.get("success") is True,
                "" if item.get("success") is True else f"{item.get('err_code', '')} {item.get('err_msg', '')}".strip(),
            )
            for item in items
        ]
    if vendor == "tencent":
        return [
            SmsReceipt(
                str(item.get("sid", "")),
                item.get("report_status") == "SUCCESS",
                ""
                if item.get("report_status") == "SUCCESS"
                else f"{item.get('errmsg', '')} {item.get('description', '')}".strip(),
            )
            for item in items
        ]
    raise ValueError(f"unknown vendor {vendor}")
