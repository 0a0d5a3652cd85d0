from django.contrib import admin

from tuangou.core.admin import ReadOnlyAdmin

from .models import ExportJob, Shipment


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "campaign", "pickup_point", "status", "shipped_at", "arrived_at", "notice_sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["shop", "campaign", "pickup_point", "shipped_by"]
    # Shipments change only through the services (which also move the orders).
    readonly_fields = ["status", "shipped_at", "shipped_by", "arrived_at", "notice_sent_at"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "shop", "campaign", "kind", "format", "status", "progress", "started_at", "finished_at"]
    list_filter = ["status", "kind", "format"]
    raw_id_fields = ["shop", "campaign", "requested_by"]
