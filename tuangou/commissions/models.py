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
