"""The sheets of a closed campaign (以销定采): purchase summary, shipping sheet, sorting list.

The purchase summary and the shipping sheet are aggregated in the database (values().annotate()):
their query count does not grow with orders or points, and only the grouped rows travel to Python.
The sorting list has a row per order line: it is read in one sorted query and, for the downloads
and its JSON, streamed a point at a time (`SortingPoints`), so its memory does not grow with it.
"""

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connections, router, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.models import Product
from tuangou.core.errors import ApplicationError
from tuangou.core.i18n import pick
from tuangou.core.phones import public_name
from tuangou.core.replica import reads_replica
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


def _lines(campaign: Campaign, *, to_points: bool = True):
    """Lines still to deliver: of fulfillable orders, less what was refunded. Vouchers, services and
    top-ups are not shipped (their codes are redeemed, tuangou.vouchers): they stay off the sheets.
    To pickup points only (`to_points`): home-delivery orders leave from a front warehouse, on its
    delivery sheet (tuangou/warehouses); the purchase summary counts them too."""
    lines = OrderLine.objects.filter(
        shop_id=campaign.shop_id,
        # By the line's campaign item as well as its order's campaign: the database then starts
        # from the campaign's few items (a line has no campaign column), not from every line of
        # every campaign of the shop's products.
        campaign_item__campaign=campaign,
        order__campaign=campaign,
        order__status__in=FULFILLABLE,
        quantity__gt=F("refunded_quantity"),
        campaign_item__sku__product__kind=Product.Kind.PHYSICAL,
    )
    return lines.exclude(order__delivery_mode=Order.DeliveryMode.DELIVERY) if to_points else lines


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
        _lines(campaign, to_points=False)
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
            lines__campaign_item__campaign=campaign,  # as in _lines: from the campaign's items
            lines__campaign_item__sku__product__kind=Product.Kind.PHYSICAL,
        )
        .exclude(delivery_mode=Order.DeliveryMode.DELIVERY)
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


# The sorting list's lines, one row per order line still to deliver, in the sheet's order: points
# by route (those without one last), name and id, compared by code point as Python compares the
# points of the other sheets (collation "C" on PostgreSQL, SQLite's default BINARY); in a point by
# pickup code and order, then product and spec. Not grouped in the database: a line of the same
# product and spec as the row before it is added to it here, which is what GROUP BY did at a
# fraction of the cost (the rows arrive sorted anyway).
# What _lines keeps: goods (no vouchers, services or top-ups) of orders picked up at a point.
_SORTING_SQL = """
SELECT o.pickup_point_id, o.leader_id, o.id, o.number, o.pickup_code, o.contact_name, o.contact_phone,
       u.display_name, u.username, u.phone, l.product_name, l.spec, l.quantity - l.refunded_quantity
FROM {line} l
JOIN {order} o ON o.id = l.order_id
JOIN (VALUES {ranks}) r ON r.column1 = o.pickup_point_id
JOIN {user} u ON u.id = o.member_id
WHERE l.shop_id = %s AND o.shop_id = %s AND o.campaign_id = %s AND o.status IN ({statuses})
  AND o.pickup_point_id IN ({points}) AND o.delivery_mode = %s
  AND l.quantity > l.refunded_quantity AND l.campaign_item_id IN ({items})
ORDER BY r.column2, o.pickup_code {collate}, o.id, l.product_name {collate}, l.spec {collate}
"""
# A sorting list is read this many points at a time, a query each, in the sheet's order: the first
# rows come in tens of milliseconds instead of after sorting the whole campaign (0.9 s for 10^5
# orders), and each next piece is read while the one before is written (`_read_ahead`).
POINTS_PER_READ = 50


def _sorting_points_ranked(campaign: Campaign) -> list[dict]:
    """The points of the campaign's fulfillable orders in the sheet's order: route (those without
    one last), name and id, as the other sheets sort them."""
    points = PickupPoint.objects.filter(
        shop_id=campaign.shop_id,
        id__in=Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=FULFILLABLE).values(
            "pickup_point_id"
        ),
    ).values("id", "route", "name", "community", "address")
    return sorted(points, key=lambda p: (not p["route"], p["route"] or no_route(), p["name"], p["id"]))


class SortingPoints:
    """The points of a sorting list, read from the database as they are iterated (a server-side
    cursor on PostgreSQL): only the point being filled is in memory, however many orders the
    campaign has. Iterable once; `totals` (the dict in the sheet) is complete when it is done."""

    def __init__(self, campaign: Campaign, totals: dict, *, ranked: list[dict] | None = None):
        self.campaign, self.totals = campaign, totals
        self.ranked = ranked  # only these points, in this order (a page of them); None: every point
        self._used = False
        # Chosen when the sheet is built (inside report_reads), used when it is read, maybe later.
        self.alias = router.db_for_read(OrderLine)

    def row_count(self) -> int:
        """How many (order, product) rows the list has, for a progress bar."""
        return (
            _lines(self.campaign).values("order_id", "product_name", "spec").annotate(n=Count("id")).order_by().count()
        )

    def __iter__(self):
        if self._used:
            raise RuntimeError("a streamed sorting list is read once")
        self._used = True
        campaign, alias = self.campaign, self.alias
        ranked = _sorting_points_ranked(campaign) if self.ranked is None else self.ranked
        if not ranked:
            return
        points = {p["id"]: p for p in ranked}
        orders = Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=FULFILLABLE)
        if self.ranked is not None:
            orders = orders.filter(pickup_point_id__in=points)
        leaders = {
            leader["id"]: leader
            for leader in Leader.objects.filter(
                shop_id=campaign.shop_id,
                # Distinct first: the database reads the campaign's orders once (order_campaign_points)
                # instead of probing every leader's orders of every campaign.
                id__in=orders.values("leader_id").distinct(),
            ).values("id", "name", "phone")
        }
        # The campaign's goods that are shipped, as numbers in the query: the planner then knows
        # how many lines each has (a subquery's were guessed ~30 times too few, and the plan read
        # every line of the campaign for each piece of points).
        items = list(
            CampaignItem.objects.filter(campaign=campaign, sku__product__kind=Product.Kind.PHYSICAL).values_list(
                "id", flat=True
            )
        )
        totals = self.totals
        totals.update(point_count=0, order_count=0, quantity=0)
        if not items:
            return
        db = connections[alias]
        with _read_in_pieces(alias), _read_ahead(db, self._rows(db, ranked, items)) as batches:
            point = order = item = None
            for rows in batches:
                for point_id, leader_id, order_id, number, code, contact, contact_phone, *rest in rows:
                    display_name, username, member_phone, product, spec, qty = rest
                    if point is None or point["pickup_point_id"] != point_id:
                        if point is not None:
                            yield _sorting_point_done(point, totals)
                        detail, leader = points[point_id], leaders[leader_id]
                        point = {
                            "pickup_point_id": point_id,
                            "route": detail["route"] or no_route(),
                            "point_name": detail["name"],
                            "community": detail["community"],
                            "address": detail["address"],
                            "leader_name": leader["name"],
                            "leader_phone": leader["phone"],  # the sheet is for staff: full number
                            "total_quantity": 0,
                            "orders": [],
                        }
                        order = None
                    if order is None or order["order_id"] != order_id:
                        name = contact or display_name or username
                        phone = contact_phone or member_phone or ""
                        order = {
                            "order_id": order_id,
                            "order_number": number,
                            "pickup_code": code,
                            "member_name": public_name(name, phone),
                            "phone_tail": phone[-4:],
                            "total_quantity": 0,
                            "items": [],
                        }
                        point["orders"].append(order)
                        item = None
                    if item is not None and item["product_name"] == product and item["spec"] == spec:
                        item["quantity"] += qty
                    else:
                        item = {"product_name": product, "spec": spec, "quantity": qty}
                        order["items"].append(item)
                    order["total_quantity"] += qty
                    point["total_quantity"] += qty
            if point is not None:
                yield _sorting_point_done(point, totals)

    def _rows(self, db, ranked: list[dict], items: list[int]):
        """The list's rows in pieces of at most 2,000, in the sheet's order: a query per
        POINTS_PER_READ points (a server-side cursor on PostgreSQL)."""
        campaign = self.campaign
        for start in range(0, len(ranked), POINTS_PER_READ):
            piece = [int(point["id"]) for point in ranked[start : start + POINTS_PER_READ]]
            sql = _SORTING_SQL.format(
                line=OrderLine._meta.db_table,
                order=Order._meta.db_table,
                ranks=", ".join(f"({point}, {rank})" for rank, point in enumerate(piece)),
                user=Order._meta.get_field("member").related_model._meta.db_table,
                statuses=", ".join(["%s"] * len(FULFILLABLE)),
                points=", ".join(map(str, piece)),
                items=", ".join(str(int(item)) for item in items),
                collate='COLLATE "C"' if db.vendor == "postgresql" else "COLLATE BINARY",
            )
            with db.chunked_cursor() as cursor:
                params = [
                    campaign.shop_id,
                    campaign.shop_id,
                    campaign.id,
                    *FULFILLABLE,
                    Order.DeliveryMode.PICKUP.value,
                ]
                cursor.execute(sql, params)
                while rows := cursor.fetchmany(2000):
                    yield rows


def _sorting_point_done(point: dict, totals: dict) -> dict:
    point["order_count"] = len(point["orders"])
    totals["point_count"] += 1
    totals["order_count"] += point["order_count"]
    totals["quantity"] += point["total_quantity"]
    return point


def sorting_list(*, campaign: Campaign, stream: bool = False) -> dict:
    """分拣单: per pickup point, each member's order (pickup code) and what goes in their bag.
    Names and phones are masked: the list is printed and stuck on the bags.

    With `stream`, "points" is a `SortingPoints` read as it is iterated and "totals" is filled in
    by then (the JSON writes it after the points, the Excel sheet in its last row); else a list."""
    totals: dict = {}
    points = SortingPoints(campaign, totals)
    return {
        **_header(campaign, pick("分拣单", "Sorting list")),
        "points": points if stream else list(points),
        "totals": totals,
    }


def sorting_page(*, campaign: Campaign, page: int, page_size: int) -> dict:
    """A page of the sorting list for the console: `page_size` points in the sheet's order (the
    whole list of 10^5 orders was 31 MiB of JSON for a browser to hold), with the totals of the
    whole list (its point_count pages it). The printed and exported lists stay whole."""
    per_point = (
        _lines(campaign)
        .values("order__pickup_point_id")
        .annotate(orders=Count("order_id", distinct=True), qty=_QUANTITY)
        .order_by()
    )
    totals = {"point_count": 0, "order_count": 0, "quantity": 0}
    listed = set()
    for row in per_point:
        listed.add(row["order__pickup_point_id"])
        totals["point_count"] += 1
        totals["order_count"] += row["orders"]
        totals["quantity"] += row["qty"]
    ranked = [point for point in _sorting_points_ranked(campaign) if point["id"] in listed]
    chosen = ranked[(page - 1) * page_size : page * page_size]
    return {
        **_header(campaign, pick("分拣单", "Sorting list")),
        "page": page,
        "page_size": page_size,
        "points": list(SortingPoints(campaign, {}, ranked=chosen)) if chosen else [],
        "totals": totals,
    }


@contextmanager
def _read_ahead(db, batches: Iterator[list], depth: int = 8):
    """`batches` (a generator reading from `db`), read by a thread up to `depth` ahead of the
    caller: on PostgreSQL the queries run in the server, on the other core, while the caller
    writes the sheet (psycopg waits for them without holding the GIL), and the next piece's
    query is under way before the last piece is written. The thread uses this thread's
    connection, in its transaction (psycopg takes turns on it). SQLite reads here."""
    if db.vendor != "postgresql":
        try:
            yield batches
        finally:
            batches.close()
        return

    pool = ThreadPoolExecutor(1, thread_name_prefix="sheet-read")

    def ahead():
        # One thread runs the reads in the order they were asked for: `depth` of them at a time.
        pending = deque(pool.submit(next, batches, None) for _ in range(depth))
        while (rows := pending.popleft().result()) is not None:
            pending.append(pool.submit(next, batches, None))
            yield rows

    db.inc_thread_sharing()
    try:
        yield ahead()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # the read under way finishes, the rest never start
        batches.close()  # its cursor closed here
        db.dec_thread_sharing()


@contextmanager
def _read_in_pieces(alias: str):
    """Where a query's rows are streamed: in a transaction, so PostgreSQL's cursor is not WITH
    HOLD (which copies the whole result before the first row), planned for all its rows, not the
    first few (a nested-loop plan that took three times as long), and sorted in memory."""
    if connections[alias].vendor != "postgresql":  # SQLite reads a cursor in pieces as it is
        yield
        return
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


SHEETS = {"purchase": purchase_summary, "shipping": shipping_sheet, "sorting": sorting_list}


@reads_replica
def sheet_build(
    *, campaign: Campaign, kind: str, stream: bool = False, page: int | None = None, page_size: int = 20
) -> dict:
    """The sheet as a dict; with `stream`, the sorting list's points are read as they are used
    (`SortingPoints`): for the downloads, which go through them once. With `page`, a page of the
    sorting list's points (`sorting_page`): for the console."""
    campaign_check_sheets(campaign)
    if kind == "sorting" and page is not None:
        return sorting_page(campaign=campaign, page=page, page_size=page_size)
    if kind == "sorting":
        return sorting_list(campaign=campaign, stream=stream)
    return SHEETS[kind](campaign=campaign)


# --- shipments ---------------------------------------------------------------------------


def shipments_status(*, campaign: Campaign) -> list[dict]:
    """Every point with goods in this campaign and where its shipment stands (pending until shipped)."""
    points = (
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=FULFILLABLE)
        .exclude(delivery_mode=Order.DeliveryMode.DELIVERY)
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
