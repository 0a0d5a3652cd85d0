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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages", verbose_name="接收人"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="类型")
    title = models.CharField(max_length=60, verbose_name="标题")
    body = models.TextField(verbose_name="内容")
    data = models.JSONField(default=dict, blank=True, verbose_name="附加数据")
    read_at = models.DateTimeField(null=True, blank=True, verbose_name="阅读时间")

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["shop", "user", "id"])]


class Delivery(ShopScopedModel):
    """One message sent on an outbound channel (SMS, WeChat), with its outcome; retried by a job."""

    class Status(models.TextChoices):
        QUEUED = "queued", bilingual("待发送", "Queued")
        SENDING = "sending", bilingual("发送中", "Sending")
        SENT = "sent", bilingual("已发送", "Sent")
        FAILED = "failed", bilingual("发送失败", "Failed")

    class ReceiptStatus(models.TextChoices):
        DELIVERED = "delivered", bilingual("已送达", "Delivered")
        FAILED = "failed", bilingual("未送达", "Not delivered")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name="消息")
    channel = models.CharField(max_length=20, verbose_name="渠道")
    to = models.CharField(max_length=100, verbose_name="接收地址")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, verbose_name="状态")
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name="尝试次数")
    provider_id = models.CharField(max_length=64, blank=True, verbose_name="渠道消息号")
    error = models.CharField(max_length=200, blank=True, verbose_name="错误信息")
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name="发送时间")
    # The vendor's delivery receipt (SMS), matched by provider_id: delivered or failed with its reason.
    receipt_status = models.CharField(max_length=20, choices=ReceiptStatus.choices, blank=True, verbose_name="回执状态")
    receipt_error = models.CharField(max_length=200, blank=True, verbose_name="回执原因")
    receipt_at = models.DateTimeField(null=True, blank=True, verbose_name="回执时间")

    class Meta:
        verbose_name = "消息投递"
        verbose_name_plural = "消息投递"
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "updated_at"]), models.Index(fields=["channel", "provider_id"])]


class SubscribeAcceptance(models.Model):
    """How many more subscribe messages of one WeChat template a person allows: each tap of 允许 in
    WeChat's subscribe dialog (at checkout) allows exactly one message, and each message sent uses one
    (WeChat refuses the rest with 43101). Per app id, since the template belongs to the app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscribe_acceptances", verbose_name="用户"
    )
    app_id = models.CharField(max_length=32, verbose_name="应用AppID")
    template_id = models.CharField(max_length=64, verbose_name="模板ID")
    remaining = models.PositiveIntegerField(default=0, verbose_name="剩余可发条数")
    accepted_total = models.PositiveIntegerField(default=0, verbose_name="累计订阅次数")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间")

    class Meta:
        verbose_name = "订阅消息授权"
        verbose_name_plural = "订阅消息授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "app_id", "template_id"], name="one_acceptance_row_per_template")
        ]
