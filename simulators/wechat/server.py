"""The WeChat platform as our backend sees it, on a local port.

Endpoints (paths, parameters and JSON as WeChat documents them):
- GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state#wechat_redirect
  redirects to redirect_uri?code=…&state=… as the user chosen by `login_as` (a test hook standing
  for the person holding the phone);
- GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code
  a code works once (40163 after) and for 5 minutes (40029 when unknown or expired);
- GET /sns/userinfo?access_token&openid&lang=zh_CN (needs scope snsapi_userinfo);
- GET /cgi-bin/token?grant_type=client_credential&appid&secret (expires_in 7200);
- GET /cgi-bin/ticket/getticket?access_token&type=jsapi;
- GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code (mini-program);
- POST /cgi-bin/message/subscribe/bizsend?access_token (official account 订阅通知, accepted in an H5
  page through the wx-open-subscribe open tag) and POST /cgi-bin/message/subscribe/send?access_token
  (mini-program 订阅消息): the template must be one the app added (`add_template`), the data keys its
  keywords with values in each keyword kind's format (47003 otherwise), and the person must have
  accepted it (`subscribe`, one message per acceptance; 43101 when none is left);
- POST /wxa/getwxacodeunlimit?access_token (mini-program code): scene of 1-32 visible characters,
  page a released page; a real PNG (a QR code standing for the round 小程序码), or a JSON error.

Faults on demand: `fail_next(path, errcode)` answers the next call of a path with a WeChat error
(40029, 40163, 42001, 45009, …) or an HTTP 5xx (`errcode=500`); `expire_access_tokens()` makes every
access token issued so far answer 42001. `calls` counts requests per path.
"""

import hashlib
import io
import json
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import qrcode

CODE_TTL_SECONDS = 300
TOKEN_TTL_SECONDS = 7200

ERRORS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    42001: "access_token expired",
    40003: "invalid openid",
    40037: "invalid template_id",
    41030: "invalid page rule",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}

# The format of each kind of subscribe-message keyword (the key's letters before its number), as
# WeChat's documentation lists them: thing ≤ 20 characters, character_string ≤ 32 letters, digits
# and symbols, phrase ≤ 5 Chinese characters, amount a number with an optional ¥/元, …
FIELD_FORMATS = {
    "thing": lambda v: 0 < len(v) <= 20,
    "character_string": lambda v: 0 < len(v) <= 32 and re.fullmatch(r"[\x21-\x7e]+", v) is not None,
    "phrase": lambda v: 0 < len(v) <= 5 and re.fullmatch(r"[\u4e00-\u9fff]+", v) is not None,
    "amount": lambda v: re.fullmatch(r"¥?\d{1,8}(\.\d{1,2})?元?", v) is not None,
    "number": lambda v: re.fullmatch(r"-?\d{1,32}(\.\d+)?", v) is not None,
    "name": lambda v: 0 < len(v) <= 10,
    "time": lambda v: re.fullmatch(r"\d{4}[-年]\d{1,2}[-月]\d{1,2}日?( \d{1,2}:\d{2}(:\d{2})?)?", v) is not None,
    "date": lambda v: re.fullmatch(r"\d{4}[-年]\d{1,2}[-月]\d{1,2}日?( \d{1,2}:\d{2}(:\d{2})?)?", v) is not None,
    "phone_number": lambda v: re.fullmatch(r"[\d+\-]{1,17}", v) is not None,
}
SCENE_CHARS = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")


@dataclass
class WechatUser:
    """A WeChat account: its openid differs per app id (derived here), its unionid does not."""

    key: str
    nickname: str = "微信用户"
    headimgurl: str = "https://thirdwx.qlogo.cn/mmopen/vi_32/sim/132"
    sex: int = 0
    unionid: str | None = None
    province: str = "福建"
    city: str = "厦门"

    def openid(self, appid: str) -> str:
        return "o" + hashlib.sha256(f"{appid}:{self.key}".encode()).hexdigest()[:27]


@dataclass
class _Code:
    user: WechatUser
    appid: str
    scope: str
    issued: float
    used: bool = False


@dataclass
class _Apps:
    secrets: dict = field(default_factory=dict)  # appid -> secret


class WechatSimulator:
    """Start with `with WechatSimulator(apps={"wx…": "secret"}) as sim:`; `sim.base_url` serves
    both open.weixin.qq.com's and api.weixin.qq.com's paths."""

    def __init__(self, apps: dict[str, str] | None = None, host: str = "127.0.0.1", port: int = 0):
        self.apps = dict(apps or {})
        self.users: dict[str, WechatUser] = {}
        self.current: WechatUser | None = None
        self.calls: Counter = Counter()
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (appid, expires)
        self._sns_tokens: dict[str, tuple[WechatUser, str, str, float]] = {}  # token -> (user, appid, scope, exp)
        self._tickets: dict[str, str] = {}  # ticket -> appid
        self._faults: dict[str, list[int]] = {}
        self._lock = threading.Lock()
        self.clock = time.time
        self.delay = 0.0  # seconds each /cgi-bin answer waits (concurrency tests)
        self.decline_next = False  # the person taps 拒绝 on the snsapi_userinfo page: back without a code
        self.templates: dict[tuple[str, str], list[str]] = {}  # (appid, template id) -> keyword keys
        self.accepted: Counter = Counter()  # (appid, openid, template id) -> messages still allowed
        self.subscribe_messages: list[dict] = []  # every message sent: {appid, path, touser, template_id, data, page}
        self.pages: dict[str, set[str]] = {}  # mini-program appid -> released pages (any when not set)
        self.wxacodes: list[dict] = []  # every code made: {appid, scene, page, width}
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "WechatSimulator":
        self._thread = threading.Thread(target=self._server.serve_forever, name="wechat-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- test hooks --------------------------------------------------------------------------
    def add_user(self, key: str, **kwargs) -> WechatUser:
        user = WechatUser(key=key, **kwargs)
        self.users[key] = user
        return user

    def login_as(self, key: str, **kwargs) -> WechatUser:
        """The person now using WeChat (created on first use)."""
        self.current = self.users.get(key) or self.add_user(key, **kwargs)
        return self.current

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        with self._lock:
            self._faults.setdefault(path, []).extend([errcode] * times)

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._tokens = {token: (appid, 0.0) for token, (appid, _) in self._tokens.items()}

    def issue_code(self, appid: str, scope: str = "snsapi_base", user: WechatUser | None = None) -> str:
        """A code as the authorize page would hand it out (for API-level tests)."""
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = _Code(user=user or self.current, appid=appid, scope=scope, issued=self.clock())
        return code

    def issue_js_code(self, appid: str, user: WechatUser | None = None) -> str:
        """A mini-program `wx.login()` code."""
        return self.issue_code(appid, scope="miniprogram", user=user)

    def add_template(self, appid: str, template_id: str, keywords: list[str]) -> None:
        """A template the app added from WeChat's library, with its keyword keys (thing1, …)."""
        self.templates[(appid, template_id)] = list(keywords)

    def subscribe(self, appid: str, openid: str, template_ids: list[str]) -> dict:
        """The person taps 允许 for these templates (wx-open-subscribe / requestSubscribeMessage): one
        message each. Returns what the open tag's success event carries in subscribeDetails."""
        details = {}
        with self._lock:
            for template_id in template_ids:
                if (appid, template_id) in self.templates:
                    self.accepted[(appid, openid, template_id)] += 1
                    details[template_id] = json.dumps({"status": "accept"})
        return details

    def messages_to(self, openid: str) -> list[dict]:
        return [m for m in self.subscribe_messages if m["touser"] == openid]

    @staticmethod
    def jssdk_signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
        """WeChat's documented algorithm (appendix 1 of the JS-SDK guide)."""
        plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url.split('#')[0]}"
        return hashlib.sha1(plain.encode()).hexdigest()

    def ticket_for(self, appid: str) -> str | None:
        for ticket, owner in reversed(list(self._tickets.items())):
            if owner == appid:
                return ticket
        return None

    # --- endpoints -----------------------------------------------------------------------------
    def _fault(self, path: str) -> int | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.pop(0) if queue else None

    def _app_error(self, q: dict) -> dict | None:
        appid = q.get("appid", "")
        if appid not in self.apps:
            return _err(40013)
        if self.apps[appid] != q.get("secret", ""):
            return _err(40125)
        return None

    def authorize(self, q: dict) -> tuple[int, dict | str]:
        if q.get("appid") not in self.apps:
            return 200, "<html><body>appid 参数错误</body></html>"
        if q.get("response_type") != "code" or q.get("scope") not in ("snsapi_base", "snsapi_userinfo"):
            return 200, "<html><body>scope 参数错误或没有 scope 权限</body></html>"
        if self.current is None:
            return 200, "<html><body>请在微信客户端打开链接</body></html>"
        parts = urlsplit(q.get("redirect_uri", ""))
        if self.decline_next and q["scope"] == "snsapi_userinfo":
            self.decline_next = False
            back = {"state": q.get("state", "")}  # as WeChat does when the person refuses
        else:
            back = {"code": self.issue_code(q["appid"], q["scope"]), "state": q.get("state", "")}
        query = parts.query + ("&" if parts.query else "") + urlencode(back)
        return 302, urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def _take_code(self, appid: str, code: str, miniprogram: bool) -> tuple[_Code | None, dict | None]:
        with self._lock:
            entry = self._codes.get(code)
            if entry is None or entry.appid != appid or (entry.scope == "miniprogram") != miniprogram:
                return None, _err(40029)
            if entry.used:
                return None, _err(40163)
            if self.clock() - entry.issued > CODE_TTL_SECONDS:
                return None, _err(40029)
            entry.used = True
            return entry, None

    def sns_access_token(self, q: dict) -> dict:
        error = self._app_error(q)
        if error:
            return error
        if q.get("grant_type") != "authorization_code":
            return _err(40002, "invalid grant_type")
        entry, error = self._take_code(q["appid"], q.get("code", ""), miniprogram=False)
        if error:
            return error
        token = secrets.token_urlsafe(48)
        with self._lock:
            self._sns_tokens[token] = (entry.user, entry.appid, entry.scope, self.clock() + TOKEN_TTL_SECONDS)
        body = {
            "access_token": token,
            "expires_in": TOKEN_TTL_SECONDS,
            "refresh_token": secrets.token_urlsafe(48),
            "openid": entry.user.openid(entry.appid),
            "scope": entry.scope,
            "is_snapshotuser": 0,
        }
        if entry.user.unionid:
            body["unionid"] = entry.user.unionid
        return body

    def sns_userinfo(self, q: dict) -> dict:
        found = self._sns_tokens.get(q.get("access_token", ""))
        if found is None:
            return _err(40001)
        user, appid, scope, expires = found
        if expires <= self.clock():
            return _err(42001)
        if user.openid(appid) != q.get("openid"):
            return _err(40003, "invalid openid")
        if scope != "snsapi_userinfo":
            return _err(48001)
        body = {
            "openid": user.openid(appid),
            "nickname": user.nickname,
            "sex": user.sex,
            "province": user.province,
            "city": user.city,
            "country": "中国",
            "headimgurl": user.headimgurl,
            "privilege": [],
        }
        if user.unionid:
            body["unionid"] = user.unionid
        return body

    def cgi_token(self, q: dict) -> dict:
        error = self._app_error(q)
        if error:
            return error
        if q.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        token = secrets.token_urlsafe(96)
        with self._lock:
            self._tokens[token] = (q["appid"], self.clock() + TOKEN_TTL_SECONDS)
        return {"access_token": token, "expires_in": TOKEN_TTL_SECONDS}

    def _token_app(self, token: str) -> tuple[str | None, dict | None]:
        found = self._tokens.get(token)
        if found is None:
            return None, _err(40001)
        appid, expires = found
        if expires <= self.clock():
            return None, _err(42001)
        return appid, None

    def getticket(self, q: dict) -> dict:
        appid, error = self._token_app(q.get("access_token", ""))
        if error:
            return error
        if q.get("type") != "jsapi":
            return _err(40097, "invalid args")
        ticket = secrets.token_urlsafe(64)
        with self._lock:
            self._tickets[ticket] = appid
        return {"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TOKEN_TTL_SECONDS}

    def jscode2session(self, q: dict) -> dict:
        error = self._app_error(q)
        if error:
            return error
        entry, error = self._take_code(q["appid"], q.get("js_code", ""), miniprogram=True)
        if error:
            return error
        body = {"openid": entry.user.openid(entry.appid), "session_key": secrets.token_urlsafe(16)}
        if entry.user.unionid:
            body["unionid"] = entry.user.unionid
        return body

    def subscribe_send(self, path: str, q: dict, body: dict) -> dict:
        appid, error = self._token_app(q.get("access_token", ""))
        if error:
            return error
        template_id = str(body.get("template_id", ""))
        keywords = self.templates.get((appid, template_id))
        if keywords is None:
            return _err(40037)
        touser = str(body.get("touser", ""))
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", touser):
            return _err(40003)
        data = body.get("data")
        if not isinstance(data, dict):
            return _err(47001)
        for key in keywords:
            field = data.get(key)
            value = field.get("value") if isinstance(field, dict) else None
            kind = re.sub(r"\d+$", "", key)
            if not isinstance(value, str) or not FIELD_FORMATS.get(kind, lambda v: bool(v))(value):
                return _err(47003, f"argument invalid! data.{key}.value invalid")
        with self._lock:
            if self.accepted[(appid, touser, template_id)] <= 0:
                return _err(43101)
            self.accepted[(appid, touser, template_id)] -= 1
            msgid = len(self.subscribe_messages) + 1000000001
            self.subscribe_messages.append(
                {
                    "appid": appid,
                    "path": path,
                    "touser": touser,
                    "template_id": template_id,
                    "data": {k: data[k]["value"] for k in keywords},
                    "page": body.get("page", ""),
                    "msgid": msgid,
                }
            )
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def wxacode_unlimit(self, q: dict, body: dict) -> tuple[dict | None, bytes | None]:
        appid, error = self._token_app(q.get("access_token", ""))
        if error:
            return error, None
        scene = body.get("scene")
        if not isinstance(scene, str) or not SCENE_CHARS.fullmatch(scene):
            return _err(40097, "invalid args, scene"), None
        page = body.get("page") or "pages/index/index"
        if body.get("check_path", True) and appid in self.pages and page not in self.pages[appid]:
            return _err(41030), None
        width = body.get("width", 430)
        if not isinstance(width, int) or not 280 <= width <= 1280:
            return _err(40097, "invalid args, width"), None
        image = qrcode.make(f"wxacode:{appid}:{page}?scene={scene}", box_size=10, border=2)
        image = image.get_image().convert("RGB").resize((width, width))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        with self._lock:
            self.wxacodes.append({"appid": appid, "scene": scene, "page": page, "width": width})
        return None, buffer.getvalue()

    def _handler(self):
        simulator = self
        routes = {
            "/connect/oauth2/authorize": simulator.authorize,
            "/sns/oauth2/access_token": simulator.sns_access_token,
            "/sns/userinfo": simulator.sns_userinfo,
            "/cgi-bin/token": simulator.cgi_token,
            "/cgi-bin/ticket/getticket": simulator.getticket,
            "/sns/jscode2session": simulator.jscode2session,
        }

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                route = routes.get(parts.path)
                if route is None:
                    return self._send(404, {"errcode": 404, "errmsg": "not found"})
                simulator.calls[parts.path] += 1
                fault = simulator._fault(parts.path)
                if fault is not None and 500 <= fault <= 599:
                    return self._send(fault, "<html><body>502 Bad Gateway</body></html>")
                if fault is not None:
                    return self._send(200, _err(fault))
                if parts.path.startswith("/cgi-bin/") and simulator.delay:
                    time.sleep(simulator.delay)
                if parts.path == "/connect/oauth2/authorize":
                    status, result = route(query)
                    if status == 302:
                        self.send_response(302)
                        self.send_header("Location", result)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return None
                    return self._send(status, result)
                return self._send(200, route(query))

            def do_POST(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                simulator.calls[parts.path] += 1
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fault = simulator._fault(parts.path)
                if fault is not None and 500 <= fault <= 599:
                    return self._send(fault, "<html><body>502 Bad Gateway</body></html>")
                if fault is not None:
                    return self._send(200, _err(fault))
                if not raw:
                    return self._send(200, _err(44002))
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._send(200, _err(47001))
                if not isinstance(body, dict):
                    return self._send(200, _err(47001))
                if parts.path in ("/cgi-bin/message/subscribe/send", "/cgi-bin/message/subscribe/bizsend"):
                    return self._send(200, simulator.subscribe_send(parts.path, query, body))
                if parts.path == "/wxa/getwxacodeunlimit":
                    error, png = simulator.wxacode_unlimit(query, body)
                    if error:
                        return self._send(200, error)
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(png)))
                    self.end_headers()
                    self.wfile.write(png)
                    return None
                return self._send(404, {"errcode": 404, "errmsg": "not found"})

            def _send(self, status: int, body):
                if isinstance(body, str):
                    data, kind = body.encode(), "text/html; charset=utf-8"
                else:
                    # WeChat answers UTF-8 JSON with the characters as they are (not \\u escapes).
                    data, kind = json.dumps(body, ensure_ascii=False).encode(), "application/json; encoding=utf-8"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _err(code: int, message: str | None = None) -> dict:
    return {"errcode": code, "errmsg": f"{message or ERRORS.get(code, 'error')}, rid: {secrets.token_hex(4)}"}
