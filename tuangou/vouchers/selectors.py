"""Reads of codes, redemptions, partner stores and top-ups — always within one shop."""

from django.db.models import Count, Prefetch, Q

from tuangou.core.api import get_in_shop

from .models import Redemption, RedemptionStore, TopUp, VoucherCode
from .services import normalize_code

_REDEMPTIONS = Prefetch("redemptions", queryset=Redemption.objects.select_related("store", "actor").order_by("id"))


def vouchers_of_order(*, order) -> list[VoucherCode]:
    return list(VoucherCode.objects.filter(shop_id=order.shop_id, order=order).prefetch_related(_REDEMPTIONS))


def vouchers_for_console(*, shop, search: str = "", status: str | None = None):
    """Newest first; `search` is a code, an order number or a product name."""
    queryset = VoucherCode.objects.filter(shop=shop).select_related("order", "member").prefetch_related(_REDEMPTIONS)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        code = normalize_code(search)
        queryset = queryset.filter(Q(code=code) | Q(order__number=code) | Q(product_name__icontains=search))
    return queryset.order_by("-id")


def stores_of_shop(*, shop):
    return RedemptionStore.objects.filter(shop=shop).annotate(redemption_count=Count("redemptions")).order_by("id")


def store_get(*, shop, store_id: int) -> RedemptionStore:
    return get_in_shop(RedemptionStore, shop, store_id, thing_zh="核销门店", thing_en="Store", field="store_id")


def topups_for_console(*, shop, status: str | None = None):
    queryset = TopUp.objects.filter(shop=shop)
    return (queryset.filter(status=status) if status else queryset).order_by("-id")
