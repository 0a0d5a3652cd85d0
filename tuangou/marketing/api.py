from django.http import HttpResponse
from ninja import Path, Router
from ninja.pagination import paginate

from tuangou.core import excel
from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.openapi import XLSX, file_response
from tuangou.core.pagination import PageNumberPagination
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import exports, packs, selectors, services
from .exports import coupon_templates_file_name, coupon_templates_xlsx
from .models import CouponPack, CouponPackDelivery, CouponTemplate
from .schemas import (
    CartIn,
    CouponCentreOut,
    CouponOptionOut,
    CouponOut,
    CouponPackIn,
    CouponPackOut,
    CouponTemplateIn,
    CouponTemplateOut,
    CouponTemplateStatusIn,
    MyCouponStatus,
)

console_router = Router(tags=["console: marketing"], auth=AUTH)
member_router = Router(tags=["member: coupons"], auth=AUTH)
EXPORT_ROWS = 100_000  # an export past this is cut (a sheet holds ~10^6 rows; the console would wait)


# --- console ------------------------------------------------------------------------------


@console_router.get(
    "/coupon-templates", response=list[CouponTemplateOut], summary="Coupon templates with issued / used / GMV / cost"
)
@paginate(PageNumberPagination, page_size=20)
def list_coupon_templates(request, shop_id: Path[Id], status: CouponTemplate.Status | None = None):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    return selectors.coupon_templates(shop=staff.shop, status=status)


@console_router.get(
    "/coupon-templates/export.xlsx",
    summary="Export the coupon templates and their figures",
    openapi_extra=file_response(XLSX),
)
def export_coupon_templates(request, shop_id: Path[Id], status: CouponTemplate.Status | None = None):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    response = HttpResponse(
        coupon_templates_xlsx(selectors.coupon_templates(shop=staff.shop, status=status), tz=staff.shop.timezone),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{coupon_templates_file_name(tz=staff.shop.timezone)}"'
    return response


@console_router.post("/coupon-templates", response={201: CouponTemplateOut}, summary="Create a coupon template")
def create_coupon_template(request, shop_id: Path[Id], payload: CouponTemplateIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    template = services.coupon_template_create(shop=staff.shop, actor=request.auth, **payload.dict())
    return 201, selectors.coupon_template_get(shop=staff.shop, template_id=template.pk)


@console_router.post(
    "/coupon-templates/{template_id}/status", response=CouponTemplateOut, summary="Pause or resume issuing a template"
)
def set_coupon_template_status(request, shop_id: Path[Id], template_id: Id, payload: CouponTemplateStatusIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    template = selectors.coupon_template_get(shop=staff.shop, template_id=template_id)
    services.coupon_template_set_status(template=template, status=payload.status)
    return selectors.coupon_template_get(shop=staff.shop, template_id=template_id)


@console_router.get("/coupon-packs", response=list[CouponPackOut], summary="Targeted packs (定向发放) with progress")
@paginate(PageNumberPagination, page_size=20)
def list_coupon_packs(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    return CouponPack.objects.filter(shop=staff.shop).select_related("template").order_by("-id")


@console_router.get(
    "/coupon-packs/export.xlsx",
    summary="Export the targeted packs and every member they reached",
    openapi_extra=file_response(XLSX),
)
def export_coupon_packs(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    packs = CouponPack.objects.filter(shop=staff.shop).select_related("template").order_by("-id")
    deliveries = (
        CouponPackDelivery.objects.filter(shop=staff.shop).select_related("pack", "member").order_by("-pack_id", "id")
    )
    content = exports.coupon_packs_xlsx(packs, deliveries[:EXPORT_ROWS], tz=staff.shop.timezone)
    return excel.xlsx_response(content, ascii_name=exports.export_file_name("coupon-packs"), name="定向发放.xlsx")


@console_router.post(
    "/coupon-packs", response={201: CouponPackOut}, summary="Send a template's coupons to the members a filter picks"
)
def create_coupon_pack(request, shop_id: Path[Id], payload: CouponPackIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    data = payload.dict()
    params = {key: data.pop(key) for key in ("days", "category_id", "leader_ids", "phones")}
    pack = packs.coupon_pack_create(shop=staff.shop, actor=request.auth, params=params, **data)
    return 201, CouponPack.objects.select_related("template").get(pk=pack.pk)


# --- member -------------------------------------------------------------------------------


@member_router.get("/coupon-centre", response=list[CouponCentreOut], summary="领券中心: coupons I may claim now")
def list_coupon_centre(request, shop_id: Path[Id]):
    return selectors.coupon_centre(shop=access_shop(shop_id), member=request.auth)


@member_router.post(
    "/coupon-centre/{template_id}/claim", response={201: CouponOut}, summary="Claim one coupon of a template"
)
def claim_coupon(request, shop_id: Path[Id], template_id: Id):
    return 201, services.coupon_claim(shop=access_shop(shop_id), member=request.auth, template_id=template_id)


@member_router.get("/coupons", response=list[CouponOut], summary="My coupons: unused, used or expired")
@paginate(PageNumberPagination, page_size=20)
def list_my_coupons(request, shop_id: Path[Id], status: MyCouponStatus = "unused"):
    return selectors.coupons_of_member(shop=access_shop(shop_id), member=request.auth, status=status)


@member_router.post(
    "/coupons/for-cart", response=list[CouponOptionOut], summary="My coupons against a cart, the best saving first"
)
def list_coupons_for_cart(request, shop_id: Path[Id], payload: CartIn):
    data = payload.dict()
    return selectors.coupons_for_cart(
        shop=access_shop(shop_id), member=request.auth, campaign_id=data["campaign_id"], items=data["items"]
    )


# --- 支付有礼 (payment gifts) -------------------------------------------------------------

from . import gifts  # noqa: E402
from .schemas import PaymentGiftIn, PaymentGiftOut, PaymentGiftStatusIn  # noqa: E402


@console_router.get(
    "/payment-gifts", response=list[PaymentGiftOut], summary="支付有礼 activities with the orders given a gift"
)
def list_payment_gifts(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    return selectors.payment_gifts(shop=staff.shop)


@console_router.get(
    "/payment-gifts/export.xlsx", summary="Export the 支付有礼 activities", openapi_extra=file_response(XLSX)
)
def export_payment_gifts(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    content = exports.payment_gifts_xlsx(selectors.payment_gifts(shop=staff.shop), tz=staff.shop.timezone)
    return excel.xlsx_response(content, ascii_name=exports.export_file_name("payment-gifts"), name="支付有礼.xlsx")


def _payment_gift_out(shop, activity_id: int):
    return next(activity for activity in selectors.payment_gifts(shop=shop) if activity.pk == activity_id)


@console_router.post("/payment-gifts", response={201: PaymentGiftOut}, summary="Create a 支付有礼 activity")
def create_payment_gift(request, shop_id: Path[Id], payload: PaymentGiftIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    activity = gifts.payment_gift_create(shop=staff.shop, actor=request.auth, **payload.dict())
    return 201, _payment_gift_out(staff.shop, activity.pk)


@console_router.post(
    "/payment-gifts/{payment_gift_id}/status", response=PaymentGiftOut, summary="Pause or resume a 支付有礼 activity"
)
def set_payment_gift_status(request, shop_id: Path[Id], payment_gift_id: Path[Id], payload: PaymentGiftStatusIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    activity = selectors.payment_gift_get(shop=staff.shop, activity_id=payment_gift_id)
    gifts.payment_gift_set_status(activity=activity, status=payload.status)
    return _payment_gift_out(staff.shop, activity.pk)


# --- 发券宝: coupons leaders hand out ----------------------------------------------------------

from tuangou.leaders.access import access_leader  # noqa: E402

from . import allotments  # noqa: E402
from .schemas import (  # noqa: E402
    AllotmentIn,
    AllotmentOut,
    AllotmentSetOut,
    LeaderAllotmentOut,
    LeaderCouponClaimIn,
    LeaderCouponOut,
)

leader_router = Router(tags=["leader: coupons"], auth=AUTH)


@console_router.get(
    "/coupon-allotments", response=list[AllotmentOut], summary="发券宝: allotments with claimed / used / GMV"
)
@paginate(PageNumberPagination, page_size=50)
def list_coupon_allotments(request, shop_id: Path[Id], template_id: Id | None = None):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    return allotments.allotments_with_figures(shop=staff.shop, template_id=template_id)


@console_router.get(
    "/coupon-allotments/export.xlsx",
    summary="Export the 发券宝 allotments with claimed / used / GMV",
    openapi_extra=file_response(XLSX),
)
def export_coupon_allotments(request, shop_id: Path[Id], template_id: Id | None = None):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    rows = allotments.allotments_with_figures(shop=staff.shop, template_id=template_id)[:EXPORT_ROWS]
    content = exports.allotments_xlsx(rows, tz=staff.shop.timezone)
    return excel.xlsx_response(content, ascii_name=exports.export_file_name("coupon-allotments"), name="发券宝.xlsx")


@console_router.post(
    "/coupon-allotments", response=AllotmentSetOut, summary="Allot a template's coupons to leaders (or all)"
)
def set_coupon_allotments(request, shop_id: Path[Id], payload: AllotmentIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    leaders = allotments.allotments_set(
        shop=staff.shop,
        template_id=payload.template_id,
        quantity=payload.quantity,
        leader_ids=None if payload.all_leaders else payload.leader_ids,
    )
    return {"leaders": leaders}


@leader_router.get("/coupon-allotments", response=list[LeaderAllotmentOut], summary="发券宝: my coupons to hand out")
def list_my_coupon_allotments(request, shop_id: Path[Id]):
    leader = access_leader(request, shop_id)
    rows = list(allotments.allotments_with_figures(shop=leader.shop, leader=leader)[:100])
    for row in rows:
        row.link = allotments.allotment_link(row)
    return rows


@member_router.get("/leader-coupons", response=list[LeaderCouponOut], summary="The coupons on a leader's claim link")
def list_leader_coupons(request, shop_id: Path[Id], leader_id: Id):
    return allotments.leader_allotments_open(shop=access_shop(shop_id), leader_id=leader_id, member=request.auth)


@member_router.post(
    "/leader-coupons/{template_id}/claim",
    response={201: CouponOut},
    summary="Claim one coupon through a leader's link",
)
def claim_leader_coupon(request, shop_id: Path[Id], template_id: Id, payload: LeaderCouponClaimIn):
    return 201, allotments.allotment_claim(
        shop=access_shop(shop_id), member=request.auth, leader_id=payload.leader_id, template_id=template_id
    )


# --- 满减送 (full reduction) ------------------------------------------------------------------

from . import reductions  # noqa: E402
from .schemas import FullReductionIn, FullReductionOut, FullReductionStatusIn, ReductionQuoteOut  # noqa: E402


@console_router.get("/full-reductions", response=list[FullReductionOut], summary="满减送 activities")
@paginate(PageNumberPagination, page_size=20)
def list_full_reductions(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    return reductions.full_reductions_with_figures(shop=staff.shop)


@console_router.get(
    "/full-reductions/export.xlsx", summary="Export the 满减送 activities", openapi_extra=file_response(XLSX)
)
def export_full_reductions(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "marketing.view")
    rows = reductions.full_reductions_with_figures(shop=staff.shop)[:EXPORT_ROWS]
    content = exports.full_reductions_xlsx(rows, tz=staff.shop.timezone)
    return excel.xlsx_response(content, ascii_name=exports.export_file_name("full-reductions"), name="满减送.xlsx")


@console_router.post("/full-reductions", response={201: FullReductionOut}, summary="Create a 满减送 activity")
def create_full_reduction(request, shop_id: Path[Id], payload: FullReductionIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    return 201, reductions.full_reduction_create(shop=staff.shop, actor=request.auth, **payload.dict())


@console_router.post(
    "/full-reductions/{full_reduction_id}/status",
    response=FullReductionOut,
    summary="Pause or resume a 满减送 activity",
)
def set_full_reduction_status(request, shop_id: Path[Id], full_reduction_id: Path[Id], payload: FullReductionStatusIn):
    staff = access_shop_as_staff(request, shop_id, "marketing.manage")
    activity = reductions.full_reduction_get(shop=staff.shop, activity_id=full_reduction_id)
    return reductions.full_reduction_set_status(activity=activity, status=payload.status)


@member_router.get(
    "/full-reductions",
    response=list[FullReductionOut],
    auth=None,
    summary="满减送 running now (shown on campaign pages)",
)
def list_running_full_reductions(request, shop_id: Path[Id]):
    return reductions.full_reductions_running(shop=access_shop(shop_id))


@member_router.post(
    "/full-reductions/for-cart", response=ReductionQuoteOut, summary="The 满减送 a cart gets (before any coupon)"
)
def quote_full_reduction(request, shop_id: Path[Id], payload: CartIn):
    shop = access_shop(shop_id)
    data = payload.dict()
    lines = selectors.cart_lines(shop=shop, campaign_id=data["campaign_id"], items=data["items"])
    activity, tier, shares = reductions.reduction_quote(shop=shop, lines=lines)
    return {
        "activity_id": activity.pk if activity else None,
        "name": activity.name if activity else "",
        "label": reductions.tier_label(tier) if tier else "",
        "discount_fen": sum(shares),
    }
