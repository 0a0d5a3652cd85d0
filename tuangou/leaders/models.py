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

    title = models.CharField(max_length=60)
    benefits = models.TextField()
    requirements = models.TextField()
    referral_reward_fen = models.PositiveIntegerField(default=0)
    referral_gmv_target_fen = models.PositiveIntegerField(default=500000)  # ¥5,000 within the window
    referral_window_days = models.PositiveIntegerField(default=60)
    public_token = models.CharField(max_length=20, unique=True, default=new_public_token)
    is_published = models.BooleanField(default=True)


class Team(ShopScopedModel):
    """A group of 30–40 leaders under a captain (who is one of them)."""

    name = models.CharField(max_length=40)
    captain = models.ForeignKey("Leader", on_delete=models.SET_NULL, null=True, blank=True, related_name="captain_of")


class Region(ShopScopedModel):
    """Several communities under one regional leader."""

    name = models.CharField(max_length=40)
    regional_leader = models.ForeignKey(
        "Leader", on_delete=models.SET_NULL, null=True, blank=True, related_name="regions_led"
    )


class LeaderApplication(ShopScopedModel):
    """Someone asking to become a leader, with what the shop's thresholds were checked against."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待审核", "Pending review")
        APPROVED = "approved", bilingual("已通过", "Approved")
        REJECTED = "rejected", bilingual("已拒绝", "Rejected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leader_applications")
    name = models.CharField(max_length=30)
    phone = models.CharField(max_length=20)
    community = models.CharField(max_length=60)
    address = models.CharField(max_length=200)
    lat = models.DecimalField(max_digits=9, decimal_places=6)
    lng = models.DecimalField(max_digits=9, decimal_places=6)
    households = models.PositiveIntegerField()
    reach = models.CharField(max_length=200, blank=True)  # how they reach neighbours: 微信群, 快递点 ...
    referral_code = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    checks = models.JSONField(default=dict)  # threshold -> {"ok": bool, "detail": str}
    reject_reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "status"]), models.Index(fields=["shop", "user"])]


class Leader(ShopScopedModel):
    """A 团长 of this shop: runs a pickup point and earns commission on their members' orders."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("正常", "Active")
        SUSPENDED = "suspended", bilingual("已暂停", "Suspended")
        CLEARED = "cleared", bilingual("已清退", "Cleared out")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leader_roles")
    application = models.OneToOneField(
        LeaderApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="leader"
    )
    name = models.CharField(max_length=30)
    phone = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=200, blank=True)
    commission_rate_bp = models.PositiveIntegerField(null=True, blank=True)  # None = the shop's default
    referral_code = models.CharField(max_length=20, unique=True, default=new_referral_code)
    referred_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    region = models.ForeignKey(Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="leaders")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="leader_once_per_shop")]
        indexes = [models.Index(fields=["shop", "status"])]


class PickupPoint(ShopScopedModel):
    """Where a leader's members collect their goods (自提点); sheets are grouped by its route."""

    leader = models.OneToOneField(Leader, on_delete=models.CASCADE, related_name="pickup_point")
    name = models.CharField(max_length=60)
    community = models.CharField(max_length=60)
    address = models.CharField(max_length=200)
    lat = models.DecimalField(max_digits=9, decimal_places=6)
    lng = models.DecimalField(max_digits=9, decimal_places=6)
    route = models.CharField(max_length=40, blank=True)  # delivery route name, e.g. 思明线
    households = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "lat", "lng"]), models.Index(fields=["shop", "community"])]


class Membership(ShopScopedModel):
    """A person buying from this shop, bound to the leader they chose (they may change it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    leader = models.ForeignKey(Leader, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships")
    via_leader = models.ForeignKey(
        Leader, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # first attribution

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="membership_once_per_shop")]


class LeaderEvent(Event):
    """An audited change of a leader: approved, suspended, reactivated, cleared out, settings edited."""

    leader = models.ForeignKey(Leader, on_delete=models.CASCADE, related_name="events")
