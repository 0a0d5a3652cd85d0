from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ShopQuerySet(models.QuerySet):
    def for_shop(self, shop):
        return self.filter(shop=shop)


class ShopScopedModel(TimeStampedModel):
    """A business row: it belongs to exactly one shop (the tenant), and every query names it."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")

    objects = ShopQuerySet.as_manager()

    class Meta:
        abstract = True


class Event(models.Model):
    """A state change of a business row (or another audited action on it): what happened (type),
    from which status to which, who did it, with what details, and when.

    Abstract: each app keeps its own table (OrderEvent, CampaignEvent, ...) by subclassing this and
    adding a foreign key to its row with related_name="events"; tuangou.core.states writes them.
    """

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ShopQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["id"]
