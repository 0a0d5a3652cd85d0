from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from tuangou.core.validation import Name, Text

from .models import CommissionEntry, Withdrawal


class CommissionBalanceOut(Schema):
    pending_fen: int
    withdrawable_fen: int
    earned_fen: int
    settled_fen: int
    withdrawn_fen: int


class CommissionEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    bucket: str
    amount_fen: int
    order_id: int | None
    order_line_id: int | None
    withdrawal_id: int | None
    settle_after: datetime | None
    note: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj: CommissionEntry) -> str:
        return obj.get_kind_display()


class LeaderCommissionOut(Schema):
    """A leader's line in the console commission list; staff see the full phone."""

    leader_id: int
    name: str
    phone: str
    status: str
    pending_fen: int
    withdrawable_fen: int
    earned_fen: int
    settled_fen: int
    withdrawn_fen: int

    @staticmethod
    def resolve_leader_id(obj) -> int:
        return obj.id

    @staticmethod
    def resolve_withdrawn_fen(obj) -> int:
        return -obj.withdrawn_neg_fen


class LeaderCommissionPageOut(Schema):
    items: list[CommissionEntryOut]
    count: int


class LeaderCommissionCenterOut(CommissionBalanceOut):
    history: LeaderCommissionPageOut


class WithdrawalIn(Schema):
    amount_fen: int = Field(..., ge=1, le=100_000_000)
    account: Name = Field(..., min_length=1, max_length=100)


class WithdrawalRejectIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=200)


class WithdrawalOut(Schema):
    id: int
    leader_id: int
    leader_name: str
    leader_phone: str
    amount_fen: int
    status: str
    status_label: str
    account: str
    reason: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    paid_by: str | None
    paid_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_leader_name(obj: Withdrawal) -> str:
        return obj.leader.name

    @staticmethod
    def resolve_leader_phone(obj: Withdrawal) -> str:
        return obj.leader.phone

    @staticmethod
    def resolve_status_label(obj: Withdrawal) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_reviewed_by(obj: Withdrawal) -> str | None:
        return obj.reviewed_by.name if obj.reviewed_by_id else None

    @staticmethod
    def resolve_paid_by(obj: Withdrawal) -> str | None:
        return obj.paid_by.name if obj.paid_by_id else None


class LeaderWithdrawalOut(Schema):
    """A withdrawal as its leader sees it (no names of finance staff)."""

    id: int
    amount_fen: int
    status: str
    status_label: str
    account: str
    reason: str
    reviewed_at: datetime | None
    paid_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_status_label(obj: Withdrawal) -> str:
        return obj.get_status_display()


WithdrawalStatus = Literal["requested", "approved", "rejected", "paid"]
