from django.contrib import admin

from .models import AfterSaleRequest, Order, OrderEvent, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "campaign_item",
        "product_name",
        "spec",
        "unit_price_fen",
        "quantity",
        "amount_fen",
        "refunded_quantity",
        "refunded_fen",
        "commission_rate_bp",
    ]
    exclude = ["shop"]


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["type", "from_status", "to_status", "actor", "data", "created_at"]
    exclude = ["shop"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only for platform operators: statuses move only through the order services."""

    list_display = ["number", "shop", "campaign", "status", "total_fen", "refunded_fen", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "contact_phone", "pickup_code"]
    list_select_related = ["shop", "campaign"]
    raw_id_fields = ["campaign", "member", "leader", "pickup_point"]
    inlines = [OrderLineInline, OrderEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AfterSaleRequest)
class AfterSaleRequestAdmin(admin.ModelAdmin):
    list_display = ["order", "shop", "status", "refund_fen", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["order", "line", "handled_by"]

    def has_change_permission(self, request, obj=None):
        return False
