"""What happens to an order that upper apps act on (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

order_paid = Hook(
    "order_paid",
    "order=: the money arrived and the order counts (paid), inside the payment's transaction. "
    "Vouchers issue their codes and queue top-ups; integrations record the order.paid webhook.",
)
order_picked_up = Hook(
    "order_picked_up", "order=: the member collected the order (核销), inside its transaction. Commissions accrue."
)
order_refunded = Hook(
    "order_refunded",
    "order=, refunded_fen_by_line= {line id: fen}: money went back, inside the refund's transaction. "
    "Commissions earned on it are reversed.",
)

# Home delivery (送货上门) is the warehouses app's: checkout asks it through these two, in order.
order_delivery_quote = Hook(
    "order_delivery_quote",
    "shop=, member=, campaign=, delivery= {address_id, slot}, goods_fen=: check a home-delivery request "
    "(address, slot, a warehouse covering it) before the order is written; answers {'fee_fen', 'plan'}.",
)
order_delivery_place = Hook(
    "order_delivery_place",
    "order=, plan=, lines=: the order is written and its campaign stock taken; take the goods from the "
    "nearest covering warehouse with stock and record the delivery (raises when none has it).",
)
order_goods_returned = Hook(
    "order_goods_returned",
    "order_ids=, line_quantities= {line id: quantity} or None (all it holds): goods an order held go back "
    "(unpaid cancel or expiry, a refund), inside that transaction. A warehouse's reserved stock returns.",
)
order_refund_planned = Hook(
    "order_refund_planned",
    "order=, lines= [OrderLine, refunded_quantity counting pending refunds], plan= [{line_id, quantity, "
    "amount_fen}]: a refund is about to be asked for; a receiver raises ApplicationError to refuse it "
    "(vouchers: only unredeemed units go back).",
)
