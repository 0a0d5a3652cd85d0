"""The WeChat platform's HTTP API as Tuangou uses it: web authorisation (OAuth2), the JS-SDK's
jsapi_ticket and signature, and mini-program code2session.

Every call goes over the wire (to WeChat, or the simulator in tests and the demo: WECHAT_API_BASE)
and refuses to run inside one of our transactions. The app's access_token and jsapi_ticket are
cached (Django's cache: Redis when configured) per app id and refreshed WECHAT_REFRESH_MARGIN
seconds before WeChat says they expire; a lock in the cache lets one caller fetch while the others
wait for its result (WeChat limits /cgi-bin/token to 2,000 calls a day and each call invalidates
the previous token after five minutes). An answer 40001/42001 (token invalid or expired) drops the
cached token and tries once more with a new one.
"""

import hashlib
import http.client
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from tuangou.core.transactions import outside_transaction

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
LOCK_SECONDS = 10
TOKEN_ERRORS = {40001, 40014, 42001}


class WechatError(Exception):
    """WeChat answered an error (errcode), or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"wechat error {errcode}: {errmsg}")


@dataclass(frozen=True)
class OAuthToken:
    access_token: str
    openid: str
    scope: str
    unionid: str


@dataclass(frozen=True)
class UserInfo:
    nickname: str
    headimgurl: str
    unionid: str


@dataclass(frozen=True)
class MiniProgramSession:
    openid: str
    session_key: str
    unionid: str


@outside_transaction
def _get(path: str, params: dict) -> dict:
    url = f"{settings.WECHAT_API_BASE.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=settings.WECHAT_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        logger.warning("wechat %s answered HTTP %s", path, exc.code)
        raise WechatError(None, f"HTTP {exc.code}") from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as exc:
        logger.warning("wechat %s unreachable: %s", path, exc)
        raise WechatError(None, str(exc)) from None
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WechatError(None, "not JSON") from None
    if body.get("errcode"):
        logger.warning("wechat %s answered %s %s", path, body.get("errcode"), body.get("errmsg"))
        raise WechatError(int(body["errcode"]), str(body.get("errmsg", "")))
    return body


def authorize_url(*, app_id: str, redirect_uri: str, scope: str, state: str) -> str:
    """Where to send the browser for web authorisation (snsapi_base: silent; snsapi_userinfo: asks)."""
    query = urllib.parse.urlencode(
        {"appid": app_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": scope, "state": state}
    )
    return f"{settings.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def oauth_code_exchange(*, app_id: str, secret: str, code: str) -> OAuthToken:
    body = _get(
        "/sns/oauth2/access_token",
        {"appid": app_id, "secret": secret, "code": code, "grant_type": "authorization_code"},
    )
    return OAuthToken(
        access_token=body["access_token"],
        openid=body["openid"],
        scope=body.get("scope", ""),
        unionid=body.get("unionid", ""),
    )


def oauth_userinfo(*, token: OAuthToken) -> UserInfo:
    body = _get("/sns/userinfo", {"access_token": token.access_token, "openid": token.openid, "lang": "zh_CN"})
    return UserInfo(
        nickname=body.get("nickname", ""), headimgurl=body.get("headimgurl", ""), unionid=body.get("unionid", "")
    )


def miniprogram_code2session(*, app_id: str, secret: str, js_code: str) -> MiniProgramSession:
    body = _get(
        "/sns/jscode2session",
        {"appid": app_id, "secret": secret, "js_code": js_code, "grant_type": "authorization_code"},
    )
    return MiniProgramSession(
        openid=body["openid"], session_key=body.get("session_key", ""), unionid=body.get("unionid", "")
    )


# --- cached credentials ------------------------------------------------------------------------


def _cached(key: str, fetch) -> str:
    """The value cached under `key`, or `fetch()`ed by exactly one caller at a time (the others wait
    for it). fetch returns (value, expires_in)."""
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        entry = cache.get(key)
        if entry and entry["refresh_at"] > time.time():
            return entry["value"]
        if cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
            try:
                entry = cache.get(key)  # someone may have finished just before we took the lock
                if entry and entry["refresh_at"] > time.time():
                    return entry["value"]
                value, expires_in = fetch()
                refresh_in = max(int(expires_in) - REFRESH_MARGIN_SECONDS, 1)
                cache.set(key, {"value": value, "refresh_at": time.time() + refresh_in}, timeout=int(expires_in))
                return value
            finally:
                cache.delete(f"{key}:lock")
        if time.monotonic() > deadline:
            if entry:  # the holder is stuck; the old value is still valid until it truly expires
                return entry["value"]
            raise WechatError(None, "timed out waiting for another request to fetch a token")
        time.sleep(0.02)


def _token_key(app_id: str) -> str:
    return f"wechat:access_token:{app_id}"


def _ticket_key(app_id: str) -> str:
    return f"wechat:jsapi_ticket:{app_id}"


def access_token_get(*, app_id: str, secret: str) -> str:
    def fetch():
        body = _get("/cgi-bin/token", {"grant_type": "client_credential", "appid": app_id, "secret": secret})
        return body["access_token"], body.get("expires_in", 7200)

    return _cached(_token_key(app_id), fetch)


def jsapi_ticket_get(*, app_id: str, secret: str) -> str:
    def fetch():
        for attempt in (1, 2):
            token = access_token_get(app_id=app_id, secret=secret)
            try:
                body = _get("/cgi-bin/ticket/getticket", {"access_token": token, "type": "jsapi"})
            except WechatError as exc:
                if exc.errcode in TOKEN_ERRORS and attempt == 1:
                    cache.delete(_token_key(app_id))  # revoked or expired early: one new token, once
                    continue
                raise
            return body["ticket"], body.get("expires_in", 7200)

    return _cached(_ticket_key(app_id), fetch)


def jssdk_signature(*, ticket: str, nonce_str: str, timestamp: int, url: str) -> str:
    """WeChat's JS-SDK signature: SHA1 of the four fields in this order, the URL without its #fragment."""
    plain = f"jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url.split('#', 1)[0]}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()  # noqa: S324 (WeChat's algorithm)


def jssdk_config(*, app_id: str, secret: str, url: str) -> dict:
    ticket = jsapi_ticket_get(app_id=app_id, secret=secret)
    nonce_str = secrets.token_urlsafe(12)
    timestamp = int(time.time())
    return {
        "appId": app_id,
        "timestamp": timestamp,
        "nonceStr": nonce_str,
        "signature": jssdk_signature(ticket=ticket, nonce_str=nonce_str, timestamp=timestamp, url=url),
    }


# --- calls made with the app's access token -------------------------------------------------------


@outside_transaction
def _post(path: str, params: dict, payload: dict) -> tuple[str, bytes]:
    """POST JSON; (content type, raw body). WeChat answers errors as JSON even where success is an image."""
    url = f"{settings.WECHAT_API_BASE.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.WECHAT_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        logger.warning("wechat %s answered HTTP %s", path, exc.code)
        raise WechatError(None, f"HTTP {exc.code}") from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as exc:
        logger.warning("wechat %s unreachable: %s", path, exc)
        raise WechatError(None, str(exc)) from None


def _json_answer(path: str, raw: bytes) -> dict:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WechatError(None, "not JSON") from None
    if not isinstance(body, dict):
        raise WechatError(None, "not a JSON object")
    if body.get("errcode"):
        logger.warning("wechat %s answered %s %s", path, body.get("errcode"), body.get("errmsg"))
        raise WechatError(int(body["errcode"]), str(body.get("errmsg", "")))
    return body


def _with_token(*, app_id: str, secret: str, call):
    """call(access_token), once more with a new token when WeChat says the cached one is no longer valid."""
    for attempt in (1, 2):
        try:
            return call(access_token_get(app_id=app_id, secret=secret))
        except WechatError as exc:
            if exc.errcode in TOKEN_ERRORS and attempt == 1:
                cache.delete(_token_key(app_id))
                continue
            raise


# Official accounts (our H5 inside WeChat) send 订阅通知 through bizsend; mini-programs 订阅消息 through send.
SUBSCRIBE_PATHS = {"official": "/cgi-bin/message/subscribe/bizsend", "miniprogram": "/cgi-bin/message/subscribe/send"}


def subscribe_message_send(
    *, app_id: str, secret: str, kind: str, openid: str, template_id: str, data: dict, page: str = ""
) -> str:
    """Send one subscribe message (the person accepted the template once per message); WeChat's msgid.
    Raises WechatError: 43101 when the person has no acceptance left (or refused)."""
    path = SUBSCRIBE_PATHS[kind]
    payload = {"touser": openid, "template_id": template_id, "data": data}
    if page:
        payload["page"] = page
    if kind == "miniprogram":
        payload.update(miniprogram_state="formal", lang="zh_CN")

    def call(token):
        return _json_answer(path, _post(path, {"access_token": token}, payload)[1])

    return str(_with_token(app_id=app_id, secret=secret, call=call).get("msgid", ""))


def wxacode_unlimited(*, app_id: str, secret: str, scene: str, page: str, width: int = 430) -> bytes:
    """A mini-program code (小程序码) for `page` carrying `scene` (≤ 32 characters): PNG bytes.
    WeChat answers an image on success and JSON on error."""
    path = "/wxa/getwxacodeunlimit"
    payload = {"scene": scene, "page": page, "width": width, "check_path": True, "env_version": "release"}

    def call(token):
        kind, raw = _post(path, {"access_token": token}, payload)
        if kind.startswith("image/"):
            return raw
        _json_answer(path, raw)
        raise WechatError(None, "neither an image nor an error")

    return _with_token(app_id=app_id, secret=secret, call=call)
