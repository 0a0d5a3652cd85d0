from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Feedback(ShopScopedModel):
    """Something a leader tells the merchant from the leader center: a quality problem (with
    photos), a product they would like to sell, or a problem at their pickup point. The merchant
    works it through new → in progress → resolved and the two talk in its thread."""

    class Kind(models.TextChoices):
        QUALITY = "quality", bilingual("质量问题", "Quality problem")
        PRODUCT_REQUEST = "product_request", bilingual("选品建议", "Product request")
        PICKUP_POINT = "pickup_point", bilingual("提货点问题", "Pickup point problem")

    class Status(models.TextChoices):
        NEW = "new", bilingual("待处理", "New")  # nobody at the shop has answered yet
        IN_PROGRESS = "in_progress", bilingual("处理中", "In progress")  # the shop is on it
        RESOLVED = "resolved", bilingual("已解决", "Resolved")  # closed by the shop; the leader can reopen by replying

    leader = models.ForeignKey("leaders.Leader", on_delete=models.PROTECT, related_name="feedback", verbose_name="团长")
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="类型")
    title = models.CharField(max_length=60, verbose_name="标题")
    content = models.TextField(verbose_name="内容")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="商品"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, verbose_name="状态")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name="解决时间")
    last_reply_at = models.DateTimeField(null=True, blank=True, verbose_name="最近回复时间")

    class Meta:
        verbose_name = "团长反馈"
        verbose_name_plural = "团长反馈"
        ordering = ["-id"]
        indexes = [models.Index(fields=["shop", "status", "id"])]


class FeedbackPhoto(ShopScopedModel):
    """A photo the leader attached (the bad fruit, the broken shelf)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="feedback/%Y/%m/", verbose_name="图片")

    class Meta:
        verbose_name = "反馈图片"
        verbose_name_plural = "反馈图片"
        ordering = ["id"]


class FeedbackReply(ShopScopedModel):
    """One message of the thread, from the shop's staff or from the leader."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_shop = models.BooleanField(default=False, verbose_name="商家回复")
    body = models.TextField(verbose_name="内容")

    class Meta:
        verbose_name = "反馈回复"
        verbose_name_plural = "反馈回复"
        ordering = ["id"]
