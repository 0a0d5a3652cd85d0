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


class RollupState(ShopScopedModel):
    """How far a shop's rollups go: every day up to and including `through_day` (shop time)."""

    through_day = models.DateField(verbose_name="汇总截至日期")

    class Meta:
        verbose_name = "汇总进度"
        verbose_name_plural = "汇总进度"
        constraints = [models.UniqueConstraint(fields=["shop"], name="rollup_state_once_per_shop")]
