import json
from typing import Annotated

from django.http import FileResponse, HttpResponse
from django.utils import translation
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import NinjaJSONEncoder

from tuangou.campaigns.models import Campaign
from tuangou.core.api import AUTH, get_in_shop
from tuangou.core.bounds import Id, Page
from tuangou.core.downloads import file_download
from tuangou.core.errors import ApplicationError
from tuangou.core.openapi import PDF, XLSX, file_response
from tuangou.core.pagination import PageNumberPagination
from tuangou.leaders.access import access_leader
from tuangou.shops.access import access_shop_as_staff

from . import exports, selectors, services
from .models import ExportJob
from .schemas import (
    ArrivalOut,
    ExportJobIn,
    ExportJobOut,
    LeaderShipmentOut,
    PickupNoticeOut,
    PurchaseSheetOut,
    SheetKind,
    ShipIn,
    ShipmentStatusOut,
    ShipOut,
    ShippingSheetOut,
    SortingSheetOut,
)

console_router = Router(tags=["console: fulfilment 采购/发货/分拣"], auth=AUTH)
leader_router = Router(tags=["leader: fulfilment 到货与提货通知"], auth=AUTH)

# Points on a page of the console's sorting list: a point of a city campaign is ~100 orders.
SORTING_PAGE_SIZE_MAX = 50

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _campaign(request, shop_id: Id, campaign_id: Id, permission: str) -> Campaign:
    staff = access_shop_as_staff(request, shop_id, permission)
    return get_in_shop(
        Campaign.objects.select_related("shop"), staff.shop, campaign_id, thing_zh="团购", thing_en="Campaign"
    )


def _download(request, shop_id: Id, campaign_id: Id, kind: str, extension: str) -> HttpResponse:
    campaign = _campaign(request, shop_id, campaign_id, "fulfilment.view")
    sheet = selectors.sheet_build(campaign=campaign, kind=kind, stream=True)
    # Written to a temporary file and streamed from it (FileResponse closes it): the workbook row
    # by row, the PDF page by page (each page deflated once done).
    write = exports.sheet_xlsx_file if extension == "xlsx" else exports.sheet_pdf_file
    response = FileResponse(write(kind, sheet, tz=campaign.shop.timezone), content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = exports.attachment_disposition(kind, sheet, extension)
    return response


# The file routes come first: "{kind}" alone would also match "purchase.xlsx".
@console_router.get(
    "/campaigns/{campaign_id}/sheets/{kind}.xlsx",
    summary="Download a sheet as Excel",
    openapi_extra=file_response(XLSX),
)
def download_sheet_xlsx(request, shop_id: Path[Id], campaign_id: Id, kind: SheetKind):
    return _download(request, shop_id, campaign_id, kind, "xlsx")


@console_router.get(
    "/campaigns/{campaign_id}/sheets/{kind}.pdf",
    summary="Download a sheet as printable A4 PDF",
    openapi_extra=file_response(PDF),
)
def download_sheet_pdf(request, shop_id: Path[Id], campaign_id: Id, kind: SheetKind):
    return _download(request, shop_id, campaign_id, kind, "pdf")


@console_router.get(
    "/campaigns/{campaign_id}/sheets/{kind}",
    response=PurchaseSheetOut | ShippingSheetOut | SortingSheetOut,
    summary="Purchase summary, shipping sheet or sorting list of a closed campaign",
)
def get_sheet(
    request,
    shop_id: Path[Id],
    campaign_id: Id,
    kind: SheetKind,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=SORTING_PAGE_SIZE_MAX)] = 20,
):
    """The sorting list comes a page of pickup points at a time (`page`, `page_size`), with the
    totals of the whole list; the purchase summary and the shipping sheet are whole."""
    campaign = _campaign(request, shop_id, campaign_id, "fulfilment.view")
    sheet = selectors.sheet_build(campaign=campaign, kind=kind, page=page, page_size=page_size)
    # Encoded as built, not validated through the schema again: the selector's dict is the schema
    # (test_sheet_json_is_its_schema), and validating 10^5 orders took 5 s and hundreds of MiB.
    return HttpResponse(json.dumps(sheet, cls=NinjaJSONEncoder), content_type="application/json")


@console_router.post("/campaigns/{campaign_id}/ship", response=ShipOut, summary="Mark goods shipped to pickup points")
def ship_campaign(request, shop_id: Path[Id], campaign_id: Id, payload: ShipIn):
    campaign = _campaign(request, shop_id, campaign_id, "fulfilment.ship")
    return services.shipments_ship(campaign=campaign, actor=request.auth, pickup_point_ids=payload.pickup_point_ids)


@console_router.get(
    "/campaigns/{campaign_id}/shipments", response=list[ShipmentStatusOut], summary="Shipping status per pickup point"
)
@paginate(PageNumberPagination, page_size=100)
def list_campaign_shipments(request, shop_id: Path[Id], campaign_id: Id):
    campaign = _campaign(request, shop_id, campaign_id, "fulfilment.view")
    return selectors.shipments_status(campaign=campaign)


@console_router.post(
    "/campaigns/{campaign_id}/exports",
    response={202: ExportJobOut},
    summary="Start generating a sheet file in the background (a done, unchanged one is reused)",
)
def start_export(request, shop_id: Path[Id], campaign_id: Id, payload: ExportJobIn):
    campaign = _campaign(request, shop_id, campaign_id, "fulfilment.view")
    return 202, services.export_job_start(campaign=campaign, kind=payload.kind, fmt=payload.format, actor=request.auth)


def _export_job(request, shop_id: Id, export_id: Id) -> ExportJob:
    staff = access_shop_as_staff(request, shop_id, "fulfilment.view")
    return get_in_shop(
        ExportJob.objects.select_related("campaign"), staff.shop, export_id, thing_zh="导出任务", thing_en="Export"
    )


@console_router.get("/exports/{export_id}", response=ExportJobOut, summary="An export job's status and progress")
def get_export(request, shop_id: Path[Id], export_id: Id):
    return _export_job(request, shop_id, export_id)


@console_router.get(
    "/exports/{export_id}/download",
    url_name="download_export",
    summary="Download a finished export's file",
    openapi_extra=file_response(XLSX, PDF),
)
def download_export(request, shop_id: Path[Id], export_id: Id):
    job = _export_job(request, shop_id, export_id)
    if job.status != ExportJob.Status.DONE:
        raise ApplicationError("export_not_ready", field="export_id", status=409, progress=job.progress)
    names = {"campaign_title": job.campaign.title, "campaign_id": job.campaign_id}
    with translation.override(job.language):  # named in the language the file was built in
        disposition = exports.attachment_disposition(job.kind, names, job.format)
    # Streamed from disk (a 10^5-order file is never held whole in memory), or a redirect to a
    # short-lived signed URL when exports live in object storage.
    return file_download(job.file, CONTENT_TYPES[job.format], disposition)


@leader_router.get("/shipments", response=list[LeaderShipmentOut], summary="Shipments to my pickup point")
@paginate(PageNumberPagination, page_size=20)
def list_my_shipments(
    request,
    shop_id: Path[Id],
    campaign_ids: str = Query(
        "", max_length=400, pattern=r"^[0-9]{1,18}(,[0-9]{1,18})*$|^$", description="Only these campaigns: 12,15,19"
    ),
):
    # The leader's orders page asks for the shipments of the campaigns on the page it just
    # loaded, so it never stops at the first few pages however many campaigns there are.
    leader = access_leader(request, shop_id)
    shipments = selectors.leader_shipments(leader=leader)
    if campaign_ids:
        shipments = shipments.filter(campaign_id__in=[int(pk) for pk in campaign_ids.split(",")])
    return shipments


@leader_router.post(
    "/campaigns/{campaign_id}/arrived", response=ArrivalOut, summary="Confirm the goods arrived at my point"
)
def confirm_arrival(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id, write=True)
    result = services.shipment_confirm_arrival(leader=leader, campaign_id=campaign_id)
    return {
        "shipment": selectors.leader_shipments(leader=leader).get(pk=result["shipment"].pk),
        "moved_orders": result["moved_orders"],
    }


@leader_router.post(
    "/campaigns/{campaign_id}/pickup-notice", response=PickupNoticeOut, summary="One-click pickup notice to my members"
)
def send_pickup_notice(request, shop_id: Path[Id], campaign_id: Id):
    leader = access_leader(request, shop_id, write=True)
    return services.shipment_send_pickup_notice(leader=leader, campaign_id=campaign_id)
