"""What happens to an order that upper apps act on (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

order_paid = Hook(
    "order_paid", "order=: the money arrived and the order counts (paid), inside the payment's transaction."
)
order_picked_up = Hook(
    "order_picked_up", "order=: the member collected the order (核销), inside its transaction. Commissions accrue."
)
order_refunded = Hook(
    "order_refunded",
    "order=, refunded_fen_by_line= {line id: fen}: money went back, inside the refund's transaction. "
    "Commissions earned on it are reversed.",
)
