from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from ninja import Router

from tuangou.core.api import AUTH
from tuangou.core.net import client_ip

from . import services
from .captcha import captcha_create
from .privacy import PRIVACY_POLICY_PATH, PRIVACY_POLICY_VERSION
from .schemas import (
    CaptchaOut,
    CsrfOut,
    JssdkConfigOut,
    LoginOut,
    MeOut,
    OkOut,
    PasswordLoginIn,
    PrivacyPolicyOut,
    SignupIn,
    SmsLoginIn,
    SmsSendIn,
    WechatAuthorizeOut,
    WechatMiniProgramIn,
    WechatMiniProgramOut,
    WechatScope,
    WechatStatusOut,
)
from .selectors import user_profile, wechat_pending_identity

router = Router(tags=["auth 登录"])

WECHAT_NONCE = "wechat_oauth_nonce"  # session keys
WECHAT_PENDING = "wechat_pending_identity"


def _logged_in(request, user, issue_token: bool) -> dict:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    token = services.api_token_create(user=user, name="login") if issue_token else None
    return {"user": user_profile(user=user), "token": token}


@router.get("/csrf", response=CsrfOut, summary="Get a CSRF token (also set as the csrftoken cookie)")
def get_csrf(request):
    return {"csrf_token": get_token(request)}


@router.post("/sms/send", response=OkOut, summary="Send an SMS login code to a phone")
def send_sms_code(request, payload: SmsSendIn):
    services.sms_code_send(
        phone=payload.phone,
        ip=client_ip(request),
        captcha_id=payload.captcha_id,
        captcha_answer=payload.captcha_answer,
    )
    return {"ok": True}


@router.get("/captcha", response=CaptchaOut, summary="A new image captcha (asked for by sms/send as captcha_required)")
def get_captcha(request):
    return captcha_create()


@router.get("/privacy", response=PrivacyPolicyOut, summary="The privacy policy's current version and page")
def get_privacy_policy(request):
    return {"version": PRIVACY_POLICY_VERSION, "url": PRIVACY_POLICY_PATH}


@router.post(
    "/sms/login",
    response=LoginOut,
    summary="Log in (or sign up) with phone + SMS code, agreeing to the privacy policy",
)
def login_with_sms(request, payload: SmsLoginIn):
    ip = client_ip(request)
    services.privacy_consent_check(agree=payload.agree_privacy, version=payload.privacy_version)
    ticket_identity = services.wechat_bind_ticket_read(ticket=payload.wechat_ticket) if payload.wechat_ticket else None
    user = services.sms_code_verify(phone=payload.phone, code=payload.code, ip=ip)
    services.privacy_consent_record(user=user, version=payload.privacy_version, ip=ip)
    # A WeChat login waiting for this phone (H5: in the session; mini-program: its ticket).
    for identity_id in (request.session.pop(WECHAT_PENDING, None), ticket_identity):
        if identity_id:
            services.wechat_identity_bind(identity_id=identity_id, user=user)
    return _logged_in(request, user, payload.issue_token)


@router.post("/login", response=LoginOut, summary="Staff log in with username + password")
def login_with_password(request, payload: PasswordLoginIn):
    user = services.user_login_password(request=request, username=payload.username, password=payload.password)
    return _logged_in(request, user, payload.issue_token)


@router.post("/signup", response={201: LoginOut}, summary="A merchant signs up (then creates a shop)")
def signup(request, payload: SignupIn):
    data = payload.dict()
    agree, version = data.pop("agree_privacy"), data.pop("privacy_version")
    if agree:
        services.privacy_consent_check(agree=agree, version=version)
    user = services.user_signup(**data)
    if agree:
        services.privacy_consent_record(user=user, version=version, ip=client_ip(request))
    return 201, _logged_in(request, user, False)


@router.post("/logout", response=OkOut, auth=AUTH)
def logout_user(request):
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        services.api_token_revoke(user=request.auth, key=header[7:].strip())
    logout(request)
    return {"ok": True}


@router.get("/me", response=MeOut, auth=AUTH, summary="Who I am, and my roles in each shop")
def get_me(request):
    return user_profile(user=request.auth)


# --- WeChat -------------------------------------------------------------------------------------

# Operations that call WeChat answer 502 when it cannot be reached or refuses (rate limit, 5xx).
WECHAT_502 = {
    "responses": {
        502: {
            "description": "WeChat could not be reached, or refused (rate limit, server error)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
    }
}


@router.get("/wechat/status", response=WechatStatusOut, summary="Is WeChat login set up; does a WeChat login wait?")
def get_wechat_status(request):
    pending = wechat_pending_identity(identity_id=request.session.get(WECHAT_PENDING))
    return {
        "enabled": bool(settings.WECHAT_APP_ID),
        "app_id": settings.WECHAT_APP_ID,
        "pending_phone": pending is not None,
        "nickname": pending.nickname if pending else "",
        "avatar_url": pending.avatar_url if pending else "",
    }


@router.get(
    "/wechat/authorize",
    response=WechatAuthorizeOut,
    summary="Start WeChat web authorisation (inside WeChat's browser): the authorize URL to go to",
)
def start_wechat_login(request, next: str = "/h5/", scope: WechatScope = "snsapi_base"):  # noqa: A002
    callback = request.build_absolute_uri("/api/auth/wechat/callback")
    url, nonce = services.wechat_login_start(next_path=next, scope=scope, callback_url=callback)
    request.session[WECHAT_NONCE] = nonce
    return {"url": url}


@router.get(
    "/wechat/callback",
    openapi_extra=WECHAT_502,
    response={302: None},
    summary="WeChat sends the browser back here with code and state; logs the person in and returns",
)
def wechat_callback(request, code: str = "", state: str = ""):
    next_path = services.wechat_state_read(state=state, nonce=request.session.get(WECHAT_NONCE))
    request.session.pop(WECHAT_NONCE, None)
    if not code:  # the person refused to share their WeChat profile: back to the login page as it was
        step = "phone" if request.session.get(WECHAT_PENDING) else "declined"
        return HttpResponseRedirect("/h5/login?" + urlencode({"next": next_path, "wechat": step}))
    identity = services.wechat_oauth_complete(code=code)
    if identity.user_id:
        login(request, identity.user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(next_path)
    if request.user.is_authenticated and services.wechat_identity_bind(identity_id=identity.pk, user=request.user):
        # Logged in by phone already (this session verified it), asked to log in with WeChat to pay
        # inside WeChat: the openid is theirs, no second SMS. The state checked above was this session's.
        return HttpResponseRedirect(next_path)
    # New to us: the phone is verified once by SMS login, which then binds this identity.
    request.session[WECHAT_PENDING] = identity.pk
    return HttpResponseRedirect("/h5/login?" + urlencode({"next": next_path, "wechat": "phone"}))


@router.post(
    "/wechat/miniprogram",
    openapi_extra=WECHAT_502,
    response=WechatMiniProgramOut,
    summary="Mini-program login with wx.login()'s code (code2session); a new openid verifies a phone first",
)
def login_with_miniprogram(request, payload: WechatMiniProgramIn):
    identity = services.wechat_miniprogram_login(code=payload.code)
    if identity.user_id:
        body = _logged_in(request, identity.user, payload.issue_token)
        return {**body, "needs_phone": False, "wechat_ticket": None}
    return {
        "user": None,
        "token": None,
        "needs_phone": True,
        "wechat_ticket": services.wechat_bind_ticket(identity=identity),
    }


@router.get(
    "/wechat/jssdk-config",
    openapi_extra=WECHAT_502,
    response=JssdkConfigOut,
    summary="wx.config for the JS-SDK on one of our pages (signature over the jsapi_ticket and the URL)",
)
def get_jssdk_config(request, url: str):
    hosts = {request.get_host(), urlsplit(settings.SITE_URL).netloc}
    return services.wechat_jssdk_config(url=url, allowed_hosts=hosts)
