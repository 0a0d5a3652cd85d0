"""Sharing: the leader's campaign poster, share card and 接龙 text (leader center); the
recruitment QR code and poster (console); the leader's referral QR code."""

from django.core.files.storage import default_storage
from django.http import HttpResponse
from ninja import Path, Router

from tuangou.campaigns.selectors import campaign_get, leader_campaign_get, member_campaign_get
from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.downloads import signed_redirect
from tuangou.leaders.access import access_leader
from tuangou.leaders.selectors import recruitment_plan_link
from tuangou.leaders.services import recruitment_plan_ensure
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import images, selectors, services, wxacode
from .schemas import JielongOut, ShareCardOut

console_router = Router(tags=["console: sharing"], auth=AUTH)
member_router = Router(tags=["member: sharing"])
leader_router = Router(tags=["leader: sharing"], auth=AUTH)

# The pictures are documented as what they are (image/png), not as JSON.
PNG = {
    "responses": {
        200: {
            "description": "A PNG picture",
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    }
}


def _png(content: bytes, *, filename: str, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type="image/png")
    # Private: the picture carries one leader's attribution; short: prices and titles may change.
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def _poster(request, content: dict, filename: str) -> HttpResponse:
    if hasattr(default_storage, "signed_url"):  # object storage: the bytes never pass through us
        name, etag = services.poster_stored(content=content, storage=default_storage)
        if request.headers.get("If-None-Match") == f'"{etag}"':
            return HttpResponse(status=304)
        return signed_redirect(default_storage, name, "image/png", f'inline; filename="{filename}"')
    png, etag = services.poster_render(content=content)
    if request.headers.get("If-None-Match") == f'"{etag}"':
        return HttpResponse(status=304)
    return _png(png, filename=filename, etag=etag)


# --- console: recruitment ------------------------------------------------------------------


@console_router.get("/recruitment-plan/qr.png", openapi_extra=PNG, summary="QR code of the recruitment link (PNG)")
def get_recruitment_qr(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    plan = recruitment_plan_ensure(shop=staff.shop)
    return _png(images.qr_png(recruitment_plan_link(plan)), filename=f"recruit-{shop_id}-qr.png")


@console_router.get(
    "/recruitment-plan/wxacode.png",
    openapi_extra=PNG,
    summary="Mini-program code (小程序码) of the recruitment page (PNG)",
)
def get_recruitment_wxacode(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    scene = wxacode.recruitment_scene(shop_id=staff.shop.id)
    png = wxacode.wxacode_png(scene=scene, page=wxacode.RECRUIT_PAGE)
    return _png(png, filename=f"recruit-{shop_id}-wxacode.png")


@console_router.get(
    "/campaigns/{campaign_id}/wxacode.png",
    openapi_extra=PNG,
    summary="Mini-program code (小程序码) of a campaign (PNG)",
)
def get_campaign_wxacode(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "campaigns.view")
    campaign = campaign_get(shop=staff.shop, campaign_id=campaign_id)
    scene = wxacode.campaign_scene(shop_id=staff.shop.id, campaign_id=campaign.id)
    png = wxacode.wxacode_png(scene=scene, page=wxacode.CAMPAIGN_PAGE)
    return _png(png, filename=f"campaign-{campaign.id}-wxacode.png")


@console_router.get(
    "/recruitment-plan/poster.png", openapi_extra=PNG, summary="Recruitment poster with the QR code (PNG, 750×1334)"
)
def get_recruitment_poster(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "leaders.view")
    plan = recruitment_plan_ensure(shop=staff.shop)
    content = selectors.recruitment_poster_content(plan=plan, link=recruitment_plan_link(plan))
    return _poster(request, content, f"recruit-{shop_id}-poster.png")


# --- leader center ---------------------------------------------------------------------------


@leader_router.get("/referral-qr.png", openapi_extra=PNG, summary="QR code of my referral link for new leaders (PNG)")
def get_referral_qr(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    link = selectors.leader_referral_link(leader=leader, plan=recruitment_plan_ensure(shop=leader.shop))
    return _png(images.qr_png(link), filename=f"referral-{leader.referral_code}.png")


@leader_router.get(
    "/campaigns/{campaign_id}/poster.png", openapi_extra=PNG, summary="Campaign poster with my QR code (PNG, 750×1334)"
)
def get_campaign_poster(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id)
    campaign = leader_campaign_get(leader=leader, campaign_id=campaign_id)
    content = selectors.campaign_poster_content(campaign=campaign, leader=leader)
    return _poster(request, content, f"campaign-{campaign_id}-poster.png")


@leader_router.get(
    "/campaigns/{campaign_id}/share", response=ShareCardOut, summary="Share card: title, price from, image, my link"
)
def get_campaign_share(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id)
    campaign = leader_campaign_get(leader=leader, campaign_id=campaign_id)
    return selectors.campaign_share_card(campaign=campaign, leader=leader)


@leader_router.get(
    "/campaigns/{campaign_id}/wxacode.png",
    openapi_extra=PNG,
    summary="Mini-program code (小程序码) of a campaign with my attribution (PNG)",
)
def get_leader_campaign_wxacode(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id)
    campaign = leader_campaign_get(leader=leader, campaign_id=campaign_id)
    scene = wxacode.campaign_scene(shop_id=leader.shop_id, campaign_id=campaign.id, leader_id=leader.id)
    png = wxacode.wxacode_png(scene=scene, page=wxacode.CAMPAIGN_PAGE)
    return _png(png, filename=f"campaign-{campaign.id}-wxacode.png")


@leader_router.get(
    "/campaigns/{campaign_id}/jielong", response=JielongOut, summary="接龙 text of my point's paid orders"
)
def get_campaign_jielong(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id)
    campaign = leader_campaign_get(leader=leader, campaign_id=campaign_id)
    return selectors.jielong_text(campaign=campaign, leader=leader)


# --- members: share a campaign too, credited to their own leader --------------------------------


def _member_share(request, shop_id: int, campaign_id: int):
    campaign = member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    return campaign, selectors.member_share_leader(campaign=campaign, user=request.auth)


@member_router.get(
    "/campaigns/{campaign_id}/share",
    response=ShareCardOut,
    auth=AUTH,
    summary="Share card for a member: the link carries my own leader (they are credited)",
)
def get_member_campaign_share(request, shop_id: Path[Id], campaign_id: Id):
    campaign, leader = _member_share(request, shop_id, campaign_id)
    poster_url = f"/api/shops/{campaign.shop_id}/campaigns/{campaign.id}/poster.png"
    return selectors.campaign_share_card(campaign=campaign, leader=leader, poster_url=poster_url)


@member_router.get(
    "/campaigns/{campaign_id}/poster.png",
    openapi_extra=PNG,
    auth=AUTH,
    summary="Campaign poster for a member, with my leader's QR code (PNG, 750×1334)",
)
def get_member_campaign_poster(request, shop_id: Path[Id], campaign_id: Id):
    campaign, leader = _member_share(request, shop_id, campaign_id)
    content = selectors.campaign_poster_content(campaign=campaign, leader=leader)
    return _poster(request, content, f"campaign-{campaign_id}-poster.png")


__all__ = ["console_router", "member_router", "leader_router"]
