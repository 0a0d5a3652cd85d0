"""The top-up vendor simulator's HTTP server (see __init__.py)."""

import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CST = timezone(timedelta(hours=8))
FACE_VALUES_FEN = {1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000}
FAULTS = {"timeout", "duplicate", "lost", "bad_signature"}


def sign(params: dict, key: str) -> str:
    text = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "sign" and params[name] != "")
    return hashlib.md5(f"{text}&key={key}".encode()).hexdigest().upper()


@dataclass
class Recharge:
    out_trade_no: str
    order_no: str
    mobile: str
    face_fen: int
    notify_url: str
    status: str = "processing"
    finish_time: str = ""
    callbacks: list = field(default_factory=list)  # (status code or error, body) of each delivery


class TopUpSimulator:
    def __init__(
        self, *, merchant_id: str = "TU10001", key: str | None = None, finish_after: float = 0.05, auto_deliver=True
    ):
        self.merchant_id, self.key = merchant_id, key or secrets.token_hex(16)
        self.auto_deliver = auto_deliver  # False: a test posts callback_params() itself
        self.finish_after = finish_after  # seconds from accepting to the outcome; 0: finish() decides
        self.orders: dict[str, Recharge] = {}
        self.fail_numbers: set[str] = set()  # these phones' top-ups fail (an empty or closed number)
        self.faults: list[str] = []
        self.timeout_seconds = 2.0
        self.lock = threading.Lock()
        self.server = None

    # --- control ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> "TopUpSimulator":
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, body = simulator.handle(self.path, params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fault(self, name: str) -> None:
        assert name in FAULTS, name
        with self.lock:
            self.faults.append(name)

    def _take_fault(self, name: str) -> bool:
        with self.lock:
            if name in self.faults:
                self.faults.remove(name)
                return True
        return False

    # --- the vendor ------------------------------------------------------------------------
    def _signed(self, code: str, msg: str, data: dict | None = None) -> dict:
        if data:
            data = {**data, "sign": sign(data, self.key)}
        return {"code": code, "msg": msg, "data": data or {}}

    def _data(self, order: Recharge) -> dict:
        return {
            "out_trade_no": order.out_trade_no,
            "order_no": order.order_no,
            "mobile": order.mobile,
            "face_fen": str(order.face_fen),
            "status": order.status,
        }

    def handle(self, path: str, params: dict) -> tuple[int, dict]:
        if params.get("mch_id") != self.merchant_id:
            return 200, self._signed("1002", "unknown merchant")
        if params.get("sign") != sign(params, self.key):
            return 200, self._signed("1001", "sign error")
        if path == "/api/recharge":
            return 200, self._recharge(params)
        if path == "/api/query":
            order = self.orders.get(params.get("out_trade_no", ""))
            if order is None:
                return 200, self._signed("2004", "order not found")
            return 200, self._signed("0000", "ok", self._data(order))
        return 404, {"code": "404", "msg": "not found"}

    def _recharge(self, params: dict) -> dict:
        mobile, reference = params.get("mobile", ""), params.get("out_trade_no", "")
        if not (mobile.isdigit() and len(mobile) == 11 and mobile.startswith("1")):
            return self._signed("1003", "invalid mobile")
        if not params.get("face_fen", "").isdigit() or int(params["face_fen"]) not in FACE_VALUES_FEN:
            return self._signed("1004", "face value not supported")
        with self.lock:
            order = self.orders.get(reference)
            fresh = order is None
            if fresh:
                order = Recharge(
                    reference,
                    f"TP{secrets.randbelow(10**14):014d}",
                    mobile,
                    int(params["face_fen"]),
                    params["notify_url"],
                )
                self.orders[reference] = order
        if fresh:
            if self.finish_after:
                threading.Timer(self.finish_after, self._finish, [order]).start()
        if fresh and self._take_fault("timeout"):
            time.sleep(self.timeout_seconds)
        return self._signed("0000", "accepted", self._data(order))

    def finish(self, reference: str) -> Recharge:
        """Decide a top-up now (with finish_after=0 a test chooses the moment)."""
        order = self.orders[reference]
        self._finish(order)
        return order

    def _finish(self, order: Recharge) -> None:
        order.status = "failed" if order.mobile in self.fail_numbers else "success"
        order.finish_time = datetime.now(CST).strftime("%Y%m%d%H%M%S")
        if self._take_fault("lost") or not self.auto_deliver:
            return
        times = 2 if self._take_fault("duplicate") else 1
        bad = self._take_fault("bad_signature")
        for _ in range(times):
            self.deliver(order, bad_signature=bad)

    def callback_params(self, order: Recharge) -> dict:
        params = {
            "mch_id": self.merchant_id,
            "out_trade_no": order.out_trade_no,
            "order_no": order.order_no,
            "mobile": order.mobile,
            "face_fen": str(order.face_fen),
            "status": order.status,
            "finish_time": order.finish_time,
        }
        params["sign"] = sign(params, self.key)
        return params

    def deliver(self, order: Recharge, *, bad_signature: bool = False) -> str:
        """Push the outcome to the notify_url once; the body answered (or the error)."""
        params = self.callback_params(order)
        if bad_signature:
            params["sign"] = "0" * 32
        request = urllib.request.Request(order.notify_url, data=urllib.parse.urlencode(params).encode(), method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                answer = response.read().decode()
                order.callbacks.append((response.status, answer))
        except Exception as error:  # noqa: BLE001 — the vendor retries later; the test reads it
            answer = f"error: {error}"
            order.callbacks.append((0, answer))
        return answer
