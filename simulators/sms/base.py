"""What both vendor simulators share: the threaded server, the inbox, faults and receipt pushes."""

import json
import re
import threading
import time
import urllib.request
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Fault(StrEnum):
    SERVER_ERROR = "server_error"  # HTTP 500 from the gateway
    TIMEOUT = "timeout"  # the gateway answers after the client gave up
    BUSINESS_LIMIT = "business_limit"  # the vendor's flow control for the number
    INVALID_NUMBER = "invalid_number"  # the vendor refuses the number
    BAD_SIGNATURE = "bad_signature"  # the vendor computes another signature than ours


@dataclass
class SentSms:
    phone: str
    sign_name: str
    template: str
    params: dict | list
    text: str
    message_id: str
    at: float = field(default_factory=time.time)
    delivered: bool | None = None  # the handset's answer, once known (receipts and queries report it)
    reason: str = ""


class SimulatorServer(ABC):
    """Base of a vendor simulator: subclasses implement `handle(method, path, headers, body)`
    returning (status, headers, body bytes)."""

    def __init__(self, *, key_id: str, key_secret: str, templates: dict, sign_names: list[str]):
        self.key_id, self.key_secret = key_id, key_secret
        self.templates = templates  # vendor template id -> template text
        self.sign_names = set(sign_names)
        self.inbox: list[SentSms] = []
        self.requests = 0
        self.faults: list[Fault] = []  # the next requests' faults, one each, in order
        self.timeout_seconds = 3.0
        self.receipt_url: str | None = None
        # Push a "delivered" receipt this many seconds after each accepted message (as the vendors
        # do when a callback is configured); None: only when a test calls report().
        self.auto_receipt_seconds: float | None = None
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # life cycle
    def start(self, port: int = 0):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = simulator._dispatch(self.command, self.path, self.headers, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # faults and inbox
    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def sent_to(self, phone: str) -> list[SentSms]:
        return [sms for sms in self.inbox if sms.phone.endswith(phone)]

    def _dispatch(self, method, path, headers, body):
        with self._lock:
            self.requests += 1
        fault = self._next_fault()
        if fault is Fault.SERVER_ERROR:
            return 500, {"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"
        if fault is Fault.TIMEOUT:
            time.sleep(self.timeout_seconds)
        return self.handle(method, path, headers, body, fault)

    @abstractmethod
    def handle(self, method, path, headers, body, fault):
        """The vendor's own answer to one request: (status, headers, body)."""

    @staticmethod
    def render(text: str, params: dict) -> str:
        return re.sub(r"\$\{(\w+)\}|\{(\w+)\}", lambda m: str(params.get(m.group(1) or m.group(2), "")), text)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def accepted(self, sms: SentSms) -> None:
        """Keep an accepted message in the inbox (and schedule its receipt when asked to)."""
        self.inbox.append(sms)
        if self.receipt_url and self.auto_receipt_seconds is not None:
            timer = threading.Timer(self.auto_receipt_seconds, self._auto_report, args=(sms,))
            timer.daemon = True
            timer.start()

    def _auto_report(self, sms: SentSms) -> None:
        try:
            self.report(sms)
        except Exception as exc:  # the product was down: a real vendor retries a few times, the demo just says so
            print(f"receipt push to {self.receipt_url} failed: {exc}")

    @abstractmethod
    def report(self, sms: SentSms, **kwargs) -> dict:
        """Push the delivery receipt of one accepted message, in the vendor's own shape."""

    def push_receipts(self, items: list[dict]) -> dict:
        """POST a batch of receipts (the vendor's own JSON array) to the callback; the answer."""
        request = urllib.request.Request(
            self.receipt_url,
            data=json.dumps(items, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")
