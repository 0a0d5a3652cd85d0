import hashlib
import secrets

from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person. Staff log in with username + password; leaders and members with phone + SMS code.
    One person may be staff of one shop, a leader in another and a member of many."""

    phone = models.CharField(max_length=20, unique=True, null=True, blank=True, verbose_name="手机号")
    display_name = models.CharField(max_length=50, blank=True, verbose_name="昵称")

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"


class ApiToken(models.Model):
    """A bearer token for API clients (the future mini-program). Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=50, blank=True, verbose_name="名称")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name="最近使用时间")

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "tg_" + secrets.token_urlsafe(32)


class SmsCode(models.Model):
    """One verification code sent to a phone: expires, single use, a few wrong tries allowed."""

    phone = models.CharField(max_length=20, db_index=True, verbose_name="手机号")
    purpose = models.CharField(max_length=20, default="login", verbose_name="用途")
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP地址")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="发送时间")
    expires_at = models.DateTimeField(verbose_name="过期时间")
    used_at = models.DateTimeField(null=True, blank=True, verbose_name="使用时间")
    failed_attempts = models.PositiveSmallIntegerField(default=0, verbose_name="已校验次数")

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["ip", "created_at"])]


class LoginAttempt(models.Model):
    """A code check, kept to rate-limit verification per IP."""

    phone = models.CharField(max_length=20, verbose_name="手机号")
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP地址")
    succeeded = models.BooleanField(default=False, verbose_name="是否成功")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="时间")

    class Meta:
        verbose_name = "登录尝试"
        verbose_name_plural = "登录尝试"
        indexes = [models.Index(fields=["ip", "created_at"]), models.Index(fields=["phone", "created_at"])]


class AttemptCounter(models.Model):
    """How many tries of one kind a key (a phone, an IP, a shop's verifier) has had in the current
    window: SMS code checks per phone per day, per IP per hour, pickup-code misses.

    Kept in the database, not a per-process cache, so every web worker counts against the same
    row, and taken with one conditional UPDATE (count < limit) before the guess is checked, so
    concurrent guesses cannot overshoot the limit (tuangou.accounts.limits)."""

    key = models.CharField(max_length=200, unique=True, verbose_name="计数键")
    count = models.PositiveIntegerField(default=0, verbose_name="次数")
    expires_at = models.DateTimeField(db_index=True, verbose_name="窗口结束时间")

    class Meta:
        verbose_name = "尝试次数计数"
        verbose_name_plural = "尝试次数计数"


class ConsentRecord(models.Model):
    """A person agreed to a version of a policy (PIPL): the privacy policy at SMS login. One row
    per person and version, with the time of the first agreement; a new version asks again."""

    class Document(models.TextChoices):
        PRIVACY = "privacy", "隐私政策"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name="用户")
    document = models.CharField(max_length=20, choices=Document.choices, default=Document.PRIVACY, verbose_name="文件")
    version = models.CharField(max_length=20, verbose_name="版本")
    agreed_at = models.DateTimeField(auto_now_add=True, verbose_name="同意时间")
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP地址")

    class Meta:
        verbose_name = "隐私政策同意记录"
        verbose_name_plural = "隐私政策同意记录"
        constraints = [models.UniqueConstraint(fields=["user", "document", "version"], name="one_consent_per_version")]


class StaffLoginFailure(AccessAttempt):
    """django-axes' count of wrong staff passwords per account and per IP, as operators see it in
    the admin (in Chinese): deleting a row lifts its lockout."""

    class Meta:
        proxy = True
        verbose_name = "员工登录失败与锁定"
        verbose_name_plural = "员工登录失败与锁定"


class StaffLoginLog(AccessLog):
    """django-axes' record of staff password logins (who, from where, when)."""

    class Meta:
        proxy = True
        verbose_name = "员工登录记录"
        verbose_name_plural = "员工登录记录"


class WechatIdentity(models.Model):
    """A WeChat account as one of our app ids knows it: the openid is per app id, the unionid (when
    the app is bound to an open platform account) the same across them. Made at the first WeChat
    login; `user` is set once the person has verified a phone by SMS (WeChat gives no phone)."""

    app_id = models.CharField(max_length=32, verbose_name="应用AppID")
    openid = models.CharField(max_length=64, verbose_name="微信OpenID")
    unionid = models.CharField(max_length=64, blank=True, db_index=True, verbose_name="微信UnionID")
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="wechat_identities", verbose_name="用户"
    )
    nickname = models.CharField(max_length=100, blank=True, verbose_name="微信昵称")
    avatar_url = models.URLField(max_length=500, blank=True, verbose_name="微信头像")
    scope = models.CharField(max_length=20, blank=True, verbose_name="授权范围")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="首次登录时间")
    last_login_at = models.DateTimeField(null=True, blank=True, verbose_name="最近登录时间")

    class Meta:
        verbose_name = "微信身份"
        verbose_name_plural = "微信身份"
        constraints = [models.UniqueConstraint(fields=["app_id", "openid"], name="one_identity_per_app_openid")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.openid}"
