"""Console: the 操作日志 (owner and admin only) and the 待审批 list with its rules."""

from django.http import HttpResponse
from ninja import Path, Query, Router
from ninja.pagination import paginate

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.openapi import XLSX, file_response
from tuangou.core.pagination import PageNumberPagination
from tuangou.shops.access import access_shop_as_staff

from . import approvals, selectors
from .exports import audit_file_name, audit_xlsx
from .models import ApprovalRequest
from .schemas import (
    ApprovalOut,
    ApprovalPolicyIn,
    ApprovalPolicyOut,
    ApprovalRejectIn,
    AuditFiltersOut,
    AuditQuery,
    AuditRecordOut,
)

console_router = Router(tags=["console: audit log & approvals 操作日志与审批"], auth=AUTH)


@console_router.get("/audit", response=list[AuditRecordOut], summary="The audit log, newest first, filtered")
@paginate(PageNumberPagination, page_size=20)
def list_audit_records(request, shop_id: Path[Id], filters: Query[AuditQuery]):
    staff = access_shop_as_staff(request, shop_id, "audit.view")
    return selectors.audit_records(shop=staff.shop, **filters.dict())


@console_router.get("/audit/filters", response=AuditFiltersOut, summary="What the audit log's filters offer")
def get_audit_filters(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "audit.view")
    return selectors.audit_filters(shop=staff.shop)


@console_router.get("/audit/export.xlsx", summary="The filtered audit log as Excel", openapi_extra=file_response(XLSX))
def export_audit_records(request, shop_id: Path[Id], filters: Query[AuditQuery]):
    staff = access_shop_as_staff(request, shop_id, "audit.view")
    records = selectors.audit_records(shop=staff.shop, **filters.dict())
    response = HttpResponse(
        audit_xlsx(records, tz=staff.shop.timezone),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{audit_file_name(tz=staff.shop.timezone)}"'
    return response


@console_router.get("/approvals", response=list[ApprovalOut], summary="Requests waiting for a second approval")
def list_approvals(request, shop_id: Path[Id], status: ApprovalRequest.Status | None = None):
    staff = access_shop_as_staff(request, shop_id, "shop.view")
    return selectors.approvals_for_staff(staff=staff, status=status)


@console_router.post("/approvals/{approval_id}/approve", response=ApprovalOut, summary="Approve: the action runs")
def approve_approval(request, shop_id: Path[Id], approval_id: Id):
    staff = access_shop_as_staff(request, shop_id, "approvals.decide")
    approvals.approval_approve(staff=staff, approval_id=approval_id)
    return _one(staff, approval_id)


@console_router.post("/approvals/{approval_id}/reject", response=ApprovalOut, summary="Reject: nothing happens")
def reject_approval(request, shop_id: Path[Id], approval_id: Id, payload: ApprovalRejectIn):
    staff = access_shop_as_staff(request, shop_id, "approvals.decide")
    approvals.approval_reject(staff=staff, approval_id=approval_id, reason=payload.reason)
    return _one(staff, approval_id)


def _one(staff, approval_id: int) -> dict:
    return selectors.approval_out(staff, ApprovalRequest.objects.get(shop=staff.shop, pk=approval_id))


@console_router.get("/approvals/policy", response=ApprovalPolicyOut, summary="When a second approval is needed")
def get_approval_policy(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "settings.view")
    return approvals.approval_policy(staff.shop)


@console_router.patch("/approvals/policy", response=ApprovalPolicyOut, summary="Set when a second approval is needed")
def update_approval_policy(request, shop_id: Path[Id], payload: ApprovalPolicyIn):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    return approvals.approval_policy_update(staff=staff, **payload.dict(exclude_unset=True))
