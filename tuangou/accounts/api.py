from django.contrib.auth import login, logout
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
    LoginOut,
    MeOut,
    OkOut,
    PasswordLoginIn,
    PrivacyPolicyOut,
    SignupIn,
    SmsLoginIn,
    SmsSendIn,
)
from .selectors import user_profile

router = Router(tags=["auth 登录"])


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
    user = services.sms_code_verify(phone=payload.phone, code=payload.code, ip=ip)
    services.privacy_consent_record(user=user, version=payload.privacy_version, ip=ip)
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
