from django.contrib import admin

from .models import Delivery, Message


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "to", "status", "attempts", "provider_id", "error", "sent_at"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "user", "kind", "title", "read_at", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["shop", "user"]
    search_fields = ["title"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "message", "channel", "to", "status", "attempts", "sent_at", "receipt_status"]
    list_filter = ["channel", "status", "receipt_status"]
    raw_id_fields = ["shop", "message"]
