"""The one lock order (Saleor's lock_objects idea): every service that locks these rows takes
them through `lock_objects`, which always locks in this order, each kind by ascending id:

    campaign → membership → order → payment → refund → after-sale request → campaign items

Two services that both lock a campaign and one of its orders (a refund and the cut-off
decision, a payment notify and the campaign's paid counters) then queue behind each other
instead of deadlocking. A service may skip kinds it does not need, never reorder them, and
must not lock a kind earlier in the list after a later one (an UPDATE ... F() of a row is a
lock too: lock the campaign here before updating its counters after an order).

Checkout stays inside the rule without calling this: it locks the membership, writes the
order and takes stock from the items last, and never locks the campaign row.
"""

from django.apps import apps

# (keyword of lock_objects, app label, model), in the one order.
ORDER = (
    ("campaigns", "campaigns", "Campaign"),
    ("memberships", "leaders", "Membership"),
    ("orders", "orders", "Order"),
    ("payments", "payments", "Payment"),
    ("refunds", "payments", "Refund"),
    ("after_sales", "orders", "AfterSaleRequest"),
    ("campaign_items", "campaigns", "CampaignItem"),
)


def _ids(value) -> list[int]:
    if value is None:
        return []
    if isinstance(value, int):
        return [value]
    return sorted({int(pk) for pk in value if pk is not None})


def lock_objects(
    *,
    campaigns=None,
    memberships=None,
    orders=None,
    payments=None,
    refunds=None,
    after_sales=None,
    campaign_items=None,
) -> None:
    """SELECT ... FOR UPDATE the rows with these ids (an id or several of each kind), in the
    one order. Inside the caller's transaction; rows that do not exist are skipped. Models
    are looked up by name: core stands below every app and imports none of them."""
    given = {
        "campaigns": campaigns,
        "memberships": memberships,
        "orders": orders,
        "payments": payments,
        "refunds": refunds,
        "after_sales": after_sales,
        "campaign_items": campaign_items,
    }
    for kind, app_label, model_name in ORDER:
        ids = _ids(given[kind])
        if ids:
            model = apps.get_model(app_label, model_name)
            list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
