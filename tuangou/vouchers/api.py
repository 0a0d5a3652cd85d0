from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Path, Query, Router
from ninja.pagination import paginate
from pydantic import Field

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.errors import ApplicationError
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Name, Search
from tuangou.orders.selectors import order_in_shop, order_of_member
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import selectors, services, topup
from .schemas import (
    Code,
    ConsoleVoucherOut,
    RedeemedOut,
    RedeemIn,
    StoreCodeIn,
    StoreIn,
    StoreOut,
    StorePatch,
    StorePinIn,
    StoreRedeemIn,
    StoreSessionOut,
    StoreVoucherOut,
    TopUpOut,
    VoucherOut,
)

console_router = Router(tags=["console: vouchers 核销"], auth=AUTH)
member_router = Router(tags=["member: orders"], auth=AUTH)
# A partner store's redeem page: the link's token names the store, its PIN comes with every call.
store_router = Router(tags=["store: redeem 门店核销"])
topup_router = Router(tags=["vouchers: top-up vendor"])
VoucherStatus = Literal["active", "used_up", "void"]
TopUpStatus = Literal["pending", "processing", "succeeded", "failed"]


# --- member ---------------------------------------------------------------------------


@member_router.get(
    "/orders/{order_id}/vouchers", response=list[VoucherOut], summary="My order's voucher codes and their uses"
)
def list_my_vouchers(request, shop_id: Path[Id], order_id: Id):
    order = order_of_member(shop=access_shop(shop_id), member=request.auth, order_id=order_id)
    return selectors.vouchers_of_order(order=order)


# --- console --------------------------------------------------------------------------


@console_router.get("/vouchers", response=list[ConsoleVoucherOut], summary="Voucher codes, newest first")
@paginate(PageNumberPagination, page_size=20)
def list_vouchers(request, shop_id: Path[Id], q: Search = "", status: VoucherStatus | None = None):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.vouchers_for_console(shop=staff.shop, search=q, status=status)


@console_router.get(
    "/orders/{order_id}/vouchers", response=list[VoucherOut], summary="An order's voucher codes and their uses"
)
def list_order_vouchers(request, shop_id: Path[Id], order_id: Id):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.vouchers_of_order(order=order_in_shop(shop=staff.shop, order_id=order_id))


@console_router.get("/vouchers/lookup", response=StoreVoucherOut, summary="A code before redeeming it")
def lookup_voucher(request, shop_id: Path[Id], code: Code = Query(...)):
    staff = access_shop_as_staff(request, shop_id, "orders.manage")
    return services.voucher_find(shop=staff.shop, code=code, actor=request.auth)


@console_router.post("/vouchers/redeem", response=RedeemedOut, summary="Redeem (核销) some uses of a code")
def redeem_voucher(request, shop_id: Path[Id], payload: RedeemIn):
    staff = access_shop_as_staff(request, shop_id, "orders.manage")
    store = selectors.store_get(shop=staff.shop, store_id=payload.store_id) if payload.store_id else None
    redemption = services.voucher_redeem(
        shop=staff.shop, code=payload.code, uses=payload.uses, store=store, actor=request.auth
    )
    return {"redemption": redemption, "voucher": redemption.voucher}


@console_router.get("/voucher-stores", response=list[StoreOut], summary="Partner stores (核销门店)")
def list_voucher_stores(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return list(selectors.stores_of_shop(shop=staff.shop))


@console_router.post("/voucher-stores", response={201: StoreOut}, summary="Add a partner store with its PIN")
def create_voucher_store(request, shop_id: Path[Id], payload: StoreIn):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    return 201, services.store_create(shop=staff.shop, actor=request.auth, **payload.dict())


@console_router.patch(
    "/voucher-stores/{store_id}", response=StoreOut, summary="Edit a partner store; new PIN or new link"
)
def update_voucher_store(request, shop_id: Path[Id], store_id: Id, payload: StorePatch):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    return services.store_update(shop=staff.shop, actor=request.auth, store_id=store_id, **payload.dict())


@console_router.get("/topups", response=list[TopUpOut], summary="Phone top-ups and their vendor status")
@paginate(PageNumberPagination, page_size=20)
def list_topups(request, shop_id: Path[Id], status: TopUpStatus | None = None):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.topups_for_console(shop=staff.shop, status=status)


# --- a partner store's redeem page -------------------------------------------------------

Token = Path[Annotated[Name, Field(max_length=64)]]


@store_router.post("/{token}/session", response=StoreSessionOut, summary="Open a store's redeem page with its PIN")
def open_store_session(request, token: Token, payload: StorePinIn):
    store = services.store_by_link(token=token, pin=payload.pin)
    return {"name": store.name, "shop_name": store.shop.name}


@store_router.post("/{token}/lookup", response=StoreVoucherOut, summary="A code, as the store sees it")
def lookup_store_voucher(request, token: Token, payload: StoreCodeIn):
    store = services.store_by_link(token=token, pin=payload.pin)
    return services.voucher_find(shop=store.shop, code=payload.code, store=store)


@store_router.post("/{token}/redeem", response=RedeemedOut, summary="Redeem some uses of a code at the store")
def redeem_store_voucher(request, token: Token, payload: StoreRedeemIn):
    store = services.store_by_link(token=token, pin=payload.pin)
    redemption = services.voucher_redeem(shop=store.shop, code=payload.code, uses=payload.uses, store=store)
    return {"redemption": redemption, "voucher": redemption.voucher}


# --- the top-up vendor's callback -----------------------------------------------------------


@topup_router.post("/notify", auth=None, summary="The top-up vendor's signed callback (form, MD5 sign)")
def topup_notify(request):
    found = topup.vendor().callback(dict(request.POST.items()))
    if found is None:  # not the vendor's: anything but "success" makes a real vendor send it again
        raise ApplicationError("topup_callback_invalid", field="sign")
    reference, answer = found
    services.topup_finish(reference=reference, status=answer.status, vendor_order_no=answer.vendor_order_no)
    return HttpResponse("success", content_type="text/plain")
