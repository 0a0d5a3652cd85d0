from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="更新时间")

    class Meta:
        abstract = True


class ShopQuerySet(models.QuerySet):
    def for_shop(self, shop):
        return self.filter(shop=shop)


class ShopScopedModel(TimeStampedModel):
    """A business row: it belongs to exactly one shop (the tenant), and every query names it."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+", verbose_name="店铺")

    objects = ShopQuerySet.as_manager()

    class Meta:
        abstract = True
