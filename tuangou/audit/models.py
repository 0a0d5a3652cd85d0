from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from tuangou.core.labels import bilingual


class AppendOnly(Exception):
    """An audit record is never changed or removed once written."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit records are append-only")

    def delete(self):
        raise AppendOnly("audit records are append-only")


class AuditRecord(models.Model):
    """One high-risk action (操作日志): who did what to which row, from where, and the fields
    before -> after. Append-only: the model refuses updates and deletes, and on PostgreSQL a
    trigger refuses them too (migration 0002). Shop and actor are kept without a database
    constraint so removing a person or a shop never touches the log."""

    shop = models.ForeignKey(
        "shops.Shop",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="店铺",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField(max_length=150, blank=True, verbose_name="操作人名称")  # as it was then
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP 地址")
    request_id = models.CharField(max_length=64, blank=True, verbose_name="请求号")
    action = models.CharField(max_length=40, db_index=True, verbose_name="操作")
    target_type = models.CharField(max_length=30, blank=True, verbose_name="对象类型")
    target_id = models.CharField(max_length=40, blank=True, verbose_name="对象ID")
    target_label = models.CharField(max_length=200, blank=True, verbose_name="对象")
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, verbose_name="修改前")
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, verbose_name="修改后")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="时间")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        indexes = [models.Index(fields=["shop", "-created_at"], name="audit_shop_time")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit records are append-only")


class ApprovalPolicy(models.Model):
    """When a shop wants a second person to approve (console 待审批 → 审批规则). Empty or off: one
    person with the permission acts alone, as before."""

    shop = models.OneToOneField("shops.Shop", on_delete=models.CASCADE, related_name="+", verbose_name="店铺")
    refund_over_fen = models.PositiveIntegerField(null=True, blank=True, verbose_name="退款超过（分）需复核")
    withdrawal_over_fen = models.PositiveIntegerField(null=True, blank=True, verbose_name="提现超过（分）需复核")
    campaign_cancel_with_paid = models.BooleanField(default=False, verbose_name="取消有已付订单的团购需复核")
    owner_admin_grant = models.BooleanField(default=False, verbose_name="授予店主/管理员需复核")

    class Meta:
        verbose_name = "审批规则"
        verbose_name_plural = "审批规则"


class ApprovalRequest(models.Model):
    """An action one person asked for that waits for a second (待审批). The owning app registered
    an executor for `action` (tuangou.audit.approvals); approving runs it with `payload`, once."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待审批", "Pending")
        APPROVED = "approved", bilingual("已通过", "Approved")  # and executed
        REJECTED = "rejected", bilingual("已拒绝", "Rejected")
        FAILED = "failed", bilingual("执行失败", "Failed")  # approved, but the action was refused

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", verbose_name="店铺")
    action = models.CharField(max_length=40, verbose_name="操作")
    permission = models.CharField(max_length=40, verbose_name="所需权限")
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder, verbose_name="参数")
    summary = models.CharField(max_length=200, verbose_name="摘要")
    amount_fen = models.PositiveIntegerField(null=True, blank=True, verbose_name="金额（分）")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name="审批时间")
    note = models.CharField(max_length=200, blank=True, verbose_name="说明")  # a reject reason, or why it failed
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="申请时间")

    class Meta:
        verbose_name = "待审批"
        verbose_name_plural = "待审批"
        indexes = [models.Index(fields=["shop", "status"], name="approval_shop_status")]
