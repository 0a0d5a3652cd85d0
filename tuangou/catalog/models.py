from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Category(ShopScopedModel):
    """A shelf in the shop (水果, 蔬菜, 蛋奶 ...)."""

    name = models.CharField(max_length=30, verbose_name="名称")
    sort = models.IntegerField(default=0, verbose_name="排序")

    class Meta:
        verbose_name = "商品分类"
        verbose_name_plural = "商品分类"
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="category_name_unique_in_shop")]


class Product(ShopScopedModel):
    """Something the shop sells; its variants (specs) are SKUs."""

    class Status(models.TextChoices):
        ON_SHELF = "on_shelf", bilingual("上架", "On shelf")
        OFF_SHELF = "off_shelf", bilingual("下架", "Off shelf")

    class Kind(models.TextChoices):
        PHYSICAL = "physical", bilingual("实物商品", "Physical goods")  # shipped to the pickup point
        VOUCHER = "voucher", bilingual("电子券", "Voucher")  # a code per unit, used once
        SERVICE = "service", bilingual("本地服务", "Local service")  # a code per unit, uses_per_unit uses
        TOPUP = "topup", bilingual("话费充值", "Phone top-up")  # recharged to the order's contact phone

    class Deal(models.TextChoices):
        NONE = "", bilingual("普通商品", "Regular item")
        NEW_MEMBER = "new_member", bilingual("新人专享", "New members only")  # no paid order in the shop yet
        ONCE_PER_MEMBER = "once_per_member", bilingual("每人限购", "Once per member")  # across all campaigns

    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="products", verbose_name="分类"
    )
    name = models.CharField(max_length=60, verbose_name="商品名称")
    description = models.TextField(blank=True, verbose_name="描述")
    unit = models.CharField(max_length=10, default="份", verbose_name="单位")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ON_SHELF, verbose_name="状态")
    purchase_limit = models.PositiveIntegerField(
        default=0, verbose_name="每人限购"
    )  # per member per campaign; 0 = no limit
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PHYSICAL, verbose_name="商品类型")
    uses_per_unit = models.PositiveIntegerField(default=1, verbose_name="每份可用次数")  # vouchers and services
    valid_days = models.PositiveIntegerField(default=0, verbose_name="有效天数")  # from payment; 0 = the dates below
    valid_from = models.DateField(null=True, blank=True, verbose_name="有效期开始")
    valid_until = models.DateField(null=True, blank=True, verbose_name="有效期结束")  # inclusive, shop's day
    face_value_fen = models.PositiveIntegerField(default=0, verbose_name="充值面额（分）")  # top-ups
    deal = models.CharField(max_length=20, choices=Deal.choices, blank=True, default="", verbose_name="引流规则")
    deal_limit = models.PositiveIntegerField(default=1, verbose_name="引流限购")  # units per member, all campaigns

    class Meta:
        verbose_name = "商品"
        verbose_name_plural = "商品"
        indexes = [models.Index(fields=["shop", "status"])]


class ProductImage(ShopScopedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name="商品")
    image = models.ImageField(upload_to="products/%Y/%m/", verbose_name="图片")
    sort = models.IntegerField(default=0, verbose_name="排序")

    class Meta:
        verbose_name = "商品图片"
        verbose_name_plural = "商品图片"
        ordering = ["sort", "id"]


class Sku(ShopScopedModel):
    """One sellable variant (e.g. 土鸡蛋 30枚装) with its price, cost and on-hand stock, in fen."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus", verbose_name="商品")
    spec = models.CharField(
        max_length=40, blank=True, verbose_name="规格"
    )  # "500g", "30枚"; blank for a single-spec product
    code = models.CharField(max_length=40, blank=True, verbose_name="商品编码")
    price_fen = models.PositiveIntegerField(verbose_name="售价（分）")
    cost_fen = models.PositiveIntegerField(default=0, verbose_name="成本（分）")
    stock = models.PositiveIntegerField(default=0, verbose_name="库存")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        verbose_name = "商品规格"
        verbose_name_plural = "商品规格"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(stock__gte=0), name="sku_stock_not_negative")]


class StockMovement(ShopScopedModel):
    """Every change of a SKU's stock, with why and by whom; the stock column is its running total."""

    class Reason(models.TextChoices):
        INITIAL = "initial", bilingual("初始库存", "Opening stock")
        PURCHASE = "purchase", bilingual("采购入库", "Purchase received")
        ADJUSTMENT = "adjustment", bilingual("盘点调整", "Stocktake adjustment")
        DAMAGE = "damage", bilingual("损耗", "Damage")
        CAMPAIGN_ALLOT = "campaign_allot", bilingual("分配到团购", "Allotted to a campaign")
        CAMPAIGN_RETURN = "campaign_return", bilingual("团购结束退回", "Returned after the campaign")
        TRANSFER_OUT = "transfer_out", bilingual("调往前置仓", "Sent to a front warehouse")
        TRANSFER_IN = "transfer_in", bilingual("前置仓退回", "Back from a front warehouse")
        MARKET_SUPPLY = "market_supply", bilingual("分销供货", "Supplied to a reseller")  # supplier's side
        MARKET_BUY = "market_buy", bilingual("分销采购入库", "Taken from a supplier")  # the seller's side
        MARKET_RETURN = "market_return", bilingual("退回供货商", "Handed back to the supplier")
        MARKET_BACK = "market_back", bilingual("分销退回", "Handed back by a reseller")

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="movements", verbose_name="规格")
    delta = models.IntegerField(verbose_name="变动数量")
    stock_after = models.PositiveIntegerField(verbose_name="变动后库存")
    reason = models.CharField(max_length=20, choices=Reason.choices, verbose_name="原因")
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
        verbose_name = "库存变动"
        verbose_name_plural = "库存变动"
