from ninja import Path, Router
from ninja.pagination import paginate

from tuangou.core.api import AUTH, get_in_shop
from tuangou.core.bounds import Id
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Search
from tuangou.leaders.access import access_leader
from tuangou.leaders.models import Leader
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import selectors, services
from .models import Campaign
from .schemas import (
    CampaignCancelIn,
    CampaignDuplicateIn,
    CampaignExtendCutoffIn,
    CampaignIn,
    CampaignListOut,
    CampaignOut,
    CampaignPatch,
    CampaignStatus,
    LeaderCampaignOut,
    LeaderJoinOut,
    PublicCampaignListOut,
    PublicCampaignOut,
)

console_router = Router(tags=["console: campaigns"], auth=AUTH)
member_router = Router(tags=["member: campaigns"], auth=AUTH)
leader_router = Router(tags=["leader: campaigns"], auth=AUTH)


def _campaign(staff, campaign_id: Id) -> Campaign:
    return get_in_shop(Campaign, staff.shop, campaign_id, thing_zh="团购", thing_en="Campaign")


def _detail(staff, campaign_id: Id) -> Campaign:
    return selectors.campaign_get(shop=staff.shop, campaign_id=campaign_id)


# --- console ------------------------------------------------------------------------------


@console_router.get("/campaigns", response=list[CampaignListOut], summary="Campaigns with progress and sales")
@paginate(PageNumberPagination, page_size=20)
def list_campaigns(request, shop_id: Path[Id], status: CampaignStatus | None = None, q: Search = ""):
    staff = access_shop_as_staff(request, shop_id, "campaigns.view")
    return selectors.campaign_list(shop=staff.shop, status=status, search=q)


@console_router.post("/campaigns", response={201: CampaignOut}, summary="Create a draft campaign with its items")
def create_campaign(request, shop_id: Path[Id], payload: CampaignIn):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    campaign = services.campaign_create(shop=staff.shop, actor=request.auth, **payload.dict())
    return 201, _detail(staff, campaign.pk)


@console_router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="Campaign detail: items, leaders, events")
def get_campaign(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.view")
    return _detail(staff, campaign_id)


@console_router.patch(
    "/campaigns/{campaign_id}",
    response=CampaignOut,
    summary="Edit a draft (scheduled: texts, leaders, later times; live: texts, leaders)",
)
def update_campaign(request, shop_id: Path[Id], campaign_id: Id, payload: CampaignPatch):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.campaign_update(
        shop=staff.shop, actor=request.auth, campaign_id=campaign_id, **payload.dict(exclude_unset=True)
    )
    return _detail(staff, campaign_id)


@console_router.post("/campaigns/{campaign_id}/publish", response=CampaignOut, summary="Publish a draft (allots stock)")
def publish_campaign(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.campaign_publish(campaign=_campaign(staff, campaign_id), actor=request.auth)
    return _detail(staff, campaign_id)


@console_router.post("/campaigns/{campaign_id}/start", response=CampaignOut, summary="Start a scheduled campaign now")
def start_campaign(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.campaign_start(campaign=_campaign(staff, campaign_id), actor=request.auth)
    return _detail(staff, campaign_id)


@console_router.post(
    "/campaigns/{campaign_id}/close", response=CampaignOut, summary="Close (截单) a live campaign now and decide it"
)
def close_campaign(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    campaign = services.campaign_close(campaign=_campaign(staff, campaign_id), actor=request.auth)
    # Nothing can be bought any more, so the outcome is known now; its own transaction, so a
    # failure here leaves a closed campaign that the job decides on its next run.
    services.campaign_decide(campaign=campaign, actor=request.auth)
    return _detail(staff, campaign_id)


@console_router.post(
    "/campaigns/{campaign_id}/extend-cutoff",
    response=CampaignOut,
    summary="Extend a live campaign's cut-off (later only), with a reason",
)
def extend_campaign_cutoff(request, shop_id: Path[Id], campaign_id: Id, payload: CampaignExtendCutoffIn):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.campaign_extend_cutoff(campaign=_campaign(staff, campaign_id), actor=request.auth, **payload.dict())
    return _detail(staff, campaign_id)


@console_router.post(
    "/campaigns/{campaign_id}/decide", response=CampaignOut, summary="Decide a closed campaign (成团 or not)"
)
def decide_campaign(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.campaign_decide(campaign=_campaign(staff, campaign_id), actor=request.auth)
    return _detail(staff, campaign_id)


@console_router.post(
    "/campaigns/{campaign_id}/cancel", response=CampaignOut, summary="Cancel a draft or scheduled campaign"
)
def cancel_campaign(request, shop_id: Path[Id], campaign_id: Id, payload: CampaignCancelIn):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.campaign_cancel(campaign=_campaign(staff, campaign_id), actor=request.auth, reason=payload.reason)
    return _detail(staff, campaign_id)


@console_router.post(
    "/campaigns/{campaign_id}/duplicate",
    response={201: CampaignOut},
    summary="Copy a campaign as a new draft with new dates",
)
def duplicate_campaign(request, shop_id: Path[Id], campaign_id: Id, payload: CampaignDuplicateIn):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    copy = services.campaign_duplicate(shop=staff.shop, actor=request.auth, campaign_id=campaign_id, **payload.dict())
    return 201, _detail(staff, copy.pk)


# --- member shop (public reads) -----------------------------------------------------------


@member_router.get("/campaigns", response=list[PublicCampaignListOut], auth=None, summary="Live and upcoming campaigns")
@paginate(PageNumberPagination, page_size=20)
def list_public_campaigns(request, shop_id: Path[Id], leader_id: Id | None = None):
    shop = access_shop(shop_id)
    leader = None
    if leader_id is not None:
        leader = get_in_shop(
            Leader.objects.exclude(status=Leader.Status.CLEARED),
            shop,
            leader_id,
            thing_zh="团长",
            thing_en="Leader",
            field="leader_id",
        )
    return selectors.member_campaign_list(shop=shop, leader=leader)


@member_router.get(
    "/campaigns/{campaign_id}",
    response=PublicCampaignOut,
    auth=None,
    summary="Campaign page: items, countdown, progress",
)
def get_public_campaign(request, shop_id: Path[Id], campaign_id: Id):
    return selectors.member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)


# --- leader center ------------------------------------------------------------------------


@leader_router.get(
    "/campaigns", response=list[LeaderCampaignOut], summary="Campaigns I may run, joined or not, with my orders"
)
@paginate(PageNumberPagination, page_size=20)
def list_leader_campaigns(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    return selectors.leader_campaign_list(leader=leader)


@leader_router.post("/campaigns/{campaign_id}/join", response=LeaderJoinOut, summary="Join (参团) a campaign")
def join_campaign(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id, write=True)
    link = services.campaign_leader_join(leader=leader, campaign_id=campaign_id)
    return {"campaign_id": link.campaign_id, "joined_at": link.joined_at}
