from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Message(ShopScopedModel):
    """An in-app message to one person (the H5 message center)."""

    class Kind(models.TextChoices):
        PICKUP_NOTICE = "pickup_notice", bilingual("提货通知", "Pickup notice")
        ORDER = "order", bilingual("订单消息", "Order message")
        LEADER = "leader", bilingual("团长消息", "Leader message")
        SYSTEM = "system", bilingual("系统消息", "System message")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=60)
    body = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["shop", "user", "id"])]


class Delivery(ShopScopedModel):
    """One message sent on an outbound channel (SMS, WeChat), with its outcome; retried by a job."""

    class Status(models.TextChoices):
        QUEUED = "queued", bilingual("待发送", "Queued")
        SENT = "sent", bilingual("已发送", "Sent")
        FAILED = "failed", bilingual("发送失败", "Failed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20)
    to = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "updated_at"])]
