"""Daily rollups of paid orders for the dashboard: a big shop's month is hundreds of thousands of
orders and lines, its rollup a few thousand rows. Rebuilt by a job (rollups.py); the dashboard
reads them only while they are fresh, and today's sales always live."""

from django.db import models

from tuangou.core.models import ShopScopedModel


class DailyLeaderSales(ShopScopedModel):
    """One shop-local day's paid orders of one leader: GMV net of refunds and how many orders."""

    day = models.DateField(verbose_name="日期")
    leader = models.ForeignKey("leaders.Leader", on_delete=models.CASCADE, related_name="+", verbose_name="团长")
    gmv_fen = models.BigIntegerField(default=0, verbose_name="成交额（分）")
    orders = models.PositiveIntegerField(default=0, verbose_name="订单数")

    class Meta:
        verbose_name = "团长日销售汇总"
        verbose_name_plural = "团长日销售汇总"
        constraints = [models.UniqueConstraint(fields=["shop", "day", "leader"], name="daily_leader_sales_once")]


class DailyProductSales(ShopScopedModel):
    """One shop-local day's paid order lines of one product: pieces and GMV net of refunds, orders."""

    day = models.DateField(verbose_name="日期")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name="商品")
    quantity = models.BigIntegerField(default=0, verbose_name="件数")
    gmv_fen = models.BigIntegerField(default=0, verbose_name="成交额（分）")
    orders = models.PositiveIntegerField(default=0, verbose_name="订单数")

    class Meta:
        verbose_name = "商品日销售汇总"
        verbose_name_plural = "商品日销售汇总"
        constraints = [models.UniqueConstraint(fields=["shop", "day", "product"], name="daily_product_sales_once")]


class DailyItemSales(ShopScopedModel):
    """One shop-local day's paid lines of one campaign item (one SKU in one campaign), for 经营分析's
    margins over up to a year: pieces and money kept (net of refunds) and how many lines kept any.
    No cost: margins apply the SKU's cost as it is set when they are read."""

    day = models.DateField(verbose_name="日期")
    campaign_item = models.ForeignKey(
        "campaigns.CampaignItem", on_delete=models.CASCADE, related_name="+", verbose_name="团购商品"
    )
    kept = models.BigIntegerField(default=0, verbose_name="件数")
    revenue_fen = models.BigIntegerField(default=0, verbose_name="成交额（分）")
    kept_lines = models.PositiveIntegerField(default=0, verbose_name="订单行数")

    class Meta:
        verbose_name = "团购商品日销售汇总"
        verbose_name_plural = "团购商品日销售汇总"
        constraints = [models.UniqueConstraint(fields=["shop", "day", "campaign_item"], name="daily_item_sales_once")]


class DailyCampaignOrders(ShopScopedModel):
    """One shop-local day's paid orders of one campaign (an order counts once, whatever its lines)."""

    day = models.DateField(verbose_name="日期")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name="团购")
    orders = models.PositiveIntegerField(default=0, verbose_name="订单数")

    class Meta:
        verbose_name = "团购日订单汇总"
        verbose_name_plural = "团购日订单汇总"
        constraints = [models.UniqueConstraint(fields=["shop", "day", "campaign"], name="daily_campaign_orders_once")]


class BuyerRecord(ShopScopedModel):
    """A member's paid orders in a shop, as far as repeat purchase needs them: the first (the
    member's cohort), the last and the one before it. A member paid twice or more since a day
    exactly when the one before the last was paid since then; a paid order keeps its paid_at."""

    member = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name="团员")
    first_paid_at = models.DateTimeField(verbose_name="首次付款时间")
    last_paid_at = models.DateTimeField(verbose_name="最近付款时间")
    previous_paid_at = models.DateTimeField(null=True, blank=True, verbose_name="上一次付款时间")

    class Meta:
        verbose_name = "团员购买记录"
        verbose_name_plural = "团员购买记录"
        constraints = [models.UniqueConstraint(fields=["shop", "member"], name="buyer_record_once")]


class CohortActivity(ShopScopedModel):
    """Of the members whose first paid order was in `cohort` (a month, shop time), how many paid in
    `month`, a closed month after it: neither changes once the month is over."""

    cohort = models.DateField(verbose_name="首购月份")
    month = models.DateField(verbose_name="月份")
    members = models.PositiveIntegerField(default=0, verbose_name="团员数")

    class Meta:
        verbose_name = "团员留存汇总"
        verbose_name_plural = "团员留存汇总"
        constraints = [models.UniqueConstraint(fields=["shop", "cohort", "month"], name="cohort_activity_once")]


class RollupState(ShopScopedModel):
    """How far a shop's rollups go: every day up to and including `through_day` (shop time); the
    item and campaign rollups from `items_from` on. `built_at`: when the last run began (the old
    days a refund completed since then are built again by the next). `buyers_through`: the buyer
    records hold every order paid before it (less a few minutes: see rollups.SLACK). The cohort
    activity holds the months from `cohorts_from` up to `cohorts_to` (excluded). `timezone`: the
    shop's when they were built — days and months are the shop's, so rollups built in another
    zone are not read, and the next run builds them again (rollups.py)."""

    through_day = models.DateField(verbose_name="汇总截至日期")
    items_from = models.DateField(null=True, blank=True, verbose_name="商品汇总起始日期")
    built_at = models.DateTimeField(null=True, blank=True, verbose_name="上次汇总时间")
    buyers_through = models.DateTimeField(null=True, blank=True, verbose_name="购买记录截至时间")
    cohorts_from = models.DateField(null=True, blank=True, verbose_name="留存汇总起始月份")
    cohorts_to = models.DateField(null=True, blank=True, verbose_name="留存汇总截止月份（不含）")
    timezone = models.CharField(max_length=40, blank=True, default="", verbose_name="汇总时区")

    class Meta:
        verbose_name = "汇总进度"
        verbose_name_plural = "汇总进度"
        constraints = [models.UniqueConstraint(fields=["shop"], name="rollup_state_once_per_shop")]
