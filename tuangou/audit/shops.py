"""Second approval for what tuangou.shops does (it sits below this app, so it asks through its
role_granting hook, and its executor is registered here)."""

from tuangou.shops import services as shop_services
from tuangou.shops.hooks import role_granting
from tuangou.shops.models import Staff
from tuangou.shops.permissions import ROLE_GRANTORS

from .approvals import approval_executor, approval_gate, approval_policy


def role_grant_gate(*, shop, actor, role: str, payload: dict, summary: str) -> None:
    approval_gate(
        needed=approval_policy(shop).owner_admin_grant,
        shop=shop,
        actor=actor,
        action="staff.grant",
        permission="staff.manage",
        payload=payload,
        summary=summary,
    )


def _grant(*, shop, actor, payload: dict):
    requester = Staff.objects.select_related("shop").filter(shop=shop, user=actor, is_active=True).first()
    if requester is None:
        from tuangou.core.errors import ApplicationError

        raise ApplicationError("not_staff", status=409)
    if payload["op"] == "add":
        return shop_services.staff_add(actor=requester, username=payload["username"], role=payload["role"])
    return shop_services.staff_update(actor=requester, staff_id=payload["staff_id"], role=payload["role"])


def _may_grant(staff: Staff, approval) -> bool:
    """The approver must be able to grant the role themselves (only an owner makes an owner)."""
    return approval.payload.get("role") in ROLE_GRANTORS.get(staff.role, set())


def register_executors() -> None:
    role_granting.register(role_grant_gate)
    approval_executor("staff.grant", _grant, may_decide=_may_grant)
