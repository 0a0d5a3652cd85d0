from django.contrib import admin

from .models import Shipment


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "campaign", "pickup_point", "status", "shipped_at", "arrived_at", "notice_sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["shop", "campaign", "pickup_point", "shipped_by"]
    # Shipments change only through the services (which also move the orders).
    readonly_fields = ["status", "shipped_at", "shipped_by", "arrived_at", "notice_sent_at"]
