"""The WeChat Pay API v3 simulator: state, protocol, notify delivery, faults (see __init__.py)."""

import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import crypto

CST = timezone(timedelta(hours=8))
SCHEME = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW = 300
# WeChat Pay's notify schedule (15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h), scaled down.
NOTIFY_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
FAULTS = {
    "bad_signature",
    "signtest",
    "duplicate",
    "lost",
    "late",
    "amount_mismatch",
    "stale_timestamp",
    "server_error",
    "server_error_after",  # the call is carried out, then answered 500 (the answer is lost)
    "transfer_fail",  # the next merchant transfer finishing ends FAIL (with transfer_fail_reason)
    "transfer_hold",  # the next merchant transfer stays PROCESSING until transfers_release()
}
TRANSFER_OPEN = {"ACCEPTED", "PROCESSING", "WAIT_USER_CONFIRM", "TRANSFERING"}
TRANSFER_FAIL_REASONS = {"ACCOUNT_NOT_EXIST", "NAME_NOT_CORRECT", "EXCEED_PAYEE_ACCOUNT_LIMIT", "ACCOUNT_FROZEN"}


def rfc3339(moment: datetime | None = None) -> str:
    return (moment or datetime.now(CST)).astimezone(CST).replace(microsecond=0).isoformat()


@dataclass
class Merchant:
    """What a real merchant downloads from the merchant platform: its API key and certificate
    serial, its APIv3 key; the gateway keeps the public half."""

    mchid: str
    serial: str
    private_key_pem: str
    apiv3_key: str
    appids: set = field(default_factory=set)
    sub_mchids: set = field(default_factory=set)
    public_key: object = None


@dataclass
class Trade:
    merchant: Merchant
    sub_mchid: str
    appid: str
    sub_appid: str
    out_trade_no: str
    amount: int
    description: str
    notify_url: str
    trade_type: str
    time_expire: datetime | None
    openid: str = ""
    prepay_id: str = ""
    payer_client_ip: str = ""  # an H5 trade's scene_info.payer_client_ip
    state: str = "NOTPAY"
    transaction_id: str = ""
    success_time: str = ""
    refunded: int = 0

    @property
    def partner(self) -> bool:
        return bool(self.sub_mchid)

    def resource(self) -> dict:
        data = {"sp_appid": self.appid, "sp_mchid": self.merchant.mchid, "sub_mchid": self.sub_mchid}
        if self.sub_appid:
            data["sub_appid"] = self.sub_appid
        if not self.partner:
            data = {"appid": self.appid, "mchid": self.merchant.mchid}
        data.update(
            {
                "out_trade_no": self.out_trade_no,
                "trade_type": self.trade_type,
                "trade_state": self.state,
                "trade_state_desc": {"NOTPAY": "未支付", "SUCCESS": "支付成功", "CLOSED": "已关闭"}[self.state],
                "amount": {"total": self.amount, "currency": "CNY"},
            }
        )
        if self.state == "SUCCESS":
            data.update(
                {
                    "transaction_id": self.transaction_id,
                    "bank_type": "OTHERS",
                    "attach": "",
                    "success_time": self.success_time,
                    "payer": {"sp_openid" if self.partner else "openid": self.openid or "oSIMULATEDPAYER"},
                }
            )
            data["amount"].update({"payer_total": self.amount, "payer_currency": "CNY"})
        return data


@dataclass
class Refund:
    trade: Trade
    out_refund_no: str
    refund_id: str
    amount: int
    notify_url: str
    create_time: str
    status: str = "PROCESSING"
    success_time: str = ""

    def resource(self) -> dict:
        data = {
            "refund_id": self.refund_id,
            "out_refund_no": self.out_refund_no,
            "transaction_id": self.trade.transaction_id,
            "out_trade_no": self.trade.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": self.create_time,
            "status": self.status,
            "funds_account": "AVAILABLE",
            "amount": {
                "total": self.trade.amount,
                "refund": self.amount,
                "payer_total": self.trade.amount,
                "payer_refund": self.amount,
                "settlement_total": self.trade.amount,
                "settlement_refund": self.amount,
                "discount_refund": 0,
                "currency": "CNY",
            },
        }
        if self.success_time:
            data["success_time"] = self.success_time
        return data

    def notify_resource(self) -> dict:
        data = {"mchid": self.trade.merchant.mchid}
        if self.trade.partner:
            data = {"sp_mchid": self.trade.merchant.mchid, "sub_mchid": self.trade.sub_mchid}
        data.update(
            {
                "out_trade_no": self.trade.out_trade_no,
                "transaction_id": self.trade.transaction_id,
                "out_refund_no": self.out_refund_no,
                "refund_id": self.refund_id,
                "refund_status": self.status,
                "success_time": self.success_time,
                "user_received_account": "支付用户零钱",
                "amount": {
                    "total": self.trade.amount,
                    "refund": self.amount,
                    "payer_total": self.trade.amount,
                    "payer_refund": self.amount,
                },
            }
        )
        return data


@dataclass
class TransferBill:
    """A merchant transfer (商家转账, /v3/fund-app/mch-transfer/transfer-bills) to a user's openid."""

    merchant: Merchant
    appid: str
    out_bill_no: str
    transfer_bill_no: str
    transfer_scene_id: str
    openid: str
    amount: int
    remark: str
    notify_url: str
    create_time: str
    state: str = "ACCEPTED"
    fail_reason: str = ""
    update_time: str = ""
    held: bool = False
    fail_with: str = ""

    def resource(self) -> dict:
        data = {
            "mch_id": self.merchant.mchid,
            "out_bill_no": self.out_bill_no,
            "transfer_bill_no": self.transfer_bill_no,
            "appid": self.appid,
            "state": self.state,
            "transfer_amount": self.amount,
            "transfer_remark": self.remark,
            "openid": self.openid,
            "create_time": self.create_time,
            "update_time": self.update_time or self.create_time,
        }
        if self.fail_reason:
            data["fail_reason"] = self.fail_reason
        return data


@dataclass
class Delivery:
    event_id: str
    event_type: str
    url: str
    body: bytes
    attempts: int = 0
    next_at: float = 0.0
    done: bool = False
    held: bool = False
    gave_up: bool = False
    extra_sends: int = 0


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def http_post(url: str, headers: dict, body: bytes) -> tuple[int, bytes]:
    """The default notify transport: a real HTTP POST."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


class WechatPaySimulator:
    def __init__(self, *, key_mode: str = "certificate", auto_deliver: bool = False, schedule_scale: float = 0.001):
        self.lock = threading.RLock()
        self.merchants: dict[str, Merchant] = {}
        self.trades: dict[tuple[str, str, str], Trade] = {}  # (mchid, sub_mchid, out_trade_no)
        self.prepay: dict[str, Trade] = {}
        self.refunds: dict[tuple[str, str], Refund] = {}  # (mchid, out_refund_no)
        self.transfers: dict[tuple[str, str], TransferBill] = {}  # (mchid, out_bill_no)
        self.transfer_fail_reason = "ACCOUNT_NOT_EXIST"
        self.outbox: list[Delivery] = []
        self.deliveries: list[dict] = []  # every attempt: event_id, event_type, status, faults
        self.lost: list[dict] = []
        self.requests: list[dict] = []  # every API call: method, path, status, code
        self.faults: dict[str, int] = {}
        self.platform: dict[str, tuple[object, str]] = {}  # serial / PUB_KEY_ID -> (private key, PEM)
        self.signing_serial = ""
        self.schedule = tuple(seconds * schedule_scale for seconds in NOTIFY_SCHEDULE)
        self.auto_deliver = auto_deliver
        self.transport = http_post
        self.rotate(key_mode)
        self._server = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # --- life -----------------------------------------------------------------------------

    def start(self, port: int = 0) -> "WechatPaySimulator":
        simulator = self

        class Handler(_Handler):
            sim = simulator

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._threads = [threading.Thread(target=self._server.serve_forever, daemon=True)]
        if self.auto_deliver:
            self._threads.append(threading.Thread(target=self._deliver_loop, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _deliver_loop(self) -> None:
        while not self._stopping.wait(0.05):
            self.deliver()

    # --- keys -----------------------------------------------------------------------------

    def merchant_add(self, mchid: str, *, appids=(), sub_mchids=()) -> Merchant:
        """A merchant (or a service provider, 服务商) and its API credentials."""
        key = crypto.new_key()
        serial, _ = crypto.certificate(key, common_name=mchid)
        merchant = Merchant(
            mchid=mchid,
            serial=serial,
            private_key_pem=crypto.private_pem(key),
            apiv3_key=crypto.nonce(32),
            appids=set(appids),
            sub_mchids=set(sub_mchids),
            public_key=key.public_key(),
        )
        with self.lock:
            self.merchants[mchid] = merchant
        return merchant

    def rotate(self, mode: str = "certificate") -> str:
        """A new platform key signs from now on: a platform certificate (serial) or a WeChat Pay
        public key (PUB_KEY_ID_…). The old keys stay listed (a switch-over)."""
        key = crypto.new_key()
        if mode == "certificate":
            serial, pem = crypto.certificate(key, common_name="Tenpay.com Root CA")
        elif mode == "public_key":
            serial, pem = f"PUB_KEY_ID_01{secrets.randbelow(10**22):022d}", crypto.public_pem(key)
        else:
            raise ValueError(mode)
        with self.lock:
            self.platform[serial] = (key, pem)
            self.signing_serial = serial
        return serial

    def platform_keys(self) -> dict[str, str]:
        """Serial / public key id -> PEM (certificate or public key): what the merchant downloads."""
        with self.lock:
            return {serial: pem for serial, (_, pem) in self.platform.items()}

    def fault(self, name: str, times: int = 1) -> None:
        if name not in FAULTS:
            raise ValueError(name)
        with self.lock:
            self.faults[name] = self.faults.get(name, 0) + times

    def _take(self, name: str) -> bool:
        with self.lock:
            if self.faults.get(name, 0) > 0:
                self.faults[name] -= 1
                return True
            return False

    def _sign(self, body: bytes, *, timestamp: int | None = None) -> dict:
        key, _ = self.platform[self.signing_serial]
        timestamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = crypto.nonce()
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": crypto.sign(key, message),
            "Wechatpay-Serial": self.signing_serial,
            "Request-ID": uuid.uuid4().hex,
        }

    # --- the API --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers, body: bytes) -> tuple[int, dict, bytes]:
        path = urllib.parse.urlsplit(target).path
        if path.startswith("/pay/h5"):
            return self._pay_page(method, target, body)
        if path.startswith("/sim/"):
            return self._control(path, body)
        try:
            if self._take("server_error"):
                raise ApiError(500, "SYSTEM_ERROR", "系统错误")
            merchant = self._authenticate(method, target, headers, body)
            data = json.loads(body) if body else {}
            status, answer = self._route(method, path, urllib.parse.urlsplit(target).query, merchant, data)
            if self._take("server_error_after"):
                raise ApiError(500, "SYSTEM_ERROR", "系统错误")
        except ApiError as error:
            status, answer = error.status, {"code": error.code, "message": error.message}
        except (ValueError, KeyError, TypeError) as error:
            status, answer = 400, {"code": "PARAM_ERROR", "message": f"参数错误: {error}"}
        raw = b"" if answer is None else json.dumps(answer, ensure_ascii=False).encode()
        with self.lock:
            self.requests.append({"method": method, "path": path, "status": status, "code": (answer or {}).get("code")})
            signed = self._sign(raw)
        return status, {"Content-Type": "application/json", **signed}, raw

    def _authenticate(self, method, target, headers, body: bytes) -> Merchant:
        value = headers.get("Authorization", "")
        if not value.startswith(SCHEME + " "):
            raise ApiError(401, "SIGN_ERROR", "Authorization 缺失或格式错误")
        params = dict(re.findall(r'(\w+)="([^"]*)"', value[len(SCHEME) + 1 :]))
        if set(params) != {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}:
            raise ApiError(401, "SIGN_ERROR", "Authorization 参数不全")
        merchant = self.merchants.get(params["mchid"])
        if merchant is None or params["serial_no"] != merchant.serial:
            raise ApiError(401, "SIGN_ERROR", "商户证书序列号有误")
        if not params["timestamp"].isdigit() or abs(time.time() - int(params["timestamp"])) > MAX_SKEW:
            raise ApiError(401, "SIGN_ERROR", "请求时间戳过期")
        message = f"{method}\n{target}\n{params['timestamp']}\n{params['nonce_str']}\n".encode() + body + b"\n"
        if not crypto.verify(merchant.public_key, message, params["signature"]):
            raise ApiError(401, "SIGN_ERROR", "签名错误")
        return merchant

    def _route(self, method, path, query, merchant, data):
        query = dict(urllib.parse.parse_qsl(query))
        if path == "/v3/certificates" and method == "GET":
            return 200, {"data": self._certificates(merchant)}
        match = re.fullmatch(r"/v3/pay/(partner/)?transactions/(jsapi|h5)", path)
        if match and method == "POST":
            return 200, self._create(merchant, data, partner=bool(match[1]), trade_type=match[2].upper())
        match = re.fullmatch(r"/v3/pay/(partner/)?transactions/out-trade-no/([^/]+)(/close)?", path)
        if match:
            partner, out_trade_no, close = bool(match[1]), match[2], bool(match[3])
            source = data if close else query
            mchid = source.get("sp_mchid" if partner else "mchid")
            if mchid != merchant.mchid:
                raise ApiError(400, "PARAM_ERROR", "mchid 与请求商户不符")
            if partner and source.get("sub_mchid", "") not in merchant.sub_mchids:
                raise ApiError(400, "INVALID_REQUEST", "子商户号与服务商不存在绑定关系")
            trade = self._trade(merchant, source.get("sub_mchid", "") if partner else "", out_trade_no)
            if close and method == "POST":
                with self.lock:
                    if trade.state == "SUCCESS":
                        raise ApiError(400, "ORDERPAID", "订单已支付")
                    trade.state = "CLOSED"
                return 204, None
            if method == "GET":
                self._expire(trade)
                return 200, trade.resource()
        if path == "/v3/refund/domestic/refunds" and method == "POST":
            return 200, self._refund(merchant, data)
        match = re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", path)
        if match and method == "GET":
            refund = self.refunds.get((merchant.mchid, match[1]))
            if refund is None or refund.trade.sub_mchid != query.get("sub_mchid", ""):
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return 200, refund.resource()
        if path == "/v3/fund-app/mch-transfer/transfer-bills" and method == "POST":
            return 200, self._transfer_create(merchant, data)
        match = re.fullmatch(r"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/([^/]+)(/cancel)?", path)
        if match:
            with self.lock:
                bill = self.transfers.get((merchant.mchid, match[1]))
                if bill is None:
                    raise ApiError(404, "NOT_FOUND", "记录不存在")
                if match[2] and method == "POST":
                    if bill.state not in TRANSFER_OPEN:
                        raise ApiError(400, "INVALID_REQUEST", "单据状态不允许撤销")
                    bill.state, bill.update_time = "CANCELLED", rfc3339()
                    return 200, {
                        "out_bill_no": bill.out_bill_no,
                        "transfer_bill_no": bill.transfer_bill_no,
                        "state": "CANCELING",
                        "update_time": bill.update_time,
                    }
                if method == "GET":
                    return 200, bill.resource()
        raise ApiError(404, "NOT_FOUND", f"no such API: {method} {path}")

    def _transfer_create(self, merchant: Merchant, data: dict) -> dict:
        appid, out_bill_no, amount = data["appid"], data["out_bill_no"], data["transfer_amount"]
        if merchant.appids and appid not in merchant.appids:
            raise ApiError(400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配")
        if not re.fullmatch(r"[0-9A-Za-z]{1,32}", out_bill_no):
            raise ApiError(400, "PARAM_ERROR", "out_bill_no 只能由数字、大小写字母组成")
        if not isinstance(amount, int) or amount <= 0:
            raise ApiError(400, "PARAM_ERROR", "transfer_amount 有误")
        if not data["transfer_scene_id"] or not data["openid"] or not 0 < len(data["transfer_remark"]) <= 32:
            raise ApiError(400, "PARAM_ERROR", "transfer_scene_id、openid 或 transfer_remark 有误")
        if not isinstance(data["transfer_scene_report_infos"], list) or not data["transfer_scene_report_infos"]:
            raise ApiError(400, "PARAM_ERROR", "缺少 transfer_scene_report_infos")
        if amount >= 200000 and not data.get("user_name"):
            raise ApiError(400, "PARAM_ERROR", "转账金额 >= 2000 元时必须填写收款用户姓名")
        if amount < 200000 and "user_name" in data:  # this simulator does not decrypt names
            raise ApiError(400, "PARAM_ERROR", "user_name 仅在转账金额 >= 2000 元时填写")
        notify_url = data.get("notify_url", "")
        if notify_url and ("?" in notify_url or not notify_url.startswith(("http://", "https://"))):
            raise ApiError(400, "PARAM_ERROR", "notify_url 不能携带参数")
        key = (merchant.mchid, out_bill_no)
        with self.lock:
            bill = self.transfers.get(key)
            if bill is not None:  # the same bill number again: the same bill, never a second transfer
                if (bill.openid, bill.amount) != (data["openid"], amount):
                    raise ApiError(400, "INVALID_REQUEST", "商户单号重复，且参数与原单不一致")
            else:
                bill = TransferBill(
                    merchant=merchant,
                    appid=appid,
                    out_bill_no=out_bill_no,
                    transfer_bill_no="1330" + datetime.now(CST).strftime("%Y%m%d") + secrets.token_hex(10),
                    transfer_scene_id=data["transfer_scene_id"],
                    openid=data["openid"],
                    amount=amount,
                    remark=data["transfer_remark"],
                    notify_url=notify_url,
                    create_time=rfc3339(),
                )
                if self._take("transfer_hold"):
                    bill.held, bill.state = True, "PROCESSING"
                if self._take("transfer_fail"):
                    bill.fail_with = self.transfer_fail_reason
                self.transfers[key] = bill
            answer = {
                "out_bill_no": bill.out_bill_no,
                "transfer_bill_no": bill.transfer_bill_no,
                "create_time": bill.create_time,
                "state": bill.state,
            }
            if bill.state == "WAIT_USER_CONFIRM":
                answer["package_info"] = "affffddafdfafddffda=="
        return answer

    def transfers_finish(self) -> int:
        """Every open merchant transfer not held finishes: SUCCESS, or FAIL with its reason (the
        transfer_fail fault); its MCHTRANSFER.BILL.FINISHED notify is queued. Answers how many."""
        with self.lock:
            due = [bill for bill in self.transfers.values() if bill.state in TRANSFER_OPEN and not bill.held]
            for bill in due:
                bill.state = "FAIL" if bill.fail_with else "SUCCESS"
                bill.fail_reason, bill.update_time = bill.fail_with, rfc3339()
        for bill in due:
            if bill.notify_url:
                self._notify(
                    bill.merchant,
                    bill.notify_url,
                    "MCHTRANSFER.BILL.FINISHED",
                    "商家转账单据终态通知",
                    "mch_payment",
                    bill.resource(),
                )
        return len(due)

    def transfers_release(self) -> int:
        """Held transfers (PROCESSING) may finish from now on."""
        with self.lock:
            held = [bill for bill in self.transfers.values() if bill.held]
            for bill in held:
                bill.held = False
        return len(held)

    def _certificates(self, merchant: Merchant) -> list[dict]:
        """下载平台证书: every platform certificate (not the public keys, which have none), each
        encrypted under the merchant's APIv3 key as WeChat Pay does."""
        now = datetime.now(CST)
        with self.lock:
            certificates = [(serial, pem) for serial, (_, pem) in self.platform.items() if "CERTIFICATE" in pem]
        return [
            {
                "serial_no": serial,
                "effective_time": rfc3339(now - timedelta(days=1)),
                "expire_time": rfc3339(now + timedelta(days=365 * 5)),
                "encrypt_certificate": crypto.aead_encrypt(merchant.apiv3_key, pem.encode(), "certificate"),
            }
            for serial, pem in certificates
        ]

    def _trade(self, merchant, sub_mchid, out_trade_no) -> Trade:
        trade = self.trades.get((merchant.mchid, sub_mchid, out_trade_no))
        if trade is None:
            raise ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
        return trade

    def _expire(self, trade: Trade) -> None:
        with self.lock:
            if trade.state == "NOTPAY" and trade.time_expire and trade.time_expire <= datetime.now(CST):
                trade.state = "CLOSED"

    def _create(self, merchant: Merchant, data: dict, *, partner: bool, trade_type: str) -> dict:
        if partner:
            mchid, appid, sub_mchid = data["sp_mchid"], data["sp_appid"], data["sub_mchid"]
            if sub_mchid not in merchant.sub_mchids:
                raise ApiError(400, "INVALID_REQUEST", "子商户号与服务商不存在绑定关系")
        else:
            mchid, appid, sub_mchid = data["mchid"], data["appid"], ""
        if mchid != merchant.mchid:
            raise ApiError(400, "PARAM_ERROR", "mchid 与请求商户不符")
        if merchant.appids and appid not in merchant.appids:
            raise ApiError(400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配")
        notify_url = data["notify_url"]
        if "?" in notify_url or not notify_url.startswith(("http://", "https://")):
            raise ApiError(400, "PARAM_ERROR", "notify_url 不能携带参数")
        out_trade_no, amount = data["out_trade_no"], data["amount"]["total"]
        if not 6 <= len(out_trade_no) <= 32 or not isinstance(amount, int) or amount <= 0:
            raise ApiError(400, "PARAM_ERROR", "out_trade_no 或 amount 有误")
        openid = ""
        if trade_type == "JSAPI":
            payer = data["payer"]
            openid = payer.get("sp_openid") or payer.get("sub_openid") or payer.get("openid") or ""
            if not openid:
                raise ApiError(400, "PARAM_ERROR", "缺少 payer.openid")
        else:
            if not data["scene_info"]["payer_client_ip"] or "type" not in data["scene_info"]["h5_info"]:
                raise ApiError(400, "PARAM_ERROR", "缺少 scene_info")
        time_expire = datetime.fromisoformat(data["time_expire"]) if data.get("time_expire") else None
        key = (merchant.mchid, sub_mchid, out_trade_no)
        with self.lock:
            trade = self.trades.get(key)
            if trade is not None:
                if trade.state == "SUCCESS":
                    raise ApiError(400, "ORDERPAID", "该订单已支付")
                if trade.state == "CLOSED":
                    raise ApiError(400, "ORDER_CLOSED", "订单已关闭")
                if (trade.amount, trade.trade_type) != (amount, trade_type):
                    raise ApiError(400, "INVALID_REQUEST", "201 商户订单号重复")
            else:
                trade = Trade(
                    merchant=merchant,
                    sub_mchid=sub_mchid,
                    appid=appid,
                    sub_appid=data.get("sub_appid", ""),
                    out_trade_no=out_trade_no,
                    amount=amount,
                    description=data["description"],
                    notify_url=notify_url,
                    trade_type=trade_type,
                    time_expire=time_expire,
                    openid=openid,
                    payer_client_ip=(data.get("scene_info") or {}).get("payer_client_ip", ""),
                    prepay_id="wx" + datetime.now(CST).strftime("%d%H%M%S") + secrets.token_hex(12),
                )
                self.trades[key] = trade
                self.prepay[trade.prepay_id] = trade
        if trade_type == "JSAPI":
            return {"prepay_id": trade.prepay_id}
        return {"h5_url": f"{self.base_url}/pay/h5?prepay_id={trade.prepay_id}&package={secrets.randbelow(10**10)}"}

    def _refund(self, merchant: Merchant, data: dict) -> dict:
        trade = self._trade(merchant, data.get("sub_mchid", ""), data["out_trade_no"])
        amount = data["amount"]
        if amount["total"] != trade.amount or not isinstance(amount["refund"], int) or amount["refund"] <= 0:
            raise ApiError(400, "PARAM_ERROR", "订单金额或退款金额与原订单不符")
        with self.lock:
            existing = self.refunds.get((merchant.mchid, data["out_refund_no"]))
            if existing is not None:
                if existing.amount != amount["refund"] or existing.trade is not trade:
                    raise ApiError(400, "INVALID_REQUEST", "退款单号重复")
                return existing.resource()
            if trade.state != "SUCCESS":
                raise ApiError(400, "INVALID_REQUEST", "订单未支付")
            if trade.refunded + amount["refund"] > trade.amount:
                raise ApiError(400, "NOT_ENOUGH", "可退金额不足")
            trade.refunded += amount["refund"]
            refund = Refund(
                trade=trade,
                out_refund_no=data["out_refund_no"],
                refund_id="5030" + datetime.now(CST).strftime("%Y%m%d") + secrets.token_hex(8),
                amount=amount["refund"],
                notify_url=data.get("notify_url", ""),
                create_time=rfc3339(),
            )
            self.refunds[(merchant.mchid, refund.out_refund_no)] = refund
        return refund.resource()

    # --- the payer, and refunds settling --------------------------------------------------

    def trade(self, out_trade_no: str) -> Trade:
        with self.lock:
            found = [trade for (_, _, no), trade in self.trades.items() if no == out_trade_no]
        if not found:
            raise KeyError(out_trade_no)
        return found[0]

    def pay(self, out_trade_no: str) -> Trade:
        """The payer confirms (the pay page's button, or a test's hand): the trade succeeds and its notify is queued."""
        trade = self.trade(out_trade_no)
        self._expire(trade)
        with self.lock:
            if trade.state != "NOTPAY":
                raise ValueError(f"trade {out_trade_no} is {trade.state}")
            trade.state = "SUCCESS"
            trade.transaction_id = "4200" + datetime.now(CST).strftime("%Y%m%d") + f"{secrets.randbelow(10**10):010d}"
            trade.success_time = rfc3339()
            resource = trade.resource()
        if self._take("amount_mismatch"):
            resource["amount"]["total"] += 1
            resource["amount"]["payer_total"] += 1
        self._notify(trade.merchant, trade.notify_url, "TRANSACTION.SUCCESS", "支付成功", "transaction", resource)
        return trade

    def refunds_settle(self, status: str = "SUCCESS") -> int:
        """Every refund still processing ends SUCCESS (or ABNORMAL / CLOSED: the money goes back
        to the merchant); its REFUND.<status> notify is queued."""
        summary = {"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}[status]
        with self.lock:
            processing = [refund for refund in self.refunds.values() if refund.status == "PROCESSING"]
            for refund in processing:
                refund.status = status
                if status == "SUCCESS":
                    refund.success_time = rfc3339()
                else:
                    refund.trade.refunded -= refund.amount
        for refund in processing:
            if refund.notify_url:
                resource = refund.notify_resource()
                self._notify(refund.trade.merchant, refund.notify_url, f"REFUND.{status}", summary, "refund", resource)
        return len(processing)

    # --- notifies -------------------------------------------------------------------------

    def _notify(self, merchant, url, event_type, summary, original_type, resource: dict) -> None:
        encrypted = crypto.aead_encrypt(
            merchant.apiv3_key, json.dumps(resource, ensure_ascii=False).encode(), original_type
        )
        envelope = {
            "id": str(uuid.uuid4()),
            "create_time": rfc3339(),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {**encrypted, "original_type": original_type},
        }
        body = json.dumps(envelope, ensure_ascii=False).encode()
        delivery = Delivery(event_id=envelope["id"], event_type=event_type, url=url, body=body)
        if self._take("lost"):
            with self.lock:
                self.lost.append({"event_id": delivery.event_id, "event_type": event_type})
            return
        delivery.held = self._take("late")
        delivery.extra_sends = 2 if self._take("duplicate") else 0
        with self.lock:
            self.outbox.append(delivery)

    def release_late(self) -> int:
        with self.lock:
            held = [delivery for delivery in self.outbox if delivery.held]
            for delivery in held:
                delivery.held = False
        return len(held)

    def resend(self, event_id: str, times: int = 1, transport=None) -> list[int]:
        """The same notify (same id, same body) sent again `times` times now; the statuses answered."""
        delivery = next(delivery for delivery in self.outbox if delivery.event_id == event_id)
        return [self._send(delivery, transport) for _ in range(times)]

    def notify_headers(self, body: bytes) -> dict:
        """Headers of a notify sent now, with the faults that apply to one attempt."""
        applied = []
        timestamp = None
        if self._take("stale_timestamp"):
            timestamp, applied = int(time.time()) - 600, ["stale_timestamp"]
        with self.lock:
            headers = self._sign(body, timestamp=timestamp)
        if self._take("signtest"):
            headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + crypto.nonce(64)
            applied.append("signtest")
        elif self._take("bad_signature"):
            signature = headers["Wechatpay-Signature"]
            headers["Wechatpay-Signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
            applied.append("bad_signature")
        headers["Content-Type"] = "application/json"
        headers["_faults"] = applied
        return headers

    def _send(self, delivery: Delivery, transport=None) -> int:
        headers = self.notify_headers(delivery.body)
        faults = headers.pop("_faults")
        status, answer = (transport or self.transport)(delivery.url, headers, delivery.body)
        ok = 200 <= status < 300
        if ok and answer.strip():
            try:
                ok = json.loads(answer).get("code", "SUCCESS") == "SUCCESS"
            except (ValueError, AttributeError):
                ok = False
        with self.lock:
            self.deliveries.append(
                {
                    "event_id": delivery.event_id,
                    "event_type": delivery.event_type,
                    "status": status,
                    "ok": ok,
                    "faults": faults,
                }
            )
        return status if ok or status else 0

    def deliver(self, transport=None, *, now: float | None = None) -> int:
        """Send every notify due now (the retry schedule of each); answers how many were sent."""
        now = time.monotonic() if now is None else now
        with self.lock:
            due = [d for d in self.outbox if not d.done and not d.held and d.next_at <= now]
        for delivery in due:
            status = self._send(delivery, transport)
            succeeded = self.deliveries[-1]["ok"]
            with self.lock:
                delivery.attempts += 1
                if succeeded:
                    delivery.done = True
                elif delivery.attempts > len(self.schedule):
                    delivery.done = delivery.gave_up = True
                else:
                    delivery.next_at = now + self.schedule[delivery.attempts - 1]
            if succeeded:
                for _ in range(delivery.extra_sends):
                    self._send(delivery, transport)
                delivery.extra_sends = 0
            del status
        return len(due)

    def deliver_all(self, transport=None, *, timeout: float = 5.0) -> None:
        """Deliver until no notify is waiting (retries on the shortened schedule) or `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.deliver(transport)
            with self.lock:
                if all(d.done or d.held for d in self.outbox):
                    return
            time.sleep(0.01)

    # --- pages and control ----------------------------------------------------------------

    def _pay_page(self, method, target, body):
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
        if method == "POST":
            params.update(urllib.parse.parse_qsl(body.decode()))
        trade = self.prepay.get(params.get("prepay_id", ""))
        if trade is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, "<p>支付链接无效</p>".encode()
        message = ""
        if method == "POST":
            try:
                self.pay(trade.out_trade_no)
                message = "支付成功"
            except ValueError:
                message = "订单已支付或已关闭"
            if params.get("redirect_url"):
                return 302, {"Location": params["redirect_url"]}, b""
        page = (
            "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>"
            "<title>微信支付</title><style>body{font-family:sans-serif;text-align:center;margin:0;padding:32px 16px;"
            "background:#f7f7f7}h1{font-size:18px;color:#07c160}.amount{font-size:36px;font-weight:600;margin:24px 0}"
            "button{width:100%;max-width:360px;padding:12px;font-size:17px;color:#fff;background:#07c160;border:0;"
            "border-radius:6px}</style>"
            f"<h1>微信支付</h1><p>{html.escape(trade.description)}</p>"
            f"<p class=amount>¥{trade.amount // 100}.{trade.amount % 100:02d}</p><p class=state>{message}</p>"
            f'<form method=post><input type=hidden name=prepay_id value="{html.escape(trade.prepay_id)}">'
            f'<input type=hidden name=redirect_url value="{html.escape(params.get("redirect_url", ""))}">'
            "<button name=action value=confirm>确认支付</button></form>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()

    def _control(self, path, body):
        data = json.loads(body or b"{}")
        try:
            if path == "/sim/pay":  # the payer pays: by out_trade_no, or by the prepay_id WeChat's pay sheet got
                out_trade_no = (
                    data["out_trade_no"] if "out_trade_no" in data else self.prepay[data["prepay_id"]].out_trade_no
                )
                answer = {"state": self.pay(out_trade_no).state}
            elif path == "/sim/fault":
                if data.get("reason"):  # transfer_fail: which fail_reason
                    if data["reason"] not in TRANSFER_FAIL_REASONS:
                        raise ValueError(data["reason"])
                    self.transfer_fail_reason = data["reason"]
                self.fault(data["name"], data.get("times", 1))
                answer = {"faults": self.faults}
            elif path == "/sim/rotate":
                answer = {"serial": self.rotate(data.get("mode", "certificate"))}
            elif path == "/sim/refunds/settle":
                answer = {"settled": self.refunds_settle()}
            elif path == "/sim/transfers/finish":
                answer = {"finished": self.transfers_finish()}
            elif path == "/sim/transfers/release":
                answer = {"released": self.transfers_release()}
            else:
                return 404, {}, b""
        except (KeyError, ValueError) as error:
            return 400, {"Content-Type": "application/json"}, json.dumps({"error": str(error)}).encode()
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()


class _Handler(BaseHTTPRequestHandler):
    sim: WechatPaySimulator

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, raw = self.sim.handle(self.command, self.path, self.headers, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _serve

    def log_message(self, format, *args):  # quiet in tests
        pass
