from django.conf import settings
from django.db import models

from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Category(ShopScopedModel):
    """A shelf in the shop (水果, 蔬菜, 蛋奶 ...)."""

    name = models.CharField(max_length=30)
    sort = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="category_name_unique_in_shop")]


class Product(ShopScopedModel):
    """Something the shop sells; its variants (specs) are SKUs."""

    class Status(models.TextChoices):
        ON_SHELF = "on_shelf", bilingual("上架", "On shelf")
        OFF_SHELF = "off_shelf", bilingual("下架", "Off shelf")

    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="products")
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=10, default="份")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ON_SHELF)
    purchase_limit = models.PositiveIntegerField(default=0)  # per member per campaign; 0 = no limit

    class Meta:
        indexes = [models.Index(fields=["shop", "status"])]


class ProductImage(ShopScopedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    sort = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]


class Sku(ShopScopedModel):
    """One sellable variant (e.g. 土鸡蛋 30枚装) with its price, cost and on-hand stock, in fen."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    spec = models.CharField(max_length=40, blank=True)  # "500g", "30枚"; blank for a single-spec product
    code = models.CharField(max_length=40, blank=True)
    price_fen = models.PositiveIntegerField()
    cost_fen = models.PositiveIntegerField(default=0)
    stock = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
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

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="movements")
    delta = models.IntegerField()
    stock_after = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
