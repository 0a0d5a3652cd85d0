from django.conf import settings
from django.db import models

from tuangou.core.models import ShopScopedModel


class Shipment(ShopScopedModel):
    """A campaign's goods for one pickup point: shipped by the merchant, received by the leader."""

    class Status(models.TextChoices):
        SHIPPED = "shipped", "已发货"
        ARRIVED = "arrived", "已到货"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="shipments")
    pickup_point = models.ForeignKey("leaders.PickupPoint", on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SHIPPED)
    shipped_at = models.DateTimeField()
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    arrived_at = models.DateTimeField(null=True, blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "pickup_point"], name="shipment_once_per_point")]
