from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Kind(models.TextChoices):
    REDUCE = "reduce", bilingual("满减", "Spend & save")  # reduce_fen off when in-scope payable ≥ threshold_fen
    PERCENT = "percent", bilingual("折扣", "Percent off")  # percent_off_bp off in-scope, at most max_discount_fen
    NO_THRESHOLD = "no_threshold", bilingual("无门槛", "No minimum")  # reduce_fen off any order


class Scope(models.TextChoices):
    ALL = "all", bilingual("全场", "All products")
    PRODUCTS = "products", bilingual("指定商品", "Some products")  # scope_ids are product ids
    CATEGORIES = "categories", bilingual("指定分类", "Some categories")  # scope_ids are category ids


class Channel(models.TextChoices):
    """Who may hand a template's coupons out."""

    CLAIM = "claim", bilingual("领券中心", "Coupon centre")
    TARGETED = "targeted", bilingual("定向发放", "Targeted pack")
    LEADER = "leader", bilingual("团长发券", "Leader hands out")
    PAYMENT_GIFT = "payment_gift", bilingual("支付有礼", "Payment gift")
    NEW_MEMBER = "new_member", bilingual("新人券", "New member")


class CouponRules(models.Model):
    """What a coupon takes off: set on the template, copied onto every coupon issued from it."""

    name = models.CharField(max_length=40, verbose_name="名称")
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="类型")
    threshold_fen = models.PositiveIntegerField(default=0, verbose_name="门槛（分）")  # 0: none
    reduce_fen = models.PositiveIntegerField(default=0, verbose_name="减免（分）")
    percent_off_bp = models.PositiveIntegerField(default=0, verbose_name="折扣（万分比）")  # 1500 = 15% off (8.5折)
    max_discount_fen = models.PositiveIntegerField(default=0, verbose_name="最多优惠（分）")  # 0: no cap
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.ALL, verbose_name="适用范围")
    scope_ids = models.JSONField(default=list, blank=True, verbose_name="适用商品/分类")

    RULE_FIELDS = (
        "name",
        "kind",
        "threshold_fen",
        "reduce_fen",
        "percent_off_bp",
        "max_discount_fen",
        "scope",
        "scope_ids",
    )

    class Meta:
        abstract = True


class CouponTemplate(CouponRules, ShopScopedModel):
    """A kind of coupon the merchant offers: its rules, validity, stock and who may issue it."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("进行中", "Active")
        PAUSED = "paused", bilingual("已暂停", "Paused")  # issues nothing; coupons already issued still work

    class Validity(models.TextChoices):
        FIXED = "fixed", bilingual("固定日期", "Fixed dates")  # valid_from .. valid_until
        DAYS = "days", bilingual("领取后N天", "N days from receipt")  # valid_days from the moment it is issued

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name="状态")
    validity = models.CharField(max_length=10, choices=Validity.choices, verbose_name="有效期类型")
    valid_from = models.DateTimeField(null=True, blank=True, verbose_name="生效时间")
    valid_until = models.DateTimeField(null=True, blank=True, verbose_name="失效时间")
    valid_days = models.PositiveIntegerField(default=0, verbose_name="有效天数")
    claim_starts_at = models.DateTimeField(null=True, blank=True, verbose_name="开始领取")  # None: at once
    claim_ends_at = models.DateTimeField(null=True, blank=True, verbose_name="结束领取")  # None: while stock lasts
    total = models.PositiveIntegerField(verbose_name="发行量")
    issued = models.PositiveIntegerField(default=0, verbose_name="已发放")  # raised by a conditional UPDATE, ≤ total
    per_member_limit = models.PositiveIntegerField(default=1, verbose_name="每人限领")
    channels = models.JSONField(default=list, verbose_name="发放渠道")  # Channel values
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "优惠券模板"
        verbose_name_plural = "优惠券模板"
        indexes = [models.Index(fields=["shop", "status"])]


class CouponHolding(ShopScopedModel):
    """How many coupons of a template a member has received: the per-member limit's counter,
    raised by a conditional UPDATE so concurrent claims cannot pass it."""

    template = models.ForeignKey(CouponTemplate, on_delete=models.CASCADE, related_name="+", verbose_name="优惠券")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="会员"
    )
    received = models.PositiveIntegerField(default=0, verbose_name="已领张数")

    class Meta:
        verbose_name = "会员领券计数"
        verbose_name_plural = "会员领券计数"
        constraints = [models.UniqueConstraint(fields=["template", "member"], name="coupon_holding_once")]


class Coupon(CouponRules, ShopScopedModel):
    """One coupon a member holds, with its own copy of the template's rules."""

    class Status(models.TextChoices):
        UNUSED = "unused", bilingual("未使用", "Unused")
        LOCKED = "locked", bilingual("下单锁定", "Held by an order")  # order placed, not paid yet
        USED = "used", bilingual("已使用", "Used")  # its order was paid
        EXPIRED = "expired", bilingual("已过期", "Expired")  # returned by an order after its validity ended
        REVOKED = "revoked", bilingual("已收回", "Revoked")  # a gift taken back (its order refunded)

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupons")
    channel = models.CharField(max_length=20, choices=Channel.choices, verbose_name="来源")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNUSED, verbose_name="状态")
    valid_from = models.DateTimeField(verbose_name="生效时间")
    valid_until = models.DateTimeField(verbose_name="失效时间")
    # The order holding or having used it (orders stand above marketing: an id, not a key).
    order_id = models.PositiveBigIntegerField(null=True, blank=True, verbose_name="订单")
    discount_fen = models.PositiveIntegerField(default=0, verbose_name="优惠（分）")  # taken off that order
    order_paid_fen = models.PositiveIntegerField(default=0, verbose_name="订单实付（分）")  # the GMV it brought
    locked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True, verbose_name="使用时间")

    class Meta:
        verbose_name = "优惠券"
        verbose_name_plural = "优惠券"
        indexes = [
            models.Index(fields=["shop", "member", "status"]),
            models.Index(fields=["template", "status"]),
            models.Index(fields=["order_id"]),
        ]


class CouponPack(ShopScopedModel):
    """定向发放: coupons of one template sent to the members a filter picks, delivered by a job."""

    class Audience(models.TextChoices):
        NEW = "new", bilingual("N天内新会员", "Joined in the last N days")  # days
        IDLE = "idle", bilingual("N天未下单", "No order in N days")  # days
        CATEGORY = "category", bilingual("买过某分类", "Bought a category")  # category_id
        LEADERS = "leaders", bilingual("指定团长的会员", "Members of some leaders")  # leader_ids
        PHONES = "phones", bilingual("手机号名单", "A list of phones")  # phones

    class Status(models.TextChoices):
        QUEUED = "queued", bilingual("排队中", "Queued")
        RUNNING = "running", bilingual("发放中", "Sending")
        DONE = "done", bilingual("已完成", "Done")

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="packs")
    name = models.CharField(max_length=40, verbose_name="名称")
    quantity = models.PositiveIntegerField(default=1, verbose_name="每人张数")
    audience = models.CharField(max_length=20, choices=Audience.choices, verbose_name="发放对象")
    audience_params = models.JSONField(default=dict, verbose_name="筛选条件")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, verbose_name="状态")
    members_total = models.PositiveIntegerField(default=0, verbose_name="目标人数")
    delivered = models.PositiveIntegerField(default=0, verbose_name="已发放人数")
    refused = models.PositiveIntegerField(default=0, verbose_name="未发放人数")  # out of stock, over the limit
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "定向发放"
        verbose_name_plural = "定向发放"


class CouponPackDelivery(ShopScopedModel):
    """What one member got from a pack: all its coupons, or none with the reason. One row per
    (pack, member), so a second run of the job issues nothing twice."""

    class Status(models.TextChoices):
        DELIVERED = "delivered", bilingual("已发放", "Delivered")
        REFUSED = "refused", bilingual("未发放", "Not delivered")

    pack = models.ForeignKey(CouponPack, on_delete=models.CASCADE, related_name="deliveries", verbose_name="券包")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="会员"
    )
    status = models.CharField(max_length=20, choices=Status.choices, verbose_name="状态")
    reason = models.CharField(max_length=40, blank=True, verbose_name="原因")  # the grant's error code
    notified = models.BooleanField(default=False, verbose_name="已通知")

    class Meta:
        verbose_name = "券包发放记录"
        verbose_name_plural = "券包发放记录"
        constraints = [models.UniqueConstraint(fields=["pack", "member"], name="coupon_pack_delivery_once")]


class PaymentGift(ShopScopedModel):
    """支付有礼: coupons given to a member whose paid order falls inside the period, pays at least
    min_paid_fen on in-scope lines. Points are not offered: the product has no points ledger."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("进行中", "Active")
        PAUSED = "paused", bilingual("已暂停", "Paused")  # new paid orders get nothing; grants stand

    name = models.CharField(max_length=40, verbose_name="名称")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name="状态")
    starts_at = models.DateTimeField(verbose_name="开始时间")
    ends_at = models.DateTimeField(verbose_name="结束时间")
    min_paid_fen = models.PositiveIntegerField(default=0, verbose_name="最低实付（分）")  # on in-scope lines
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.ALL, verbose_name="适用范围")
    scope_ids = models.JSONField(default=list, blank=True, verbose_name="适用商品/分类")
    gifts = models.JSONField(default=list, verbose_name="赠品")  # [{"template_id": 1, "count": 2}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "支付有礼"
        verbose_name_plural = "支付有礼"
        indexes = [models.Index(fields=["shop", "status", "starts_at"])]


class PaymentGiftGrant(ShopScopedModel):
    """One order's gift from one activity: recorded pending when the order is paid, delivered by
    a job. One row per (activity, order), so a second paid notify or a second run gives nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待发放", "Pending")
        DELIVERED = "delivered", bilingual("已发放", "Delivered")
        FAILED = "failed", bilingual("未发放", "Not delivered")  # out of stock, paused, over the limit
        REVOKED = "revoked", bilingual("已收回", "Revoked")  # the order was fully refunded

    activity = models.ForeignKey(PaymentGift, on_delete=models.CASCADE, related_name="grants", verbose_name="活动")
    order_id = models.PositiveBigIntegerField(verbose_name="订单")  # orders stand above marketing: an id
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="会员"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    reason = models.CharField(max_length=40, blank=True, verbose_name="原因")  # the grant's error code
    coupon_ids = models.JSONField(default=list, blank=True, verbose_name="赠送的券")
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name="发放时间")

    class Meta:
        verbose_name = "支付有礼记录"
        verbose_name_plural = "支付有礼记录"
        constraints = [models.UniqueConstraint(fields=["activity", "order_id"], name="payment_gift_grant_once")]
        indexes = [models.Index(fields=["order_id"])]


# --- 发券宝: coupons leaders hand out ---------------------------------------------------------


class LeaderCouponAllotment(ShopScopedModel):
    """发券宝: how many coupons of a template one leader may hand out through their claim link.
    `claimed` is raised by a conditional UPDATE (claimed < quantity) in the claim's transaction,
    together with the template's stock, so neither overshoots."""

    template = models.ForeignKey(
        CouponTemplate, on_delete=models.PROTECT, related_name="allotments", verbose_name="优惠券"
    )
    leader = models.ForeignKey(
        "leaders.Leader", on_delete=models.CASCADE, related_name="coupon_allotments", verbose_name="团长"
    )
    quantity = models.PositiveIntegerField(verbose_name="分配张数")
    claimed = models.PositiveIntegerField(default=0, verbose_name="已领张数")

    class Meta:
        verbose_name = "团长发券"
        verbose_name_plural = "团长发券"
        constraints = [
            models.UniqueConstraint(fields=["template", "leader"], name="leader_coupon_allotment_once"),
            models.CheckConstraint(
                condition=models.Q(claimed__lte=models.F("quantity")), name="leader_coupon_allotment_within"
            ),
        ]


class LeaderCouponClaim(ShopScopedModel):
    """A coupon a member claimed through a leader's link: the attribution behind the leader's
    claimed / used / GMV figures."""

    allotment = models.ForeignKey(
        LeaderCouponAllotment, on_delete=models.PROTECT, related_name="claims", verbose_name="团长发券"
    )
    coupon = models.OneToOneField(Coupon, on_delete=models.CASCADE, related_name="leader_claim", verbose_name="优惠券")

    class Meta:
        verbose_name = "团长发券领取"
        verbose_name_plural = "团长发券领取"


# --- 满减送: a shop's full-reduction activity ------------------------------------------------


class FullReduction(ShopScopedModel):
    """满减送: while it runs, an order whose in-scope lines (at campaign price) reach a tier's
    threshold gets that tier's amount off — the best tier reached, applied before any coupon."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("进行中", "Active")
        PAUSED = "paused", bilingual("已暂停", "Paused")  # new orders get nothing; placed orders keep theirs

    name = models.CharField(max_length=40, verbose_name="名称")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name="状态")
    starts_at = models.DateTimeField(verbose_name="开始时间")
    ends_at = models.DateTimeField(verbose_name="结束时间")
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.ALL, verbose_name="适用范围")
    scope_ids = models.JSONField(default=list, blank=True, verbose_name="适用商品/分类")
    # [{"threshold_fen": 9900, "reduce_fen": 1000}, ...], thresholds strictly rising, amounts too
    tiers = models.JSONField(default=list, verbose_name="满减档位")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "满减送"
        verbose_name_plural = "满减送"
        indexes = [models.Index(fields=["shop", "status", "starts_at"])]
