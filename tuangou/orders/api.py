from datetime import date

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from ninja import Header, Path, Query, Router
from ninja.pagination import paginate

from tuangou.audit.services import audit_record
from tuangou.campaigns.models import Campaign
from tuangou.campaigns.selectors import member_campaign_get
from tuangou.core.api import AUTH
from tuangou.core.bounds import MAX_ID, Id
from tuangou.core.construct import construct
from tuangou.core.openapi import XLSX, file_response
from tuangou.core.pagination import KeysetPagination, PageNumberPagination
from tuangou.core.validation import Name
from tuangou.leaders.access import access_leader
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import feed, selectors, services
from .exports import orders_file_name, orders_xlsx
from .models import Order
from .schemas import (
    AfterSaleIn,
    AfterSaleOut,
    AfterSaleResolveIn,
    BuyerOut,
    ConsoleOrderDetailOut,
    ConsoleOrderOut,
    FeedEventsOut,
    LeaderCampaignOrdersOut,
    OrderCancelIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderRefundIn,
    PickupVerifiedOut,
    PickupVerifyIn,
    PurchaseFeedOut,
)

console_router = Router(tags=["console: orders"], auth=AUTH)
member_router = Router(tags=["member: orders"], auth=AUTH)
# A campaign page's buyers list and 他们都在买 feed (its paid orders, read here in orders, the app
# above campaigns): the same URLs under /shops/{shop_id}/campaigns/{id}/, registered right after
# the campaigns app's member router.
campaign_member_router = Router(tags=["member: campaigns"], auth=AUTH)
leader_router = Router(tags=["leader: orders"], auth=AUTH)


# --- member ---------------------------------------------------------------------------


@member_router.post(
    "/orders", response={201: OrderOut}, summary="Place an order (checkout); Idempotency-Key replays the first answer"
)
def create_order(
    request, shop_id: Path[Id], payload: OrderIn, idempotency_key: Name | None = Header(None, alias="Idempotency-Key")
):
    shop = access_shop(shop_id)
    data = payload.dict()
    data["idempotency_key"] = idempotency_key or data["idempotency_key"]
    # Checkout is the hottest write: its answer is built from the order just written, not validated again.
    return 201, construct(OrderOut, services.order_place(shop=shop, member=request.auth, **data))


@member_router.get("/orders", response=list[OrderOut], summary="My orders, newest first")
@paginate(PageNumberPagination, page_size=20)
def list_my_orders(request, shop_id: Path[Id], status: Order.Status | None = None):
    return selectors.orders_of_member(shop=access_shop(shop_id), member=request.auth, status=status)


@member_router.get(
    "/orders/{order_id}", response=OrderDetailOut, summary="One of my orders, with its pickup code and history"
)
def get_my_order(request, shop_id: Path[Id], order_id: Id):
    return selectors.order_of_member(shop=access_shop(shop_id), member=request.auth, order_id=order_id)


@member_router.post(
    "/orders/{order_id}/cancel",
    response=OrderOut,
    summary="Cancel my order (unpaid; or paid, refunded before the cut-off)",
)
def cancel_my_order(request, shop_id: Path[Id], order_id: Id, payload: OrderCancelIn):
    shop = access_shop(shop_id)
    order = selectors.order_of_member(shop=shop, member=request.auth, order_id=order_id)
    services.order_cancel(order=order, actor=request.auth, reason=payload.reason)
    return selectors.order_of_member(shop=shop, member=request.auth, order_id=order_id)


@member_router.post(
    "/orders/{order_id}/after-sales", response={201: AfterSaleOut}, summary="Ask for after-sales (售后)"
)
def create_after_sale(request, shop_id: Path[Id], order_id: Id, payload: AfterSaleIn):
    order = selectors.order_of_member(shop=access_shop(shop_id), member=request.auth, order_id=order_id)
    return 201, services.after_sale_open(order=order, member=request.auth, **payload.dict())


# --- console --------------------------------------------------------------------------


@console_router.get("/orders", response=list[ConsoleOrderOut], summary="Search orders")
@paginate(KeysetPagination, page_size=20)
def list_orders(
    request,
    shop_id: Path[Id],
    campaign_id: Id | None = None,
    leader_id: Id | None = None,
    status: Order.Status | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    phone: Name | None = None,
):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.orders_for_console(
        shop=staff.shop,
        campaign_id=campaign_id,
        leader_id=leader_id,
        status=status,
        date_from=date_from,
        date_to=date_to,
        phone=phone,
    )


@console_router.get(
    "/orders/export.xlsx",
    summary="Export the searched orders to Excel (one row per line)",
    openapi_extra=file_response(XLSX),
)
def export_orders(
    request,
    shop_id: Path[Id],
    campaign_id: Id | None = None,
    leader_id: Id | None = None,
    status: Order.Status | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    phone: Name | None = None,
):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    orders = selectors.orders_for_console(
        shop=staff.shop,
        campaign_id=campaign_id,
        leader_id=leader_id,
        status=status,
        date_from=date_from,
        date_to=date_to,
        phone=phone,
    )
    filters = {"campaign_id": campaign_id, "leader_id": leader_id, "status": status, "phone": phone}
    filters.update(date_from=date_from, date_to=date_to)
    audit_record(shop=staff.shop, actor=staff, action="export.orders", target=("order", "", "订单导出"), after=filters)
    response = HttpResponse(
        orders_xlsx(orders, tz=staff.shop.timezone),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{orders_file_name(tz=staff.shop.timezone)}"'
    return response


@console_router.post(
    "/orders/verify-pickup", response=PickupVerifiedOut, summary="Verify any pickup point's code (核销)"
)
def verify_pickup_as_staff(request, shop_id: Path[Id], payload: PickupVerifyIn):
    staff = access_shop_as_staff(request, shop_id, "orders.manage")
    return services.order_pickup_verify(shop=staff.shop, code=payload.code, leader=None, actor=request.auth)


@console_router.get(
    "/orders/{order_id}", response=ConsoleOrderDetailOut, summary="Order detail with payments, refunds and after-sales"
)
def get_order(request, shop_id: Path[Id], order_id: Id):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.order_for_console(shop=staff.shop, order_id=order_id)


@console_router.post(
    "/orders/{order_id}/cancel",
    response=ConsoleOrderDetailOut,
    summary="Cancel an order (a paid one is refunded: needs orders.refund)",
)
def cancel_order(request, shop_id: Path[Id], order_id: Id, payload: OrderCancelIn):
    staff = access_shop_as_staff(request, shop_id, "orders.manage")
    order = selectors.order_in_shop(shop=staff.shop, order_id=order_id)
    if order.status != Order.Status.PENDING_PAYMENT:
        access_shop_as_staff(request, shop_id, "orders.refund")
    services.order_cancel(order=order, actor=request.auth, reason=payload.reason)
    return selectors.order_for_console(shop=staff.shop, order_id=order_id)


@console_router.post(
    "/orders/{order_id}/refund",
    response=ConsoleOrderDetailOut,
    summary="Refund all, some lines, or an amount (closes an open after-sales request)",
)
def refund_order(request, shop_id: Path[Id], order_id: Id, payload: OrderRefundIn):
    staff = access_shop_as_staff(request, shop_id, "orders.refund")
    order = selectors.order_in_shop(shop=staff.shop, order_id=order_id)
    lines = [line.dict() for line in payload.lines] if payload.lines else None
    services.order_refund(
        order=order, actor=request.auth, reason=payload.reason, lines=lines, amount_fen=payload.amount_fen
    )
    return selectors.order_for_console(shop=staff.shop, order_id=order_id)


@console_router.get("/after-sales", response=list[AfterSaleOut], summary="After-sales requests")
@paginate(PageNumberPagination, page_size=20)
def list_after_sales(request, shop_id: Path[Id], status: Name | None = None):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.after_sales_for_console(shop=staff.shop, status=status)


@console_router.post(
    "/after-sales/{after_sale_id}/resolve", response=AfterSaleOut, summary="Resolve after-sales: refund or reject"
)
def resolve_after_sale(request, shop_id: Path[Id], after_sale_id: Id, payload: AfterSaleResolveIn):
    # Resolving with a refund moves money: it follows the refund permission (as a direct refund
    # does); rejecting is handling the request (orders.manage).
    staff = access_shop_as_staff(request, shop_id, "orders.refund" if payload.action == "refund" else "orders.manage")
    after_sale = selectors.after_sale_in_shop(shop=staff.shop, after_sale_id=after_sale_id)
    return services.after_sale_resolve(after_sale=after_sale, actor=request.auth, **payload.dict())


# --- leader center --------------------------------------------------------------------


@leader_router.get("/orders", response=list[LeaderCampaignOrdersOut], summary="My members' orders, grouped by campaign")
@paginate(PageNumberPagination, page_size=10)
def list_leader_orders(request, shop_id: Path[Id], campaign_id: Id | None = None, status: Order.Status | None = None):
    leader = access_leader(request, shop_id)
    return selectors.LeaderOrderGroups(leader=leader, campaign_id=campaign_id, status=status)


@leader_router.post(
    "/pickups/verify", response=PickupVerifiedOut, summary="Verify a member's pickup code at my point (核销)"
)
def verify_pickup(request, shop_id: Path[Id], payload: PickupVerifyIn):
    leader = access_leader(request, shop_id, write=True)
    return services.order_pickup_verify(shop=leader.shop, code=payload.code, leader=leader, actor=request.auth)


# --- a campaign page's buyers and live feed -----------------------------------------------------


@campaign_member_router.get(
    "/campaigns/{campaign_id}/buyers", response=list[BuyerOut], auth=None, summary="Members who joined (masked names)"
)
@paginate(PageNumberPagination, page_size=20)
def list_campaign_buyers(request, shop_id: Path[Id], campaign_id: Id):
    campaign = member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    return selectors.campaign_buyers(campaign=campaign)


@campaign_member_router.get(
    "/campaigns/{campaign_id}/recent-purchases",
    response=PurchaseFeedOut,
    auth=None,
    summary="他们都在买: newest purchases after after_id",
)
def list_recent_purchases(request, shop_id: Path[Id], campaign_id: Id, after_id: Id = 0):
    campaign = member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    lines = selectors.campaign_recent_purchases(campaign=campaign, after_id=after_id)
    return {"items": lines, "last_id": max([line.id for line in lines], default=after_id)}


@campaign_member_router.get(
    "/campaigns/{campaign_id}/feed/events",
    response=FeedEventsOut,
    auth=None,
    summary="他们都在买 by polling: the feed's events after after_id (the same ids as the live feed)",
)
def list_feed_events(request, shop_id: Path[Id], campaign_id: Id, after_id: int = Query(0, ge=0, le=MAX_ID)):
    # The page's fallback when EventSource keeps failing: it goes on from the last event id it
    # saw live, so nothing is shown twice.
    campaign = member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    found = feed.purchases_after(shop_id=campaign.shop_id, campaign_id=campaign.id, after_id=after_id or None)
    return {"items": found, "last_id": found[-1]["id"] if found else after_id}


def _feed_campaign(shop_id: Id, campaign_id: Id, *, release: bool) -> Campaign:
    try:
        return member_campaign_get(shop=access_shop(shop_id), campaign_id=campaign_id)
    finally:
        # Django releases a request's connection when the response ends, minutes from now for a
        # streamed feed: give it back to the pool at once, or a few open pages would drain the
        # pool. A WSGI request (one short answer) keeps it until it ends, as usual.
        if release:
            connection.close()


@campaign_member_router.get(
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
    if settings.FEED_PORT:  # `make run`: pages on the web server's port read this from the feed's port
        response["Access-Control-Allow-Origin"] = "*"  # public (auth=None), no credentials
    return response


# 支付有礼: the gift on the payment result page (the order is checked to be mine here, in orders).
from tuangou.marketing import selectors as marketing_selectors  # noqa: E402
from tuangou.marketing.schemas import PaymentGiftGrantOut  # noqa: E402


@member_router.get(
    "/orders/{order_id}/gifts", response=list[PaymentGiftGrantOut], summary="支付有礼: my gifts for a paid order"
)
def list_order_gifts(request, shop_id: Path[Id], order_id: Path[Id]):
    shop = access_shop(shop_id)
    order = selectors.order_of_member(shop=shop, member=request.auth, order_id=order_id)
    return marketing_selectors.payment_gifts_of_order(shop=shop, member=request.auth, order_id=order.pk)
