import hashlib
import secrets

from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class ApiKey(ShopScopedModel):
    """A merchant's own system (ERP, accounting, a WeCom bot) reading this shop's console data
    with `Authorization: Bearer tk_…`. Only the key's hash is kept; its first characters (prefix)
    tell keys apart in the console. Read-only, limited to its scopes; revoked keys stay listed."""

    name = models.CharField(max_length=50, verbose_name="名称")
    prefix = models.CharField(max_length=12, verbose_name="前缀")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, verbose_name="权限范围")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name="最近使用时间")
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name="吊销时间")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "API密钥"
        verbose_name_plural = "API密钥"
        ordering = ["-id"]

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "tk_" + secrets.token_urlsafe(32)


class WebhookEndpoint(ShopScopedModel):
    """Where this shop wants to hear of its events: an https address of the merchant's system,
    the events it takes, and the secret each delivery is signed with (encrypted at rest)."""

    url = models.CharField(max_length=500, verbose_name="地址")
    description = models.CharField(max_length=100, blank=True, verbose_name="说明")
    events = models.JSONField(default=list, verbose_name="事件")
    secret_encrypted = models.TextField(verbose_name="签名密钥（加密）")
    # After a rotation the old secret still signs (beside the new) until it expires, so the
    # receiver can switch to the new one without refusing a delivery.
    previous_secret_encrypted = models.TextField(blank=True, verbose_name="旧签名密钥（加密）")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, verbose_name="旧密钥失效时间")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        verbose_name = "Webhook 推送地址"
        verbose_name_plural = "Webhook 推送地址"
        ordering = ["-id"]


class WebhookDelivery(ShopScopedModel):
    """One event sent (or to be sent) to one endpoint: the exact body signed, and where its
    attempts stand. Retried with backoff until it succeeds or runs out of attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待发送", "Pending")  # queued, or waiting for its next attempt
        SUCCEEDED = "succeeded", bilingual("已送达", "Delivered")  # the endpoint answered 2xx
        FAILED = "failed", bilingual("失败", "Failed")  # every attempt failed; a person may redeliver

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40, verbose_name="事件ID")
    event_type = models.CharField(max_length=40, verbose_name="事件")
    body = models.TextField(verbose_name="请求体")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    attempts = models.PositiveIntegerField(default=0, verbose_name="已尝试次数")
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name="下次尝试时间")
    response_status = models.PositiveIntegerField(null=True, blank=True, verbose_name="响应码")
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name="送达时间")

    class Meta:
        verbose_name = "Webhook投递"
        verbose_name_plural = "Webhook投递"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class WebhookAttempt(ShopScopedModel):
    """One HTTP request of a delivery: the headers sent, the answer (code, first bytes) or the
    network error, and how long it took — the delivery log the console shows."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(verbose_name="第几次")
    request_headers = models.JSONField(default=dict, verbose_name="请求头")
    response_status = models.PositiveIntegerField(null=True, blank=True, verbose_name="响应码")
    response_excerpt = models.CharField(max_length=500, blank=True, verbose_name="响应内容（节选）")
    error = models.CharField(max_length=200, blank=True, verbose_name="错误")
    duration_ms = models.PositiveIntegerField(default=0, verbose_name="耗时（毫秒）")

    class Meta:
        verbose_name = "Webhook请求"
        verbose_name_plural = "Webhook请求"
        ordering = ["-id"]
