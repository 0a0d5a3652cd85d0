from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import Event, ShopScopedModel


class Order(ShopScopedModel):
    """A member's order in one campaign, through one leader, picked up at that leader's point
    (or, with delivery_mode `delivery`, brought to the member's address from a front warehouse:
    the address, slot and warehouse are the warehouses app's OrderDelivery)."""

    class DeliveryMode(models.TextChoices):
        PICKUP = "pickup", bilingual("到点自提", "Self-pickup")
        DELIVERY = "delivery", bilingual("送货上门", "Home delivery")

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", bilingual("待付款", "Awaiting payment")  # stock reserved until expires_at
        PAID = "paid", bilingual("已付款", "Paid")  # campaign still live
        CONFIRMED = "confirmed", bilingual("已成团", "Group formed")  # cut-off passed, campaign succeeded
        SHIPPED = "shipped", bilingual("已发货", "Shipped")  # merchant sent the goods to the pickup point
        ARRIVED = "arrived", bilingual("待提货", "Ready for pickup")  # leader confirmed the goods arrived
        PICKED_UP = "picked_up", bilingual("已提货", "Picked up")  # leader verified the pickup code
        COMPLETED = "completed", bilingual("已完成", "Completed")  # after-sales window closed
        CANCELLED = "cancelled", bilingual("已取消", "Cancelled")  # unpaid and cancelled or timed out; stock released
        REFUNDED = "refunded", bilingual("已退款", "Refunded")  # all money returned

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="orders", verbose_name="团购活动"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name="会员"
    )
    leader = models.ForeignKey("leaders.Leader", on_delete=models.PROTECT, related_name="orders", verbose_name="团长")
    pickup_point = models.ForeignKey(
        "leaders.PickupPoint", on_delete=models.PROTECT, related_name="orders", verbose_name="提货点"
    )
    number = models.CharField(
        max_length=32, unique=True, verbose_name="订单号"
    )  # shown to people and sent to the payment provider
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, verbose_name="状态"
    )
    items_fen = models.PositiveIntegerField(verbose_name="商品金额（分）")
    discount_fen = models.PositiveIntegerField(default=0, verbose_name="优惠（分）")  # 满减送 + coupon
    reduction_fen = models.PositiveIntegerField(default=0, verbose_name="满减优惠（分）")  # the 满减送 part
    full_reduction = models.ForeignKey(
        "marketing.FullReduction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name="满减送活动",
    )  # the activity that gave reduction_fen: its list counts orders and GMV through it
    delivery_mode = models.CharField(
        max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.PICKUP, verbose_name="交付方式"
    )
    delivery_fee_fen = models.PositiveIntegerField(default=0, verbose_name="配送费（分）")  # part of total_fen
    total_fen = models.PositiveIntegerField(verbose_name="实付金额（分）")
    refunded_fen = models.PositiveIntegerField(default=0, verbose_name="已退款（分）")
    pickup_code = models.CharField(max_length=12, verbose_name="提货码")
    contact_name = models.CharField(max_length=30, blank=True, verbose_name="联系人")
    contact_phone = models.CharField(max_length=20, blank=True, verbose_name="联系电话")
    note = models.CharField(max_length=200, blank=True, verbose_name="备注")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, verbose_name="幂等键")
    request_hash = models.CharField(max_length=64, blank=True, verbose_name="请求摘要")
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name="付款截止时间")
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name="付款时间")
    picked_up_at = models.DateTimeField(null=True, blank=True, verbose_name="提货时间")
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    class Meta:
        verbose_name = "订单"
        verbose_name_plural = "订单"
        constraints = [
            models.UniqueConstraint(fields=["shop", "pickup_code"], name="order_pickup_code_unique_in_shop"),
            models.UniqueConstraint(fields=["shop", "member", "idempotency_key"], name="order_idempotency_key_once"),
        ]
        indexes = [
            models.Index(fields=["shop", "campaign", "status"]),
            models.Index(fields=["shop", "leader", "status"]),
            models.Index(fields=["shop", "member", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
            # The dashboard's paying members, read from the index alone (PostgreSQL; others ignore include).
            models.Index(fields=["shop", "paid_at"], include=["member_id"], name="order_paid_members"),
            # The console's list, newest first, by shop and by status (keyset on id: core/pagination.py).
            models.Index(fields=["shop", "-id"], name="order_console_list"),
            models.Index(fields=["shop", "status", "-id"], name="order_console_status"),
            models.Index(fields=["shop", "campaign", "-id"], name="order_console_campaign"),
            models.Index(fields=["shop", "contact_phone"], name="order_console_phone"),
            models.Index(fields=["shop", "created_at"], name="order_console_created"),
            # The sheets' pickup points and leaders of a campaign, and a page of the sorting list's
            # points, from the index alone: without it, each point probed all its campaigns' orders.
            models.Index(
                fields=["shop", "campaign", "pickup_point"],
                include=["leader_id", "status", "delivery_mode"],
                name="order_campaign_points",
            ),
        ]


class OrderLine(ShopScopedModel):
    """One campaign item in an order, priced and named as it was when bought."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name="订单")
    campaign_item = models.ForeignKey(
        "campaigns.CampaignItem", on_delete=models.PROTECT, related_name="order_lines", verbose_name="团购商品"
    )
    product_name = models.CharField(max_length=60, verbose_name="商品名称")
    spec = models.CharField(max_length=40, blank=True, verbose_name="规格")
    unit_price_fen = models.PositiveIntegerField(verbose_name="单价（分）")
    quantity = models.PositiveIntegerField(verbose_name="数量")
    amount_fen = models.PositiveIntegerField(
        verbose_name="金额（分）"
    )  # unit price × quantity, less its share of discounts
    reduction_fen = models.PositiveIntegerField(default=0, verbose_name="满减优惠（分）")  # its share of 满减送
    coupon_fen = models.PositiveIntegerField(default=0, verbose_name="优惠券优惠（分）")  # its share of the coupon
    refunded_quantity = models.PositiveIntegerField(default=0, verbose_name="已退数量")
    refunded_fen = models.PositiveIntegerField(default=0, verbose_name="已退款（分）")
    commission_rate_bp = models.PositiveIntegerField(verbose_name="佣金比例（万分比）")  # fixed at checkout

    class Meta:
        verbose_name = "订单明细"
        verbose_name_plural = "订单明细"
        ordering = ["id"]


class OrderEvent(Event):
    """A state change of an order, or another audited action on it (refund, note, notice)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name="订单")

    class Meta(Event.Meta):
        verbose_name = "订单事件"
        verbose_name_plural = "订单事件"


class AfterSaleRequest(ShopScopedModel):
    """A member's complaint about an order (missing, damaged ...), handled by customer service."""

    class Status(models.TextChoices):
        OPEN = "open", bilingual("待处理", "Open")
        REFUNDED = "refunded", bilingual("已退款", "Refunded")
        REJECTED = "rejected", bilingual("已驳回", "Rejected")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="after_sales", verbose_name="订单")
    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, null=True, blank=True, related_name="after_sales", verbose_name="订单明细"
    )
    quantity = models.PositiveIntegerField(default=0, verbose_name="数量")
    reason = models.CharField(max_length=200, verbose_name="原因")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, verbose_name="状态")
    resolution = models.CharField(max_length=200, blank=True, verbose_name="处理结果")
    refund_fen = models.PositiveIntegerField(default=0, verbose_name="退款金额（分）")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    handled_at = models.DateTimeField(null=True, blank=True, verbose_name="处理时间")

    class Meta:
        verbose_name = "售后申请"
        verbose_name_plural = "售后申请"
