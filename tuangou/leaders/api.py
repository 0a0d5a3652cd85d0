"""Leaders: recruitment plan, applications and their review, leader management, teams and regions
(console); the plan page, applying, nearby pickup points and "my leader" (members); the leader's
own profile (leader center)."""

from urllib.parse import quote

from django.http import HttpResponse
from ninja import Path, Query, Router
from ninja.pagination import paginate

from tuangou.audit.services import audit_record
from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.openapi import XLSX, file_response
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Name
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import selectors, services
from .access import access_leader
from .exports import export_file_name, leaders_workbook
from .geocoding import places_search
from .models import Leader, LeaderApplication
from .plan_templates import templates_for_shop
from .schemas import (
    ApproveIn,
    BulkApproveIn,
    BulkOutcomeOut,
    BulkRejectIn,
    LeaderApplicationIn,
    LeaderApplicationOut,
    LeaderDetailOut,
    LeaderListQuery,
    LeaderMeOut,
    LeaderOut,
    LeaderPatchIn,
    LeaderStatusIn,
    MyApplicationOut,
    MyLeaderIn,
    MyLeaderOut,
    NearbyPointOut,
    NearbyQuery,
    PickupPointOut,
    PickupPointPatchIn,
    PlaceOut,
    PlacesQuery,
    PlanTemplateOut,
    RecruitmentPlanIn,
    RecruitmentPlanOut,
    RecruitmentPublicOut,
    RegionIn,
    RegionOut,
    RegionPatch,
    RejectIn,
    TeamIn,
    TeamOut,
    TeamPatch,
)

console_router = Router(tags=["console: leaders"], auth=AUTH)
member_router = Router(tags=["member: leaders"], auth=AUTH)
leader_router = Router(tags=["leader: leaders"], auth=AUTH)


class ReviewPagination(PageNumberPagination):
    """Re-evaluates the checks of the pending applications on the page only."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        items = list(page[self.items_attribute])
        page[self.items_attribute] = selectors.applications_with_current_checks(shop=request.shop, applications=items)
        return page


# --- console: recruitment plan ------------------------------------------------------------


@console_router.get(
    "/recruitment-plan", response=RecruitmentPlanOut, summary="The shop's recruitment plan and its link"
)
def get_recruitment_plan(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return services.recruitment_plan_ensure(shop=staff.shop)


@console_router.put("/recruitment-plan", response=RecruitmentPlanOut, summary="Save the recruitment plan")
def update_recruitment_plan(request, shop_id: Path[Id], payload: RecruitmentPlanIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return services.recruitment_plan_update(shop=staff.shop, **payload.dict())


@console_router.get(
    "/recruitment-plan/templates",
    response=list[PlanTemplateOut],
    summary="Starting texts for the plan (宝妈/便利店/快递点)",
)
def list_plan_templates(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return templates_for_shop(shop=staff.shop)


# --- console: applications ----------------------------------------------------------------


@console_router.get(
    "/leader-applications", response=list[LeaderApplicationOut], summary="Leader applications to review"
)
@paginate(ReviewPagination, page_size=20)
def list_leader_applications(request, shop_id: Path[Id], status: LeaderApplication.Status | None = None):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return selectors.applications_for_review(shop=staff.shop, status=status)


@console_router.post(
    "/leader-applications/bulk-approve", response=list[BulkOutcomeOut], summary="Approve many (one outcome each)"
)
def bulk_approve_leader_applications(request, shop_id: Path[Id], payload: BulkApproveIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return services.applications_bulk_review(
        shop=staff.shop,
        actor=request.auth,
        application_ids=payload.application_ids,
        approve=True,
        commission_rate_bp=payload.commission_rate_bp,
    )


@console_router.post(
    "/leader-applications/bulk-reject", response=list[BulkOutcomeOut], summary="Reject many with one reason"
)
def bulk_reject_leader_applications(request, shop_id: Path[Id], payload: BulkRejectIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return services.applications_bulk_review(
        shop=staff.shop,
        actor=request.auth,
        application_ids=payload.application_ids,
        approve=False,
        reason=payload.reason,
    )


@console_router.post(
    "/leader-applications/{application_id}/approve",
    response={201: LeaderOut},
    summary="Approve: create the leader and pickup point",
)
def approve_leader_application(request, shop_id: Path[Id], application_id: Id, payload: ApproveIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    leader = services.application_approve(
        shop=staff.shop, actor=request.auth, application_id=application_id, **payload.dict()
    )
    return 201, selectors.leader_get(shop=staff.shop, leader_id=leader.id)


@console_router.post(
    "/leader-applications/{application_id}/reject", response=LeaderApplicationOut, summary="Reject with a reason"
)
def reject_leader_application(request, shop_id: Path[Id], application_id: Id, payload: RejectIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    return services.application_reject(
        shop=staff.shop, actor=request.auth, application_id=application_id, reason=payload.reason
    )


# --- console: leaders ---------------------------------------------------------------------


@console_router.get(
    "/leaders", response=list[LeaderOut], summary="Leaders with performance over a period, filtered and sorted"
)
@paginate(PageNumberPagination, page_size=20)
def list_leaders(request, shop_id: Path[Id], filters: Query[LeaderListQuery]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return selectors.leaders_list(shop=staff.shop, **filters.dict())


@console_router.get(
    "/leaders/export.xlsx",
    summary="The leaders list with performance as an Excel file",
    openapi_extra=file_response(XLSX),
)
def export_leaders(request, shop_id: Path[Id], filters: Query[LeaderListQuery]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    leaders = selectors.leaders_list(shop=staff.shop, **filters.dict())
    target = ("leader", "", "团长导出")
    audit_record(shop=staff.shop, actor=staff, action="export.leaders", target=target, after=filters.dict())
    content = leaders_workbook(shop=staff.shop, leaders=leaders, date_from=filters.date_from, date_to=filters.date_to)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = export_file_name(date_from=filters.date_from, date_to=filters.date_to)
    response["Content-Disposition"] = f"attachment; filename=\"leaders.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


@console_router.get("/leaders/{leader_id}", response=LeaderDetailOut, summary="A leader with its audit trail")
def get_leader(request, shop_id: Path[Id], leader_id: Id):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return selectors.leader_detail(shop=staff.shop, leader_id=leader_id)


@console_router.patch(
    "/leaders/{leader_id}", response=LeaderDetailOut, summary="Edit commission rate, team, region, pickup point"
)
def update_leader(request, shop_id: Path[Id], leader_id: Id, payload: LeaderPatchIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    services.leader_update(shop=staff.shop, actor=request.auth, leader_id=leader_id, **payload.dict(exclude_unset=True))
    return selectors.leader_detail(shop=staff.shop, leader_id=leader_id)


def _status_endpoint(action: str, summary: str):
    def change_leader_status(request, shop_id: Path[Id], leader_id: Id, payload: LeaderStatusIn):
        staff = access_shop_as_staff(request, shop_id, "leaders.manage")
        services.leader_change_status(
            shop=staff.shop, actor=request.auth, leader_id=leader_id, action=action, reason=payload.reason
        )
        return selectors.leader_detail(shop=staff.shop, leader_id=leader_id)

    change_leader_status.__name__ = f"{action}_leader"
    console_router.post(f"/leaders/{{leader_id}}/{action}", response=LeaderDetailOut, summary=summary)(
        change_leader_status
    )


_status_endpoint("suspend", "Suspend a leader (with a reason)")
_status_endpoint("reactivate", "Reactivate a suspended or cleared leader")
_status_endpoint("clear", "Clear out a leader (清退, with a reason)")


# --- console: teams and regions -----------------------------------------------------------


@console_router.get("/teams", response=list[TeamOut], summary="Teams of leaders")
@paginate(PageNumberPagination, page_size=100)
def list_teams(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return selectors.teams_list(shop=staff.shop)


@console_router.post("/teams", response={201: TeamOut}, summary="Create a team")
def create_team(request, shop_id: Path[Id], payload: TeamIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    team = services.team_create(shop=staff.shop, **payload.dict())
    return 201, selectors.team_get(shop=staff.shop, team_id=team.id)


@console_router.patch("/teams/{team_id}", response=TeamOut, summary="Rename a team or change its captain")
def update_team(request, shop_id: Path[Id], team_id: Id, payload: TeamPatch):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    services.team_update(shop=staff.shop, team_id=team_id, **payload.dict(exclude_unset=True))
    return selectors.team_get(shop=staff.shop, team_id=team_id)


@console_router.delete("/teams/{team_id}", response={204: None}, summary="Delete a team (its leaders stay)")
def delete_team(request, shop_id: Path[Id], team_id: Id):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    services.team_delete(shop=staff.shop, team_id=team_id)
    return 204, None


@console_router.get("/regions", response=list[RegionOut], summary="Regions and their regional leaders")
@paginate(PageNumberPagination, page_size=100)
def list_regions(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    return selectors.regions_list(shop=staff.shop)


@console_router.post("/regions", response={201: RegionOut}, summary="Create a region")
def create_region(request, shop_id: Path[Id], payload: RegionIn):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    region = services.region_create(shop=staff.shop, **payload.dict())
    return 201, selectors.region_get(shop=staff.shop, region_id=region.id)


@console_router.patch(
    "/regions/{region_id}", response=RegionOut, summary="Rename a region or change its regional leader"
)
def update_region(request, shop_id: Path[Id], region_id: Id, payload: RegionPatch):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    services.region_update(shop=staff.shop, region_id=region_id, **payload.dict(exclude_unset=True))
    return selectors.region_get(shop=staff.shop, region_id=region_id)


@console_router.delete("/regions/{region_id}", response={204: None}, summary="Delete a region (its leaders stay)")
def delete_region(request, shop_id: Path[Id], region_id: Id):
    staff = access_shop_as_staff(request, shop_id, "leaders.manage")
    services.region_delete(shop=staff.shop, region_id=region_id)
    return 204, None


# --- member side --------------------------------------------------------------------------


@member_router.get(
    "/recruitment", response=RecruitmentPublicOut, auth=None, summary="The shop's published recruitment plan"
)
def get_recruitment(request, shop_id: Path[Id]):
    return selectors.recruitment_plan_public(shop=access_shop(shop_id))


@member_router.get(
    "/recruitment/{public_token}",
    response=RecruitmentPublicOut,
    auth=None,
    summary="The plan behind a recruitment QR code",
)
def get_recruitment_by_token(request, shop_id: Path[Id], public_token: Name):
    return selectors.recruitment_plan_public(shop=access_shop(shop_id), public_token=public_token)


@member_router.post("/leader-applications", response={201: MyApplicationOut}, summary="Apply to become a leader")
def create_leader_application(request, shop_id: Path[Id], payload: LeaderApplicationIn):
    return 201, services.application_submit(shop=access_shop(shop_id), user=request.auth, **payload.dict())


@member_router.get(
    "/leader-applications/mine", response={200: MyApplicationOut | None}, summary="My latest application and its result"
)
def get_my_leader_application(request, shop_id: Path[Id]):
    return selectors.application_latest_for_user(shop=access_shop(shop_id), user=request.auth)


@member_router.get(
    "/pickup-points/nearby",
    response=list[NearbyPointOut],
    auth=None,
    summary="Pickup points near a location, nearest first",
)
def list_nearby_pickup_points(request, shop_id: Path[Id], where: Query[NearbyQuery]):
    return selectors.pickup_points_nearby(shop=access_shop(shop_id), **where.dict())


@member_router.get(
    "/places",
    response=list[PlaceOut],
    auth=None,
    summary="Search a place by name or address (the shop's own communities first), with coordinates",
)
def list_places(request, shop_id: Path[Id], where: Query[PlacesQuery]):
    return places_search(shop=access_shop(shop_id), query=where.q)


def _my_leader_point(shop, user):
    membership = selectors.membership_for_user(shop=shop, user=user)
    if membership is None or membership.leader is None:
        return None
    return getattr(membership.leader, "pickup_point", None)


@member_router.get(
    "/my-leader", response={200: MyLeaderOut | None}, summary="My leader and pickup point in this shop (or null)"
)
def get_my_leader(request, shop_id: Path[Id]):
    return _my_leader_point(access_shop(shop_id), request.auth)


@member_router.put("/my-leader", response=MyLeaderOut, summary="Choose my leader (must be active)")
def set_my_leader(request, shop_id: Path[Id], payload: MyLeaderIn):
    shop = access_shop(shop_id)
    services.membership_bind(shop=shop, user=request.auth, leader_id=payload.leader_id)
    return _my_leader_point(shop, request.auth)


# --- leader center ------------------------------------------------------------------------


def _leader_me(leader: Leader) -> dict:
    plan = services.recruitment_plan_ensure(shop=leader.shop)
    team, region = leader.team, leader.region
    return {
        "id": leader.id,
        "shop_id": leader.shop_id,
        "shop_name": leader.shop.name,
        "name": leader.name,
        "phone": leader.phone,
        "status": leader.status,
        "status_label": leader.get_status_display(),
        "status_reason": leader.status_reason,
        "commission_rate_bp": selectors.effective_commission_rate_bp(leader),
        "referral_code": leader.referral_code,
        "referral_link": f"{selectors.recruitment_plan_link(plan)}?ref={leader.referral_code}",
        "member_count": selectors.leader_member_count(leader=leader),
        "team_name": team.name if team else None,
        "region_name": region.name if region else None,
        "pickup_point": getattr(leader, "pickup_point", None),
    }


@leader_router.get("/me", response=LeaderMeOut, summary="My leader profile, pickup point and referral link")
def get_leader_me(request, shop_id: Path[Id]):
    return _leader_me(access_leader(request, shop_id))


@leader_router.patch("/me/pickup-point", response=PickupPointOut, summary="Correct my pickup point's name or address")
def update_my_pickup_point(request, shop_id: Path[Id], payload: PickupPointPatchIn):
    leader = access_leader(request, shop_id, write=True)
    return services.leader_pickup_point_update(leader=leader, **payload.dict(exclude_unset=True))


__all__ = ["console_router", "member_router", "leader_router"]
