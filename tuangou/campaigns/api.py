from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from ninja import Path, Query, Router
from ninja.pagination import paginate

from tuangou.core.api import AUTH, get_in_shop
from tuangou.core.bounds import MAX_ID, Id
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Name
from tuangou.leaders.access import access_leader
from tuangou.leaders.models import Leader
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import feed, selectors, services
from .models import Campaign
from .schemas import (
    BuyerOut,
    CampaignCancelIn,
    CampaignDuplicateIn,
    CampaignExtendCutoffIn,
    CampaignIn,
    CampaignListOut,
    CampaignOut,
    CampaignPatch,
    CampaignStatus,
    FeedEventsOut,
    LeaderCampaignOut,
    LeaderJoinOut,
    PublicCampaignListOut,
    PublicCampaignOut,
    PurchaseFeedOut,
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
def list_campaigns(request, shop_id: Path[Id], status: CampaignStatus | None = None, q: Name = ""):
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


@member_router.get(
    "/campaigns/{campaign_id}/buyers", response=list[BuyerOut], auth=None, summary="Members who joined (masked names)"
)
@paginate(PageNumberPagination, page_size=20)
def list_campaign_buyers(request, shop_id: Path[Id], campaign_id: Id):
    campaign = selectors.member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    return selectors.campaign_buyers(campaign=campaign)


@member_router.get(
    "/campaigns/{campaign_id}/recent-purchases",
    response=PurchaseFeedOut,
    auth=None,
    summary="他们都在买: newest purchases after after_id",
)
def list_recent_purchases(request, shop_id: Path[Id], campaign_id: Id, after_id: Id = 0):
    campaign = selectors.member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    lines = selectors.campaign_recent_purchases(campaign=campaign, after_id=after_id)
    return {"items": lines, "last_id": max([line.id for line in lines], default=after_id)}


@member_router.get(
    "/campaigns/{campaign_id}/feed/events",
    response=FeedEventsOut,
    auth=None,
    summary="他们都在买 by polling: the feed's events after after_id (the same ids as the live feed)",
)
def list_feed_events(request, shop_id: Path[Id], campaign_id: Id, after_id: int = Query(0, ge=0, le=MAX_ID)):
    # The page's fallback when EventSource keeps failing: it goes on from the last event id it
    # saw live, so nothing is shown twice.
    campaign = selectors.member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    found = feed.purchases_after(shop_id=campaign.shop_id, campaign_id=campaign.id, after_id=after_id or None)
    return {"items": found, "last_id": found[-1]["id"] if found else after_id}


def _feed_campaign(shop_id: Id, campaign_id: Id, *, release: bool) -> Campaign:
    try:
        return selectors.member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    finally:
        # Django releases a request's connection when the response ends, minutes from now for a
        # streamed feed: give it back to the pool at once, or a few open pages would drain the
        # pool. A WSGI request (one short answer) keeps it until it ends, as usual.
        if release:
            connection.close()


@member_router.get(
    "/campaigns/{campaign_id}/feed",
    auth=None,
    summary="他们都在买 live: server-sent events of paid orders (masked names)",
    openapi_extra={
        "responses": {
            200: {"description": "text/event-stream; resume with Last-Event-ID", "content": {"text/event-stream": {}}}
        }
    },
)
async def stream_campaign_feed(request, shop_id: Path[Id], campaign_id: Id, last_event_id: Id | None = None):
    # Async on purpose: an open feed is a coroutine, not a worker (see feed.py). The browser sends
    # Last-Event-ID when it reconnects; ?last_event_id= does the same for clients that cannot.
    streaming = isinstance(request, ASGIRequest)
    campaign = await sync_to_async(_feed_campaign)(shop_id, campaign_id, release=streaming)
    header = feed.event_id_from_header(request.headers.get("Last-Event-ID", ""))
    if header is not None:
        last_event_id = header
    arguments = {"shop_id": campaign.shop_id, "campaign_id": campaign.id, "last_event_id": last_event_id}
    if streaming:
        response = StreamingHttpResponse(
            feed.purchase_stream(**arguments), content_type="text/event-stream; charset=utf-8"
        )
    else:
        response = HttpResponse(await feed.catch_up_body(**arguments), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx and friends must pass events through at once
    return response


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
