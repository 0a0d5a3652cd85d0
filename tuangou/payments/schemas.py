from typing import Literal

from tuangou.orders.schemas import OrderDetailOut


class PaymentSyncOut(OrderDetailOut):
    """The order after asking the provider about its open payment. payment_state: paid (the
    money arrived), closed (the payer cancelled: pay again), notpay (not paid), unknown (the
    provider did not answer: ask again), none (no open payment), done (already settled)."""

    payment_state: Literal["paid", "closed", "notpay", "unknown", "none", "done"]
