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

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name="订单")
    provider = models.CharField(max_length=20, verbose_name="支付渠道")
    out_trade_no = models.CharField(max_length=40, unique=True, verbose_name="商户订单号")  # our id at the provider
    amount_fen = models.PositiveIntegerField(verbose_name="金额（分）")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED, verbose_name="状态")
    provider_transaction_id = models.CharField(max_length=64, blank=True, verbose_name="渠道交易号")
    pay_url = models.CharField(max_length=2000, blank=True, verbose_name="支付链接")
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name="支付时间")

    class Meta:
        verbose_name = "支付单"
        verbose_name_plural = "支付单"


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

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds", verbose_name="订单")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name="支付单")
    out_refund_no = models.CharField(max_length=40, unique=True, verbose_name="退款单号")
    amount_fen = models.PositiveIntegerField(verbose_name="金额（分）")
    reason = models.CharField(max_length=200, verbose_name="原因")
    lines = models.JSONField(default=list, verbose_name="退款明细")  # [{"line_id", "quantity", "amount_fen"}]
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    provider_refund_id = models.CharField(max_length=64, blank=True, verbose_name="渠道退款号")

    # order: the order's book follows on success; excess: money that arrived after the order
    # stopped waiting (or paid twice) goes back, the order's book is not touched.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER, verbose_name="类型")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="申请人",
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name="发送次数")
    last_error = models.CharField(max_length=200, blank=True, verbose_name="最近错误")
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    class Meta:
        verbose_name = "退款单"
        verbose_name_plural = "退款单"


class PaymentNotification(models.Model):
    """Every callback a provider sent, verified or not, kept as received (audit and replay)."""

    provider = models.CharField(max_length=20, verbose_name="支付渠道")
    out_trade_no = models.CharField(max_length=40, db_index=True, verbose_name="商户订单号")
    body = models.TextField(verbose_name="回调内容")
    signature_valid = models.BooleanField(verbose_name="签名有效")
    outcome = models.CharField(
        max_length=30, verbose_name="处理结果"
    )  # applied, duplicate, bad_signature, unknown_payment ...
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="收到时间")

    class Meta:
        verbose_name = "支付回调"
        verbose_name_plural = "支付回调"


class SandboxTrade(ShopScopedModel):
    """The sandbox gateway's own ledger of a trade — what a real provider keeps on its side.

    Our Payment only turns paid when the gateway's signed notify arrives; this row is the
    gateway's truth that the notify (and its retries) is built from.
    """

    class State(models.TextChoices):
        NOTPAY = "NOTPAY", "未支付"
        SUCCESS = "SUCCESS", "支付成功"
        CLOSED = "CLOSED", "已关闭"

    payment = models.OneToOneField(
        Payment, on_delete=models.CASCADE, related_name="sandbox_trade", verbose_name="支付单"
    )
    out_trade_no = models.CharField(max_length=40, unique=True, verbose_name="商户订单号")
    amount_fen = models.PositiveIntegerField(verbose_name="金额（分）")
    state = models.CharField(max_length=10, choices=State.choices, default=State.NOTPAY, verbose_name="状态")
    transaction_id = models.CharField(max_length=64, blank=True, verbose_name="交易号")
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name="支付时间")
    refunded_fen = models.PositiveIntegerField(default=0, verbose_name="已退款（分）")
    notify_attempts = models.PositiveIntegerField(default=0, verbose_name="回调次数")
    notified_at = models.DateTimeField(null=True, blank=True, verbose_name="回调时间")  # our server answered SUCCESS

    # A rehearsal switch, like a real sandbox's magic values: the next N refund requests of
    # this trade answer "system busy" (nothing is refunded), as a gateway outage would.
    refund_failures_planned = models.PositiveIntegerField(default=0, verbose_name="预设退款失败次数")

    class Meta:
        verbose_name = "沙箱交易"
        verbose_name_plural = "沙箱交易"


class SandboxRefund(models.Model):
    """The sandbox gateway's own book of refunds, one row per refund reference it accepted.

    What a real provider's refund query answers: a test reconciles money the gateway returned
    with the refunds we recorded. The same out_refund_no twice returns the first refund (no
    money moves twice).
    """

    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="refunds", verbose_name="沙箱交易")
    out_refund_no = models.CharField(max_length=40, unique=True, verbose_name="退款单号")
    refund_id = models.CharField(max_length=64, unique=True, verbose_name="渠道退款号")
    amount_fen = models.PositiveIntegerField(verbose_name="金额（分）")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="时间")

    class Meta:
        verbose_name = "沙箱退款"
        verbose_name_plural = "沙箱退款"


class ShopPaymentSettings(ShopScopedModel):
    """A shop's own payment gateway: which one its members pay through, and the merchant
    credentials it holds there. No row, or provider `platform`, means the platform's default
    (settings.PAYMENT_PROVIDER with settings.WECHATPAY / ALIPAY); credentials left empty fall back
    to the platform's too (credentials.py).

    WeChat Pay in partner mode (服务商): the platform's sp_mchid and keys stay in settings and the
    shop gives only its sub_mchid (+ sub_appid); in direct mode the shop is its own merchant. The
    secrets (private keys, APIv3 key) are Fernet tokens (secret_box.py), never plaintext, and are
    never sent back by the API.
    """

    class Provider(models.TextChoices):
        PLATFORM = "platform", bilingual("平台默认", "Platform default")
        SANDBOX = "sandbox", bilingual("沙箱（测试）", "Sandbox (testing)")
        WECHATPAY = "wechatpay", bilingual("微信支付", "WeChat Pay")
        ALIPAY = "alipay", bilingual("支付宝", "Alipay")
        # Inside WeChat's browser WeChat Pay, elsewhere Alipay.
        WECHATPAY_ALIPAY = "wechatpay_alipay", bilingual("微信支付 + 支付宝", "WeChat Pay + Alipay")

    class WechatpayMode(models.TextChoices):
        PARTNER = "partner", bilingual("服务商子商户", "Sub-merchant of the platform")
        DIRECT = "direct", bilingual("直连商户", "Direct merchant")

    shop = models.OneToOneField("shops.Shop", on_delete=models.CASCADE, related_name="+", verbose_name="店铺")
    provider = models.CharField(
        max_length=20, choices=Provider.choices, default=Provider.PLATFORM, verbose_name="支付渠道"
    )

    wechatpay_mode = models.CharField(
        max_length=10, choices=WechatpayMode.choices, default=WechatpayMode.PARTNER, verbose_name="微信支付接入方式"
    )
    wechatpay_sub_mchid = models.CharField(max_length=32, blank=True, verbose_name="子商户号")
    wechatpay_sub_appid = models.CharField(max_length=32, blank=True, verbose_name="子商户 AppID")
    wechatpay_mchid = models.CharField(max_length=32, blank=True, verbose_name="商户号")
    wechatpay_appid = models.CharField(max_length=32, blank=True, verbose_name="AppID")
    wechatpay_merchant_serial = models.CharField(max_length=64, blank=True, verbose_name="商户证书序列号")
    wechatpay_private_key_encrypted = models.TextField(blank=True, verbose_name="商户 API 私钥（密文）")
    wechatpay_apiv3_key_encrypted = models.TextField(blank=True, verbose_name="APIv3 密钥（密文）")
    # {platform certificate serial or PUB_KEY_ID_…: PEM}: public keys, not secrets.
    wechatpay_platform_keys = models.JSONField(default=dict, blank=True, verbose_name="微信支付平台公钥")

    alipay_app_id = models.CharField(max_length=32, blank=True, verbose_name="支付宝 AppID")
    alipay_seller_id = models.CharField(max_length=32, blank=True, verbose_name="支付宝 PID")
    alipay_private_key_encrypted = models.TextField(blank=True, verbose_name="应用私钥（密文）")
    alipay_public_key = models.TextField(blank=True, verbose_name="支付宝公钥")

    # The last 测试连接 and what it found.
    checked_at = models.DateTimeField(null=True, blank=True, verbose_name="测试时间")
    check_ok = models.BooleanField(null=True, verbose_name="测试通过")
    check_message = models.CharField(max_length=300, blank=True, verbose_name="测试结果")

    class Meta:
        verbose_name = "支付设置"
        verbose_name_plural = "支付设置"


class ReconciliationRun(ShopScopedModel):
    """One day's reconciliation (对账) of a shop at one provider: the gateway's trade bill of that
    day (Beijing time) matched line by line with our payments and refunds. Run again, the same row
    is updated (its mismatches keep their notes)."""

    class Status(models.TextChoices):
        MATCHED = "matched", bilingual("已平", "Matched")
        MISMATCHED = "mismatched", bilingual("有差异", "Mismatches")
        FAILED = "failed", bilingual("账单获取失败", "Bill not fetched")

    provider = models.CharField(max_length=20, verbose_name="支付渠道")
    bill_date = models.DateField(verbose_name="账单日期")
    status = models.CharField(max_length=20, choices=Status.choices, verbose_name="状态")
    bill_payments = models.PositiveIntegerField(default=0, verbose_name="账单支付笔数")
    bill_payments_fen = models.BigIntegerField(default=0, verbose_name="账单支付金额（分）")
    bill_refunds = models.PositiveIntegerField(default=0, verbose_name="账单退款笔数")
    bill_refunds_fen = models.BigIntegerField(default=0, verbose_name="账单退款金额（分）")
    our_payments = models.PositiveIntegerField(default=0, verbose_name="我方支付笔数")
    our_payments_fen = models.BigIntegerField(default=0, verbose_name="我方支付金额（分）")
    our_refunds = models.PositiveIntegerField(default=0, verbose_name="我方退款笔数")
    our_refunds_fen = models.BigIntegerField(default=0, verbose_name="我方退款金额（分）")
    open_mismatches = models.PositiveIntegerField(default=0, verbose_name="未处理差异")
    error = models.CharField(max_length=200, blank=True, verbose_name="错误")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    class Meta:
        verbose_name = "对账"
        verbose_name_plural = "对账"
        ordering = ["-bill_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "provider", "bill_date"], name="reconciliation_run_once_a_day")
        ]


class ReconciliationMismatch(ShopScopedModel):
    """One line where the gateway's bill and our books disagree; finance resolves it with a note."""

    class Kind(models.TextChoices):
        MISSING_OURS = "missing_ours", bilingual("我方缺失（渠道已收款）", "Missing on our side")
        MISSING_THEIRS = "missing_theirs", bilingual("渠道缺失", "Missing on the gateway's side")
        AMOUNT = "amount", bilingual("金额不符", "Amount mismatch")
        STATE = "state", bilingual("状态不符", "State mismatch")

    class Status(models.TextChoices):
        OPEN = "open", bilingual("待处理", "Open")
        RESOLVED = "resolved", bilingual("已处理", "Resolved")

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="mismatches", verbose_name="对账")
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="差异类型")
    subject = models.CharField(max_length=10, verbose_name="对象")  # payment / refund
    out_trade_no = models.CharField(max_length=40, verbose_name="商户订单号")
    out_refund_no = models.CharField(max_length=40, blank=True, verbose_name="退款单号")
    transaction_id = models.CharField(max_length=64, blank=True, verbose_name="渠道交易号")
    bill_amount_fen = models.BigIntegerField(null=True, blank=True, verbose_name="账单金额（分）")
    our_amount_fen = models.BigIntegerField(null=True, blank=True, verbose_name="我方金额（分）")
    bill_state = models.CharField(max_length=30, blank=True, verbose_name="账单状态")
    our_state = models.CharField(max_length=30, blank=True, verbose_name="我方状态")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name="处理状态")
    note = models.CharField(max_length=200, blank=True, verbose_name="处理说明")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name="处理时间")

    class Meta:
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "out_trade_no", "out_refund_no"], name="reconciliation_mismatch_once"
            )
        ]
