from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from tuangou.core.validation import Text
from tuangou.orders.schemas import OrderDetailOut

from .models import ReconciliationMismatch, ReconciliationRun


class PaymentSyncOut(OrderDetailOut):
    """The order after asking the provider about its open payment. payment_state: paid (the
    money arrived), closed (the payer cancelled: pay again), notpay (not paid), unknown (the
    provider did not answer: ask again), none (no open payment), done (already settled)."""

    payment_state: Literal["paid", "closed", "notpay", "unknown", "none", "done"]


class ReconciliationRunOut(Schema):
    """A day's reconciliation of the shop at one provider: both sides' counts and totals."""

    id: int
    provider: str
    bill_date: date
    status: str
    status_label: str
    bill_payments: int
    bill_payments_fen: int
    bill_refunds: int
    bill_refunds_fen: int
    our_payments: int
    our_payments_fen: int
    our_refunds: int
    our_refunds_fen: int
    open_mismatches: int
    error: str
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: ReconciliationRun) -> str:
        return obj.get_status_display()


class ReconciliationMismatchOut(Schema):
    id: int
    run_id: int
    kind: str
    kind_label: str
    subject: Literal["payment", "refund"]
    out_trade_no: str
    out_refund_no: str
    transaction_id: str
    bill_amount_fen: int | None
    our_amount_fen: int | None
    bill_state: str
    our_state: str
    status: str
    status_label: str
    note: str
    resolved_by: str | None
    resolved_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: ReconciliationMismatch) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: ReconciliationMismatch) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_resolved_by(obj: ReconciliationMismatch) -> str | None:
        return obj.resolved_by.name if obj.resolved_by_id else None


class ReconciliationRunIn(Schema):
    bill_date: date


class MismatchResolveIn(Schema):
    note: Text = Field(..., min_length=1, max_length=200)


ReconciliationStatus = Literal["matched", "mismatched", "failed"]
MismatchStatus = Literal["open", "resolved"]
