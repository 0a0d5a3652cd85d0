"""0.01元 deals (引流品) at checkout: a product flagged new-member-only sells only to members with
no paid order in the shop yet, and a deal product sells at most its deal_limit units to one member
across all campaigns. Checked under the member's membership row lock (order_place takes it first),
so two tabs of one member cannot both get the deal."""

from django.db.models import F, Sum

from tuangou.catalog.models import Product
from tuangou.core.errors import ApplicationError

from .models import Order, OrderLine


def deals_check(
    *, shop, member, items: list[dict], product_ids: list[int | None], deals: dict[int, tuple[str, int]], not_counted
) -> None:
    """`items` as order_place cleaned them, `product_ids` their products in the same order, `deals`
    {product id: (deal, deal_limit)} of those that are deals (read with the items: no query here
    for an order without one)."""
    if not deals:
        return
    if any(deal == Product.Deal.NEW_MEMBER for deal, _ in deals.values()):
        if Order.objects.filter(shop=shop, member=member, paid_at__isnull=False).exists():
            index = next(i for i, pk in enumerate(product_ids) if deals.get(pk, ("",))[0] == Product.Deal.NEW_MEMBER)
            raise ApplicationError("deal_new_members_only", field=f"items.{index}.campaign_item_id", status=409)
    bought = dict(
        OrderLine.objects.filter(shop=shop, order__member=member, campaign_item__sku__product_id__in=list(deals))
        .exclude(order__status__in=not_counted)
        .values_list("campaign_item__sku__product_id")
        .annotate(units=Sum(F("quantity") - F("refunded_quantity")))
        .values_list("campaign_item__sku__product_id", "units")
    )
    for index, (item, product_id) in enumerate(zip(items, product_ids)):
        if product_id not in deals:
            continue
        limit, already = deals[product_id][1], bought.get(product_id) or 0
        if already + item["quantity"] > limit:
            raise ApplicationError(
                "deal_limit_exceeded", field=f"items.{index}.quantity", status=409, limit=limit, bought=already
            )
