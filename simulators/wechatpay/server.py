"""The WeChat Pay API v3 simulator: state, protocol, notify delivery, faults (see __init__.py)."""

import base64
import gzip
import hashlib
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
    "timeout",  # the call is carried out, then answered only after timeout_delay (the caller gave up)
    "transfer_fail",  # the next merchant transfer finishing ends FAIL (with transfer_fail_reason)
    "transfer_hold",  # the next merchant transfer stays PROCESSING until transfers_release()
    "rotate",  # a new platform certificate signs from the next answer on (listed by /v3/certificates)
    "bill_drop",  # the next bill leaves out its first trade (missing on WeChat Pay's side)
    "bill_amount",  # the next bill books its first trade 1 fen more
    "bill_extra",  # the next bill lists a paid trade the merchant never opened (missing on its side)
    "bill_refund_state",  # the next bill lists its first refund as REFUNDCLOSE
    "bill_bad_hash",  # the next bill's hash_value does not match the file
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
    code_url: str = ""  # a Native trade's QR code (weixin://wxpay/bizpayurl?pr=…), the same on each ask
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
    sub_mchid: str = ""  # a 服务商's transfer for its sub-merchant (/v3/fund-app/mch-transfer/partner/…)
    package_info: str = ""  # WAIT_USER_CONFIRM: what the payee's WeChat opens to confirm

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
        if self.sub_mchid:
            data = {"sp_mchid": data.pop("mch_id"), "sub_mchid": self.sub_mchid, **data}
        if self.state == "WAIT_USER_CONFIRM":
            data["package_info"] = self.package_info
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
        self.codes: dict[str, Trade] = {}  # a Native code_url's pr -> its trade
        self.refunds: dict[tuple[str, str], Refund] = {}  # (mchid, out_refund_no)
        self.transfers: dict[tuple[str, str], TransferBill] = {}  # (mchid, out_bill_no)
        self.transfer_fail_reason = "ACCOUNT_NOT_EXIST"
        self.timeout_delay = 2.0  # seconds the answer is held under the `timeout` fault
        # The current 商家转账 asks the payee to confirm in WeChat (WAIT_USER_CONFIRM + package_info)
        # unless the merchant has 免确认收款授权; off keeps the older accept-and-pay behaviour.
        self.transfer_user_confirm = False
        # WeChat Pay refuses a bill for today (it is ready after 10:00 the next day); tests of a
        # day's orders ask for today's bill with this on.
        self.bill_today_allowed = False
        self.bills: dict[str, tuple[str, bytes]] = {}  # download token -> (mchid, file bytes)
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

    def _oldest_certificate(self) -> str | None:
        return next((serial for serial in self.platform if not serial.startswith("PUB_KEY_ID_")), None)

    def _sign(self, body: bytes, *, timestamp: int | None = None, serial: str | None = None) -> dict:
        serial = serial or self.signing_serial
        key, _ = self.platform[serial]
        timestamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = crypto.nonce()
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": crypto.sign(key, message),
            "Wechatpay-Serial": serial,
            "Request-ID": uuid.uuid4().hex,
        }

    # --- the API --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers, body: bytes) -> tuple[int, dict, bytes]:
        path = urllib.parse.urlsplit(target).path
        if path == "/pay/scan":
            return self._scan_page()
        if path.startswith(("/pay/h5", "/pay/native")):
            return self._pay_page(method, target, body)
        if path.startswith("/sim/"):
            return self._control(path, body)
        if self._take("rotate"):  # a new platform certificate signs from this answer on
            self.rotate("certificate")
        try:
            if self._take("server_error"):
                raise ApiError(500, "SYSTEM_ERROR", "系统错误")
            merchant = self._authenticate(method, target, headers, body)
            if path == "/v3/billdownload/file" and method == "GET":
                # The file itself is not signed: the merchant checks it against the hash it was given.
                raw = self._bill_file(merchant, target)
                with self.lock:
                    self.requests.append({"method": method, "path": path, "status": 200, "code": None})
                return 200, {"Content-Type": "application/octet-stream"}, raw
            data = json.loads(body) if body else {}
            status, answer = self._route(method, path, urllib.parse.urlsplit(target).query, merchant, data)
            if self._take("server_error_after"):
                raise ApiError(500, "SYSTEM_ERROR", "系统错误")
            if self._take("timeout"):  # done, but the answer comes after the caller stopped waiting
                time.sleep(self.timeout_delay)
        except ApiError as error:
            status, answer = error.status, {"code": error.code, "message": error.message}
        except (ValueError, KeyError, TypeError) as error:
            status, answer = 400, {"code": "PARAM_ERROR", "message": f"参数错误: {error}"}
        raw = b"" if answer is None else json.dumps(answer, ensure_ascii=False).encode()
        with self.lock:
            self.requests.append({"method": method, "path": path, "status": status, "code": (answer or {}).get("code")})
            # /v3/certificates is signed by the oldest certificate still listed: a merchant that
            # trusts it learns the new one from this answer (a rotation announced in advance).
            serial = self._oldest_certificate() if path == "/v3/certificates" and status == 200 else None
            signed = self._sign(raw, serial=serial)
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
        match = re.fullmatch(r"/v3/pay/(partner/)?transactions/(jsapi|h5|native)", path)
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
        if path == "/v3/certificates" and method == "GET":
            return 200, self._certificates(merchant)
        if path == "/v3/bill/tradebill" and method == "GET":
            return 200, self._tradebill(merchant, query)
        match = re.fullmatch(r"/v3/fund-app/mch-transfer/(partner/)?transfer-bills", path)
        if match and method == "POST":
            return 200, self._transfer_create(merchant, data, partner=bool(match[1]))
        match = re.fullmatch(r"/v3/fund-app/mch-transfer/(partner/)?transfer-bills/out-bill-no/([^/]+)(/cancel)?", path)
        if match:
            partner, out_bill_no, cancel = bool(match[1]), match[2], bool(match[3])
            sub_mchid = (data if cancel else query).get("sub_mchid", "") if partner else ""
            with self.lock:
                bill = self.transfers.get((merchant.mchid, out_bill_no))
                if bill is None or bill.sub_mchid != sub_mchid:
                    raise ApiError(404, "NOT_FOUND", "记录不存在")
                if cancel and method == "POST":
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

    def _certificates(self, merchant: Merchant) -> dict:
        """GET /v3/certificates: every platform certificate (not the public keys, which the
        merchant downloads from the merchant platform), each encrypted with the merchant's APIv3 key."""
        with self.lock:
            listed = [
                (serial, pem) for serial, (_, pem) in self.platform.items() if not serial.startswith("PUB_KEY_ID_")
            ]
        data = []
        for serial, pem in listed:
            cert = crypto.load_certificate(pem)
            data.append(
                {
                    "serial_no": serial,
                    "effective_time": rfc3339(cert.not_valid_before_utc),
                    "expire_time": rfc3339(cert.not_valid_after_utc),
                    "encrypt_certificate": crypto.aead_encrypt(merchant.apiv3_key, pem.encode(), "certificate"),
                }
            )
        return {"data": data}

    # --- bills (交易账单) -------------------------------------------------------------------

    BILL_HEADER = (
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
        "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
        "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
    )
    BILL_SUMMARY = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    FEE_RATE = 0.006  # 0.60%

    def bill(self, mchid: str, bill_date: str, sub_mchid: str = "") -> bytes:
        """The ALL trade bill of one day (Beijing time) as WeChat Pay writes it: a header line,
        one line per trade paid that day and per refund that succeeded that day, every field
        prefixed with a backtick, then the summary header and line. Bill faults apply here."""

        def yuan(fen: int) -> str:
            return f"{fen // 100}.{fen % 100:02d}"

        def day_of(moment: str) -> str:
            return moment[:10] if moment else ""

        with self.lock:
            trades = [
                t
                for t in self.trades.values()
                if t.merchant.mchid == mchid
                and (not sub_mchid or t.sub_mchid == sub_mchid)
                and t.transaction_id
                and day_of(t.success_time) == bill_date
            ]
            refunds = [
                r
                for r in self.refunds.values()
                if r.trade.merchant.mchid == mchid
                and (not sub_mchid or r.trade.sub_mchid == sub_mchid)
                and r.status == "SUCCESS"
                and day_of(r.success_time) == bill_date
            ]
        rows = []  # (time, trade, settled fen, refund or None, refund state, refund fen)
        for trade in sorted(trades, key=lambda t: t.success_time):
            rows.append([trade.success_time, trade, trade.amount, None, "", 0])
        if rows and self._take("bill_drop"):
            rows.pop(0)
        if rows and self._take("bill_amount"):
            rows[0][2] += 1
        if self._take("bill_extra"):
            stranger = Trade(
                merchant=self.merchants[mchid],
                sub_mchid=sub_mchid,
                appid=next(iter(self.merchants[mchid].appids), ""),
                sub_appid="",
                out_trade_no="PAYSTRANGER" + secrets.token_hex(6).upper(),
                amount=1234,
                description="不明交易",
                notify_url="",
                trade_type="JSAPI",
                time_expire=None,
                state="SUCCESS",
                transaction_id="4200" + bill_date.replace("-", "") + f"{secrets.randbelow(10**10):010d}",
                success_time=f"{bill_date}T12:00:00+08:00",
            )
            rows.append([stranger.success_time, stranger, stranger.amount, None, "", 0])
        bad_refund_state = bool(refunds) and self._take("bill_refund_state")
        for index, refund in enumerate(sorted(refunds, key=lambda r: r.success_time)):
            state = "REFUNDCLOSE" if bad_refund_state and index == 0 else "SUCCESS"
            rows.append([refund.success_time, refund.trade, 0, refund, state, refund.amount])
        lines = [self.BILL_HEADER]
        fee_total = settled_total = refund_total = 0.0
        for moment, trade, settled, refund, refund_state, refund_fen in rows:
            fee = (
                round(settled * self.FEE_RATE / 100, 5)
                if refund is None
                else -round(refund_fen * self.FEE_RATE / 100, 5)
            )
            fee_total += fee
            settled_total += settled
            refund_total += refund_fen
            fields = [
                datetime.fromisoformat(moment).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"),
                trade.appid,
                trade.merchant.mchid,
                trade.sub_mchid or "0",
                "",
                trade.transaction_id,
                trade.out_trade_no,
                trade.openid or "oSIMULATEDPAYER",
                trade.trade_type,
                "SUCCESS" if refund is None else "REFUND",
                "OTHERS",
                "CNY",
                yuan(settled),
                "0.00",
                refund.refund_id if refund else "0",
                refund.out_refund_no if refund else "0",
                yuan(refund_fen),
                "0.00",
                "ORIGINAL" if refund else "",
                refund_state,
                trade.description,
                "",
                f"{fee:.5f}",
                "0.60%",
                yuan(settled),
                yuan(refund_fen),
                "",
            ]
            lines.append(",".join("`" + field for field in fields))
        lines.append(self.BILL_SUMMARY)
        summary = [
            str(len(rows)),
            yuan(int(settled_total)),
            yuan(int(refund_total)),
            "0.00",
            f"{fee_total:.5f}",
            yuan(int(settled_total)),
            yuan(int(refund_total)),
        ]
        lines.append(",".join("`" + field for field in summary))
        return ("\r\n".join(lines) + "\r\n").encode()

    def _tradebill(self, merchant: Merchant, query: dict) -> dict:
        bill_date = query.get("bill_date", "")
        try:
            day = datetime.strptime(bill_date, "%Y-%m-%d").date()
        except ValueError:
            raise ApiError(400, "PARAM_ERROR", "bill_date 格式错误") from None
        today = datetime.now(CST).date()
        if day > today or (day == today and not self.bill_today_allowed):
            raise ApiError(400, "INVALID_REQUEST", "账单日期不能为当天或以后")
        if day < today - timedelta(days=90):
            raise ApiError(400, "INVALID_REQUEST", "仅支持三个月内的账单")
        if query.get("bill_type", "ALL") != "ALL":
            raise ApiError(400, "PARAM_ERROR", "本模拟器只提供 ALL 账单")
        sub_mchid = query.get("sub_mchid", "")
        if sub_mchid and sub_mchid not in merchant.sub_mchids:
            raise ApiError(400, "INVALID_REQUEST", "子商户号与服务商不存在绑定关系")
        content = self.bill(merchant.mchid, bill_date, sub_mchid)
        if content.count(b"\n") <= 3:  # header and summary only: WeChat Pay has no bill for a day without trades
            raise ApiError(400, "NO_STATEMENT_EXIST", "账单文件不存在")
        digest = hashlib.sha1(content).hexdigest()  # of the bill itself, gzip or not
        if self._take("bill_bad_hash"):
            digest = hashlib.sha1(content + b"x").hexdigest()
        raw = gzip.compress(content) if query.get("tar_type") == "GZIP" else content
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.bills[token] = (merchant.mchid, raw)
        return {
            "hash_type": "SHA1",
            "hash_value": digest,
            "download_url": f"{self.base_url}/v3/billdownload/file?token={token}",
        }

    def _bill_file(self, merchant: Merchant, target: str) -> bytes:
        token = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query)).get("token", "")
        with self.lock:
            owner, raw = self.bills.get(token, ("", b""))
        if owner != merchant.mchid:
            raise ApiError(404, "RESOURCE_NOT_EXISTS", "账单文件不存在")
        return raw

    def _transfer_create(self, merchant: Merchant, data: dict, *, partner: bool = False) -> dict:
        appid, out_bill_no, amount = data["appid"], data["out_bill_no"], data["transfer_amount"]
        sub_mchid = data["sub_mchid"] if partner else ""
        if partner and sub_mchid not in merchant.sub_mchids:
            raise ApiError(400, "INVALID_REQUEST", "子商户号与服务商不存在绑定关系")
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
                    sub_mchid=sub_mchid,
                )
                if self.transfer_user_confirm:
                    bill.state = "WAIT_USER_CONFIRM"
                    bill.package_info = base64.b64encode(secrets.token_bytes(48)).decode()
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
                answer["package_info"] = bill.package_info
            if sub_mchid:
                answer["sub_mchid"] = sub_mchid
        return answer

    def transfers_finish(self) -> int:
        """Every open merchant transfer not held finishes: SUCCESS, or FAIL with its reason (the
        transfer_fail fault); its MCHTRANSFER.BILL.FINISHED notify is queued. Answers how many."""
        with self.lock:
            due = [
                bill
                for bill in self.transfers.values()
                if bill.state in TRANSFER_OPEN and bill.state != "WAIT_USER_CONFIRM" and not bill.held
            ]
            for bill in due:
                bill.state = "FAIL" if bill.fail_with else "SUCCESS"
                bill.fail_reason, bill.update_time = bill.fail_with, rfc3339()
        for bill in due:
            self._transfer_finished(bill)
        return len(due)

    def _transfer_finished(self, bill: TransferBill) -> None:
        if bill.notify_url:
            self._notify(
                bill.merchant,
                bill.notify_url,
                "MCHTRANSFER.BILL.FINISHED",
                "商家转账单据终态通知",
                "mch_payment",
                bill.resource(),
            )

    def transfer_confirm(self, out_bill_no: str) -> str:
        """The payee taps 确认收款 in WeChat (requestMerchantTransfer): the transfer is carried
        out (SUCCESS, or FAIL with the transfer_fail reason) and its notify is queued."""
        with self.lock:
            bill = next((b for (_, no), b in self.transfers.items() if no == out_bill_no), None)
            if bill is None or bill.state != "WAIT_USER_CONFIRM":
                raise ValueError(f"transfer {out_bill_no} is not waiting for the payee")
            bill.state = "FAIL" if bill.fail_with else "SUCCESS"
            bill.fail_reason, bill.update_time = bill.fail_with, rfc3339()
        self._transfer_finished(bill)
        return bill.state

    def _bill_of_package(self, package: str) -> str:
        with self.lock:
            found = next(
                (b.out_bill_no for b in self.transfers.values() if package and b.package_info == package), None
            )
        if found is None:
            raise KeyError(package)
        return found

    def transfers_expire(self) -> int:
        """Transfers the payee never confirmed are cancelled (WeChat Pay does so after 24 hours)."""
        with self.lock:
            due = [bill for bill in self.transfers.values() if bill.state == "WAIT_USER_CONFIRM"]
            for bill in due:
                bill.state, bill.update_time = "CANCELLED", rfc3339()
        for bill in due:
            self._transfer_finished(bill)
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
            if payer.get("sub_openid") and not data.get("sub_appid"):
                raise ApiError(400, "PARAM_ERROR", "sub_openid 须与 sub_appid 一同传入")
        elif trade_type == "H5":
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
                if trade_type == "NATIVE":
                    pr = secrets.token_urlsafe(12)
                    trade.code_url = f"weixin://wxpay/bizpayurl?pr={pr}"
                    self.codes[pr] = trade
        if trade_type == "JSAPI":
            return {"prepay_id": trade.prepay_id}
        if trade_type == "NATIVE":
            return {"code_url": trade.code_url}
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

    def trade_of_code(self, code_url: str) -> Trade:
        """The Native trade a scanned code_url stands for (KeyError: not one of ours)."""
        parts = urllib.parse.urlsplit(code_url)
        if (parts.scheme, parts.netloc, parts.path) != ("weixin", "wxpay", "/bizpayurl"):
            raise KeyError(code_url)
        pr = dict(urllib.parse.parse_qsl(parts.query)).get("pr", "")
        with self.lock:
            return self.codes[pr]

    def scan(self, code_url: str) -> Trade:
        """The payer scans the QR code with WeChat and confirms: the Native trade is paid."""
        return self.pay(self.trade_of_code(code_url).out_trade_no)

    def pay_sheet(self, params: dict) -> Trade:
        """WeChat's pay sheet (getBrandWCPayRequest in WeChat's browser, wx.requestPayment in a
        mini-program) opened with the merchant's parameters, checked as WeChat checks them: a
        JSAPI prepay_id, the app id the trade was opened with, signType RSA and paySign, the
        merchant's signature over appId, timeStamp, nonceStr and package. Then the payer pays.
        ValueError names what is wrong (the sheet shows 支付验证签名失败 and nothing is paid)."""
        package = str(params.get("package", ""))
        trade = self.prepay.get(package.removeprefix("prepay_id="))
        if not package.startswith("prepay_id=") or trade is None or trade.trade_type != "JSAPI":
            raise ValueError("package")
        if params.get("appId") not in {trade.appid, trade.sub_appid} - {""}:
            raise ValueError("appId")
        if params.get("signType") != "RSA":
            raise ValueError("signType")
        fields = [str(params.get(name, "")) for name in ("appId", "timeStamp", "nonceStr", "package")]
        message = "".join(f"{value}\n" for value in fields).encode()
        if not crypto.verify(trade.merchant.public_key, message, str(params.get("paySign", ""))):
            raise ValueError("paySign")
        return self.pay(trade.out_trade_no)

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
        if trade is None and params.get("pr"):  # a Native code_url's page (what scanning it opens)
            trade = self.codes.get(params["pr"])
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

    def _scan_page(self):
        """The demo's stand-in for the phone's 扫一扫: the QR codes (Native trades) waiting to be
        paid, newest first, each opening its pay page (what scanning it would)."""
        with self.lock:
            waiting = [trade for trade in self.codes.items() if trade[1].state == "NOTPAY"][::-1]
        rows = "".join(
            f'<li><a href="/pay/native?pr={html.escape(pr)}">{html.escape(trade.description)} '
            f"¥{trade.amount // 100}.{trade.amount % 100:02d}</a></li>"
            for pr, trade in waiting
        )
        page = (
            "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>"
            "<title>扫一扫</title><style>body{font-family:sans-serif;margin:0;padding:24px 16px;background:#f7f7f7}"
            "li{margin:12px 0;font-size:17px}</style><h1>扫一扫（模拟）</h1>"
            f"<ul>{rows}</ul>" + ("" if rows else "<p>没有待支付的二维码</p>")
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
            elif path == "/sim/scan":  # the payer scans a Native code_url with WeChat and pays
                answer = {"state": self.scan(data["code_url"]).state}
            elif path == "/sim/pay_sheet":  # WeChat's pay sheet, opened with the page's / mini-program's params
                answer = {"state": self.pay_sheet(data).state}
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
            elif path == "/sim/transfers/confirm":  # the payee confirms in WeChat (by bill, or by its package)
                out_bill_no = data.get("out_bill_no") or self._bill_of_package(data["package"])
                answer = {"state": self.transfer_confirm(out_bill_no)}
            elif path == "/sim/transfers/expire":
                answer = {"cancelled": self.transfers_expire()}
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
