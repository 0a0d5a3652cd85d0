from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Warehouse(ShopScopedModel):
    """A front warehouse (前置仓) near a cluster of communities: it covers the addresses within
    its radius and the communities it names, holds its own stock per SKU, and home-delivery
    orders leave from the nearest one covering the address that has the goods."""

    name = models.CharField(max_length=40, verbose_name="名称")
    address = models.CharField(max_length=200, verbose_name="地址")
    lat = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="纬度")
    lng = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="经度")
    radius_m = models.PositiveIntegerField(default=3000, verbose_name="配送半径（米）")  # 0: only by community
    communities = models.JSONField(default=list, blank=True, verbose_name="覆盖小区")  # names, beyond the radius
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        verbose_name = "前置仓"
        verbose_name_plural = "前置仓"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="warehouse_name_unique_in_shop")]


class WarehouseStock(ShopScopedModel):
    """The pieces of one SKU on a warehouse's shelves; moved only by transfers and delivery orders,
    with conditional UPDATEs (never below zero)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock", verbose_name="前置仓")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name="商品规格")
    quantity = models.PositiveIntegerField(default=0, verbose_name="库存")

    class Meta:
        verbose_name = "前置仓库存"
        verbose_name_plural = "前置仓库存"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "sku"], name="warehouse_stock_sku_once"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="warehouse_stock_not_negative"),
        ]


class StockTransfer(ShopScopedModel):
    """Goods moved between the central store (the SKU's stock) and a warehouse: who, when, what."""

    class Direction(models.TextChoices):
        TO_WAREHOUSE = "to_warehouse", bilingual("总仓调入前置仓", "Central store → warehouse")
        TO_CENTRAL = "to_central", bilingual("前置仓退回总仓", "Warehouse → central store")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="transfers", verbose_name="前置仓")
    direction = models.CharField(max_length=20, choices=Direction.choices, verbose_name="方向")
    lines = models.JSONField(default=list, verbose_name="明细")  # [{sku_id, product_name, spec, quantity}]
    note = models.CharField(max_length=200, blank=True, verbose_name="备注")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )

    class Meta:
        verbose_name = "调拨单"
        verbose_name_plural = "调拨单"
        ordering = ["-id"]


class MemberAddress(ShopScopedModel):
    """A member's saved delivery address in this shop (the 我的 page), picked at checkout."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="会员"
    )
    recipient_name = models.CharField(max_length=30, verbose_name="收货人")
    recipient_phone = models.CharField(max_length=20, verbose_name="电话")
    community = models.CharField(max_length=60, verbose_name="小区")
    address = models.CharField(max_length=200, verbose_name="详细地址")  # building, unit, door
    lat = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="纬度")
    lng = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="经度")
    is_default = models.BooleanField(default=False, verbose_name="默认")

    class Meta:
        verbose_name = "收货地址"
        verbose_name_plural = "收货地址"
        ordering = ["-is_default", "-id"]
        indexes = [models.Index(fields=["shop", "member"])]


class Courier(ShopScopedModel):
    """Someone who delivers routes for the shop, confirming each stop on their phone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="用户")
    name = models.CharField(max_length=30, verbose_name="姓名")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        verbose_name = "配送员"
        verbose_name_plural = "配送员"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="courier_once_per_shop")]


class DeliveryRoute(ShopScopedModel):
    """One courier's run from a warehouse for a campaign's delivery date and slot; its stops
    (OrderDelivery.sequence) are ordered by the routing solver (tuangou/warehouses/routing.py)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name="团购活动"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="routes", verbose_name="前置仓")
    delivery_date = models.DateField(verbose_name="配送日期")
    slot = models.CharField(max_length=11, verbose_name="配送时段")
    number = models.PositiveIntegerField(default=1, verbose_name="线路号")  # 1.. within warehouse, date, slot
    courier = models.ForeignKey(
        Courier, on_delete=models.SET_NULL, null=True, blank=True, related_name="routes", verbose_name="配送员"
    )
    distance_m = models.PositiveIntegerField(default=0, verbose_name="路程（米）")  # road approximation
    solver = models.CharField(max_length=30, blank=True, verbose_name="求解器")

    class Meta:
        verbose_name = "配送线路"
        verbose_name_plural = "配送线路"
        ordering = ["delivery_date", "slot", "warehouse_id", "number"]


class OrderDelivery(ShopScopedModel):
    """Home delivery of one order: the address and slot as they were at checkout, the warehouse
    it ships from (and the pieces held there), its place on a route, and who confirmed the
    delivery by the member's code, when."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="delivery", verbose_name="订单")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="deliveries", verbose_name="前置仓")
    delivery_date = models.DateField(verbose_name="配送日期")
    slot = models.CharField(max_length=11, verbose_name="配送时段")
    recipient_name = models.CharField(max_length=30, verbose_name="收货人")
    recipient_phone = models.CharField(max_length=20, verbose_name="电话")
    community = models.CharField(max_length=60, verbose_name="小区")
    address = models.CharField(max_length=200, verbose_name="详细地址")
    lat = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="纬度")
    lng = models.DecimalField(max_digits=9, decimal_places=6, verbose_name="经度")
    distance_m = models.PositiveIntegerField(default=0, verbose_name="距前置仓（米）")  # straight line
    held = models.JSONField(default=dict, verbose_name="占用库存")  # {sku id: pieces taken from the warehouse}
    route = models.ForeignKey(
        DeliveryRoute, on_delete=models.SET_NULL, null=True, blank=True, related_name="stops", verbose_name="配送线路"
    )
    sequence = models.PositiveIntegerField(null=True, blank=True, verbose_name="站序")  # 1.. on its route
    leg_m = models.PositiveIntegerField(default=0, verbose_name="距上一站（米）")
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name="送达时间")
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )

    class Meta:
        verbose_name = "送货上门"
        verbose_name_plural = "送货上门"
        ordering = ["route_id", "sequence", "id"]
        indexes = [models.Index(fields=["shop", "warehouse", "delivery_date", "slot"])]
