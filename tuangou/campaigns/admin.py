from django.contrib import admin

from .models import Campaign, CampaignEvent, CampaignItem, CampaignLeader


class CampaignItemInline(admin.TabularInline):
    model = CampaignItem
    extra = 0
    raw_id_fields = ["sku"]
    # Stock counters move only through the state machine and checkout.
    readonly_fields = ["stock_left", "stock_returned"]


class CampaignLeaderInline(admin.TabularInline):
    model = CampaignLeader
    extra = 0
    raw_id_fields = ["leader"]


class CampaignEventInline(admin.TabularInline):
    model = CampaignEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "type", "from_status", "to_status", "actor", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Platform operators see every shop's campaigns. Status changes belong to the services
    (they move stock and orders), so status is read-only here."""

    list_display = ["id", "shop", "title", "status", "starts_at", "cutoff_at", "paid_orders", "paid_amount_fen"]
    list_filter = ["status", "template", "shop"]
    search_fields = ["title"]
    raw_id_fields = ["shop", "created_by", "source"]
    readonly_fields = ["status", "paid_orders", "paid_quantity", "paid_amount_fen"]
    inlines = [CampaignItemInline, CampaignLeaderInline, CampaignEventInline]


@admin.register(CampaignEvent)
class CampaignEventAdmin(admin.ModelAdmin):
    """The audit trail of campaigns: read-only."""

    list_display = ["id", "shop", "campaign", "type", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["type", "shop"]
    raw_id_fields = ["shop", "campaign", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
