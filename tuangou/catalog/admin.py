from django.contrib import admin

from .models import Category, Product, ProductImage, Sku, StockMovement


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ["spec", "code", "price_fen", "cost_fen", "stock", "is_active"]
    # Stock changes go through stock movements, never a bare edit.
    readonly_fields = ["stock"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "sort"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Platform operators see every shop's categories."""

    list_display = ["id", "shop", "name", "sort"]
    list_filter = ["shop"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "name", "category", "status", "purchase_limit", "created_at"]
    list_filter = ["status", "shop"]
    search_fields = ["name"]
    raw_id_fields = ["shop", "category"]
    inlines = [SkuInline, ProductImageInline]


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = ["id", "shop", "product", "spec", "code", "price_fen", "cost_fen", "stock", "is_active"]
    list_filter = ["is_active", "shop"]
    search_fields = ["product__name", "code"]
    raw_id_fields = ["shop", "product"]
    readonly_fields = ["stock"]


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """An audit trail: read-only."""

    list_display = ["id", "shop", "sku", "delta", "stock_after", "reason", "actor", "created_at"]
    list_filter = ["reason", "shop"]
    raw_id_fields = ["shop", "sku", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
