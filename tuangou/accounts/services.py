import hashlib
import hmac
import secrets
import urllib.parse
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tuangou.core.errors import ApplicationError
from tuangou.core.phones import normalize_phone

from . import wechat
from .captcha import captcha_check
from .hooks import login_failed_by_phone
from .limits import attempt_claim, attempt_count, attempt_release, attempt_retry_after
from .lockout import login_locked_error
from .models import ApiToken, ConsentRecord, LoginAttempt, SmsCode, User, WechatIdentity
from .privacy import PRIVACY_POLICY_VERSION
from .sms import SmsError, SmsMessage, sms_send

RESEND_INTERVAL_SECONDS = 60


def _hash_code(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def sms_code_send(
    *, phone: str, ip: str | None, purpose: str = "login", captcha_id: str = "", captcha_answer: str = ""
) -> SmsCode:
    """Send a 6-digit login code (the vendor's login_code template), within the per-phone and
    per-IP limits: one a minute and SMS_SEND_LIMIT_PER_PHONE_HOUR an hour per phone,
    SMS_SEND_LIMIT_PER_IP_HOUR per IP. Each is claimed atomically in the database
    (tuangou.accounts.limits), so twenty taps at once send one SMS, on whichever web worker they
    land. After SMS_CAPTCHA_AFTER_SENDS sends from the IP in the hour, a solved image captcha is
    needed first (tuangou.accounts.captcha). A vendor that refuses the message gives back the
    claims and leaves no code behind."""
    phone = normalize_phone(phone)
    now = timezone.now()
    threshold = settings.SMS_CAPTCHA_AFTER_SENDS
    if ip and threshold and attempt_count(key=f"sms-send-ip:{ip}") >= threshold:
        if not captcha_id or not (captcha_answer or "").strip():
            raise ApplicationError("captcha_required", field="captcha", status=400)
        captcha_check(captcha_id=captcha_id, answer=captcha_answer)
    limits = [
        (f"sms-send-phone-minute:{phone}", 1, RESEND_INTERVAL_SECONDS, "phone"),
        (f"sms-send-phone-hour:{phone}", settings.SMS_SEND_LIMIT_PER_PHONE_HOUR, 3600, "phone"),
    ]
    if ip:
        limits.insert(0, (f"sms-send-ip:{ip}", settings.SMS_SEND_LIMIT_PER_IP_HOUR, 3600, None))
    claimed = []
    for key, limit, window, field in limits:
        if not attempt_claim(key=key, limit=limit, window_seconds=window):
            _release(claimed)
            raise ApplicationError("rate_limited", field=field, status=429, seconds=attempt_retry_after(key=key))
        claimed.append(key)
    code = f"{secrets.randbelow(1_000_000):06d}"
    sms = SmsCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_hash_code(phone, code),
        ip=ip,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
    )
    try:
        sms_send(phone=phone, message=SmsMessage("login_code", {"code": code}))
    except SmsError as exc:
        sms.delete()
        _release(claimed)
        raise _sms_error(exc) from None
    return sms


def _sms_error(exc: SmsError) -> ApplicationError:
    """A vendor's refusal as our error: the member's number, the vendor's flow control, or ours."""
    if exc.kind == "invalid_number":
        return ApplicationError("phone_invalid", field="phone", status=400)
    if exc.kind == "limited":
        return ApplicationError("sms_vendor_limited", field="phone", status=429)
    if exc.kind == "unavailable":
        return ApplicationError("sms_vendor_unavailable", status=503)
    return ApplicationError("sms_vendor_refused", status=502, vendor_code=exc.vendor_code)


def sms_code_verify(*, phone: str, code: str, ip: str | None) -> User:
    """Check a code and return the person with that phone (created on first login).

    Three limits, each claimed atomically in the database *before* the code is compared, so
    concurrent guesses cannot overshoot them, and each written outside any transaction of ours
    (a failing call must still count): SMS_VERIFY_MAX_ATTEMPTS checks of one code;
    SMS_VERIFY_FAILURES_PER_PHONE_DAY wrong codes per phone in 24 hours, which a new code does
    not reset; SMS_VERIFY_LIMIT_PER_IP_HOUR wrong codes per IP. A right code gives back the
    phone's and the IP's claims (only failures spend those budgets).
    """
    phone = normalize_phone(phone)
    now = timezone.now()
    claims = []
    if ip:
        ip_key = f"sms-verify-ip:{ip}"
        if not attempt_claim(key=ip_key, limit=settings.SMS_VERIFY_LIMIT_PER_IP_HOUR, window_seconds=3600):
            raise ApplicationError("rate_limited", status=429, seconds=attempt_retry_after(key=ip_key))
        claims.append(ip_key)
    day_key = f"sms-verify-phone:{phone}"
    if not attempt_claim(key=day_key, limit=settings.SMS_VERIFY_FAILURES_PER_PHONE_DAY, window_seconds=86400):
        _release(claims)
        raise ApplicationError("sms_daily_limit", field="code", status=429)
    claims.append(day_key)
    sms = SmsCode.objects.filter(phone=phone).order_by("-created_at").first()
    refusal = None
    if sms is None:
        refusal = ApplicationError("sms_code_missing", field="code")
    elif sms.used_at is not None:
        refusal = ApplicationError("sms_code_used", field="code")
    elif sms.expires_at <= now:
        refusal = ApplicationError("sms_code_expired", field="code")
    # One conditional UPDATE takes one of the code's checks: 20 at once get exactly 5.
    elif not SmsCode.objects.filter(
        pk=sms.pk, used_at__isnull=True, failed_attempts__lt=settings.SMS_VERIFY_MAX_ATTEMPTS
    ).update(failed_attempts=F("failed_attempts") + 1):
        refusal = ApplicationError("sms_too_many_attempts", field="code")
    if refusal is None and not hmac.compare_digest(sms.code_hash, _hash_code(phone, (code or "").strip())):
        LoginAttempt.objects.create(phone=phone, ip=ip, succeeded=False)
        refusal = ApplicationError("sms_code_invalid", field="code")
    elif refusal is not None:  # no code was compared: nothing spent
        _release(claims)
    if refusal is not None:
        login_failed_by_phone(phone=phone, user=User.objects.filter(phone=phone).first(), reason=refusal.code)
        raise refusal
    with transaction.atomic():
        # Single use even under two simultaneous logins with the same code.
        claimed = SmsCode.objects.filter(pk=sms.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            raise ApplicationError("sms_code_used", field="code")
        LoginAttempt.objects.create(phone=phone, ip=ip, succeeded=True)
        user = user_get_or_create_by_phone(phone=phone)
    _release(claims)
    return user


def _release(keys: list[str]) -> None:
    for key in keys:
        attempt_release(key=key)


def privacy_consent_check(*, agree: bool, version: str) -> None:
    """Members and leaders log in only having agreed to the current privacy policy (PIPL).
    Checked before the code, so a missing tick spends none of the code's attempts."""
    if agree is not True:
        raise ApplicationError("privacy_consent_required", field="agree_privacy", status=422)
    if (version or "").strip() != PRIVACY_POLICY_VERSION:
        raise ApplicationError("privacy_version_outdated", field="privacy_version", status=422)


def privacy_consent_record(*, user: User, version: str, ip: str | None) -> ConsentRecord:
    """The person's agreement to this version, kept with the time they first gave it."""
    record, _ = ConsentRecord.objects.get_or_create(
        user=user, document=ConsentRecord.Document.PRIVACY, version=version.strip(), defaults={"ip": ip}
    )
    return record


def user_get_or_create_by_phone(*, phone: str, display_name: str = "") -> User:
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = User(username=f"p{phone}", phone=phone, display_name=display_name)
        user.set_unusable_password()
        user.save()
    return user


def user_login_password(*, request, username: str, password: str) -> User:
    """Staff log in with a password. django-axes (the first authentication backend) counts the
    failures in the database and, after AXES_FAILURE_LIMIT of them for the account or for the
    client's IP, refuses even the right password for AXES_COOLOFF_TIME."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise login_locked_error()
        raise ApplicationError("login_failed", field="password", status=401)
    return user


@transaction.atomic
def user_signup(*, username: str, password: str, display_name: str = "", phone: str = "") -> User:
    """A merchant signing up with a password (staff login)."""
    username = (username or "").strip()
    if len(username) < 3:
        raise ApplicationError("validation", field="username", reason="too_short_3")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("username_taken", field="username")
    normalized_phone = normalize_phone(phone) if phone else None
    if normalized_phone and User.objects.filter(phone=normalized_phone).exists():
        raise ApplicationError("conflict", field="phone", reason="phone_registered")
    user = User(username=username, display_name=display_name, phone=normalized_phone)
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ApplicationError("password_weak", field="password", reason="；".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    return user


def api_token_create(*, user: User, name: str = "") -> str:
    """A new bearer token; the key is shown once, only its hash is kept."""
    key = ApiToken.new_key()
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), name=name)
    return key


def api_token_revoke(*, user: User, key: str) -> None:
    ApiToken.objects.filter(user=user, key_hash=ApiToken.hash_key(key)).delete()


# --- WeChat login (web authorisation inside WeChat's browser, mini-program code2session) -------

WECHAT_STATE_SALT = "tuangou.accounts.wechat-oauth"
WECHAT_TICKET_SALT = "tuangou.accounts.wechat-bind"
WECHAT_STATE_MAX_AGE = 600
WECHAT_SCOPES = ("snsapi_base", "snsapi_userinfo")
DEFAULT_NEXT = "/h5/"


def _safe_next(next_path: str) -> str:
    """A path on this site (never another host: no `//`, no scheme, no backslash)."""
    path = (next_path or "").strip()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return DEFAULT_NEXT
    return path


def _wechat_app() -> tuple[str, str]:
    if not settings.WECHAT_APP_ID or not settings.WECHAT_APP_SECRET:
        raise ApplicationError("wechat_not_configured", status=400)
    return settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET


def wechat_login_start(*, next_path: str, scope: str, callback_url: str) -> tuple[str, str]:
    """The authorize URL to send the browser to, and the CSRF nonce the caller keeps in the
    session. The state is signed and carries the return path and the nonce; WeChat allows 128
    bytes of state, so a longer return path falls back to the H5's home."""
    app_id, _ = _wechat_app()
    if scope not in WECHAT_SCOPES:
        raise ApplicationError("validation", field="scope", reason="one_of", choices=", ".join(WECHAT_SCOPES))
    nonce = secrets.token_urlsafe(8)
    state = signing.dumps([_safe_next(next_path), nonce], salt=WECHAT_STATE_SALT, compress=True)
    if len(state) > 128:
        state = signing.dumps([DEFAULT_NEXT, nonce], salt=WECHAT_STATE_SALT, compress=True)
    url = wechat.authorize_url(app_id=app_id, redirect_uri=callback_url, scope=scope, state=state)
    return url, nonce


def wechat_state_read(*, state: str, nonce: str | None) -> str:
    """The return path the state carries, if we signed it, recently, for this browser's session."""
    try:
        next_path, state_nonce = signing.loads(state or "", salt=WECHAT_STATE_SALT, max_age=WECHAT_STATE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        raise ApplicationError("wechat_state_invalid", field="state", status=400) from None
    if not nonce or not hmac.compare_digest(str(state_nonce), nonce):
        raise ApplicationError("wechat_state_invalid", field="state", status=400)
    return _safe_next(next_path)


def _wechat_refused(exc: wechat.WechatError, field: str = "code") -> ApplicationError:
    if exc.errcode in (40029, 40163):
        return ApplicationError("wechat_code_invalid", field=field, status=400)
    return ApplicationError("wechat_unavailable", status=502)


def wechat_oauth_complete(*, code: str) -> WechatIdentity:
    """Exchange a web authorisation code (once; WeChat refuses it again) for the person's openid,
    their nickname and avatar when they agreed to share them (snsapi_userinfo), and keep the
    identity. Its `user` is set when the openid was bound before (a returning member)."""
    app_id, secret = _wechat_app()
    try:
        token = wechat.oauth_code_exchange(app_id=app_id, secret=secret, code=code)
        info = wechat.oauth_userinfo(token=token) if token.scope == "snsapi_userinfo" else None
    except wechat.WechatError as exc:
        raise _wechat_refused(exc) from None
    return wechat_identity_record(
        app_id=app_id,
        openid=token.openid,
        unionid=(info.unionid if info else "") or token.unionid,
        scope=token.scope,
        nickname=info.nickname if info else None,
        avatar_url=info.headimgurl if info else None,
    )


def wechat_miniprogram_login(*, code: str) -> WechatIdentity:
    """A mini-program's wx.login() code → its openid (session_key is kept by nobody: we do not
    decrypt mini-program data yet, and it must never reach the client)."""
    app_id, secret = settings.WECHAT_MINIPROGRAM_APP_ID, settings.WECHAT_MINIPROGRAM_APP_SECRET
    if not app_id or not secret:
        raise ApplicationError("wechat_not_configured", status=400)
    try:
        session = wechat.miniprogram_code2session(app_id=app_id, secret=secret, js_code=code)
    except wechat.WechatError as exc:
        raise _wechat_refused(exc) from None
    return wechat_identity_record(app_id=app_id, openid=session.openid, unionid=session.unionid, scope="miniprogram")


@transaction.atomic
def wechat_identity_record(
    *,
    app_id: str,
    openid: str,
    unionid: str = "",
    scope: str = "",
    nickname: str | None = None,
    avatar_url: str | None = None,
) -> WechatIdentity:
    """Keep (or update) the identity of one openid under one app id. A new openid whose unionid
    another of our app ids already bound to a person belongs to that person too."""
    identity, _ = WechatIdentity.objects.select_for_update().get_or_create(app_id=app_id, openid=openid)
    if unionid:
        identity.unionid = unionid
        if identity.user_id is None:
            known = WechatIdentity.objects.filter(unionid=unionid, user__isnull=False).exclude(pk=identity.pk).first()
            if known:
                identity.user_id = known.user_id
    if scope and (identity.scope != "snsapi_userinfo" or scope == "snsapi_userinfo"):
        identity.scope = scope
    if nickname is not None:
        identity.nickname = nickname[:100]
    if avatar_url is not None:
        identity.avatar_url = avatar_url[:500]
    identity.last_login_at = timezone.now()
    identity.save()
    if identity.user_id and nickname:
        _nickname_adopt(user=identity.user, nickname=nickname)
    return identity


def _nickname_adopt(*, user: User, nickname: str) -> None:
    if not user.display_name:
        user.display_name = nickname[:50]
        user.save(update_fields=["display_name"])


def wechat_identity_bind(*, identity_id: int, user: User) -> WechatIdentity | None:
    """After the person verified their phone by SMS: the WeChat identity is theirs from now on.
    An identity already bound to someone else stays theirs."""
    with transaction.atomic():
        identity = WechatIdentity.objects.select_for_update().filter(pk=identity_id).first()
        if identity is None or (identity.user_id and identity.user_id != user.id):
            return None
        identity.user = user
        identity.save(update_fields=["user"])
        if identity.nickname:
            _nickname_adopt(user=user, nickname=identity.nickname)
    return identity


def wechat_bind_ticket(*, identity: WechatIdentity) -> str:
    """A short-lived signed reference to an identity, for a client without our session cookie
    (the mini-program) to send with its SMS login."""
    return signing.dumps(identity.pk, salt=WECHAT_TICKET_SALT)


def wechat_bind_ticket_read(*, ticket: str) -> int:
    try:
        return int(signing.loads(ticket, salt=WECHAT_TICKET_SALT, max_age=WECHAT_STATE_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        raise ApplicationError("wechat_state_invalid", field="wechat_ticket", status=400) from None


def wechat_jssdk_config(*, url: str, allowed_hosts: set[str]) -> dict:
    """The JS-SDK's wx.config for a page of ours (`url`: the page's address without #fragment)."""
    app_id, secret = _wechat_app()
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or parts.netloc not in allowed_hosts:
        raise ApplicationError("wechat_url_invalid", field="url", status=400)
    try:
        return wechat.jssdk_config(app_id=app_id, secret=secret, url=url)
    except wechat.WechatError:
        raise ApplicationError("wechat_unavailable", status=502) from None
