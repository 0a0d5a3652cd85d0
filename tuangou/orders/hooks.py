"""What happens to an order that upper apps act on (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

order_picked_up = Hook(
    "order_picked_up", "order=: the member collected the order (核销), inside its transaction. Commissions accrue."
)
order_refunded = Hook(
    "order_refunded",
    "order=, refunded_fen_by_line= {line id: fen}: money went back, inside the refund's transaction. "
    "Commissions earned on it are reversed.",
)
order_paid = Hook(
    "order_paid",
    "order=: the money arrived and the order is paid, inside the payment's transaction. "
    "Vouchers issue their codes; top-ups are queued to the vendor.",
)
order_refund_planned = Hook(
    "order_refund_planned",
    "order=, lines= [OrderLine, refunded_quantity counting pending refunds], plan= [{line_id, quantity, "
    "amount_fen}]: a refund is about to be asked for; a receiver raises ApplicationError to refuse it "
    "(vouchers: only unredeemed units go back).",
)
