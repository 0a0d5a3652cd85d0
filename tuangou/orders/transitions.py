"""The order state machine: its table of moves; tuangou.core.states makes them (with an event row).

Callers run these inside their own transaction.atomic() and hold the order row lock
(select_for_update) when moving a single order.
"""

from tuangou.core.states import StateMachine

from .models import Order

S = Order.Status
REFUNDABLE = {S.PAID, S.CONFIRMED, S.SHIPPED, S.ARRIVED, S.PICKED_UP, S.COMPLETED}
# action -> (from, to). Each status is reached by one action only.
ORDER = StateMachine(
    {
        "pay": ({S.PENDING_PAYMENT}, S.PAID),
        "cancel": ({S.PENDING_PAYMENT}, S.CANCELLED),
        "confirm": ({S.PAID}, S.CONFIRMED),
        "ship": ({S.CONFIRMED}, S.SHIPPED),
        "arrive": ({S.SHIPPED}, S.ARRIVED),
        "pick_up": ({S.ARRIVED}, S.PICKED_UP),
        "complete": ({S.PICKED_UP}, S.COMPLETED),
        "refund": (REFUNDABLE, S.REFUNDED),
    },
    # Timestamps stamped when an order enters a status.
    stamps={S.PAID: "paid_at", S.PICKED_UP: "picked_up_at", S.COMPLETED: "completed_at"},
)


def order_transition(order: Order, to_status: str, *, actor=None, event_type: str | None = None, **data) -> Order:
    """Move one (locked) order to `to_status`, or raise order_state naming its current status and
    the action."""
    ORDER.apply(order, ORDER.action_to(to_status), actor=actor, event_type=event_type, **data)
    return order


def orders_bulk_transition(
    queryset, from_status: str, to_status: str, *, actor=None, event_type: str | None = None, **data
) -> list[int]:
    """Move every order of `queryset` that is in `from_status` to `to_status`, one event each.

    Runs as one UPDATE ... WHERE status = from_status, so a concurrent change of one order (say a
    refund) simply leaves it out instead of being overwritten. Returns the ids moved.
    """
    action = ORDER.action_to(to_status)
    return ORDER.apply_bulk(queryset, action, from_status=from_status, actor=actor, event_type=event_type, **data)


__all__ = ["ORDER", "order_transition", "orders_bulk_transition"]
