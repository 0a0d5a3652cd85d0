from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import TimeStampedModel


class Shop(TimeStampedModel):
    """The tenant: one merchant's business. Every business row carries its id."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("营业中", "Open")
        SUSPENDED = "suspended", bilingual("已停用", "Suspended")  # by a platform operator

    name = models.CharField(max_length=60, verbose_name="店铺名称")
    category = models.CharField(max_length=30, blank=True, verbose_name="经营类目")
    city = models.CharField(max_length=30, blank=True, verbose_name="城市")
    contact_name = models.CharField(max_length=30, blank=True, verbose_name="联系人")
    contact_phone = models.CharField(max_length=20, blank=True, verbose_name="联系电话")
    timezone = models.CharField(max_length=40, default="Asia/Shanghai", verbose_name="时区")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name="状态")

    # Settings the merchant tunes (console "Settings").
    min_households = models.PositiveIntegerField(default=500, verbose_name="团长小区最少户数")
    one_leader_per_community = models.BooleanField(default=True, verbose_name="每个小区只设一位团长")
    min_distance_between_points_m = models.PositiveIntegerField(
        default=0, verbose_name="提货点最小间距（米）"
    )  # 0 = no rule
    payment_timeout_minutes = models.PositiveIntegerField(default=15, verbose_name="付款时限（分钟）")
    # Notification SMS this shop may send a day; empty: the platform's SMS_DAILY_BUDGET_PER_SHOP, 0: no limit.
    sms_daily_budget = models.PositiveIntegerField(null=True, blank=True, verbose_name="每日短信条数上限")
    after_sales_days = models.PositiveIntegerField(default=7, verbose_name="售后期（天）")
    default_commission_rate_bp = models.PositiveIntegerField(
        default=1000, verbose_name="默认佣金比例（万分比）"
    )  # 1000 = 10 %
    pickup_notice_text = models.CharField(
        max_length=200,
        default="您在「{campaign}」购买的商品已到达{point}，请凭提货码{code}尽快提货。",
        verbose_name="提货通知文案",
    )

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = "店铺"
        verbose_name_plural = "店铺"


class Staff(TimeStampedModel):
    """A person working in a shop, with one role that decides what they may see and do."""

    class Role(models.TextChoices):
        OWNER = "owner", bilingual("店主", "Owner")
        ADMIN = "admin", bilingual("管理员", "Admin")
        OPERATIONS = "operations", bilingual("运营", "Operations")
        WAREHOUSE = "warehouse", bilingual("仓储发货", "Warehouse")
        FINANCE = "finance", bilingual("财务", "Finance")
        SUPPORT = "support", bilingual("客服", "Customer service")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="staff", verbose_name="店铺")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name="用户"
    )
    role = models.CharField(max_length=20, choices=Role.choices, verbose_name="角色")
    is_active = models.BooleanField(default=True, verbose_name="在职")

    class Meta:
        verbose_name = "店铺员工"
        verbose_name_plural = "店铺员工"
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="staff_one_role_per_shop")]
