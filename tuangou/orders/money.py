"""What orders ask of the money side.

Payments stand above orders: they import orders, never the reverse. So orders do not call
payments; they call these functions, and payments plug their implementation in when the app
is ready (tuangou/payments/apps.py). Without payments installed, asking for a refund fails
loudly instead of doing nothing.
"""

from typing import Protocol


class MoneySide(Protocol):
    def order_refund(self, *, order, actor, reason: str, lines=None, amount_fen=None, close_after_sales=True):
        """Write a pending refund of the order (inside the caller's transaction) and send it
        to the provider after COMMIT; the order's book moves when the provider confirms.
        Returns the Refund."""

    def payments_close_open(self, *, order_ids: list[int]) -> int:
        """Stop waiting for these orders' open payments (inside the caller's transaction)."""

    def refunds_pending_fen(self, *, order_id: int) -> int:
        """Money of the order's refunds asked for and not yet confirmed by the provider."""


_side: MoneySide | None = None


def money_side_register(side: MoneySide) -> None:
    global _side
    _side = side


def _money() -> MoneySide:
    if _side is None:
        raise RuntimeError("no money side registered: is tuangou.payments in INSTALLED_APPS?")
    return _side


def refund_request(*, order, actor, reason: str, lines=None, amount_fen=None, close_after_sales: bool = True):
    return _money().order_refund(
        order=order, actor=actor, reason=reason, lines=lines, amount_fen=amount_fen, close_after_sales=close_after_sales
    )


def payments_close_open(*, order_ids: list[int]) -> int:
    return _money().payments_close_open(order_ids=order_ids)


def refunds_pending_fen(*, order_id: int) -> int:
    return _money().refunds_pending_fen(order_id=order_id)
