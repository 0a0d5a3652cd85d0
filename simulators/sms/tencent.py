"""Tencent Cloud SMS (sms, API version 2021-01-11) as the gateway answers: TC3-HMAC-SHA256 signed
JSON POSTs (`X-TC-Action: SendSms`), PhoneNumberSet / SmsSdkAppId / SignName / TemplateId /
TemplateParamSet, answers wrapped in `Response`, per-number status in `SendStatusSet`, and the
status report (回执) pushed as a JSON array to the configured callback — or, in pull mode, handed out
once each by `PullSmsSendStatus` (Limit ≤ 100, PullSmsSendStatusSet)."""

import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

from .base import Fault, SentSms, SimulatorServer

SERVICE = "sms"
CHINA = timezone(timedelta(hours=8))  # the status reports' times are Beijing time


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_signature(*, secret_key: str, timestamp: int, canonical_request: str) -> str:
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{SERVICE}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _json(body: dict):
    return 200, {"Content-Type": "application/json"}, json.dumps({"Response": body}, ensure_ascii=False).encode()


class TencentSmsSimulator(SimulatorServer):
    def __init__(self, *, sdk_app_id: str, **kwargs):
        super().__init__(**kwargs)
        self.sdk_app_id = sdk_app_id
        self.pending_reports: list[dict] = []  # status reports not pulled yet (pull mode)

    def _error(self, code, message, request_id):
        return _json({"Error": {"Code": code, "Message": message}, "RequestId": request_id})

    def handle(self, method, path, headers, body, fault):
        request_id = str(uuid.uuid4())
        auth = headers.get("Authorization", "")
        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/tc3_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
            auth,
        )
        if not match:
            return self._error("AuthFailure.InvalidAuthorization", "Authorization header format error.", request_id)
        secret_id, date, service, signed_headers, signature = match.groups()
        if secret_id != self.key_id:
            return self._error("AuthFailure.SecretIdNotFound", "The SecretId is not found.", request_id)
        try:
            timestamp = int(headers.get("X-TC-Timestamp", ""))
        except ValueError:
            return self._error("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is invalid.", request_id)
        if abs(time.time() - timestamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "Signature expired.", request_id)
        names = signed_headers.split(";")
        if "content-type" not in names or "host" not in names:
            return self._error(
                "AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host.", request_id
            )
        canonical_headers = "".join(
            f"{n}:{(headers.get(n) or '').strip().lower() if n == 'x-tc-action' else (headers.get(n) or '').strip()}\n"
            for n in names
        )
        path_only = path.split("?", 1)[0] or "/"
        query = path.split("?", 1)[1] if "?" in path else ""
        canonical_request = (
            f"{method}\n{path_only}\n{query}\n{canonical_headers}\n{signed_headers}\n{hashlib.sha256(body).hexdigest()}"
        )
        expected = tc3_signature(secret_key=self.key_secret, timestamp=timestamp, canonical_request=canonical_request)
        date_ok = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") == date and service == SERVICE
        if fault is Fault.BAD_SIGNATURE or not date_ok or not hmac.compare_digest(signature, expected):
            return self._error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct.",
                request_id,
            )
        action = headers.get("X-TC-Action")
        if action not in ("SendSms", "PullSmsSendStatus") or headers.get("X-TC-Version") != "2021-01-11":
            return self._error("InvalidAction", "The action requested was invalid or not found.", request_id)
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return self._error("InvalidParameter", "The request body is not valid JSON.", request_id)
        if payload.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error("FailedOperation.ForbiddenSdkAppId", "SmsSdkAppId is not yours.", request_id)
        if action == "PullSmsSendStatus":
            return self._pull(payload, request_id)
        phones = payload.get("PhoneNumberSet") or []
        if payload.get("SignName") not in self.sign_names:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。", request_id)
        text = self.templates.get(str(payload.get("TemplateId")))
        if text is None:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。", request_id)
        params = [str(p) for p in payload.get("TemplateParamSet") or []]
        if len(params) != len(set(re.findall(r"\{(\d+)\}", text))):
            return self._error(
                "InvalidParameterValue.TemplateParameterFormatError", "验证码模板参数格式错误。", request_id
            )
        statuses = []
        for phone in phones:
            serial = f"2433:{uuid.uuid4().int % 10**28}"
            if fault is Fault.BUSINESS_LIMIT:
                statuses.append(
                    self._status(
                        phone, serial, "LimitExceeded.PhoneNumberDailyLimit", "单个手机号日下发短信条数超过设定的上限"
                    )
                )
            elif fault is Fault.INVALID_NUMBER or not re.fullmatch(r"\+86 ?1\d{10}", phone):
                statuses.append(self._status(phone, "", "InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"))
            else:
                rendered = (
                    f"【{payload['SignName']}】{self.render(text, {str(i + 1): v for i, v in enumerate(params)})}"
                )
                self.accepted(SentSms(phone, payload["SignName"], str(payload["TemplateId"]), params, rendered, serial))
                statuses.append(self._status(phone, serial, "Ok", "send success"))
        return _json({"SendStatusSet": statuses, "RequestId": request_id})

    def _pull(self, payload: dict, request_id: str):
        limit = payload.get("Limit")
        if not isinstance(limit, int) or not 0 < limit <= 100:
            return self._error("InvalidParameterValue.InvalidLimit", "Limit 取值范围为1-100。", request_id)
        with self._lock:
            handed, self.pending_reports = self.pending_reports[:limit], self.pending_reports[limit:]
        return _json({"PullSmsSendStatusSet": handed, "RequestId": request_id})

    def mark(
        self, sms: SentSms, *, success: bool = True, errmsg: str = "DELIVRD", description: str = "用户短信送达成功"
    ) -> None:
        """The handset answered and no callback is configured: the status report waits to be pulled."""
        sms.delivered, sms.reason = success, "" if success else description
        phone = sms.phone.replace(" ", "")
        with self._lock:
            self.pending_reports.append(
                {
                    "UserReceiveTime": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                    "CountryCode": "86",
                    "SubscriberNumber": phone.removeprefix("+86"),
                    "PhoneNumber": phone,
                    "SerialNo": sms.message_id,
                    "ReportStatus": "SUCCESS" if success else "FAIL",
                    "Description": description if success else f"{errmsg} {description}",
                    "SessionContext": "",
                }
            )

    @staticmethod
    def _status(phone, serial, code, message):
        return {
            "SerialNo": serial,
            "PhoneNumber": phone,
            "Fee": 1 if code == "Ok" else 0,
            "SessionContext": "",
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }

    def report(
        self, sms: SentSms, *, success: bool = True, errmsg: str = "DELIVRD", description: str = "用户短信送达成功"
    ) -> dict:
        """Push one status report (短信下发状态回执) to receipt_url."""
        return self.push_receipts(
            [
                {
                    "user_receive_time": datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                    "nationcode": "86",
                    "mobile": sms.phone.removeprefix("+86"),
                    "report_status": "SUCCESS" if success else "FAIL",
                    "errmsg": errmsg,
                    "description": description,
                    "sid": sms.message_id,
                }
            ]
        )
