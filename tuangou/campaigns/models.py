from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import Event, ShopScopedModel


class Campaign(ShopScopedModel):
    """A group buy (团购): items at a campaign price, sold between start and cut-off, picked up later."""

    class Status(models.TextChoices):
        DRAFT = "draft", bilingual("草稿", "Draft")  # being edited; invisible to members
        SCHEDULED = "scheduled", bilingual("未开始", "Not started")  # published, waits for its start
        LIVE = "live", bilingual("进行中", "Live")  # taking orders
        CLOSED = "closed", bilingual("已截单", "Cut off")  # past cut-off, outcome being decided
        SUCCEEDED = "succeeded", bilingual("已成团", "Group formed")  # threshold met: orders go to fulfilment
        FAILED = "failed", bilingual("未成团", "Not formed")  # threshold missed: every paid order refunded
        CANCELLED = "cancelled", bilingual("已取消", "Cancelled")  # stopped by the merchant before anything sold

    class Template(models.TextChoices):
        FAST = "fast", bilingual("极速版", "Fast")
        RICH = "rich", bilingual("丰富版", "Rich")

    class ThresholdType(models.TextChoices):
        MEMBERS = "members", bilingual("成团人数", "Members")
        QUANTITY = "quantity", bilingual("成团件数", "Quantity")

    class FulfilmentMode(models.TextChoices):
        PICKUP = "pickup", bilingual("到点自提", "Self-pickup")  # the default: goods go to the leader's point
        DELIVERY = "delivery", bilingual("送货上门", "Home delivery")  # from a front warehouse to the address
        BOTH = "both", bilingual("自提或送货上门", "Pickup or delivery")  # the member chooses at checkout

    title = models.CharField(max_length=60, verbose_name="标题")
    description = models.TextField(blank=True, verbose_name="描述")
    cover = models.ImageField(upload_to="campaigns/%Y/%m/", blank=True, verbose_name="封面")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, verbose_name="状态")
    template = models.CharField(max_length=10, choices=Template.choices, default=Template.FAST, verbose_name="模板")
    starts_at = models.DateTimeField(verbose_name="开始时间")
    cutoff_at = models.DateTimeField(verbose_name="截单时间")
    pickup_at = models.DateTimeField(verbose_name="提货时间")
    threshold_type = models.CharField(
        max_length=10, choices=ThresholdType.choices, default=ThresholdType.MEMBERS, verbose_name="成团条件类型"
    )
    threshold_value = models.PositiveIntegerField(default=1, verbose_name="成团门槛")
    all_leaders = models.BooleanField(
        default=True, verbose_name="全部团长参与"
    )  # False: only the leaders in CampaignLeader
    fulfilment_mode = models.CharField(
        max_length=10, choices=FulfilmentMode.choices, default=FulfilmentMode.PICKUP, verbose_name="交付方式"
    )
    # Home delivery's fee rule: the fee, waived when the goods (after discounts) reach free_above.
    delivery_fee_fen = models.PositiveIntegerField(default=0, verbose_name="配送费（分）")
    delivery_free_above_fen = models.PositiveIntegerField(null=True, blank=True, verbose_name="满额免配送费（分）")
    delivery_slots = models.JSONField(
        default=list, blank=True, verbose_name="配送时段"
    )  # ["09:00-12:00", ...] on the pickup (delivery) date
    # Running counters, moved with F() when orders are paid or refunded (progress bar).
    paid_orders = models.PositiveIntegerField(default=0, verbose_name="已付款订单数")
    paid_quantity = models.PositiveIntegerField(default=0, verbose_name="已付款件数")
    paid_amount_fen = models.BigIntegerField(default=0, verbose_name="已付款金额（分）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    source = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name="来源"
    )

    class Meta:
        verbose_name = "团购活动"
        verbose_name_plural = "团购活动"
        indexes = [models.Index(fields=["shop", "status", "cutoff_at"]), models.Index(fields=["status", "starts_at"])]


class CampaignItem(ShopScopedModel):
    """One SKU offered in a campaign, with its own price, allotted stock and per-member limit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items", verbose_name="团购活动")
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.PROTECT, related_name="campaign_items", verbose_name="商品规格"
    )
    price_fen = models.PositiveIntegerField(verbose_name="团购价（分）")
    stock_allotted = models.PositiveIntegerField(verbose_name="分配库存")
    stock_left = models.PositiveIntegerField(verbose_name="剩余库存")  # decremented by a conditional UPDATE at checkout
    stock_returned = models.PositiveIntegerField(
        default=0, verbose_name="已退回库存"
    )  # unsold stock given back to the SKU when the campaign ended
    purchase_limit = models.PositiveIntegerField(default=0, verbose_name="每人限购")  # 0 = no limit
    commission_rate_bp = models.PositiveIntegerField(
        null=True, blank=True, verbose_name="佣金比例（万分比）"
    )  # overrides the leader's rate
    sort = models.IntegerField(default=0, verbose_name="排序")

    class Meta:
        verbose_name = "团购商品"
        verbose_name_plural = "团购商品"
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock_left__gte=0), name="campaign_item_stock_not_negative"),
            models.UniqueConstraint(fields=["campaign", "sku"], name="campaign_item_sku_once"),
        ]


class CampaignLeader(ShopScopedModel):
    """A leader allowed to run (and who joined, 参团) a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_leaders", verbose_name="团购活动"
    )
    leader = models.ForeignKey(
        "leaders.Leader", on_delete=models.CASCADE, related_name="campaign_links", verbose_name="团长"
    )
    joined_at = models.DateTimeField(
        null=True, blank=True, verbose_name="加入时间"
    )  # set when the leader joins in the leader center

    class Meta:
        verbose_name = "参团团长"
        verbose_name_plural = "参团团长"
        constraints = [models.UniqueConstraint(fields=["campaign", "leader"], name="campaign_leader_once")]


class CampaignEvent(Event):
    """A state change of a campaign (or another audited action on it)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events", verbose_name="团购活动")

    class Meta(Event.Meta):
        verbose_name = "团购事件"
        verbose_name_plural = "团购事件"
