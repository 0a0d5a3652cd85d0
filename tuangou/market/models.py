"""The supply marketplace (分销市场): a supplier shop offers goods at a supply price, a seller shop
takes units of them into its own catalogue and sells them in its campaigns; each paid order of
them becomes a dropship order in the supplier's shop, and a ledger row between the two shops."""

from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import Event, ShopScopedModel


class SupplyOffer(ShopScopedModel):
    """A supplier's SKU put on the marketplace (shop = the supplier): the price other shops pay for
    it, a suggested retail price, and how many units are still offered (taken down by allotments)."""

    class Status(models.TextChoices):
        LISTED = "listed", bilingual("供货中", "Listed")  # other shops see it and take units
        WITHDRAWN = "withdrawn", bilingual("已下架", "Withdrawn")  # no new units; allotted ones stay sold

    sku = models.OneToOneField(
        "catalog.Sku", on_delete=models.PROTECT, related_name="supply_offer", verbose_name="商品规格"
    )
    supply_price_fen = models.PositiveIntegerField(verbose_name="供货价（分）")
    retail_price_fen = models.PositiveIntegerField(default=0, verbose_name="建议零售价（分）")
    description = models.CharField(max_length=200, blank=True, verbose_name="供货说明")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LISTED, verbose_name="状态")
    min_order = models.PositiveIntegerField(default=1, verbose_name="起订量")  # per allotment
    units_left = models.PositiveIntegerField(verbose_name="可供数量")  # a conditional UPDATE takes from it
    units_allotted = models.PositiveIntegerField(default=0, verbose_name="已分销数量")  # net of hand-backs

    class Meta:
        verbose_name = "供货商品"
        verbose_name_plural = "供货商品"
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(units_left__gte=0), name="offer_units_not_negative")]
        indexes = [models.Index(fields=["status", "-id"], name="offer_market_list")]


class MarketLink(ShopScopedModel):
    """A seller's own SKU that sells a supplier's offer (shop = the seller). Its stock is the units
    the seller took (allotted), so checkout stays the seller's own stock check."""

    offer = models.ForeignKey(SupplyOffer, on_delete=models.PROTECT, related_name="links", verbose_name="供货商品")
    supplier = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", verbose_name="供货店铺")
    sku = models.OneToOneField(
        "catalog.Sku", on_delete=models.CASCADE, related_name="market_link", verbose_name="本店规格"
    )
    units_allotted = models.PositiveIntegerField(default=0, verbose_name="已采购数量")  # taken less handed back
    # The supply price its units were taken at (the offer's at the last allotment): a supplier's new
    # price reaches a seller when it takes units again, never units it already took. Empty on links
    # adopted before the price was kept here: they owe the offer's.
    supply_price_fen = models.PositiveIntegerField(null=True, blank=True, verbose_name="采购供货价（分）")

    class Meta:
        verbose_name = "分销商品"
        verbose_name_plural = "分销商品"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["shop", "offer"], name="market_link_once_per_shop")]

    @property
    def units_supply_price_fen(self) -> int:
        return self.offer.supply_price_fen if self.supply_price_fen is None else self.supply_price_fen


class DropshipOrder(ShopScopedModel):
    """What the supplier ships for one paid order of a seller (shop = the supplier; 一件代发): the
    seller's order number and only the destination delivery needs — a pickup point and its
    leader's contact, or the home-delivery recipient. Never the member's own account or phone
    for a pickup order."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待发货", "To ship")
        SHIPPED = "shipped", bilingual("已发货", "Shipped")  # carrier and tracking number given
        DELIVERED = "delivered", bilingual("已送达", "Delivered")
        CANCELLED = "cancelled", bilingual("已取消", "Cancelled")  # every unit refunded before shipping

    class Destination(models.TextChoices):
        PICKUP = "pickup", bilingual("团长自提点", "Pickup point")
        HOME = "home", bilingual("送货上门", "Home delivery")

    seller = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", verbose_name="分销店铺")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="dropships", verbose_name="订单")
    order_number = models.CharField(max_length=32, verbose_name="分销订单号")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    destination = models.CharField(max_length=10, choices=Destination.choices, verbose_name="收货方式")
    point_name = models.CharField(max_length=60, blank=True, verbose_name="自提点")
    recipient_name = models.CharField(max_length=30, verbose_name="收货人")
    recipient_phone = models.CharField(max_length=20, verbose_name="收货电话")
    address = models.CharField(max_length=260, verbose_name="收货地址")
    carrier = models.CharField(max_length=20, blank=True, verbose_name="快递公司")
    tracking_no = models.CharField(max_length=30, blank=True, verbose_name="运单号")
    shipped_at = models.DateTimeField(null=True, blank=True, verbose_name="发货时间")
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name="送达时间")

    class Meta:
        verbose_name = "代发订单"
        verbose_name_plural = "代发订单"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["shop", "order"], name="dropship_once_per_order")]
        indexes = [models.Index(fields=["shop", "status", "-id"], name="dropship_console_list")]


class DropshipLine(ShopScopedModel):
    """One offer's units in a dropship order, at the supply price of the day it was paid."""

    dropship = models.ForeignKey(DropshipOrder, on_delete=models.CASCADE, related_name="lines", verbose_name="代发订单")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="+", verbose_name="订单明细"
    )
    offer = models.ForeignKey(SupplyOffer, on_delete=models.PROTECT, related_name="+", verbose_name="供货商品")
    product_name = models.CharField(max_length=60, verbose_name="商品名称")
    spec = models.CharField(max_length=40, blank=True, verbose_name="规格")
    quantity = models.PositiveIntegerField(verbose_name="数量")
    refunded_quantity = models.PositiveIntegerField(default=0, verbose_name="已退数量")
    supply_price_fen = models.PositiveIntegerField(verbose_name="供货价（分）")

    class Meta:
        verbose_name = "代发明细"
        verbose_name_plural = "代发明细"
        ordering = ["id"]


class DropshipEvent(Event):
    """A status change of a dropship order (shipped with its tracking number, delivered, cancelled)."""

    dropship = models.ForeignKey(
        DropshipOrder, on_delete=models.CASCADE, related_name="events", verbose_name="代发订单"
    )

    class Meta(Event.Meta):
        verbose_name = "代发事件"
        verbose_name_plural = "代发事件"


class MarketSettlement(ShopScopedModel):
    """The ledger between two shops for one dropship order (shop = the seller, who owes): the supply
    price of the units kept is due to the supplier, the rest of what the member paid is the seller's
    margin (negative when a discount ate it). Due once the order completed (after-sales window
    passed, nothing open), then settled."""

    class Status(models.TextChoices):
        PENDING = "pending", bilingual("待结算", "Pending")  # the after-sales window is still open
        DUE = "due", bilingual("可结算", "Due")
        SETTLED = "settled", bilingual("已结算", "Settled")
        VOID = "void", bilingual("已作废", "Void")  # every unit refunded: nothing is owed

    supplier = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="+", verbose_name="供货店铺")
    dropship = models.OneToOneField(
        DropshipOrder, on_delete=models.CASCADE, related_name="settlement", verbose_name="代发订单"
    )
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name="订单")
    paid_fen = models.PositiveIntegerField(default=0, verbose_name="实收（分）")  # the market lines, less refunds
    # 64 bits: the supply price is the supplier's and the seller's campaign price its own, so what is
    # owed is not bounded by what the member paid (999 units at ¥1,000,000 is past 2^31 fen).
    supply_due_fen = models.PositiveBigIntegerField(default=0, verbose_name="应付供货款（分）")
    margin_fen = models.BigIntegerField(default=0, verbose_name="分销毛利（分）")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name="状态")
    due_at = models.DateTimeField(null=True, blank=True, verbose_name="可结算时间")
    settled_at = models.DateTimeField(null=True, blank=True, verbose_name="结算时间")
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结算人",
    )

    class Meta:
        verbose_name = "分销结算"
        verbose_name_plural = "分销结算"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["shop", "status", "-id"], name="settlement_seller_list"),
            models.Index(fields=["supplier", "status", "-id"], name="settlement_supplier_list"),
        ]
