from django.contrib import admin

from .models import Shop, Staff


class StaffInline(admin.TabularInline):
    model = Staff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    """Platform operators see and manage every shop here."""

    list_display = ["id", "name", "category", "city", "status", "created_at"]
    list_filter = ["status", "city"]
    search_fields = ["name", "contact_phone"]
    inlines = [StaffInline]
