"""Catalog reads, always scoped by shop."""

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum

from tuangou.core.api import get_in_shop

from .models import Category, Product, ProductImage, Sku, StockMovement


def category_list(*, shop) -> QuerySet[Category]:
    return Category.objects.filter(shop=shop).annotate(product_count=Count("products"))


def product_list(
    *, shop, search: str = "", category_id: int | None = None, status: str | None = None
) -> QuerySet[Product]:
    """Newest first, with the figures a list row shows (price from, stock, cover) in one query plus one for images."""
    queryset = Product.objects.filter(shop=shop)
    if search:
        queryset = queryset.filter(name__icontains=search.strip())
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    if status:
        queryset = queryset.filter(status=status)
    active = Q(skus__is_active=True)
    return (
        queryset.select_related("category")
        .annotate(
            min_price_fen=Min("skus__price_fen", filter=active),
            total_stock=Sum("skus__stock", filter=active),
            sku_count=Count("skus", filter=active),
        )
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("sort", "id")))
        .order_by("-id")
    )


def product_get(*, shop, product_id: int) -> Product:
    queryset = Product.objects.select_related("category").prefetch_related(
        Prefetch("skus", queryset=Sku.objects.order_by("id")),
        Prefetch("images", queryset=ProductImage.objects.order_by("sort", "id")),
    )
    return get_in_shop(queryset, shop, product_id, thing_zh="商品", thing_en="Product")


def sku_get(*, shop, sku_id: int) -> Sku:
    return get_in_shop(Sku.objects.select_related("product"), shop, sku_id, thing_zh="规格", thing_en="SKU")


def stock_movement_list(*, shop, sku_id: int) -> QuerySet[StockMovement]:
    sku = sku_get(shop=shop, sku_id=sku_id)
    return StockMovement.objects.filter(shop=shop, sku=sku).select_related("actor").order_by("-id")
