"""The sheets of a closed campaign (以销定采): purchase summary, shipping sheet, sorting list.

Each sheet is aggregated in the database (values().annotate()): its query count does not grow
with orders or points, and only the grouped rows travel to Python.
"""

from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.models import Product
from tuangou.core.errors import ApplicationError
from tuangou.core.i18n import pick
from tuangou.core.phones import public_name
from tuangou.leaders.models import Leader, PickupPoint
from tuangou.orders.models import Order, OrderLine

from .models import Shipment

S = Order.Status
# Orders whose goods must be bought and delivered: the campaign succeeded and they were not refunded.
FULFILLABLE = [S.CONFIRMED, S.SHIPPED, S.ARRIVED, S.PICKED_UP, S.COMPLETED]
SHEET_CAMPAIGN_STATUSES = {Campaign.Status.CLOSED, Campaign.Status.SUCCEEDED}


def no_route() -> str:
    """The route of a point that has none, in the active language (it sorts last)."""
    return pick("未分配线路", "No route")


def campaign_check_sheets(campaign: Campaign) -> None:
    if campaign.status not in SHEET_CAMPAIGN_STATUSES:
        raise ApplicationError(
            "campaign_state",
            field="campaign_id",
            status=409,
            status_label=Campaign.Status(campaign.status).label,
            action="make_sheets",
        )


def _lines(campaign: Campaign):
    """Lines still to deliver: of fulfillable orders, less what was refunded. Vouchers, services and
    top-ups are not shipped (their codes are redeemed, tuangou.vouchers): they stay off the sheets."""
    return OrderLine.objects.filter(
        shop_id=campaign.shop_id,
        order__campaign=campaign,
        order__status__in=FULFILLABLE,
        quantity__gt=F("refunded_quantity"),
        campaign_item__sku__product__kind=Product.Kind.PHYSICAL,
    )


_QUANTITY = Sum(F("quantity") - F("refunded_quantity"))


def _header(campaign: Campaign, kind_label: str) -> dict:
    return {
        "kind_label": kind_label,
        "shop_name": campaign.shop.name,
        "campaign_id": campaign.id,
        "campaign_title": campaign.title,
        "campaign_status": campaign.status,
        "cutoff_at": campaign.cutoff_at,
        "pickup_at": campaign.pickup_at,
        "generated_at": timezone.now(),
    }


def purchase_summary(*, campaign: Campaign) -> dict:
    """采购单: what to buy per SKU, its cost, the sales it carries, how many orders and points."""
    rows = list(
        _lines(campaign)
        # A SKU is in a campaign once (campaign_item_sku_once): grouping by item is grouping by SKU.
        .values(
            "campaign_item_id",
            "campaign_item__sort",
            "campaign_item__sku_id",
            "campaign_item__sku__product__name",
            "campaign_item__sku__product__unit",
            "campaign_item__sku__spec",
            "campaign_item__sku__code",
            "campaign_item__sku__cost_fen",
        )
        .annotate(
            # Annotation names differ from the fields they sum, or F() would point at the sum.
            qty=_QUANTITY,
            cost_total_fen=Sum((F("quantity") - F("refunded_quantity")) * F("campaign_item__sku__cost_fen")),
            sales_fen=Sum(F("amount_fen") - F("refunded_fen")),
            order_count=Count("order_id", distinct=True),
            point_count=Count("order__pickup_point_id", distinct=True),
        )
        .order_by("campaign_item__sort", "campaign_item_id")
    )
    items = [
        {
            "sku_id": r["campaign_item__sku_id"],
            "product_name": r["campaign_item__sku__product__name"],
            "unit": r["campaign_item__sku__product__unit"],
            "spec": r["campaign_item__sku__spec"],
            "sku_code": r["campaign_item__sku__code"],
            "unit_cost_fen": r["campaign_item__sku__cost_fen"],
            "quantity": r["qty"],
            "cost_fen": r["cost_total_fen"],
            "amount_fen": r["sales_fen"],
            "order_count": r["order_count"],
            "point_count": r["point_count"],
        }
        for r in rows
    ]
    totals = {key: sum(item[key] for item in items) for key in ("quantity", "cost_fen", "amount_fen")}
    return {**_header(campaign, pick("采购单", "Purchase summary")), "items": items, "totals": totals}


_POINT_FIELDS = (
    "order__pickup_point_id",
    "order__pickup_point__route",
    "order__pickup_point__name",
    "order__pickup_point__community",
    "order__pickup_point__address",
    "order__leader__name",
    "order__leader__phone",
)


def _point(row: dict, prefix: str = "order__") -> dict:
    return {
        "pickup_point_id": row[f"{prefix}pickup_point_id"],
        "route": row[f"{prefix}pickup_point__route"] or no_route(),
        "point_name": row[f"{prefix}pickup_point__name"],
        "community": row[f"{prefix}pickup_point__community"],
        "address": row[f"{prefix}pickup_point__address"],
        "leader_name": row[f"{prefix}leader__name"],
        "leader_phone": row[f"{prefix}leader__phone"],  # the sheet is for staff: full number
    }


def _point_sort_key(point: dict):
    return (point["route"] == no_route(), point["route"], point["point_name"], point["pickup_point_id"])


def shipping_sheet(*, campaign: Campaign) -> dict:
    """发货单: per delivery route, per pickup point, each SKU's quantity and the point's orders.

    Grouped by ids only (point, leader, campaign item), so the database sorts narrow rows; the
    few points, leaders and items are then read by id. Orders per point are a second grouping
    (an order holds several SKUs, so its count cannot come from the first).
    """
    quantities = list(
        _lines(campaign)
        .values("order__pickup_point_id", "order__leader_id", "campaign_item_id")
        .annotate(qty=_QUANTITY)
        .order_by()
    )
    order_counts = dict(
        Order.objects.filter(
            shop_id=campaign.shop_id,
            campaign=campaign,
            status__in=FULFILLABLE,
            lines__quantity__gt=F("lines__refunded_quantity"),
            lines__campaign_item__sku__product__kind=Product.Kind.PHYSICAL,
        )
        .values("pickup_point_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("pickup_point_id", "n")
    )
    items = {
        item["id"]: item
        for item in CampaignItem.objects.filter(shop_id=campaign.shop_id, campaign=campaign).values(
            "id", "sort", "sku_id", "sku__code", "sku__product__name", "sku__spec"
        )
    }
    point_rows = PickupPoint.objects.filter(
        shop_id=campaign.shop_id, id__in={r["order__pickup_point_id"] for r in quantities}
    ).values("id", "route", "name", "community", "address")
    leaders = {
        leader["id"]: leader
        for leader in Leader.objects.filter(
            shop_id=campaign.shop_id, id__in={r["order__leader_id"] for r in quantities}
        ).values("id", "name", "phone")
    }
    details = {row["id"]: row for row in point_rows}
    points: dict[int, dict] = {}
    for r in sorted(quantities, key=lambda r: (items[r["campaign_item_id"]]["sort"], r["campaign_item_id"])):
        point = points.get(r["order__pickup_point_id"])
        if point is None:
            detail, leader = details[r["order__pickup_point_id"]], leaders[r["order__leader_id"]]
            point = points[r["order__pickup_point_id"]] = {
                "pickup_point_id": detail["id"],
                "route": detail["route"] or no_route(),
                "point_name": detail["name"],
                "community": detail["community"],
                "address": detail["address"],
                "leader_name": leader["name"],
                "leader_phone": leader["phone"],  # the sheet is for staff: full number
                "order_count": order_counts.get(detail["id"], 0),
                "total_quantity": 0,
                "items": [],
            }
        item = items[r["campaign_item_id"]]
        point["items"].append(
            {
                "sku_id": item["sku_id"],
                "sku_code": item["sku__code"],
                "product_name": item["sku__product__name"],
                "spec": item["sku__spec"],
                "quantity": r["qty"],
            }
        )
        point["total_quantity"] += r["qty"]
    routes: dict[str, list] = {}
    for point in sorted(points.values(), key=_point_sort_key):
        routes.setdefault(point["route"], []).append(point)
    return {
        **_header(campaign, pick("发货单", "Shipping sheet")),
        "routes": [{"route": route, "points": pts} for route, pts in routes.items()],
        "totals": {
            "point_count": len(points),
            "order_count": sum(p["order_count"] for p in points.values()),
            "quantity": sum(p["total_quantity"] for p in points.values()),
        },
    }


def sorting_list(*, campaign: Campaign) -> dict:
    """分拣单: per pickup point, each member's order (pickup code) and what goes in their bag.
    Names and phones are masked: the list is printed and stuck on the bags."""
    rows = (
        _lines(campaign)
        .values(
            *_POINT_FIELDS,
            "order_id",
            "order__number",
            "order__pickup_code",
            "order__contact_name",
            "order__contact_phone",
            "order__member__display_name",
            "order__member__username",
            "order__member__phone",
            "product_name",
            "spec",
        )
        .annotate(qty=_QUANTITY)
        .order_by("order__pickup_point_id", "order__pickup_code", "order_id", "product_name", "spec")
        # Read in pieces (a server-side cursor on PostgreSQL): 2x10^5 wide rows never sit in memory at once.
        .iterator(chunk_size=5000)
    )
    points: dict[int, dict] = {}
    orders: dict[int, dict] = {}
    with _read_in_pieces():
        _sorting_collect(rows, points, orders)
    for point in points.values():
        point["order_count"] = len(point["orders"])
    ordered = sorted(points.values(), key=_point_sort_key)
    return {
        **_header(campaign, pick("分拣单", "Sorting list")),
        "points": ordered,
        "totals": {
            "point_count": len(ordered),
            "order_count": len(orders),
            "quantity": sum(p["total_quantity"] for p in ordered),
        },
    }


@contextmanager
def _read_in_pieces():
    """Where a query's .iterator() streams: in a transaction, so PostgreSQL's cursor is not WITH
    HOLD (which copies the whole result before the first row), and planned for all its rows, not
    the first few (a nested-loop plan that took three times as long)."""
    if connection.vendor != "postgresql":  # SQLite reads a cursor in pieces as it is
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def _sorting_collect(rows, points: dict, orders: dict) -> None:
    """Each grouped line into its point and its order (filled in place), in the query's order."""
    for r in rows:
        point = points.get(r["order__pickup_point_id"])
        if point is None:
            point = points[r["order__pickup_point_id"]] = {**_point(r), "total_quantity": 0, "orders": []}
        order = orders.get(r["order_id"])
        if order is None:
            name = r["order__contact_name"] or r["order__member__display_name"] or r["order__member__username"]
            phone = r["order__contact_phone"] or r["order__member__phone"] or ""
            order = orders[r["order_id"]] = {
                "order_id": r["order_id"],
                "order_number": r["order__number"],
                "pickup_code": r["order__pickup_code"],
                "member_name": public_name(name, phone),
                "phone_tail": phone[-4:],
                "total_quantity": 0,
                "items": [],
            }
            point["orders"].append(order)
        order["items"].append({"product_name": r["product_name"], "spec": r["spec"], "quantity": r["qty"]})
        order["total_quantity"] += r["qty"]
        point["total_quantity"] += r["qty"]


SHEETS = {"purchase": purchase_summary, "shipping": shipping_sheet, "sorting": sorting_list}


def sheet_build(*, campaign: Campaign, kind: str) -> dict:
    campaign_check_sheets(campaign)
    return SHEETS[kind](campaign=campaign)


# --- shipments ---------------------------------------------------------------------------


def shipments_status(*, campaign: Campaign) -> list[dict]:
    """Every point with goods in this campaign and where its shipment stands (pending until shipped)."""
    points = (
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=FULFILLABLE)
        .values(
            "pickup_point_id",
            "pickup_point__name",
            "pickup_point__route",
            "pickup_point__community",
            "leader__name",
            "leader__phone",
        )
        .annotate(
            order_count=Count("id"),
            confirmed_count=Count("id", filter=Q(status=S.CONFIRMED)),
            shipped_count=Count("id", filter=Q(status=S.SHIPPED)),
            arrived_count=Count("id", filter=Q(status=S.ARRIVED)),
            picked_up_count=Count("id", filter=Q(status__in=[S.PICKED_UP, S.COMPLETED])),
        )
        .order_by("pickup_point__route", "pickup_point__name", "pickup_point_id")
    )
    shipments = {s.pickup_point_id: s for s in Shipment.objects.filter(shop_id=campaign.shop_id, campaign=campaign)}
    result = []
    for p in points:
        shipment = shipments.get(p["pickup_point_id"])
        result.append(
            {
                "pickup_point_id": p["pickup_point_id"],
                "point_name": p["pickup_point__name"],
                "route": p["pickup_point__route"] or no_route(),
                "community": p["pickup_point__community"],
                "leader_name": p["leader__name"],
                "leader_phone": p["leader__phone"],
                "status": shipment.status if shipment else "pending",
                "shipment_id": shipment.id if shipment else None,
                "shipped_at": shipment.shipped_at if shipment else None,
                "arrived_at": shipment.arrived_at if shipment else None,
                "notice_sent_at": shipment.notice_sent_at if shipment else None,
                **{
                    key: p[key]
                    for key in ("order_count", "confirmed_count", "shipped_count", "arrived_count", "picked_up_count")
                },
            }
        )
    return result


def leader_shipments(*, leader):
    """The leader's shipments, newest first, with how many orders wait to be picked up."""
    return (
        Shipment.objects.filter(shop_id=leader.shop_id, pickup_point__leader=leader)
        .select_related("campaign", "pickup_point")
        .annotate(
            order_count=Count(
                "campaign__orders",
                filter=Q(
                    campaign__orders__pickup_point=F("pickup_point"),
                    campaign__orders__status__in=FULFILLABLE,
                ),
            ),
            waiting_count=Count(
                "campaign__orders",
                filter=Q(
                    campaign__orders__pickup_point=F("pickup_point"),
                    campaign__orders__status=S.ARRIVED,
                ),
            ),
        )
        .order_by("-id")
    )
