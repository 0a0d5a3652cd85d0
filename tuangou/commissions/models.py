from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import Event, ShopScopedModel


class CommissionEntry(ShopScopedModel):
    """One line of a leader's commission ledger. Balances are sums of entries; no row is ever edited.

    Money moves between two buckets: `pending` (earned, after-sales window still open) and
    `withdrawable`. Accrual adds to pending; settlement moves pending -> withdrawable as a pair
    (settlement_out −net from pending, settlement +net to withdrawable, both on the order line);
    a refund reverses from whichever bucket holds it; a withdrawal takes from withdrawable.
    """

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", bilingual("佣金入账", "Commission earned")
        SETTLEMENT = "settlement", bilingual("佣金结算", "Commission settled")  # +net into withdrawable
        SETTLEMENT_OUT = (
            "settlement_out",
            bilingual("结算转出", "Settled out"),
        )  # −net out of pending, the other half of the pair
        REVERSAL = "reversal", bilingual("退款冲回", "Refund reversal")
        WITHDRAWAL = "withdrawal", bilingual("提现", "Withdrawal")
        WITHDRAWAL_RETURN = "withdrawal_return", bilingual("提现退回", "Withdrawal returned")
        REWARD = "reward", bilingual("奖励", "Reward")

    class Bucket(models.TextChoices):
        PENDING = "pending", bilingual("待结算", "Pending")
        WITHDRAWABLE = "withdrawable", bilingual("可提现", "Withdrawable")

    leader = models.ForeignKey(
        "leaders.Leader", on_delete=models.PROTECT, related_name="commission_entries", verbose_name="团长"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="类型")
    bucket = models.CharField(max_length=20, choices=Bucket.choices, verbose_name="账户")
    amount_fen = models.BigIntegerField(verbose_name="金额（分）")  # signed
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_entries",
        verbose_name="订单",
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_entries",
        verbose_name="订单明细",
    )
    withdrawal = models.ForeignKey(
        "Withdrawal", on_delete=models.PROTECT, null=True, blank=True, related_name="entries", verbose_name="提现申请"
    )
    settle_after = models.DateTimeField(
        null=True, blank=True, verbose_name="结算时间"
    )  # accruals: when the after-sales window closes
    note = models.CharField(max_length=200, blank=True, verbose_name="说明")
    award = models.ForeignKey(
        "IncentiveAward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name="激励奖励",
    )  # a 团长激励 reward's own entries (reward, reversal, settlement pair); never on an order line

    class Meta:
        verbose_name = "佣金流水"
        verbose_name_plural = "佣金流水"
        ordering = ["id"]
        indexes = [models.Index(fields=["shop", "leader", "bucket"]), models.Index(fields=["kind", "settle_after"])]
        constraints = [
            # One accrual and one settlement pair per order line, whatever retries happen.
            models.UniqueConstraint(
                fields=["order_line", "kind"],
                condition=models.Q(kind__in=["accrual", "settlement", "settlement_out"]),
                name="commission_line_once_per_kind",
            ),
            models.UniqueConstraint(
                fields=["award", "kind"],
                condition=models.Q(kind__in=["reward", "settlement", "settlement_out"]),
                name="commission_award_once_per_kind",
            ),
        ]


class Withdrawal(ShopScopedModel):
    """A leader asking to be paid out from their withdrawable balance; finance approves and pays."""

    class Status(models.TextChoices):
        REQUESTED = "requested", bilingual("待审核", "Pending review")
        APPROVED = "approved", bilingual("已批准", "Approved")
        REJECTED = "rejected", bilingual("已拒绝", "Rejected")
        PAID = "paid", bilingual("已打款", "Paid out")
        TRANSFERRING = "transferring", bilingual("转账中", "Transferring")  # WeChat Pay merchant transfer sent
        FAILED = "failed", bilingual("转账失败", "Transfer failed")  # the money is back in withdrawable

    leader = models.ForeignKey(
        "leaders.Leader", on_delete=models.PROTECT, related_name="withdrawals", verbose_name="团长"
    )
    amount_fen = models.PositiveIntegerField(verbose_name="金额（分）")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, verbose_name="状态")
    account = models.CharField(
        max_length=100, blank=True, verbose_name="收款账户"
    )  # where to pay (WeChat / bank), as the leader typed it
    reason = models.CharField(max_length=200, blank=True, verbose_name="原因")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name="审核时间")
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="打款人",
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name="打款时间")
    # WeChat Pay merchant transfer (商家转账): our idempotent bill number, fixed when approved and
    # sent again as is on every retry; WeChat Pay's bill number and last state once it answered.
    out_bill_no = models.CharField(max_length=32, blank=True, default="", verbose_name="商户转账单号")
    transfer_bill_no = models.CharField(max_length=64, blank=True, default="", verbose_name="微信转账单号")
    transfer_state = models.CharField(max_length=30, blank=True, default="", verbose_name="转账单状态")
    # WAIT_USER_CONFIRM: the package_info the leader's WeChat opens to confirm receipt (确认收款).
    transfer_package = models.CharField(max_length=500, blank=True, default="", verbose_name="确认收款参数")

    class Meta:
        verbose_name = "提现申请"
        verbose_name_plural = "提现申请"
        indexes = [
            models.Index(fields=["shop", "status", "created_at"]),
            models.Index(fields=["shop", "leader", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["out_bill_no"], condition=~models.Q(out_bill_no=""), name="withdrawal_out_bill_no_unique"
            )
        ]


class WithdrawalEvent(Event):
    """A state change of a withdrawal: who moved it, from what to what, and why."""

    withdrawal = models.ForeignKey(Withdrawal, on_delete=models.CASCADE, related_name="events", verbose_name="提现申请")

    class Meta(Event.Meta):
        verbose_name = "提现事件"
        verbose_name_plural = "提现事件"


# --- 团长激励 (leader incentives) ------------------------------------------------------------


class IncentivePlan(ShopScopedModel):
    """A shop's 团长激励 plan: the new-leader first-order reward, the monthly 破蛋 tier, the level
    assessment period and the team PK prize. A zero amount switches that part off. The referral
    reward's amount, target and window live on the recruitment plan, which the poster promises from."""

    first_order_reward_fen = models.PositiveIntegerField(default=0, verbose_name="首单奖励（分）")
    first_order_count = models.PositiveIntegerField(default=1, verbose_name="首单奖励单数")  # the first N orders
    first_order_days = models.PositiveIntegerField(default=30, verbose_name="首单奖励期限（天）")  # after approval
    tier_target_fen = models.PositiveIntegerField(default=0, verbose_name="破蛋目标（分）")  # net GMV, days 1–15
    tier_bonus_rate_bp = models.PositiveIntegerField(
        default=0, verbose_name="破蛋加佣（万分比）"
    )  # on top of the line's rate, days 16 to month end
    level_period_days = models.PositiveIntegerField(default=30, verbose_name="等级考核期（天）")
    team_override_enabled = models.BooleanField(
        default=False, verbose_name="团队管理奖"
    )  # captains / regional leaders earn their rate's difference over their team
    pk_prize_fen = models.PositiveIntegerField(default=0, verbose_name="团队PK奖金（分）")  # to the winning captain
    pk_rule = models.CharField(max_length=200, blank=True, verbose_name="团队PK规则")

    class Meta:
        verbose_name = "团长激励方案"
        verbose_name_plural = "团长激励方案"
        constraints = [models.UniqueConstraint(fields=["shop"], name="incentive_plan_once_per_shop")]


class LeaderLevel(ShopScopedModel):
    """A 团长等级 earned by meeting every task over the plan's period; its rate is the least a
    leader at that level earns on a line (the ledger tops the line's own rate up to it)."""

    name = models.CharField(max_length=20, verbose_name="名称")
    rank = models.PositiveIntegerField(verbose_name="级别")  # higher is better
    commission_rate_bp = models.PositiveIntegerField(verbose_name="佣金比例（万分比）")
    min_gmv_fen = models.PositiveIntegerField(default=0, verbose_name="任务：交易额（分）")
    min_members = models.PositiveIntegerField(default=0, verbose_name="任务：团员数")
    min_pickup_rate_bp = models.PositiveIntegerField(default=0, verbose_name="任务：提货率（万分比）")

    class Meta:
        verbose_name = "团长等级"
        verbose_name_plural = "团长等级"
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["shop", "rank"], name="leader_level_rank_unique")]


class LeaderStanding(ShopScopedModel):
    """A leader's level as last assessed, with the figures it was judged on."""

    leader = models.OneToOneField(
        "leaders.Leader", on_delete=models.CASCADE, related_name="standing", verbose_name="团长"
    )
    level = models.ForeignKey(
        LeaderLevel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="等级"
    )
    figures = models.JSONField(default=dict, verbose_name="考核数据")  # gmv_fen, members, pickup_rate_bp
    assessed_at = models.DateTimeField(verbose_name="评定时间")

    class Meta:
        verbose_name = "团长等级评定"
        verbose_name_plural = "团长等级评定"


class TierAchievement(ShopScopedModel):
    """A leader reached the 破蛋 target in days 1–15 of `month`: the bonus rate holds for the rest
    of that month whatever is refunded later (one row per leader and month)."""

    leader = models.ForeignKey(
        "leaders.Leader", on_delete=models.CASCADE, related_name="tier_achievements", verbose_name="团长"
    )
    month = models.DateField(verbose_name="月份")  # the first day
    gmv_fen = models.BigIntegerField(verbose_name="达成时交易额（分）")
    target_fen = models.PositiveIntegerField(verbose_name="目标（分）")
    bonus_rate_bp = models.PositiveIntegerField(verbose_name="加佣（万分比）")

    class Meta:
        verbose_name = "破蛋达成"
        verbose_name_plural = "破蛋达成"
        constraints = [models.UniqueConstraint(fields=["leader", "month"], name="tier_once_per_leader_month")]


class IncentiveAward(ShopScopedModel):
    """One 团长激励 reward and why: its money is CommissionEntry rows (a `reward` into pending that
    settles when the after-sales window closes, reversals on refunds), never an edited balance.
    `key` makes each reward once: a second try (a retry, a racing pickup) finds the row there."""

    class Kind(models.TextChoices):
        FIRST_ORDER = "first_order", bilingual("新团长首单奖励", "New-leader first-order reward")
        TIER_BONUS = "tier_bonus", bilingual("破蛋加佣", "Tier bonus")
        LEVEL_TOPUP = "level_topup", bilingual("等级佣金", "Level rate top-up")
        TEAM_OVERRIDE = "team_override", bilingual("团队管理奖", "Team rate difference")
        REFERRAL = "referral", bilingual("推荐奖励", "Referral reward")
        TEAM_PK = "team_pk", bilingual("团队PK奖", "Team PK prize")

    leader = models.ForeignKey(
        "leaders.Leader", on_delete=models.PROTECT, related_name="incentive_awards", verbose_name="团长"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="类型")
    key = models.CharField(max_length=80, verbose_name="唯一键")
    amount_fen = models.PositiveIntegerField(verbose_name="金额（分）")
    rate_bp = models.PositiveIntegerField(default=0, verbose_name="比例（万分比）")  # per-line rewards
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="订单"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="订单明细"
    )
    source_leader = models.ForeignKey(
        "leaders.Leader",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源团长",
    )  # the referred leader, the team member
    reason = models.CharField(max_length=200, verbose_name="原因")
    is_revoked = models.BooleanField(default=False, verbose_name="已收回")  # taken back inside the window

    class Meta:
        verbose_name = "团长激励奖励"
        verbose_name_plural = "团长激励奖励"
        indexes = [models.Index(fields=["shop", "kind", "created_at"]), models.Index(fields=["leader", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "key"], condition=models.Q(is_revoked=False), name="incentive_award_once"
            )
        ]
