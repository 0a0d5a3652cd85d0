from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Payment(ShopScopedModel):
    """One attempt to collect an order's money through a provider."""

    class Status(models.TextChoices):
        CREATED = "created", bilingual("待支付", "Awaiting payment")
        SUCCEEDED = "succeeded", bilingual("已支付", "Paid")
        CLOSED = "closed", bilingual("已关闭", "Closed")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)
    out_trade_no = models.CharField(max_length=40, unique=True)  # our id at the provider
    amount_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    provider_transaction_id = models.CharField(max_length=64, blank=True)
    pay_url = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)


class Refund(ShopScopedModel):
    """Money returned for an order (all of it or part), through the provider that took it.

    An outbox row: the transaction that decides a refund writes it `pending` with a reference
    (out_refund_no) that never changes; a job calls the provider after COMMIT, as often as it
    takes, always with that reference; the provider's answer completes it (and only then does
    the order's book move: lines, totals, stock, commission).
    """

    class Kind(models.TextChoices):
        ORDER = "order", bilingual("订单退款", "Order refund")
        EXCESS = "excess", bilingual("多付退回", "Excess payment returned")

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("退款中", "Refunding")
        SUCCEEDED = "succeeded", bilingual("已退款", "Refunded")
        FAILED = "failed", bilingual("退款失败", "Refund failed")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(max_length=40, unique=True)
    amount_fen = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    lines = models.JSONField(default=list)  # [{"line_id", "quantity", "amount_fen"}]
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(max_length=64, blank=True)
    # order: the order's book follows on success; excess: money that arrived after the order
    # stopped waiting (or paid twice) goes back, the order's book is not touched.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)


class PaymentNotification(models.Model):
    """Every callback a provider sent, verified or not, kept as received (audit and replay)."""

    provider = models.CharField(max_length=20)
    out_trade_no = models.CharField(max_length=40, db_index=True)
    body = models.TextField()
    signature_valid = models.BooleanField()
    outcome = models.CharField(max_length=30)  # applied, duplicate, bad_signature, unknown_payment ...
    created_at = models.DateTimeField(auto_now_add=True)


class SandboxTrade(ShopScopedModel):
    """The sandbox gateway's own ledger of a trade — what a real provider keeps on its side.

    Our Payment only turns paid when the gateway's signed notify arrives; this row is the
    gateway's truth that the notify (and its retries) is built from.
    """

    class State(models.TextChoices):
        NOTPAY = "NOTPAY", "未支付"
        SUCCESS = "SUCCESS", "支付成功"
        CLOSED = "CLOSED", "已关闭"

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="sandbox_trade")
    out_trade_no = models.CharField(max_length=40, unique=True)
    amount_fen = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.NOTPAY)
    transaction_id = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_fen = models.PositiveIntegerField(default=0)
    notify_attempts = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)  # our server answered SUCCESS
    # A rehearsal switch, like a real sandbox's magic values: the next N refund requests of
    # this trade answer "system busy" (nothing is refunded), as a gateway outage would.
    refund_failures_planned = models.PositiveIntegerField(default=0)


class SandboxRefund(models.Model):
    """The sandbox gateway's own book of refunds, one row per refund reference it accepted.

    What a real provider's refund query answers: a test reconciles money the gateway returned
    with the refunds we recorded. The same out_refund_no twice returns the first refund (no
    money moves twice).
    """

    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="refunds")
    out_refund_no = models.CharField(max_length=40, unique=True)
    refund_id = models.CharField(max_length=64, unique=True)
    amount_fen = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
