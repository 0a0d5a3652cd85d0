"""Front warehouses and home delivery: warehouses and their stock, transfers with the central
store, members' addresses, checkout's delivery (through the orders app's hooks), routes planned
by the solver, and the courier's confirmation by the member's code.

Lock order: checkout takes the campaign items' stock first and the warehouse's last
(delivery_place runs after them), and a cancel returns them in the same order; a transfer
takes the SKU row before the warehouse's, as checkout never holds a SKU row.
"""

from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tuangou.accounts.services import user_get_or_create_by_phone
from tuangou.audit.services import audit_record
from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.models import Sku, StockMovement
from tuangou.catalog.services import sku_stock_move
from tuangou.core.api import get_in_shop
from tuangou.core.bounds import MAX_STOCK
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.geo import distance_m
from tuangou.core.phones import normalize_phone
from tuangou.core.states import state_error
from tuangou.leaders.models import Membership, PickupPoint
from tuangou.orders.hooks import order_picked_up
from tuangou.orders.models import Order, OrderLine
from tuangou.orders.transitions import order_transition

from . import routing
from .models import Courier, DeliveryRoute, MemberAddress, OrderDelivery, StockTransfer, Warehouse, WarehouseStock

S = Order.Status
MAX_ADDRESSES = 20
MAX_COMMUNITIES = 200
# Orders a route carries: paid and the group formed, not yet delivered.
ROUTABLE = (S.CONFIRMED, S.SHIPPED, S.ARRIVED)


# --- warehouses -------------------------------------------------------------------------


def _clean_communities(communities: list[str]) -> list[str]:
    cleaned = []
    for index, name in enumerate(communities):
        name = name.strip()
        if not name:
            raise ApplicationError("required", field=f"communities.{index}")
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_COMMUNITIES:
        raise ApplicationError("validation", field="communities", reason="too_many", maximum=MAX_COMMUNITIES)
    return cleaned


def _check_name(shop, name: str, *, exclude_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name")
    taken = Warehouse.objects.filter(shop=shop, name=name).exclude(pk=exclude_id).exists()
    if taken:
        raise ApplicationError("warehouse_name_taken", field="name", status=409, name=name)
    return name


@transaction.atomic
def warehouse_create(
    *,
    shop,
    actor,
    name: str,
    address: str,
    lat: float,
    lng: float,
    radius_m: int = 3000,
    communities: list[str] | None = None,
    is_active: bool = True,
) -> Warehouse:
    address = (address or "").strip()
    if not address:
        raise ApplicationError("required", field="address")
    return Warehouse.objects.create(
        shop=shop,
        name=_check_name(shop, name),
        address=address,
        lat=round(lat, 6),
        lng=round(lng, 6),
        radius_m=radius_m,
        communities=_clean_communities(communities or []),
        is_active=is_active,
    )


@transaction.atomic
def warehouse_update(*, shop, actor, warehouse_id: int, **changes) -> Warehouse:
    warehouse = get_in_shop(
        Warehouse.objects.select_for_update(), shop, warehouse_id, thing_zh="前置仓", thing_en="Warehouse"
    )
    changes = {key: value for key, value in changes.items() if value is not None}
    if "name" in changes:
        changes["name"] = _check_name(shop, changes["name"], exclude_id=warehouse.pk)
    if "address" in changes:
        changes["address"] = changes["address"].strip()
        if not changes["address"]:
            raise ApplicationError("required", field="address")
    if "communities" in changes:
        changes["communities"] = _clean_communities(changes["communities"])
    for field in ("lat", "lng"):
        if field in changes:
            changes[field] = round(changes[field], 6)
    for field, value in changes.items():
        setattr(warehouse, field, value)
    warehouse.save()
    return warehouse


def warehouse_covers(warehouse: Warehouse, *, lat, lng, community: str) -> tuple[bool, int]:
    """(covers the address, straight-line metres to it)."""
    metres = distance_m(warehouse.lat, warehouse.lng, lat, lng)
    return (metres <= warehouse.radius_m or community in (warehouse.communities or [])), metres


# --- stock transfers ----------------------------------------------------------------------


def _warehouse_stock_move(warehouse: Warehouse, sku_id: int, delta: int) -> bool:
    """One conditional UPDATE (an INSERT the first time goods arrive): False when taking more than
    is there. Never below zero, whoever else moves the same row at the same time."""
    rows = WarehouseStock.objects.filter(warehouse=warehouse, sku_id=sku_id)
    if delta < 0:
        return bool(rows.filter(quantity__gte=-delta).update(quantity=F("quantity") + delta, updated_at=timezone.now()))
    if rows.filter(quantity__lte=MAX_STOCK - delta).update(quantity=F("quantity") + delta, updated_at=timezone.now()):
        return True
    if rows.exists():
        raise ApplicationError("stock_too_large", field="lines", maximum=MAX_STOCK)
    try:
        with transaction.atomic():  # a savepoint: a concurrent first arrival wins, we add to it
            WarehouseStock.objects.create(shop_id=warehouse.shop_id, warehouse=warehouse, sku_id=sku_id, quantity=delta)
    except IntegrityError:
        rows.update(quantity=F("quantity") + delta, updated_at=timezone.now())
    return True


@transaction.atomic
def stock_transfer(
    *, shop, actor, warehouse_id: int, direction: str, lines: list[dict], note: str = ""
) -> StockTransfer:
    """Move pieces between the central store (each SKU's stock, with a stock movement) and a
    warehouse, recorded with who and when. Either side short of stock: nothing moves."""
    warehouse = get_in_shop(Warehouse, shop, warehouse_id, thing_zh="前置仓", thing_en="Warehouse")
    if not lines:
        raise ApplicationError("required", field="lines")
    seen, written = set(), []
    skus = {sku.pk: sku for sku in Sku.objects.filter(shop=shop, pk__in=[line["sku_id"] for line in lines])}
    to_warehouse = direction == StockTransfer.Direction.TO_WAREHOUSE
    # Ascending SKU ids: two transfers of the same goods lock them in the same order.
    for index, line in sorted(enumerate(lines), key=lambda pair: pair[1]["sku_id"]):
        sku_id, quantity = line["sku_id"], line["quantity"]
        if sku_id not in skus:
            raise NotFound("规格", "SKU", field=f"lines.{index}.sku_id")
        if sku_id in seen:
            raise ApplicationError("order_item_duplicate", field=f"lines.{index}.sku_id")
        seen.add(sku_id)
        sku = skus[sku_id]
        sku_stock_move(
            shop=shop,
            sku_id=sku_id,
            delta=-quantity if to_warehouse else quantity,
            reason=StockMovement.Reason.TRANSFER_OUT if to_warehouse else StockMovement.Reason.TRANSFER_IN,
            actor=actor,
            note=warehouse.name,
            field=f"lines.{index}.quantity",
            short_code="stock_insufficient",
            cap=MAX_STOCK,
        )
        if not _warehouse_stock_move(warehouse, sku_id, quantity if to_warehouse else -quantity):
            available = (
                WarehouseStock.objects.filter(warehouse=warehouse, sku_id=sku_id)
                .values_list("quantity", flat=True)
                .first()
            )
            raise ApplicationError(
                "stock_insufficient", field=f"lines.{index}.quantity", status=409, available=available or 0
            )
        written.append(
            {"sku_id": sku_id, "product_name": sku.product.name, "spec": sku.spec, "quantity": quantity, "index": index}
        )
    written = [{k: v for k, v in line.items() if k != "index"} for line in sorted(written, key=lambda x: x["index"])]
    transfer = StockTransfer.objects.create(
        shop=shop, warehouse=warehouse, direction=direction, lines=written, note=(note or "")[:200], actor=actor
    )
    audit_record(
        shop=shop,
        actor=actor,
        action="stock.transfer",
        target=("warehouse", warehouse.pk, warehouse.name),
        after={"direction": direction, "lines": written, "note": transfer.note},
    )
    return transfer


# --- members' addresses -------------------------------------------------------------------


def _address_location(shop, member, lat, lng) -> tuple[float, float]:
    """The address's point: the one given (the phone's location), or else the member's leader's
    pickup point — in community group buying the member lives in the leader's 小区."""
    if lat is not None and lng is not None:
        return round(lat, 6), round(lng, 6)
    leader_id = Membership.objects.filter(shop=shop, user=member).values_list("leader_id", flat=True).first()
    point = PickupPoint.objects.filter(leader_id=leader_id).values_list("lat", "lng").first() if leader_id else None
    if point is None:
        raise ApplicationError("address_location_required", field="lat")
    return float(point[0]), float(point[1])


def _address_fields(shop, member, data: dict) -> dict:
    fields = {}
    for field in ("recipient_name", "community", "address"):
        value = (data.get(field) or "").strip()
        if not value:
            raise ApplicationError("required", field=field)
        fields[field] = value
    fields["recipient_phone"] = normalize_phone(data.get("recipient_phone") or "", field="recipient_phone")
    fields["lat"], fields["lng"] = _address_location(shop, member, data.get("lat"), data.get("lng"))
    return fields


@transaction.atomic
def address_create(*, shop, member, is_default: bool = False, **data) -> MemberAddress:
    count = MemberAddress.objects.filter(shop=shop, member=member).count()
    if count >= MAX_ADDRESSES:
        raise ApplicationError("address_too_many", field="address", maximum=MAX_ADDRESSES)
    fields = _address_fields(shop, member, data)
    is_default = is_default or count == 0
    if is_default:
        MemberAddress.objects.filter(shop=shop, member=member).update(is_default=False)
    return MemberAddress.objects.create(shop=shop, member=member, is_default=is_default, **fields)


def _my_address(shop, member, address_id: int, field: str | None = None) -> MemberAddress:
    address = MemberAddress.objects.filter(shop=shop, member=member, pk=address_id).first()
    if address is None:
        raise NotFound("收货地址", "Address", field=field)
    return address


@transaction.atomic
def address_update(*, shop, member, address_id: int, is_default: bool | None = None, **data) -> MemberAddress:
    address = _my_address(shop, member, address_id)
    merged = {field: getattr(address, field) for field in ("recipient_name", "recipient_phone", "community", "address")}
    merged.update({key: value for key, value in data.items() if value is not None and key not in ("lat", "lng")})
    if data.get("lat") is not None and data.get("lng") is not None:
        merged["lat"], merged["lng"] = data["lat"], data["lng"]
    else:
        merged["lat"], merged["lng"] = float(address.lat), float(address.lng)
    for field, value in _address_fields(shop, member, merged).items():
        setattr(address, field, value)
    if is_default:
        MemberAddress.objects.filter(shop=shop, member=member).exclude(pk=address.pk).update(is_default=False)
        address.is_default = True
    address.save()
    return address


@transaction.atomic
def address_delete(*, shop, member, address_id: int) -> None:
    address = _my_address(shop, member, address_id)
    address.delete()
    if address.is_default:
        first = MemberAddress.objects.filter(shop=shop, member=member).order_by("-id").first()
        if first is not None:
            MemberAddress.objects.filter(pk=first.pk).update(is_default=True)


# --- checkout (receivers of the orders app's hooks) ---------------------------------------


def delivery_fee(campaign: Campaign, goods_fen: int) -> int:
    """The campaign's fee, waived when the goods (after discounts) reach its free-above amount."""
    free_above = campaign.delivery_free_above_fen
    return 0 if free_above is not None and goods_fen >= free_above else campaign.delivery_fee_fen


def _covering(shop, *, lat, lng, community: str) -> list[tuple[int, Warehouse]]:
    """The shop's active warehouses covering the point, nearest first: [(metres, warehouse)]."""
    found = []
    for warehouse in Warehouse.objects.filter(shop=shop, is_active=True):
        covers, metres = warehouse_covers(warehouse, lat=lat, lng=lng, community=community)
        if covers:
            found.append((metres, warehouse))
    return sorted(found, key=lambda pair: (pair[0], pair[1].pk))


def delivery_quote(*, shop, member, campaign, delivery: dict, goods_fen: int) -> dict:
    """order_delivery_quote: the slot is one of the campaign's, the address is the member's and
    a warehouse covers it; answers the fee and the plan delivery_place follows."""
    # The campaign checkout read carries only some columns: read the delivery rule fully.
    campaign = Campaign.objects.only(
        "id", "pickup_at", "fulfilment_mode", "delivery_fee_fen", "delivery_free_above_fen", "delivery_slots", "shop"
    ).get(pk=campaign.pk)
    if delivery["slot"] not in (campaign.delivery_slots or []):
        raise ApplicationError("delivery_slot_unknown", field="delivery.slot")
    address = _my_address(shop, member, delivery["address_id"], field="delivery.address_id")
    covering = _covering(shop, lat=address.lat, lng=address.lng, community=address.community)
    if not covering:
        raise ApplicationError("delivery_not_covered", field="delivery.address_id", status=409)
    plan = {
        "address": address,
        "slot": delivery["slot"],
        "delivery_date": timezone.localtime(campaign.pickup_at, _zone(shop)).date(),
        "candidates": covering,
    }
    return {"fee_fen": delivery_fee(campaign, goods_fen), "plan": plan}


def _zone(shop):
    return ZoneInfo(shop.timezone or "Asia/Shanghai")


def delivery_place(*, order, plan: dict, lines) -> OrderDelivery:
    """order_delivery_place: take the order's pieces from the nearest covering warehouse that has
    all of them (each tried in a savepoint: a short one gives back what it gave), and record the
    delivery with the address as it is now."""
    sku_by_item = dict(
        CampaignItem.objects.filter(pk__in=[line.campaign_item_id for line in lines]).values_list("id", "sku_id")
    )
    wanted: dict[int, int] = {}
    for line in lines:
        sku_id = sku_by_item[line.campaign_item_id]
        wanted[sku_id] = wanted.get(sku_id, 0) + line.quantity
    chosen = None
    for metres, warehouse in plan["candidates"]:
        try:
            with transaction.atomic():
                for sku_id in sorted(wanted):
                    if not _warehouse_stock_move(warehouse, sku_id, -wanted[sku_id]):
                        raise _Short()
        except _Short:
            continue
        chosen = (metres, warehouse)
        break
    if chosen is None:
        raise ApplicationError("delivery_out_of_stock", field="delivery.address_id", status=409)
    address = plan["address"]
    return OrderDelivery.objects.create(
        shop_id=order.shop_id,
        order=order,
        warehouse=chosen[1],
        delivery_date=plan["delivery_date"],
        slot=plan["slot"],
        recipient_name=address.recipient_name,
        recipient_phone=address.recipient_phone,
        community=address.community,
        address=address.address,
        lat=address.lat,
        lng=address.lng,
        distance_m=chosen[0],
        held={str(sku_id): quantity for sku_id, quantity in wanted.items()},
    )


class _Short(Exception):
    """A warehouse lacks a piece of the order: its savepoint rolls back, the next is tried."""


def delivery_goods_return(*, order_ids: list[int], line_quantities: dict | None) -> int:
    """order_goods_returned: pieces a home-delivery order held at its warehouse go back to its
    shelves (all of them, or those of the refunded lines), unless it was delivered already."""
    deliveries = list(
        OrderDelivery.objects.select_for_update()
        .filter(order_id__in=order_ids, delivered_at__isnull=True)
        .select_related("warehouse")
        .order_by("id")
    )
    if not deliveries:
        return 0
    returned = 0
    sku_by_line = {}
    if line_quantities:
        sku_by_line = dict(
            OrderLine.objects.filter(pk__in=list(line_quantities)).values_list("id", "campaign_item__sku_id")
        )
    for delivery in deliveries:
        held = {int(sku_id): quantity for sku_id, quantity in delivery.held.items()}
        if line_quantities is None:
            back = dict(held)
        else:
            back = {}
            for line_id, quantity in line_quantities.items():
                sku_id = sku_by_line.get(line_id)
                if sku_id in held:
                    back[sku_id] = min(held[sku_id] - back.get(sku_id, 0), quantity) + back.get(sku_id, 0)
        for sku_id in sorted(back):
            if back[sku_id] > 0:
                _warehouse_stock_move(delivery.warehouse, sku_id, back[sku_id])
                held[sku_id] -= back[sku_id]
                returned += back[sku_id]
        delivery.held = {str(sku_id): quantity for sku_id, quantity in held.items() if quantity}
        delivery.save(update_fields=["held", "updated_at"])
    return returned


# --- couriers and routes ------------------------------------------------------------------


@transaction.atomic
def courier_create(*, shop, actor, phone: str, name: str) -> Courier:
    phone = normalize_phone(phone, field="phone")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name")
    user = user_get_or_create_by_phone(phone=phone, display_name=name)
    courier, created = Courier.objects.get_or_create(shop=shop, user=user, defaults={"name": name})
    if not created:
        courier.name, courier.is_active = name, True
        courier.save(update_fields=["name", "is_active", "updated_at"])
    return courier


@transaction.atomic
def courier_update(*, shop, actor, courier_id: int, name: str | None = None, is_active: bool | None = None) -> Courier:
    courier = get_in_shop(Courier, shop, courier_id, thing_zh="配送员", thing_en="Courier")
    if name is not None:
        if not name.strip():
            raise ApplicationError("required", field="name")
        courier.name = name.strip()
    if is_active is not None:
        courier.is_active = is_active
    courier.save()
    return courier


@transaction.atomic
def routes_plan(*, shop, actor, campaign: Campaign, max_stops: int = 30) -> list[DeliveryRoute]:
    """The campaign's delivery routes, planned anew: per warehouse, date and slot, the stops
    not delivered yet in as few routes of at most `max_stops` as the solver orders shortest
    (road approximation from the warehouse). Refused once a stop was delivered (the couriers
    are out: their sheets must not change under them)."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one planner at a time
    deliveries = list(
        OrderDelivery.objects.filter(
            shop=shop, order__campaign=campaign, order__status__in=ROUTABLE, delivered_at__isnull=True
        )
        .select_related("warehouse", "order")
        .order_by("id")
    )
    old = DeliveryRoute.objects.filter(shop=shop, campaign=campaign)
    if OrderDelivery.objects.filter(route__in=old, delivered_at__isnull=False).exists():
        raise ApplicationError("delivery_started", field="campaign_id", status=409)
    couriers = {(r.warehouse_id, r.delivery_date, r.slot, r.number): r.courier_id for r in old}
    OrderDelivery.objects.filter(route__in=old).update(route=None, sequence=None, leg_m=0)
    old.delete()
    groups: dict[tuple, list[OrderDelivery]] = {}
    for delivery in deliveries:
        groups.setdefault((delivery.warehouse_id, delivery.delivery_date, delivery.slot), []).append(delivery)
    routes = []
    for (warehouse_id, day, slot), stops in sorted(
        groups.items(), key=lambda pair: (pair[0][1], pair[0][2], pair[0][0])
    ):
        warehouse = stops[0].warehouse
        planned = routing.plan_routes(
            (warehouse.lat, warehouse.lng), [(stop.lat, stop.lng) for stop in stops], max_stops=max_stops
        )
        for number, plan in enumerate(planned, 1):
            route = DeliveryRoute.objects.create(
                shop=shop,
                campaign=campaign,
                warehouse=warehouse,
                delivery_date=day,
                slot=slot,
                number=number,
                courier_id=couriers.get((warehouse_id, day, slot, number)),
                distance_m=plan.distance_m,
                solver=routing.SOLVER,
            )
            for sequence, (index, leg) in enumerate(zip(plan.stops, plan.legs_m), 1):
                stop = stops[index]
                stop.route, stop.sequence, stop.leg_m = route, sequence, leg
            OrderDelivery.objects.bulk_update([stops[index] for index in plan.stops], ["route", "sequence", "leg_m"])
            routes.append(route)
    return routes


@transaction.atomic
def route_assign(*, shop, actor, route_id: int, courier_id: int | None) -> DeliveryRoute:
    route = get_in_shop(
        DeliveryRoute.objects.select_for_update(), shop, route_id, thing_zh="配送线路", thing_en="Route"
    )
    if courier_id is not None:
        courier = get_in_shop(Courier, shop, courier_id, thing_zh="配送员", thing_en="Courier", field="courier_id")
        if not courier.is_active:
            raise ApplicationError("courier_not_active", field="courier_id")
    route.courier_id = courier_id
    route.save(update_fields=["courier", "updated_at"])
    return route


@transaction.atomic
def delivery_confirm(*, shop, courier: Courier, route_id: int, code: str) -> OrderDelivery:
    """送达: the courier types (or scans) the member's code at the door. Only a stop of their own
    route; the order walks shipped → arrived → picked up (an event each) and the leader's
    commission accrues as at a pickup. Records when and who."""
    route = DeliveryRoute.objects.filter(shop=shop, pk=route_id, courier=courier).first()
    if route is None:
        raise NotFound("配送线路", "Route")
    code = (code or "").strip()
    stop = (
        OrderDelivery.objects.filter(route=route, order__pickup_code=code).select_related("order").first()
        if code.isdigit()
        else None
    )
    if stop is None:
        raise ApplicationError("delivery_code_invalid", field="code", status=404)
    order = Order.objects.select_for_update(of=("self",)).select_related("shop").get(pk=stop.order_id)
    stop = OrderDelivery.objects.select_for_update().get(pk=stop.pk)
    if stop.delivered_at is not None or order.status in (S.PICKED_UP, S.COMPLETED):
        raise ApplicationError("delivery_already_confirmed", field="code", status=409)
    actor = courier.user
    if order.status == S.CONFIRMED:
        order_transition(order, S.SHIPPED, actor=actor, event_type="out_for_delivery", route_id=route.pk)
    if order.status == S.SHIPPED:
        order_transition(order, S.ARRIVED, actor=actor, event_type="arrived", via="delivery")
    if order.status != S.ARRIVED:
        raise state_error(order, "pick_up")
    order_transition(order, S.PICKED_UP, actor=actor, event_type="delivered", route_id=route.pk, courier=courier.name)
    order_picked_up(order=order)
    stop.delivered_at, stop.delivered_by, stop.held = timezone.now(), actor, {}
    stop.save(update_fields=["delivered_at", "delivered_by", "held", "updated_at"])
    return stop
