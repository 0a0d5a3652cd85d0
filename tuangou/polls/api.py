"""Group polls: the merchant's console (create, live result, close, winners → draft campaign),
the leader center (their own polls, shared with their attribution) and the member's vote page."""

from ninja import File, Path, Query, Router
from ninja.files import UploadedFile

from tuangou.core.api import AUTH, current_user
from tuangou.core.bounds import Id
from tuangou.leaders.access import access_leader
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import selectors, services
from .schemas import (
    PollCampaignOut,
    PollIn,
    PollListOut,
    PollOptionOut,
    PollResultOut,
    PollShareOut,
    PollToCampaignIn,
    PollVoteIn,
)

console_router = Router(tags=["console: polls"], auth=AUTH)
member_router = Router(tags=["member: polls"], auth=AUTH)
leader_router = Router(tags=["leader: polls"], auth=AUTH)

LIST_LIMIT = 100


# --- console ------------------------------------------------------------------------------


@console_router.get("/polls", response=list[PollListOut], summary="Polls, newest first, with their vote counts")
def list_polls(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "campaigns.view")
    return list(selectors.poll_list(shop=staff.shop)[:LIST_LIMIT])


@console_router.post("/polls", response={201: PollResultOut}, summary="Create a poll of candidate products")
def create_poll(request, shop_id: Path[Id], payload: PollIn):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    poll = services.poll_create(shop=staff.shop, actor=request.auth, **payload.dict())
    return 201, selectors.poll_results(poll=poll)


@console_router.get("/polls/{poll_id}", response=PollResultOut, summary="A poll's live result")
def get_poll(request, shop_id: Path[Id], poll_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.view")
    return selectors.poll_results(poll=selectors.poll_get(shop=staff.shop, poll_id=poll_id))


@console_router.post(
    "/polls/{poll_id}/options/{option_id}/image",
    response=PollOptionOut,
    summary="Upload a free-text candidate's picture (JPG/PNG/GIF/WebP, ≤ 5 MB)",
)
def upload_poll_option_image(request, shop_id: Path[Id], poll_id: Id, option_id: Id, file: File[UploadedFile]):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    services.poll_option_image_set(shop=staff.shop, poll_id=poll_id, option_id=option_id, upload=file)
    result = selectors.poll_results(poll=selectors.poll_get(shop=staff.shop, poll_id=poll_id))
    return next(row for row in result["options"] if row["option_id"] == option_id)


@console_router.post("/polls/{poll_id}/close", response=PollResultOut, summary="Close the poll now")
def close_poll(request, shop_id: Path[Id], poll_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    poll = services.poll_close(poll=selectors.poll_get(shop=staff.shop, poll_id=poll_id), actor=request.auth)
    return selectors.poll_results(poll=poll)


@console_router.post(
    "/polls/{poll_id}/campaign",
    response={201: PollCampaignOut},
    summary="Turn the winners into a draft campaign (closes the poll)",
)
def create_poll_campaign(request, shop_id: Path[Id], poll_id: Id, payload: PollToCampaignIn):
    staff = access_shop_as_staff(request, shop_id, "campaigns.manage")
    poll = selectors.poll_get(shop=staff.shop, poll_id=poll_id)
    campaign = services.poll_to_campaign(poll=poll, actor=request.auth, top=payload.top)
    return 201, {"campaign_id": campaign.pk}


@console_router.get("/polls/{poll_id}/share", response=PollShareOut, summary="The poll's share card and link")
def get_poll_share(request, shop_id: Path[Id], poll_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.view")
    return selectors.poll_share_card(poll=selectors.poll_get(shop=staff.shop, poll_id=poll_id))


# --- leader center -------------------------------------------------------------------------------


@leader_router.get("/polls", response=list[PollListOut], summary="The merchant's polls and mine")
def list_leader_polls(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    return list(selectors.poll_list(shop=leader.shop, leader=leader)[:LIST_LIMIT])


@leader_router.post("/polls", response={201: PollResultOut}, summary="Create a poll for my group")
def create_leader_poll(request, shop_id: Path[Id], payload: PollIn):
    leader = access_leader(request, shop_id, write=True)
    poll = services.poll_create(shop=leader.shop, actor=request.auth, leader=leader, **payload.dict())
    return 201, selectors.poll_results(poll=poll)


@leader_router.get("/polls/{poll_id}/share", response=PollShareOut, summary="The poll's share card with my link")
def get_leader_poll_share(request, shop_id: Path[Id], poll_id: Id):
    leader = access_leader(request, shop_id)
    poll = selectors.leader_poll_get(leader=leader, poll_id=poll_id)
    return selectors.poll_share_card(poll=poll, leader_id=leader.pk)


# --- member --------------------------------------------------------------------------------------


@member_router.get("/polls/{poll_id}", response=PollResultOut, auth=None, summary="A poll's live result (and my vote)")
def get_member_poll(request, shop_id: Path[Id], poll_id: Id):
    shop = access_shop(shop_id)
    return selectors.poll_results(poll=selectors.poll_get(shop=shop, poll_id=poll_id), user=current_user(request))


@member_router.get(
    "/polls/{poll_id}/share", response=PollShareOut, auth=None, summary="The poll's share card (WeChat share tags)"
)
def get_member_poll_share(request, shop_id: Path[Id], poll_id: Id, leader: Id | None = Query(None)):
    shop = access_shop(shop_id)
    return selectors.poll_share_card(poll=selectors.poll_get(shop=shop, poll_id=poll_id), leader_id=leader)


@member_router.put("/polls/{poll_id}/vote", response=PollResultOut, summary="Vote (or change my vote) while open")
def vote_poll(request, shop_id: Path[Id], poll_id: Id, payload: PollVoteIn):
    poll = selectors.poll_get(shop=access_shop(shop_id), poll_id=poll_id)
    services.poll_vote(poll=poll, user=request.auth, option_id=payload.option_id)
    return selectors.poll_results(poll=poll, user=request.auth)


@member_router.delete("/polls/{poll_id}/vote", response=PollResultOut, summary="Take my vote back while open")
def unvote_poll(request, shop_id: Path[Id], poll_id: Id):
    poll = selectors.poll_get(shop=access_shop(shop_id), poll_id=poll_id)
    services.poll_unvote(poll=poll, user=request.auth)
    return selectors.poll_results(poll=poll, user=request.auth)


__all__ = ["console_router", "member_router", "leader_router"]
