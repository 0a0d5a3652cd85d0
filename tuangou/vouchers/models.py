from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class RedemptionStore(ShopScopedModel):
    """A partner store (核销门店) that redeems the shop's vouchers: its staff open the store's
    redeem link on a phone and enter the store's PIN (kept hashed), or the shop's own staff redeem
    in the console and name the store."""

    name = models.CharField(max_length=40, verbose_name="门店名称")
    address = models.CharField(max_length=120, blank=True, verbose_name="地址")
    contact_phone = models.CharField(max_length=20, blank=True, verbose_name="联系电话")
    link_token = models.CharField(max_length=40, unique=True, verbose_name="核销链接令牌")
    pin_hash = models.CharField(max_length=128, verbose_name="核销PIN（哈希）")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        verbose_name = "核销门店"
        verbose_name_plural = "核销门店"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="redemption_store_name_unique")]


class VoucherCode(ShopScopedModel):
    """One unit of a voucher or service product a member paid for: its code (unguessable, unique
    in the shop), how many uses it had and has left, and the days it serves."""

    class Status(models.TextChoices):
        ACTIVE = "active", bilingual("可使用", "Usable")  # uses left (expiry is read from valid_until)
        USED_UP = "used_up", bilingual("已用完", "Used up")  # every use redeemed
        VOID = "void", bilingual("已退款", "Refunded")  # its unit was refunded before any use

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="vouchers", verbose_name="订单")
    line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="vouchers", verbose_name="订单明细"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="会员"
    )
    product_name = models.CharField(max_length=60, verbose_name="商品名称")
    code = models.CharField(max_length=16, verbose_name="券码")
    uses_total = models.PositiveIntegerField(verbose_name="总次数")
    uses_left = models.PositiveIntegerField(verbose_name="剩余次数")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name="状态")
    valid_from = models.DateTimeField(null=True, blank=True, verbose_name="生效时间")
    valid_until = models.DateTimeField(null=True, blank=True, verbose_name="失效时间")

    class Meta:
        verbose_name = "券码"
        verbose_name_plural = "券码"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="voucher_code_unique_in_shop"),
            models.CheckConstraint(condition=models.Q(uses_left__lte=models.F("uses_total")), name="voucher_uses"),
        ]
        indexes = [models.Index(fields=["shop", "-id"], name="voucher_console_list")]


class Redemption(ShopScopedModel):
    """One redemption (核销) of some uses of a code: when, where (a partner store, or the shop
    itself when blank) and by whom (a staff account, or nobody when a store's PIN link did it)."""

    voucher = models.ForeignKey(VoucherCode, on_delete=models.CASCADE, related_name="redemptions", verbose_name="券码")
    uses = models.PositiveIntegerField(verbose_name="核销次数")
    store = models.ForeignKey(
        RedemptionStore,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemptions",
        verbose_name="核销门店",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核销人",
    )
    uses_left_after = models.PositiveIntegerField(verbose_name="核销后剩余次数")

    class Meta:
        verbose_name = "核销记录"
        verbose_name_plural = "核销记录"
        ordering = ["-id"]


class TopUp(ShopScopedModel):
    """A phone top-up (话费充值) owed for one order line (all its units at once): the intent, written when
    the order is paid, sent to the vendor after commit under a stable reference (so a retry is
    the same request), finished by the vendor's callback or a query. Failed -> the line is refunded."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待提交", "To send")  # written; not yet accepted by the vendor
        PROCESSING = "processing", bilingual("充值中", "Processing")  # the vendor accepted it
        SUCCEEDED = "succeeded", bilingual("充值成功", "Succeeded")
        FAILED = "failed", bilingual("充值失败", "Failed")  # the line's refund has been asked for

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="topups", verbose_name="订单")
    line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="topups", verbose_name="订单明细"
    )
    phone = models.CharField(max_length=20, verbose_name="充值号码")
    face_value_fen = models.PositiveIntegerField(verbose_name="面额（分）")
    quantity = models.PositiveIntegerField(default=1, verbose_name="份数")
    reference = models.CharField(max_length=40, unique=True, verbose_name="充值流水号")  # our out_trade_no
    vendor_order_no = models.CharField(max_length=64, blank=True, verbose_name="渠道订单号")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    attempts = models.PositiveIntegerField(default=0, verbose_name="提交次数")
    last_error = models.CharField(max_length=200, blank=True, verbose_name="最近错误")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    class Meta:
        verbose_name = "话费充值"
        verbose_name_plural = "话费充值"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="topup_open")]
