"""The order state machine: which moves are allowed, and the one way to make them (with an event row).

Callers run these inside their own transaction.atomic() and hold the order row lock
(select_for_update) when moving a single order.
"""

from django.db.models import F
from django.utils import timezone

from tuangou.core.errors import ApplicationError

from .models import Order, OrderEvent

S = Order.Status
ALLOWED: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.CONFIRMED, S.REFUNDED},
    S.CONFIRMED: {S.SHIPPED, S.REFUNDED},
    S.SHIPPED: {S.ARRIVED, S.REFUNDED},
    S.ARRIVED: {S.PICKED_UP, S.REFUNDED},
    S.PICKED_UP: {S.COMPLETED, S.REFUNDED},
    S.COMPLETED: {S.REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
# Timestamps stamped when an order enters a status.
_STAMP = {S.PAID: "paid_at", S.PICKED_UP: "picked_up_at", S.COMPLETED: "completed_at"}


def order_transition(
    order: Order, to_status: str, *, actor=None, event_type: str | None = None, action_zh: str = "", **data
) -> Order:
    """Move one (locked) order to `to_status`, or raise order_state naming its current status."""
    if to_status not in ALLOWED[order.status]:
        raise ApplicationError(
            "order_state",
            field="status",
            status=409,
            status_label=Order.Status(order.status).label,
            action=action_zh or to_status,
        )
    from_status = order.status
    order.status = to_status
    fields = ["status", "updated_at"]
    if to_status in _STAMP:
        setattr(order, _STAMP[to_status], timezone.now())
        fields.append(_STAMP[to_status])
    order.save(update_fields=fields)
    OrderEvent.objects.create(
        shop_id=order.shop_id,
        order=order,
        type=event_type or to_status,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        data=data,
    )
    return order


def orders_bulk_transition(
    queryset, from_status: str, to_status: str, *, actor=None, event_type: str | None = None, **data
) -> list[int]:
    """Move every order of `queryset` that is in `from_status` to `to_status`, one event each.

    Runs as one UPDATE ... WHERE status = from_status, so a concurrent change of one order (say a
    refund) simply leaves it out instead of being overwritten. Returns the ids moved.
    """
    assert to_status in ALLOWED[from_status], (from_status, to_status)
    candidates = list(queryset.filter(status=from_status).values_list("id", "shop_id"))
    if not candidates:
        return []
    ids = [pk for pk, _ in candidates]
    changes = {"status": to_status, "updated_at": timezone.now()}
    if to_status in _STAMP:
        changes[_STAMP[to_status]] = timezone.now()
    Order.objects.filter(id__in=ids, status=from_status).update(**changes)
    moved = set(Order.objects.filter(id__in=ids, status=to_status).values_list("id", flat=True))
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                shop_id=shop_id,
                order_id=pk,
                type=event_type or to_status,
                from_status=from_status,
                to_status=to_status,
                actor=actor,
                data=data,
            )
            for pk, shop_id in candidates
            if pk in moved
        ]
    )
    return sorted(moved)


__all__ = ["ALLOWED", "order_transition", "orders_bulk_transition", "F"]
