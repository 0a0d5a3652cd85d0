"""Second approval (双人复核): what one account should not do alone waits for another.

A service that may need it calls `approval_gate(...)` before acting; when the shop's policy asks
for a second person, the gate raises ApprovalRequired and nothing happens. The API answers it
(config/api.py) by writing a pending ApprovalRequest — after the service's transaction rolled
back — and a 409 `approval_pending` naming the request. Another staff member whose role holds the
request's permission approves it on 待审批: the executor the owning app registered runs the same
service with the saved payload, once (the request row is locked and must still be pending)."""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.shops.models import Staff
from tuangou.shops.permissions import role_has

from .models import ApprovalPolicy, ApprovalRequest
from .services import audit_record

A = ApprovalRequest.Status


@dataclass(frozen=True)
class Executor:
    run: Callable[..., Any]  # run(shop=, actor=, payload=) -> the row it acted on
    may_decide: Callable[[Staff, ApprovalRequest], bool] | None = None  # beyond the permission


EXECUTORS: dict[str, Executor] = {}
_executing: ContextVar[str | None] = ContextVar("approval_executing", default=None)


def approval_executor(action: str, run: Callable[..., Any], may_decide=None) -> None:
    """The owning app registers how to carry out `action` once approved (in AppConfig.ready())."""
    EXECUTORS[action] = Executor(run=run, may_decide=may_decide)


class ApprovalRequired(ApplicationError):
    """Raised by the gate; what to write as the pending request travels with it."""

    def __init__(self, *, shop, actor, action: str, permission: str, payload: dict, summary: str, amount_fen=None):
        super().__init__("approval_required", status=409, summary=summary)
        self.request = {
            "shop": shop,
            "actor": getattr(actor, "user", actor),
            "action": action,
            "permission": permission,
            "payload": payload,
            "summary": summary[:200],
            "amount_fen": amount_fen,
        }


def _target(approval: ApprovalRequest) -> tuple:
    return ("approval", approval.pk, approval.summary)


def approval_policy(shop) -> ApprovalPolicy:
    return ApprovalPolicy.objects.filter(shop_id=shop.pk).first() or ApprovalPolicy(shop=shop)


def approval_gate(*, needed: bool, **request) -> None:
    """Stop here if a second approval is `needed`, unless this is that approval being carried out."""
    if needed and _executing.get() != request["action"]:
        raise ApprovalRequired(**request)


def approval_request_create(needed: ApprovalRequired) -> ApprovalRequest:
    fields = needed.request
    with transaction.atomic():
        approval = ApprovalRequest.objects.create(
            shop=fields["shop"],
            action=fields["action"],
            permission=fields["permission"],
            payload=fields["payload"],
            summary=fields["summary"],
            amount_fen=fields["amount_fen"],
            requested_by=fields["actor"],
        )
        audit_record(
            shop=approval.shop,
            actor=approval.requested_by,
            action="approval.request",
            target=_target(approval),
            after={"action": approval.action, "summary": approval.summary, "payload": approval.payload},
        )
    return approval


def _locked_pending(shop, approval_id: int) -> ApprovalRequest:
    approval = ApprovalRequest.objects.select_for_update().filter(shop=shop, pk=approval_id).first()
    if approval is None:
        raise NotFound("审批", "Approval")
    if approval.status != A.PENDING:
        raise ApplicationError("approval_decided", status=409, status_label=approval.get_status_display())
    return approval


def approval_may_decide(staff: Staff, approval: ApprovalRequest) -> bool:
    """Anyone but the requester whose role holds the request's permission (and what the action adds)."""
    executor = EXECUTORS.get(approval.action)
    return (
        approval.requested_by_id != staff.user_id
        and role_has(staff.role, approval.permission)
        and (executor is None or executor.may_decide is None or executor.may_decide(staff, approval))
    )


def _check_decider(staff: Staff, approval: ApprovalRequest) -> None:
    if approval.requested_by_id == staff.user_id:
        raise ApplicationError("approval_own_request", status=403)
    if not approval_may_decide(staff, approval):
        raise ApplicationError("permission_denied", status=403)


def approval_approve(*, staff: Staff, approval_id: int) -> ApprovalRequest:
    """A second person approves: the action runs now, in this transaction, exactly once. When the
    action itself is refused (the withdrawal was rejected meanwhile) the request ends `failed`."""
    with transaction.atomic():
        approval = _locked_pending(staff.shop, approval_id)
        _check_decider(staff, approval)
        approval.decided_by, approval.decided_at = staff.user, timezone.now()
        executor = EXECUTORS.get(approval.action)
        token = _executing.set(approval.action)
        try:
            with transaction.atomic():
                if executor is None:
                    raise ApplicationError("approval_unknown_action", status=409)
                executor.run(shop=staff.shop, actor=approval.requested_by, payload=approval.payload)
            approval.status = A.APPROVED
        except ApplicationError as refused:
            approval.status, approval.note = A.FAILED, refused.message()[:200]
        finally:
            _executing.reset(token)
        approval.save(update_fields=["status", "note", "decided_by", "decided_at"])
        audit_record(
            shop=staff.shop,
            actor=staff,
            action="approval.approve" if approval.status == A.APPROVED else "approval.failed",
            target=_target(approval),
            before={"status": A.PENDING},
            after={"status": approval.status, "action": approval.action, "note": approval.note},
        )
    return approval


@transaction.atomic
def approval_reject(*, staff: Staff, approval_id: int, reason: str) -> ApprovalRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("required", field="reason", field_label="reject_reason")
    approval = _locked_pending(staff.shop, approval_id)
    _check_decider(staff, approval)
    approval.status, approval.note = A.REJECTED, reason[:200]
    approval.decided_by, approval.decided_at = staff.user, timezone.now()
    approval.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit_record(
        shop=staff.shop,
        actor=staff,
        action="approval.reject",
        target=_target(approval),
        before={"status": A.PENDING},
        after={"status": A.REJECTED, "action": approval.action, "note": approval.note},
    )
    return approval


POLICY_FIELDS = ("refund_over_fen", "withdrawal_over_fen", "campaign_cancel_with_paid", "owner_admin_grant")


@transaction.atomic
def approval_policy_update(*, staff: Staff, **changes) -> ApprovalPolicy:
    from .services import changes as diff
    from .services import snapshot

    policy, _ = ApprovalPolicy.objects.select_for_update().get_or_create(shop=staff.shop)
    before = snapshot(policy, POLICY_FIELDS)
    for field, value in changes.items():
        # null clears an amount (never wait); a switch is on or off, so null leaves it as it is.
        if field in POLICY_FIELDS and not (value is None and isinstance(getattr(policy, field), bool)):
            setattr(policy, field, value)
    policy.save()
    old, new = diff(before, snapshot(policy, POLICY_FIELDS))
    if new:
        audit_record(shop=staff.shop, actor=staff, action="approval.settings", target=staff.shop, before=old, after=new)
    return policy
