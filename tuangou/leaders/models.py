import secrets

from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import Event, ShopScopedModel


def new_referral_code() -> str:
    return secrets.token_hex(4).upper()


def new_public_token() -> str:
    return secrets.token_urlsafe(9)


class RecruitmentPlan(ShopScopedModel):
    """The shop's 招募计划 page: what leaders get, what is asked of them, the referral reward."""

    title = models.CharField(max_length=60, verbose_name="标题")
    benefits = models.TextField(verbose_name="团长福利")
    requirements = models.TextField(verbose_name="招募要求")
    referral_reward_fen = models.PositiveIntegerField(default=0, verbose_name="推荐奖励（分）")
    referral_gmv_target_fen = models.PositiveIntegerField(
        default=500000, verbose_name="推荐业绩目标（分）"
    )  # ¥5,000 within the window
    referral_window_days = models.PositiveIntegerField(default=60, verbose_name="推荐考核期（天）")
    public_token = models.CharField(max_length=20, unique=True, default=new_public_token, verbose_name="公开链接令牌")
    is_published = models.BooleanField(default=True, verbose_name="已发布")

    class Meta:
        verbose_name = "团长招募计划"
        verbose_name_plural = "团长招募计划"


class Team(ShopScopedModel):
    """A group of 30–40 leaders under a captain (who is one of them)."""

    name = models.CharField(max_length=40, verbose_name="名称")
    captain = models.ForeignKey(
        "Leader", on_delete=models.SET_NULL, null=True, blank=True, related_name="captain_of", verbose_name="队长"
    )

    class Meta:
        verbose_name = "团长团队"
        verbose_name_plural = "团长团队"


class Region(ShopScopedModel):
    """Several communities under one regional leader."""

    name = models.CharField(max_length=40, verbose_name="名称")
    regional_leader = models.ForeignKey(
        "Leader",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regions_led",
        verbose_name="区域负责人",
    )

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"


class LeaderApplication(ShopScopedModel):
    """Someone asking to become a leader, with what the shop's thresholds were checked against."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待审核", "Pending review")
        APPROVED = "approved", bilingual("已通过", "Approved")
        REJECTED = "rejected", bilingual("已拒绝", "Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leader_applications", verbose_name="申请人"
    )
    name = models.CharField(max_length=30, verbose_name="姓名")
    phone = models.CharField(max_length=20, verbose_name="手机号")
    community = models.CharField(max_length=60, verbose_name="小区")
    address = models.CharField(max_length=200, verbose_name="地址")
    lat = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="纬度")
    lng = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="经度")
    households = models.PositiveIntegerField(verbose_name="户数")
    reach = models.CharField(
        max_length=200, blank=True, verbose_name="触达邻居的方式"
    )  # how they reach neighbours: 微信群, 快递点 ...
    referral_code = models.CharField(max_length=20, blank=True, verbose_name="推荐码")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    checks = models.JSONField(default=dict, verbose_name="审核检查项")  # threshold -> {"ok": bool, "detail": str}
    reject_reason = models.CharField(max_length=200, blank=True, verbose_name="驳回原因")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name="审核时间")

    class Meta:
        verbose_name = "团长申请"
        verbose_name_plural = "团长申请"
        indexes = [models.Index(fields=["shop", "status"]), models.Index(fields=["shop", "user"])]


class Leader(ShopScopedModel):
    """A 团长 of this shop: runs a pickup point and earns commission on their members' orders."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("正常", "Active")
        SUSPENDED = "suspended", bilingual("已暂停", "Suspended")
        CLEARED = "cleared", bilingual("已清退", "Cleared out")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leader_roles", verbose_name="用户"
    )
    application = models.OneToOneField(
        LeaderApplication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader",
        verbose_name="团长申请",
    )
    name = models.CharField(max_length=30, verbose_name="姓名")
    phone = models.CharField(max_length=20, verbose_name="手机号")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name="状态")
    status_reason = models.CharField(max_length=200, blank=True, verbose_name="状态原因")
    commission_rate_bp = models.PositiveIntegerField(
        null=True, blank=True, verbose_name="佣金比例（万分比）"
    )  # None = the shop's default
    referral_code = models.CharField(max_length=20, unique=True, default=new_referral_code, verbose_name="推荐码")
    referred_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals", verbose_name="推荐人"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name="团队"
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="leaders", verbose_name="区域"
    )

    class Meta:
        verbose_name = "团长"
        verbose_name_plural = "团长"
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="leader_once_per_shop")]
        indexes = [models.Index(fields=["shop", "status"])]


class PickupPoint(ShopScopedModel):
    """Where a leader's members collect their goods (自提点); sheets are grouped by its route."""

    leader = models.OneToOneField(Leader, on_delete=models.CASCADE, related_name="pickup_point", verbose_name="团长")
    name = models.CharField(max_length=60, verbose_name="名称")
    community = models.CharField(max_length=60, verbose_name="小区")
    address = models.CharField(max_length=200, verbose_name="地址")
    lat = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="纬度")
    lng = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="经度")
    route = models.CharField(max_length=40, blank=True, verbose_name="配送线路")  # delivery route name, e.g. 思明线
    households = models.PositiveIntegerField(default=0, verbose_name="户数")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        verbose_name = "提货点"
        verbose_name_plural = "提货点"
        indexes = [models.Index(fields=["shop", "lat", "lng"]), models.Index(fields=["shop", "community"])]


class Membership(ShopScopedModel):
    """A person buying from this shop, bound to the leader they chose (they may change it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="会员"
    )
    leader = models.ForeignKey(
        Leader, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships", verbose_name="团长"
    )
    via_leader = models.ForeignKey(
        Leader, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="首次来源团长"
    )  # first attribution

    class Meta:
        verbose_name = "会员绑定"
        verbose_name_plural = "会员绑定"
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="membership_once_per_shop")]


class LeaderEvent(Event):
    """An audited change of a leader: approved, suspended, reactivated, cleared out, settings edited."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="events", verbose_name="团长")

    class Meta(Event.Meta):
        verbose_name = "团长事件"
        verbose_name_plural = "团长事件"
