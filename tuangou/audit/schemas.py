from datetime import date, datetime
from typing import Any

from ninja import Schema

from tuangou.core.bounds import AmountFen, Id
from tuangou.core.validation import Name

from .actions import ACTIONS


class AuditQuery(Schema):
    action: Name | None = None
    actor_id: Id | None = None
    target_type: Name | None = None
    date_from: date | None = None
    date_to: date | None = None


class AuditRecordOut(Schema):
    id: int
    created_at: datetime
    action: str
    action_label: str
    actor_id: int | None
    actor_name: str
    ip: str | None
    target_type: str
    target_id: str
    target_label: str
    before: dict[str, Any]
    after: dict[str, Any]

    @staticmethod
    def resolve_action_label(record) -> str:
        return str(ACTIONS.get(record.action, record.action))


class AuditChoiceOut(Schema):
    value: str
    label: str


class AuditFiltersOut(Schema):
    actions: list[AuditChoiceOut]
    target_types: list[str]
    actors: list[AuditChoiceOut]


class ApprovalOut(Schema):
    id: int
    action: str
    action_label: str
    summary: str
    amount_fen: int | None
    status: str
    status_label: str
    requested_by: str
    requested_by_id: int
    decided_by: str | None
    decided_at: datetime | None
    note: str
    created_at: datetime
    can_decide: bool  # the caller may approve or reject it (not their own, and their role holds the permission)


class ApprovalRejectIn(Schema):
    reason: Name


class ApprovalPolicyIn(Schema):
    refund_over_fen: AmountFen | None = None  # empty: refunds never wait
    withdrawal_over_fen: AmountFen | None = None
    campaign_cancel_with_paid: bool | None = None
    owner_admin_grant: bool | None = None


class ApprovalPolicyOut(Schema):
    refund_over_fen: int | None
    withdrawal_over_fen: int | None
    campaign_cancel_with_paid: bool
    owner_admin_grant: bool
