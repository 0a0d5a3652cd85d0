"""Aliyun SMS (dysmsapi, API version 2017-05-25) as the gateway answers: RPC style, the classic
signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0) that aliyun-python-sdk-core and the
Tea SDK's RPC path compute, `SendSms` with PhoneNumbers / SignName / TemplateCode / TemplateParam,
and delivery receipts pushed as the `SmsReport` JSON array to the configured HTTP callback."""

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote, urlsplit

from .base import Fault, SentSms, SimulatorServer

CHINA = timezone(timedelta(hours=8))  # Aliyun's SendDate and times are Beijing time


def percent_encode(value: str) -> str:
    return quote(str(value), safe="-_.~")


def rpc_signature(params: dict, secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _json(status: int, body: dict):
    return status, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body, ensure_ascii=False).encode()


class AliyunSmsSimulator(SimulatorServer):
    host_id = "dysmsapi.aliyuncs.com"

    def _error(self, status, code, message):
        return _json(
            status,
            {
                "RequestId": str(uuid.uuid4()).upper(),
                "HostId": self.host_id,
                "Code": code,
                "Message": message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}",
            },
        )

    def handle(self, method, path, headers, body, fault):
        params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        if body:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        for name in ("AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "SignatureMethod", "Action", "Version"):
            if not params.get(name):
                return self._error(
                    400,
                    "MissingParameter",
                    f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
                )
        if params["AccessKeyId"] != self.key_id:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if params["SignatureMethod"] != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return self._error(400, "InvalidSignatureMethod", "Specified signature method is not supported.")
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        except ValueError:
            return self._error(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            )
        if abs(time.time() - stamp) > 15 * 60:
            return self._error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        signature = params.pop("Signature")
        expected = rpc_signature(params, self.key_secret, method)
        if fault is Fault.BAD_SIGNATURE or not hmac.compare_digest(signature, expected):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. server string to sign is:"
                f"{method}&%2F&{percent_encode('&'.join(f'{percent_encode(k)}={percent_encode(v)}' for k, v in sorted(params.items())))}",
            )
        if params["Action"] == "QuerySendDetails" and params["Version"] == "2017-05-25":
            return self._query_send_details(params)
        if params["Action"] != "SendSms" or params["Version"] != "2017-05-25":
            return self._error(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        request_id = str(uuid.uuid4()).upper()
        phones = [p.strip() for p in params.get("PhoneNumbers", "").split(",") if p.strip()]
        if fault is Fault.BUSINESS_LIMIT:
            return _json(
                200,
                {
                    "RequestId": request_id,
                    "Code": "isv.BUSINESS_LIMIT_CONTROL",
                    "Message": "触发号码天级流控Permits:10",
                },
            )
        if (
            fault is Fault.INVALID_NUMBER
            or not phones
            or not all(p.lstrip("+").isdigit() and len(p) >= 11 for p in phones)
        ):
            return _json(200, {"RequestId": request_id, "Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
        if params.get("SignName") not in self.sign_names:
            return _json(
                200, {"RequestId": request_id, "Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "该账号下找不到对应签名"}
            )
        text = self.templates.get(params.get("TemplateCode"))
        if text is None:
            return _json(
                200, {"RequestId": request_id, "Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "该账号下找不到对应模板"}
            )
        try:
            template_params = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return _json(200, {"RequestId": request_id, "Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法"})
        needed = set(re.findall(r"\$\{(\w+)\}", text))
        if not isinstance(template_params, dict) or needed - set(template_params):
            return _json(
                200,
                {
                    "RequestId": request_id,
                    "Code": "isv.TEMPLATE_MISSING_PARAMETERS",
                    "Message": "模板变量缺少对应参数值",
                },
            )
        if any(len(str(v)) > 35 for v in template_params.values()):
            return _json(
                200, {"RequestId": request_id, "Code": "isv.PARAM_LENGTH_LIMIT", "Message": "参数超出长度限制"}
            )
        biz_id = f"{int(time.time() * 1000) % 10**15}^{len(self.inbox)}"
        rendered = f"【{params['SignName']}】{self.render(text, template_params)}"
        for phone in phones:
            self.accepted(SentSms(phone, params["SignName"], params["TemplateCode"], template_params, rendered, biz_id))
        return _json(200, {"RequestId": request_id, "BizId": biz_id, "Code": "OK", "Message": "OK"})

    def _query_send_details(self, params):
        """QuerySendDetails: one number's messages of one day, optionally one BizId; SendStatus
        1 waiting for the receipt, 2 failed, 3 delivered."""
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not params.get(name):
                return self._error(
                    400,
                    "MissingParameter",
                    f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
                )
        found = [
            sms
            for sms in self.inbox
            if sms.phone == params["PhoneNumber"]
            and datetime.fromtimestamp(sms.at, CHINA).strftime("%Y%m%d") == params["SendDate"]
            and (not params.get("BizId") or sms.message_id == params["BizId"])
        ]
        details = [
            {
                "PhoneNum": sms.phone,
                "SendStatus": 1 if sms.delivered is None else 3 if sms.delivered else 2,
                "ErrCode": "" if sms.delivered is None else "DELIVERED" if sms.delivered else sms.reason,
                "TemplateCode": sms.template,
                "Content": sms.text,
                "SendDate": datetime.fromtimestamp(sms.at, CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                "ReceiveDate": "" if sms.delivered is None else datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                "OutId": "",
            }
            for sms in found
        ]
        return _json(
            200,
            {
                "RequestId": str(uuid.uuid4()).upper(),
                "Code": "OK",
                "Message": "OK",
                "TotalCount": len(details),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
            },
        )

    def mark(self, sms: SentSms, *, success: bool = True, err_code: str = "DELIVERED") -> None:
        """The handset answered: a receipt the vendor knows (and QuerySendDetails reports), pushed or not."""
        sms.delivered, sms.reason = success, "" if success else err_code

    def report(
        self,
        sms: SentSms,
        *,
        success: bool = True,
        err_code: str = "DELIVERED",
        err_msg: str = "用户接收成功",
        out_id: str = "",
    ) -> dict:
        """Push one SmsReport (the HTTP batch push of the receipt message) to receipt_url."""
        self.mark(sms, success=success, err_code=err_code)
        now = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        return self.push_receipts(
            [
                {
                    "phone_number": sms.phone,
                    "send_time": now,
                    "report_time": now,
                    "success": success,
                    "err_code": err_code,
                    "err_msg": err_msg,
                    "sms_size": "1",
                    "biz_id": sms.message_id,
                    "out_id": out_id,
                }
            ]
        )
