from typing import Literal

from ninja import Schema
from pydantic import Field

from tuangou.core.validation import Name


class SmsSendIn(Schema):
    phone: Name = Field(..., max_length=20, examples=["13800000001"])
    # Needed once sms/send answered captcha_required: the id from GET auth/captcha and its characters.
    captcha_id: Name = Field("", max_length=300)
    captcha_answer: Name = Field("", max_length=10)


class CaptchaOut(Schema):
    captcha_id: str
    image: str = Field(..., description="A PNG data URL")
    expires_in: int


class SmsLoginIn(Schema):
    phone: Name = Field(..., max_length=20)
    code: Name = Field(..., min_length=4, max_length=8)
    agree_privacy: bool = Field(..., description="The person ticked 我已阅读并同意《隐私政策》 (required to be true)")
    privacy_version: Name = Field(..., max_length=20, description="The version they read: GET /api/auth/privacy")
    issue_token: bool = False  # True: also answer a bearer token (mini-program clients)
    wechat_ticket: str = Field(
        "", max_length=300, description="From POST /api/auth/wechat/miniprogram: bind that WeChat identity"
    )


class PrivacyPolicyOut(Schema):
    version: str
    url: str


class PasswordLoginIn(Schema):
    username: Name = Field(..., max_length=150)
    password: str = Field(..., max_length=128)
    issue_token: bool = False


class SignupIn(Schema):
    username: Name = Field(..., min_length=3, max_length=150)
    password: str = Field(..., min_length=8, max_length=128)
    display_name: Name = Field("", max_length=50)
    phone: Name = Field("", max_length=20)
    # Recorded when sent (the console's signup page does not ask yet; SMS login requires it).
    agree_privacy: bool = False
    privacy_version: Name = Field("", max_length=20)


class StaffShopOut(Schema):
    shop_id: int
    shop_name: str
    role: str
    permissions: list[str]


class LeaderShopOut(Schema):
    shop_id: int
    shop_name: str
    leader_id: int
    status: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str | None
    is_platform_operator: bool
    staff_of: list[StaffShopOut]
    leader_of: list[LeaderShopOut]


class LoginOut(Schema):
    user: MeOut
    token: str | None = None


class CsrfOut(Schema):
    csrf_token: str


class OkOut(Schema):
    ok: bool = True


class WechatAuthorizeOut(Schema):
    url: str = Field(..., description="WeChat's authorize page: send the browser there")


class WechatStatusOut(Schema):
    enabled: bool = Field(..., description="WeChat login is set up (WECHAT_APP_ID)")
    app_id: str
    pending_phone: bool = Field(..., description="A WeChat login waits for the person to verify a phone")
    nickname: str = ""
    avatar_url: str = ""


class WechatMiniProgramIn(Schema):
    code: Name = Field(..., min_length=1, max_length=128, description="wx.login()'s code")
    issue_token: bool = True


class WechatMiniProgramOut(Schema):
    user: MeOut | None = None
    token: str | None = None
    needs_phone: bool = Field(..., description="Verify a phone by SMS login, sending wechat_ticket with it")
    wechat_ticket: str | None = None


class JssdkConfigOut(Schema):
    appId: str  # noqa: N815 (wx.config's own names)
    timestamp: int
    nonceStr: str  # noqa: N815
    signature: str


WechatScope = Literal["snsapi_base", "snsapi_userinfo"]
