"""The Alipay gateway simulator: apps, trades, refunds, notify delivery, faults (see __init__.py)."""

import base64
import html
import io
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CST = timezone(timedelta(hours=8))
# Alipay re-sends an unanswered notify 8 times in 25 hours: 4m 10m 10m 1h 2h 6h 15h (scaled down).
NOTIFY_SCHEDULE = (240, 600, 600, 3600, 7200, 21600, 54000)
FAULTS = {
    "bad_signature",
    "duplicate",
    "lost",
    "late",
    "amount_mismatch",
    "server_error",
    "bill_drop",  # the next bill leaves out its first trade
    "bill_amount",  # the next bill books its first trade 1 fen more
}
BILL_COLUMNS = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
    "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
    "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
)
PAGE_METHODS = {"alipay.trade.wap.pay", "alipay.trade.page.pay"}


def now_text() -> str:
    return datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa2_sign(key, content: str) -> str:
    return base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(public_key, content: str, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, content.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_content(params: dict, *, exclude=("sign",)) -> str:
    """Alipay's string to sign: every non-empty parameter but the excluded, sorted, `k=v` joined by `&`."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in exclude and params[k] not in ("", None))


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fen_of(text: str) -> int:
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        raise ValueError(f"total_amount {text!r}") from None
    if value <= 0 or value.as_tuple().exponent < -2 or value > Decimal("100000000"):
        raise ValueError(f"total_amount {text!r}")
    return int(value * 100)


@dataclass
class App:
    """What a merchant sets up on the open platform: the app id, its RSA2 key pair (Alipay keeps
    the public half), the seller (the merchant's 2088… partner id)."""

    app_id: str
    seller_id: str
    private_key_pem: str
    public_key: object = None


@dataclass
class Trade:
    app: App
    out_trade_no: str
    total: int
    subject: str
    notify_url: str
    method: str
    time_expire: datetime | None
    trade_no: str = ""
    status: str = "WAIT_BUYER_PAY"
    gmt_payment: str = ""
    refunded: int = 0

    def fields(self) -> dict:
        data = {
            "trade_no": self.trade_no,
            "out_trade_no": self.out_trade_no,
            "trade_status": self.status,
            "total_amount": yuan(self.total),
            "buyer_logon_id": "sim***@alipay.com",
        }
        if self.gmt_payment:
            data["send_pay_date"] = self.gmt_payment
        return data


@dataclass
class Refund:
    trade: Trade
    out_request_no: str
    amount: int
    gmt_refund: str


@dataclass
class Delivery:
    notify_id: str
    url: str
    params: dict
    attempts: int = 0
    next_at: float = 0.0
    done: bool = False
    held: bool = False
    gave_up: bool = False
    extra_sends: int = 0


class ApiError(Exception):
    def __init__(self, code: str, msg: str, sub_code: str, sub_msg: str):
        super().__init__(sub_msg)
        self.node = {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}


def business_error(sub_code: str, sub_msg: str) -> ApiError:
    return ApiError("40004", "Business Failed", sub_code, sub_msg)


def http_post_form(url: str, body: bytes) -> tuple[int, bytes]:
    """The default notify transport: a real form POST."""
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


class AlipaySimulator:
    def __init__(self, *, auto_deliver: bool = False, schedule_scale: float = 0.0001):
        self.lock = threading.RLock()
        self.apps: dict[str, App] = {}
        self.trades: dict[tuple[str, str], Trade] = {}  # (app_id, out_trade_no)
        self.refunds: dict[tuple[str, str, str], Refund] = {}  # (app_id, out_trade_no, out_request_no)
        self.outbox: list[Delivery] = []
        self.deliveries: list[dict] = []  # every attempt: notify_id, trade_status, status, answer, ok, faults
        self.lost: list[dict] = []
        self.requests: list[dict] = []  # every gateway call: method, code, sub_code
        self.faults: dict[str, int] = {}
        self.key = new_key()  # Alipay's own key: answers and notifies are signed with it
        self.schedule = tuple(seconds * schedule_scale for seconds in NOTIFY_SCHEDULE)
        self.auto_deliver = auto_deliver
        self.transport = http_post_form
        self.bill_today_allowed = False  # Alipay's bill of a day is ready the next day; tests may ask for today's
        self.bills: dict[str, bytes] = {}  # download token -> zip
        self._server = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # --- life -----------------------------------------------------------------------------

    def start(self, port: int = 0) -> "AlipaySimulator":
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

    @property
    def gateway_url(self) -> str:
        return self.base_url + "/gateway.do"

    @property
    def alipay_public_key_pem(self) -> str:
        return public_pem(self.key)

    def _deliver_loop(self) -> None:
        while not self._stopping.wait(0.05):
            self.deliver()

    def app_add(self, app_id: str, *, seller_id: str) -> App:
        key = new_key()
        app = App(app_id=app_id, seller_id=seller_id, private_key_pem=private_pem(key), public_key=key.public_key())
        with self.lock:
            self.apps[app_id] = app
        return app

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

    # --- the gateway ----------------------------------------------------------------------

    def _authenticate(self, params: dict) -> App:
        app = self.apps.get(params.get("app_id", ""))
        if app is None:
            raise ApiError("40002", "Invalid Arguments", "isv.invalid-app-id", "无效的AppID参数")
        if params.get("sign_type") != "RSA2":
            raise ApiError("40002", "Invalid Arguments", "isv.invalid-signature-type", "无效的签名类型")
        if not rsa2_verify(app.public_key, sign_content(params), params.get("sign", "")):
            raise ApiError(
                "40002",
                "Invalid Arguments",
                "isv.invalid-signature",
                f"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{sign_content(params)}",
            )
        return app

    def handle(self, http_method: str, target: str, body: bytes) -> tuple[int, dict, bytes]:
        parts = urllib.parse.urlsplit(target)
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        if http_method == "POST" and body:
            params.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        if parts.path == "/pay":
            return self._pay_page(params, http_method)
        if parts.path.startswith("/sim/"):
            return self._control(parts.path, params)
        if parts.path == "/bill/download":  # a short-lived signed URL of Alipay's file server: no app signature
            raw = self.bills.pop(params.get("token", ""), None)
            if raw is None:
                return 404, {"Content-Type": "text/plain"}, b"expired"
            return 200, {"Content-Type": "application/oct-stream"}, raw
        if parts.path != "/gateway.do":
            return 404, {}, b""
        method = params.get("method", "")
        if self._take("server_error"):
            return 502, {"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"
        node_name = method.replace(".", "_") + "_response"
        try:
            app = self._authenticate(params)
            biz = json.loads(params.get("biz_content") or "{}")
            if method in PAGE_METHODS:
                trade = self._create(app, biz, method, params.get("notify_url", ""))
                self._log(method, "10000", "")
                return self._pay_page({"app_id": app.app_id, "out_trade_no": trade.out_trade_no}, "GET")
            node = self._route(app, method, biz)
        except ApiError as error:
            node = error.node
            if node["code"] == "40002":  # not the app's request: answered without Alipay's signature
                self._log(method, node["code"], node["sub_code"])
                raw = json.dumps({"error_response": node}, ensure_ascii=False)
                return 200, {"Content-Type": "application/json;charset=utf-8"}, raw.encode()
        except (ValueError, KeyError, TypeError) as error:
            node = {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.INVALID_PARAMETER",
                "sub_msg": str(error),
            }
        self._log(method, node["code"], node.get("sub_code", ""))
        node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        raw = '{"' + node_name + '":' + node_text + ',"sign":"' + rsa2_sign(self.key, node_text) + '"}'
        return 200, {"Content-Type": "application/json;charset=utf-8"}, raw.encode()

    def _log(self, method: str, code: str, sub_code: str) -> None:
        with self.lock:
            self.requests.append({"method": method, "code": code, "sub_code": sub_code})

    def _route(self, app: App, method: str, biz: dict) -> dict:
        if method == "alipay.trade.query":
            trade = self._trade(app, biz)
            self._expire(trade)
            return {"code": "10000", "msg": "Success", **trade.fields()}
        if method == "alipay.trade.close":
            trade = self._trade(app, biz)
            self._expire(trade)
            with self.lock:
                if trade.status != "WAIT_BUYER_PAY":
                    raise business_error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
                trade.status = "TRADE_CLOSED"
            return {"code": "10000", "msg": "Success", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}
        if method == "alipay.trade.refund":
            return self._refund(app, biz)
        if method == "alipay.trade.fastpay.refund.query":
            trade = self._trade(app, biz)
            refund = self.refunds.get((app.app_id, trade.out_trade_no, biz["out_request_no"]))
            node = {"code": "10000", "msg": "Success", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}
            if refund is not None:  # Alipay answers an unknown out_request_no with success and no refund fields
                node.update(
                    {
                        "out_request_no": refund.out_request_no,
                        "total_amount": yuan(trade.total),
                        "refund_amount": yuan(refund.amount),
                        "refund_status": "REFUND_SUCCESS",
                        "gmt_refund_pay": refund.gmt_refund,
                    }
                )
            return node
        if method == "alipay.data.dataservice.bill.downloadurl.query":
            return self._bill_url(app, biz)
        raise ApiError("40004", "Business Failed", "isv.invalid-method", f"不存在的方法名 {method}")

    # --- bills (对账单) --------------------------------------------------------------------

    def bill(self, app_id: str, bill_date: str) -> bytes:
        """The trade bill of one day as Alipay zips it: <pid>_<date>_业务明细.csv (GBK): '#' notes,
        the column line, one line per payment and per refund of the day (each field followed by a
        tab), the end marker and the totals; and <pid>_<date>_业务明细(汇总).csv."""
        app = self.apps[app_id]
        with self.lock:
            paid = [t for (a, _), t in self.trades.items() if a == app_id and t.gmt_payment[:10] == bill_date]
            refunds = [r for (a, _, _), r in self.refunds.items() if a == app_id and r.gmt_refund[:10] == bill_date]
        rows = [
            [t.trade_no, t.out_trade_no, "交易", t.subject, t.gmt_payment, t.gmt_payment, t.total, t.total, ""]
            for t in paid
        ]
        if rows and self._take("bill_drop"):
            rows.pop(0)
        if rows and self._take("bill_amount"):
            rows[0][6] += 1
            rows[0][7] += 1
        for r in refunds:
            rows.append(
                [
                    r.trade.trade_no,
                    r.trade.out_trade_no,
                    "退款",
                    r.trade.subject,
                    r.gmt_refund,
                    r.gmt_refund,
                    r.trade.total,
                    -r.amount,
                    r.out_request_no,
                ]
            )
        day = bill_date.replace("-", "")
        lines = [
            "#支付宝业务明细查询",
            f"#账号：[{app.seller_id}0156]",
            f"#起始日期：[{bill_date} 00:00:00]   终止日期：[{bill_date} 23:59:59]",
            "#-----------------------------------------业务明细列表----------------------------------------",
            BILL_COLUMNS,
        ]
        for trade_no, out_trade_no, kind, subject, created, done, total, received, request_no in rows:
            fields = [trade_no, out_trade_no, kind, subject, created, done, "", "", "", "", "sim***@alipay.com"]
            fields += [
                yuan(total) if total >= 0 else "-" + yuan(-total),
                yuan(received) if received >= 0 else "-" + yuan(-received),
            ]
            fields += ["0.00"] * 5 + ["", "0.00", "0.00", request_no, "0.00", "0.00", ""]
            lines.append(",".join(f"{field}\t" for field in fields))
        trades = sum(1 for row in rows if row[2] == "交易")
        lines += [
            "#-----------------------------------------业务明细列表结束------------------------------------",
            f"#交易合计：{trades}笔，商家实收：{yuan(sum(row[7] for row in rows if row[2] == '交易'))}元",
            f"#退款合计：{len(rows) - trades}笔，商家实收：-{yuan(-sum(row[7] for row in rows if row[2] == '退款'))}元",
            f"#导出时间：[{now_text()}]",
        ]
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr(f"{app.seller_id}0156_{day}_业务明细.csv", "\r\n".join(lines).encode("gbk"))
            zipped.writestr(f"{app.seller_id}0156_{day}_业务明细(汇总).csv", "#支付宝业务汇总查询\r\n".encode("gbk"))
        return archive.getvalue()

    def _bill_url(self, app: App, biz: dict) -> dict:
        if biz.get("bill_type") != "trade":
            raise business_error("isv.invalid-bill-type", "本模拟器只提供 trade 账单")
        try:
            day = datetime.strptime(biz.get("bill_date", ""), "%Y-%m-%d").date()
        except ValueError:
            raise business_error("isv.invalid-bill-date", "账单时间格式不正确") from None
        today = datetime.now(CST).date()
        if day > today or (day == today and not self.bill_today_allowed):
            raise business_error("isp.bill_not_exist", "账单不存在")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.bills[token] = self.bill(app.app_id, day.isoformat())
        return {"code": "10000", "msg": "Success", "bill_download_url": f"{self.base_url}/bill/download?token={token}"}

    def _trade(self, app: App, biz: dict) -> Trade:
        trade = self.trades.get((app.app_id, biz.get("out_trade_no", "")))
        if trade is None:
            raise business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
        return trade

    def _expire(self, trade: Trade) -> None:
        with self.lock:
            if trade.status == "WAIT_BUYER_PAY" and trade.time_expire and datetime.now(CST) >= trade.time_expire:
                trade.status = "TRADE_CLOSED"

    def _create(self, app: App, biz: dict, method: str, notify_url: str) -> Trade:
        total = fen_of(biz["total_amount"])
        out_trade_no = biz["out_trade_no"]
        if not out_trade_no or len(out_trade_no) > 64 or not biz.get("subject"):
            raise ValueError("out_trade_no / subject")
        expire = None
        if biz.get("time_expire"):
            expire = datetime.strptime(biz["time_expire"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
        with self.lock:
            trade = self.trades.get((app.app_id, out_trade_no))
            if trade is not None:  # the same trade opened again: the same parameters, or refused
                if trade.total != total:
                    raise business_error("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
                return trade
            trade = Trade(
                app=app,
                out_trade_no=out_trade_no,
                total=total,
                subject=biz["subject"],
                notify_url=notify_url,
                method=method,
                time_expire=expire,
                trade_no=datetime.now(CST).strftime("%Y%m%d") + f"22001{secrets.randbelow(10**17):017d}",
            )
            self.trades[(app.app_id, out_trade_no)] = trade
        return trade

    def _refund(self, app: App, biz: dict) -> dict:
        trade = self._trade(app, biz)
        amount = fen_of(biz["refund_amount"])
        out_request_no = biz.get("out_request_no") or trade.out_trade_no
        with self.lock:
            known = self.refunds.get((app.app_id, trade.out_trade_no, out_request_no))
            if known is not None:  # the same request again: answered, no money moves twice
                if known.amount != amount:
                    raise business_error("ACQ.REQUEST_AMOUNT_EXCEED", "请求退款金额与原退款金额不一致")
                fund_change = "N"
            else:
                if trade.status not in ("TRADE_SUCCESS",):
                    raise business_error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
                if trade.refunded + amount > trade.total:
                    raise business_error("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
                trade.refunded += amount
                known = Refund(trade=trade, out_request_no=out_request_no, amount=amount, gmt_refund=now_text())
                self.refunds[(app.app_id, trade.out_trade_no, out_request_no)] = known
                fund_change = "Y"
                if trade.refunded == trade.total:
                    trade.status = "TRADE_CLOSED"
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": "sim***@alipay.com",
            "fund_change": fund_change,
            "refund_fee": yuan(trade.refunded),
            "gmt_refund_pay": known.gmt_refund,
        }

    # --- paying and notifying -------------------------------------------------------------

    def trade(self, out_trade_no: str) -> Trade:
        with self.lock:
            found = [trade for (_, no), trade in self.trades.items() if no == out_trade_no]
        if not found:
            raise KeyError(out_trade_no)
        return found[0]

    def pay(self, out_trade_no: str) -> Trade:
        """The payer confirms (the pay page's button, or a test's hand): TRADE_SUCCESS, notify queued."""
        trade = self.trade(out_trade_no)
        self._expire(trade)
        with self.lock:
            if trade.status != "WAIT_BUYER_PAY":
                raise ValueError(f"trade {out_trade_no} is {trade.status}")
            trade.status = "TRADE_SUCCESS"
            trade.gmt_payment = now_text()
        if trade.notify_url:
            self._notify(trade)
        return trade

    def _notify(self, trade: Trade) -> None:
        params = {
            "notify_time": now_text(),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "charset": "utf-8",
            "version": "1.0",
            "app_id": trade.app.app_id,
            "auth_app_id": trade.app.app_id,
            "seller_id": trade.app.seller_id,
            "buyer_id": "2088102177846880",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status,
            "total_amount": yuan(trade.total),
            "receipt_amount": yuan(trade.total),
            "buyer_pay_amount": yuan(trade.total),
            "subject": trade.subject,
            "gmt_create": trade.gmt_payment,
            "gmt_payment": trade.gmt_payment,
        }
        if self._take("amount_mismatch"):
            params["total_amount"] = yuan(trade.total + 1)
        delivery = Delivery(notify_id=params["notify_id"], url=trade.notify_url, params=params)
        if self._take("lost"):
            with self.lock:
                self.lost.append({"notify_id": delivery.notify_id, "out_trade_no": trade.out_trade_no})
            return
        delivery.held = self._take("late")
        delivery.extra_sends = 2 if self._take("duplicate") else 0
        with self.lock:
            self.outbox.append(delivery)

    def notify_body(self, params: dict) -> tuple[bytes, list[str]]:
        """The form body of one attempt, signed now (sign and sign_type not signed), and the faults applied."""
        signature = rsa2_sign(self.key, sign_content(params, exclude=("sign", "sign_type")))
        faults = []
        if self._take("bad_signature"):
            signature = ("A" if signature[0] != "A" else "B") + signature[1:]
            faults.append("bad_signature")
        body = urllib.parse.urlencode({**params, "sign_type": "RSA2", "sign": signature})
        return body.encode(), faults

    def release_late(self) -> int:
        with self.lock:
            held = [delivery for delivery in self.outbox if delivery.held]
            for delivery in held:
                delivery.held = False
        return len(held)

    def resend(self, notify_id: str, times: int = 1, transport=None) -> list[int]:
        delivery = next(delivery for delivery in self.outbox if delivery.notify_id == notify_id)
        return [self._send(delivery, transport) for _ in range(times)]

    def _send(self, delivery: Delivery, transport=None) -> int:
        body, faults = self.notify_body(delivery.params)
        status, answer = (transport or self.transport)(delivery.url, body)
        ok = status == 200 and answer.strip() == b"success"  # anything else is re-sent
        with self.lock:
            self.deliveries.append(
                {
                    "notify_id": delivery.notify_id,
                    "trade_status": delivery.params["trade_status"],
                    "status": status,
                    "answer": answer[:60].decode("utf-8", "replace"),
                    "ok": ok,
                    "faults": faults,
                }
            )
        return status

    def deliver(self, transport=None, *, now: float | None = None) -> int:
        """Send every notify due now (each on its retry schedule); answers how many were sent."""
        now = time.monotonic() if now is None else now
        with self.lock:
            due = [d for d in self.outbox if not d.done and not d.held and d.next_at <= now]
        for delivery in due:
            self._send(delivery, transport)
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
        return len(due)

    def deliver_all(self, transport=None, *, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.deliver(transport)
            with self.lock:
                if all(d.done or d.held for d in self.outbox):
                    return
            time.sleep(0.01)

    # --- pages and control ----------------------------------------------------------------

    def _pay_page(self, params: dict, http_method: str):
        trade = self.trades.get((params.get("app_id", ""), params.get("out_trade_no", "")))
        if trade is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, "<p>交易不存在</p>".encode()
        message = ""
        if http_method == "POST" and params.get("action") == "pay":
            try:
                self.pay(trade.out_trade_no)
                message = "支付成功"
            except ValueError:
                message = "交易已支付或已关闭"
        page = (
            "<!doctype html><meta charset=utf-8><title>支付宝</title>"
            f"<h1>支付宝收银台</h1><p>{html.escape(trade.subject)}</p>"
            f"<p class=amount>¥{yuan(trade.total)}</p><p class=state>{message}</p>"
            '<form method=post action="/pay">'
            f'<input type=hidden name=app_id value="{html.escape(trade.app.app_id)}">'
            f'<input type=hidden name=out_trade_no value="{html.escape(trade.out_trade_no)}">'
            "<button name=action value=pay>确认付款</button></form>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()

    def _control(self, path: str, params: dict):
        try:
            if path == "/sim/pay":
                answer = {"status": self.pay(params["out_trade_no"]).status}
            elif path == "/sim/fault":
                self.fault(params["name"], int(params.get("times", 1)))
                answer = {"faults": self.faults}
            else:
                return 404, {}, b""
        except (KeyError, ValueError) as error:
            return 400, {"Content-Type": "application/json"}, json.dumps({"error": str(error)}).encode()
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()


class _Handler(BaseHTTPRequestHandler):
    sim: AlipaySimulator

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, raw = self.sim.handle(self.command, self.path, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _serve

    def log_message(self, format, *args):  # quiet in tests
        pass
