"""Marketplace reads. The market shows other shops only their listed offers (name, pictures, spec,
prices, units available); a dropship order is read by its supplier; the seller reads only the
status of its own orders' dropships; each shop reads its own side of the ledger."""

from django.db.models import Count, Prefetch, Q, Sum

from tuangou.catalog.models import ProductImage
from tuangou.core.api import get_in_shop
from tuangou.shops.models import Shop

from .models import DropshipOrder, MarketLink, MarketSettlement, SupplyOffer

_IMAGES = Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("sort", "id"))


def offers_in_market(*, shop, search: str = ""):
    """Other shops' listed offers with units left (of active suppliers: a suspended one cannot ship),
    newest first; `adopted_link_id` is this shop's link."""
    queryset = (
        SupplyOffer.objects.filter(status=SupplyOffer.Status.LISTED, units_left__gt=0, shop__status=Shop.Status.ACTIVE)
        .exclude(shop=shop)
        .select_related("shop", "sku__product")
        .prefetch_related(_IMAGES, Prefetch("links", queryset=MarketLink.objects.filter(shop=shop), to_attr="mine"))
    )
    if search:
        queryset = queryset.filter(Q(sku__product__name__icontains=search) | Q(shop__name__icontains=search))
    return queryset.order_by("-id")


def offers_of_supplier(*, shop):
    return (
        SupplyOffer.objects.filter(shop=shop)
        .select_related("sku__product")
        .prefetch_related(_IMAGES)
        .annotate(seller_count=Count("links"))
        .order_by("-id")
    )


def links_of_seller(*, shop):
    return MarketLink.objects.filter(shop=shop).select_related("supplier", "offer", "sku__product").order_by("-id")


def dropships_of_supplier(*, shop, status: str | None = None, search: str = ""):
    queryset = DropshipOrder.objects.filter(shop=shop).select_related("seller").prefetch_related("lines")
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(Q(order_number=search) | Q(tracking_no=search.upper()))
    return queryset.order_by("-id")


def dropship_of_supplier(*, shop, dropship_id: int) -> DropshipOrder:
    return get_in_shop(
        DropshipOrder.objects.select_related("seller").prefetch_related("lines"),
        shop,
        dropship_id,
        thing_zh="代发订单",
        thing_en="Dropship order",
    )


def dropships_of_order(*, order) -> list[DropshipOrder]:
    """The supplier's status of an order's dropshipped lines (the seller's console, the member's page)."""
    return list(
        DropshipOrder.objects.filter(order=order, seller_id=order.shop_id)
        .select_related("shop")
        .prefetch_related("lines")
        .order_by("id")
    )


_TOTALS = {
    "paid_fen": Sum("paid_fen"),
    "supply_due_fen": Sum("supply_due_fen"),
    "margin_fen": Sum("margin_fen"),
    "count": Count("id"),
}


def _totals(queryset) -> dict:
    by_status = {
        row["status"]: row
        for row in queryset.exclude(status=MarketSettlement.Status.VOID).values("status").annotate(**_TOTALS)
    }
    return {
        status: {key: by_status.get(status, {}).get(key) or 0 for key in _TOTALS}
        for status in (MarketSettlement.Status.PENDING, MarketSettlement.Status.DUE, MarketSettlement.Status.SETTLED)
    }


def settlements_of_seller(*, shop, status: str | None = None, limit: int = 200) -> dict:
    queryset = MarketSettlement.objects.filter(shop=shop)
    rows = (queryset.filter(status=status) if status else queryset).select_related("supplier", "dropship")
    return {"totals": _totals(queryset), "items": list(rows.order_by("-id")[:limit])}


def settlements_of_supplier(*, shop, status: str | None = None, limit: int = 200) -> dict:
    queryset = MarketSettlement.objects.filter(supplier=shop)
    rows = (queryset.filter(status=status) if status else queryset).select_related("shop", "dropship")
    return {"totals": _totals(queryset), "items": list(rows.order_by("-id")[:limit])}
