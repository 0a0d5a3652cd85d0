from typing import Literal

from ninja import Path, Query, Router
from ninja.pagination import paginate

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Search
from tuangou.orders.selectors import order_in_shop, order_of_member
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import selectors, services
from .schemas import (
    AdoptIn,
    ConsoleOrderDropshipOut,
    DropshipOut,
    DropshipShipIn,
    LinkOut,
    MarketOfferOut,
    OfferIn,
    OfferOut,
    OrderDropshipOut,
    SellerLedgerOut,
    SettledOut,
    SettleIn,
    SupplierLedgerOut,
    UnitsIn,
)

console_router = Router(tags=["console: market 分销市场"], auth=AUTH)
member_router = Router(tags=["member: orders"], auth=AUTH)
DropshipStatus = Literal["pending", "shipped", "delivered", "cancelled"]
SettlementStatus = Literal["pending", "due", "settled", "void"]


# --- the seller: browse, adopt, take units, its ledger -------------------------------------------


@console_router.get("/market/offers", response=list[MarketOfferOut], summary="Other shops' listed offers (分销市场)")
@paginate(PageNumberPagination, page_size=20)
def list_market_offers(request, shop_id: Path[Id], q: Search = ""):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return selectors.offers_in_market(shop=staff.shop, search=q)


@console_router.post(
    "/market/offers/{offer_id}/adopt", response={201: LinkOut}, summary="Sell an offer: a product of our own"
)
def adopt_market_offer(request, shop_id: Path[Id], offer_id: Id, payload: AdoptIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    link = services.offer_adopt(shop=staff.shop, actor=request.auth, offer_id=offer_id, **payload.dict())
    return 201, selectors.links_of_seller(shop=staff.shop).get(pk=link.pk)


@console_router.get("/market/links", response=list[LinkOut], summary="Our items sold from suppliers' offers")
def list_market_links(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return list(selectors.links_of_seller(shop=staff.shop))


@console_router.post("/market/links/{link_id}/allot", response=LinkOut, summary="Take more units from the supplier")
def allot_market_link(request, shop_id: Path[Id], link_id: Id, payload: UnitsIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.stock")
    link = services.link_allot(shop=staff.shop, actor=request.auth, link_id=link_id, units=payload.units)
    return selectors.links_of_seller(shop=staff.shop).get(pk=link.pk)


@console_router.post("/market/links/{link_id}/return", response=LinkOut, summary="Hand unsold units back")
def return_market_link(request, shop_id: Path[Id], link_id: Id, payload: UnitsIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.stock")
    link = services.link_return(shop=staff.shop, actor=request.auth, link_id=link_id, units=payload.units)
    return selectors.links_of_seller(shop=staff.shop).get(pk=link.pk)


@console_router.get(
    "/market/settlements", response=SellerLedgerOut, summary="What we owe suppliers, and our margin (分销结算)"
)
def list_market_settlements(request, shop_id: Path[Id], status: SettlementStatus | None = None):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    return selectors.settlements_of_seller(shop=staff.shop, status=status)


@console_router.post("/market/settlements/settle", response=SettledOut, summary="Settle due rows (结算)")
def settle_market_settlements(request, shop_id: Path[Id], payload: SettleIn):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    ids = payload.settlement_ids
    return {"settled": services.settlements_settle(shop=staff.shop, actor=request.auth, settlement_ids=ids)}


@console_router.get(
    "/orders/{order_id}/dropships", response=list[ConsoleOrderDropshipOut], summary="Suppliers' shipping of an order"
)
def list_order_dropships(request, shop_id: Path[Id], order_id: Id):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.dropships_of_order(order=order_in_shop(shop=staff.shop, order_id=order_id))


# --- the supplier: offers, dropship orders, its ledger ---------------------------------------------


@console_router.get("/supply/offers", response=list[OfferOut], summary="Our offers on the market (我的供货)")
def list_supply_offers(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return list(selectors.offers_of_supplier(shop=staff.shop))


@console_router.post("/supply/offers", response={201: OfferOut}, summary="Publish a SKU (or change and relist it)")
def publish_supply_offer(request, shop_id: Path[Id], payload: OfferIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    offer = services.offer_publish(shop=staff.shop, actor=request.auth, **payload.dict())
    return 201, selectors.offers_of_supplier(shop=staff.shop).get(pk=offer.pk)


@console_router.post("/supply/offers/{offer_id}/withdraw", response=OfferOut, summary="Take an offer off the market")
def withdraw_supply_offer(request, shop_id: Path[Id], offer_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    offer = services.offer_withdraw(shop=staff.shop, actor=request.auth, offer_id=offer_id)
    return selectors.offers_of_supplier(shop=staff.shop).get(pk=offer.pk)


@console_router.get("/supply/dropships", response=list[DropshipOut], summary="Orders to ship for sellers (一件代发)")
@paginate(PageNumberPagination, page_size=20)
def list_dropships(request, shop_id: Path[Id], status: DropshipStatus | None = None, q: Search = ""):
    staff = access_shop_as_staff(request, shop_id, "orders.view")
    return selectors.dropships_of_supplier(shop=staff.shop, status=status, search=q.strip())


@console_router.post("/supply/dropships/{dropship_id}/ship", response=DropshipOut, summary="Shipped, with tracking")
def ship_dropship(request, shop_id: Path[Id], dropship_id: Id, payload: DropshipShipIn):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.ship")
    services.dropship_ship(shop=staff.shop, actor=request.auth, dropship_id=dropship_id, **payload.dict())
    return selectors.dropship_of_supplier(shop=staff.shop, dropship_id=dropship_id)


@console_router.post("/supply/dropships/{dropship_id}/deliver", response=DropshipOut, summary="Delivered")
def deliver_dropship(request, shop_id: Path[Id], dropship_id: Id):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.ship")
    services.dropship_deliver(shop=staff.shop, actor=request.auth, dropship_id=dropship_id)
    return selectors.dropship_of_supplier(shop=staff.shop, dropship_id=dropship_id)


@console_router.get("/supply/settlements", response=SupplierLedgerOut, summary="Supply money sellers owe us")
def list_supply_settlements(request, shop_id: Path[Id], status: SettlementStatus | None = Query(None)):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    return selectors.settlements_of_supplier(shop=staff.shop, status=status)


# --- the member -----------------------------------------------------------------------------


@member_router.get(
    "/orders/{order_id}/dropships", response=list[OrderDropshipOut], summary="My order's lines shipped by a supplier"
)
def list_my_order_dropships(request, shop_id: Path[Id], order_id: Id):
    order = order_of_member(shop=access_shop(shop_id), member=request.auth, order_id=order_id)
    return selectors.dropships_of_order(order=order)
