"""Reading the audit log and the approvals waiting, always within one shop."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from tuangou.shops.models import Staff

from .actions import ACTIONS
from .approvals import approval_may_decide
from .models import ApprovalRequest, AuditRecord


def _day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def audit_records(
    *,
    shop,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditRecord]:
    """Newest first; the dates are days in the shop's timezone, both included."""
    records = AuditRecord.objects.filter(shop=shop)
    if action:
        records = records.filter(action=action)
    if actor_id:
        records = records.filter(actor_id=actor_id)
    if target_type:
        records = records.filter(target_type=target_type)
    if date_from:
        records = records.filter(created_at__gte=_day_start(date_from, shop.timezone))
    if date_to:
        records = records.filter(created_at__lt=_day_start(date_to + timedelta(days=1), shop.timezone))
    return records.order_by("-created_at", "-id")


def audit_filters(*, shop) -> dict:
    """What the console's filters offer: every action, and the target types and actors seen here."""
    seen = AuditRecord.objects.filter(shop=shop)
    actors = seen.exclude(actor=None).values_list("actor_id", "actor_name").distinct().order_by("actor_id")
    return {
        "actions": [{"value": key, "label": str(label)} for key, label in ACTIONS.items()],
        "target_types": sorted(set(seen.exclude(target_type="").values_list("target_type", flat=True))),
        "actors": [{"value": str(pk), "label": name} for pk, name in dict(actors).items()],
    }


def approvals_for_staff(*, staff: Staff, status: str | None = None) -> list[dict]:
    """The newest 200 (pending ones first come from the status filter)."""
    approvals = ApprovalRequest.objects.filter(shop=staff.shop).select_related("requested_by", "decided_by")
    if status:
        approvals = approvals.filter(status=status)
    return [approval_out(staff, approval) for approval in approvals.order_by("-created_at", "-id")[:200]]


def approval_out(staff: Staff, approval: ApprovalRequest) -> dict:
    can_decide = approval.status == ApprovalRequest.Status.PENDING and approval_may_decide(staff, approval)
    return {
        "id": approval.id,
        "action": approval.action,
        "action_label": str(ACTIONS.get(approval.action, approval.action)),
        "summary": approval.summary,
        "amount_fen": approval.amount_fen,
        "status": approval.status,
        "status_label": approval.get_status_display(),
        "requested_by": approval.requested_by.name,
        "requested_by_id": approval.requested_by_id,
        "decided_by": approval.decided_by.name if approval.decided_by else None,
        "decided_at": approval.decided_at,
        "note": approval.note,
        "created_at": approval.created_at,
        "can_decide": can_decide,
    }
