import tempfile

from django.http import FileResponse, HttpResponse
from ninja import Path, Router

from tuangou.campaigns.models import Campaign
from tuangou.core.api import AUTH, get_in_shop
from tuangou.core.bounds import Id
from tuangou.core.errors import NotFound
from tuangou.core.openapi import PDF, XLSX, file_response
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import exports, selectors, services
from .models import Courier, Warehouse
from .schemas import (
    AddressIn,
    AddressOut,
    AddressPatch,
    CourierIn,
    CourierOut,
    CourierPatch,
    DeliveryConfirmIn,
    DeliveryConfirmOut,
    DeliverySheetOut,
    RouteAssignIn,
    RouteOut,
    RoutesPlanIn,
    TransferIn,
    TransferOut,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
    WarehouseStockOut,
)

console_router = Router(tags=["console: warehouses 前置仓/送货上门"], auth=AUTH)
member_router = Router(tags=["member: delivery addresses"], auth=AUTH)
courier_router = Router(tags=["courier: delivery routes 配送员"], auth=AUTH)


def _warehouse(staff, warehouse_id: int) -> Warehouse:
    return get_in_shop(Warehouse, staff.shop, warehouse_id, thing_zh="前置仓", thing_en="Warehouse")


def _campaign(staff, campaign_id: int) -> Campaign:
    return get_in_shop(
        Campaign.objects.select_related("shop"), staff.shop, campaign_id, thing_zh="团购", thing_en="Campaign"
    )


# --- console: warehouses, stock, transfers -----------------------------------------------


@console_router.get("/warehouses", response=list[WarehouseOut], summary="Front warehouses")
def list_warehouses(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return list(selectors.warehouse_list(shop=staff.shop))


@console_router.post("/warehouses", response={201: WarehouseOut}, summary="Create a front warehouse")
def create_warehouse(request, shop_id: Path[Id], payload: WarehouseIn):
    staff = access_shop_as_staff(request, shop_id, "warehouses.manage")
    return 201, services.warehouse_create(shop=staff.shop, actor=request.auth, **payload.dict())


@console_router.get("/warehouses/{warehouse_id}", response=WarehouseOut, summary="A front warehouse")
def get_warehouse(request, shop_id: Path[Id], warehouse_id: Id):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return get_in_shop(
        selectors.warehouse_list(shop=staff.shop), staff.shop, warehouse_id, thing_zh="前置仓", thing_en="Warehouse"
    )


@console_router.patch("/warehouses/{warehouse_id}", response=WarehouseOut, summary="Edit a front warehouse")
def update_warehouse(request, shop_id: Path[Id], warehouse_id: Id, payload: WarehousePatch):
    staff = access_shop_as_staff(request, shop_id, "warehouses.manage")
    return services.warehouse_update(
        shop=staff.shop, actor=request.auth, warehouse_id=warehouse_id, **payload.dict(exclude_unset=True)
    )


@console_router.get(
    "/warehouses/{warehouse_id}/stock", response=list[WarehouseStockOut], summary="A warehouse's stock per SKU"
)
def list_warehouse_stock(request, shop_id: Path[Id], warehouse_id: Id):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return list(selectors.warehouse_stock(warehouse=_warehouse(staff, warehouse_id)))


@console_router.get(
    "/warehouses/{warehouse_id}/transfers", response=list[TransferOut], summary="Transfers of a warehouse, newest first"
)
def list_warehouse_transfers(request, shop_id: Path[Id], warehouse_id: Id):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return list(selectors.warehouse_transfers(warehouse=_warehouse(staff, warehouse_id))[:200])


@console_router.post(
    "/warehouses/{warehouse_id}/transfers",
    response={201: TransferOut},
    summary="Move stock between the central store and a warehouse",
)
def create_warehouse_transfer(request, shop_id: Path[Id], warehouse_id: Id, payload: TransferIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.stock")
    data = payload.dict()
    return 201, services.stock_transfer(shop=staff.shop, actor=request.auth, warehouse_id=warehouse_id, **data)


# --- console: couriers and delivery routes ------------------------------------------------


@console_router.get("/couriers", response=list[CourierOut], summary="Couriers")
def list_couriers(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return list(selectors.couriers(shop=staff.shop))


@console_router.post("/couriers", response={201: CourierOut}, summary="Add a courier by phone")
def create_courier(request, shop_id: Path[Id], payload: CourierIn):
    staff = access_shop_as_staff(request, shop_id, "warehouses.manage")
    return 201, services.courier_create(shop=staff.shop, actor=request.auth, **payload.dict())


@console_router.patch("/couriers/{courier_id}", response=CourierOut, summary="Rename or disable a courier")
def update_courier(request, shop_id: Path[Id], courier_id: Id, payload: CourierPatch):
    staff = access_shop_as_staff(request, shop_id, "warehouses.manage")
    return services.courier_update(
        shop=staff.shop, actor=request.auth, courier_id=courier_id, **payload.dict(exclude_unset=True)
    )


def _sheet_download(request, shop_id: int, campaign_id: int, extension: str) -> HttpResponse:
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    campaign = _campaign(staff, campaign_id)
    sheet = selectors.routes_of_campaign(shop=staff.shop, campaign=campaign)
    tz = staff.shop.timezone
    if extension == "xlsx":
        target = tempfile.TemporaryFile()
        exports.delivery_sheet_xlsx(sheet, target, tz=tz)
        target.seek(0)
        response = FileResponse(
            target, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(exports.delivery_sheet_pdf(sheet, tz=tz), content_type="application/pdf")
    response["Content-Disposition"] = exports.attachment_disposition(sheet, extension)
    return response


@console_router.get(
    "/campaigns/{campaign_id}/delivery-sheet.xlsx",
    summary="Download the delivery sheet as Excel",
    openapi_extra=file_response(XLSX),
)
def download_delivery_sheet_xlsx(request, shop_id: Path[Id], campaign_id: Id):
    return _sheet_download(request, shop_id, campaign_id, "xlsx")


@console_router.get(
    "/campaigns/{campaign_id}/delivery-sheet.pdf",
    summary="Download the delivery sheet as printable A4 PDF",
    openapi_extra=file_response(PDF),
)
def download_delivery_sheet_pdf(request, shop_id: Path[Id], campaign_id: Id):
    return _sheet_download(request, shop_id, campaign_id, "pdf")


@console_router.get(
    "/campaigns/{campaign_id}/delivery-routes",
    response=DeliverySheetOut,
    summary="The delivery sheet: routes per warehouse and slot, stops in the solver's order",
)
def get_delivery_routes(request, shop_id: Path[Id], campaign_id: Id):
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return selectors.routes_of_campaign(shop=staff.shop, campaign=_campaign(staff, campaign_id))


@console_router.post(
    "/campaigns/{campaign_id}/delivery-routes",
    response=DeliverySheetOut,
    summary="Plan (again) the campaign's delivery routes with the routing solver",
)
def plan_delivery_routes(request, shop_id: Path[Id], campaign_id: Id, payload: RoutesPlanIn):
    staff = access_shop_as_staff(request, shop_id, "warehouses.manage")
    campaign = _campaign(staff, campaign_id)
    services.routes_plan(shop=staff.shop, actor=request.auth, campaign=campaign, max_stops=payload.max_stops)
    return selectors.routes_of_campaign(shop=staff.shop, campaign=campaign)


@console_router.patch("/delivery-routes/{route_id}", response=RouteOut, summary="Assign a route to a courier")
def assign_delivery_route(request, shop_id: Path[Id], route_id: Id, payload: RouteAssignIn):
    staff = access_shop_as_staff(request, shop_id, "warehouses.manage")
    services.route_assign(shop=staff.shop, actor=request.auth, route_id=route_id, courier_id=payload.courier_id)
    return selectors.route_sheet(shop=staff.shop, route_id=route_id)


# --- member: saved addresses --------------------------------------------------------------


@member_router.get("/addresses", response=list[AddressOut], summary="My delivery addresses")
def list_my_addresses(request, shop_id: Path[Id]):
    return list(selectors.addresses_of_member(shop=access_shop(shop_id), member=request.auth))


@member_router.post("/addresses", response={201: AddressOut}, summary="Save a delivery address")
def create_my_address(request, shop_id: Path[Id], payload: AddressIn):
    return 201, services.address_create(shop=access_shop(shop_id), member=request.auth, **payload.dict())


@member_router.patch("/addresses/{address_id}", response=AddressOut, summary="Edit one of my addresses")
def update_my_address(request, shop_id: Path[Id], address_id: Id, payload: AddressPatch):
    return services.address_update(
        shop=access_shop(shop_id), member=request.auth, address_id=address_id, **payload.dict(exclude_unset=True)
    )


@member_router.delete("/addresses/{address_id}", response={204: None}, summary="Delete one of my addresses")
def delete_my_address(request, shop_id: Path[Id], address_id: Id):
    services.address_delete(shop=access_shop(shop_id), member=request.auth, address_id=address_id)
    return 204, None


# --- courier (phone) ----------------------------------------------------------------------


def _courier(request, shop_id: int) -> Courier:
    shop = access_shop(shop_id)
    courier = Courier.objects.filter(shop=shop, user=request.auth, is_active=True).first()
    if courier is None:
        raise NotFound("配送员", "Courier")
    return courier


@courier_router.get("/routes", response=list[RouteOut], summary="My delivery routes (today and later)")
def list_my_routes(request, shop_id: Path[Id]):
    courier = _courier(request, shop_id)
    return selectors.routes_of_courier(shop=courier.shop, courier=courier)


@courier_router.post(
    "/routes/{route_id}/deliveries", response=DeliveryConfirmOut, summary="Confirm a stop by the member's code"
)
def confirm_delivery(request, shop_id: Path[Id], route_id: Id, payload: DeliveryConfirmIn):
    courier = _courier(request, shop_id)
    return services.delivery_confirm(shop=courier.shop, courier=courier, route_id=route_id, code=payload.code)
