"""Reads of warehouses, addresses and delivery routes (the delivery sheet is one dict, rendered
to JSON, Excel and PDF alike)."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from tuangou.core.phones import mask_phone

from .models import Courier, DeliveryRoute, MemberAddress, OrderDelivery, StockTransfer, Warehouse, WarehouseStock


def warehouse_list(*, shop):
    return Warehouse.objects.filter(shop=shop).annotate(sku_count=Count("stock", filter=Q(stock__quantity__gt=0)))


def warehouse_stock(*, warehouse: Warehouse):
    return (
        WarehouseStock.objects.filter(warehouse=warehouse)
        .select_related("sku__product")
        .order_by("sku__product__name", "sku_id")
    )


def warehouse_transfers(*, warehouse: Warehouse):
    return StockTransfer.objects.filter(warehouse=warehouse).select_related("actor").order_by("-id")


def addresses_of_member(*, shop, member):
    return MemberAddress.objects.filter(shop=shop, member=member)


def couriers(*, shop):
    return Courier.objects.filter(shop=shop).select_related("user")


def _stops(route: DeliveryRoute, *, mask: bool) -> list[dict]:
    stops = []
    for stop in route.stops.all():
        order = stop.order
        stops.append(
            {
                "sequence": stop.sequence,
                "order_id": order.pk,
                "order_number": order.number,
                "status": order.status,
                "status_label": str(order.get_status_display()),
                "recipient_name": stop.recipient_name,
                "recipient_phone": mask_phone(stop.recipient_phone) if mask else stop.recipient_phone,
                "community": stop.community,
                "address": stop.address,
                "lat": float(stop.lat),
                "lng": float(stop.lng),
                "leg_m": stop.leg_m,
                "items": [
                    {
                        "product_name": line.product_name,
                        "spec": line.spec,
                        "quantity": line.quantity - line.refunded_quantity,
                    }
                    for line in order.lines.all()
                    if line.quantity > line.refunded_quantity
                ],
                "note": order.note,
                "delivered_at": stop.delivered_at,
                "delivered_by_name": stop.delivered_by.name if stop.delivered_by_id else "",
            }
        )
    return stops


def _route_dict(route: DeliveryRoute, *, mask: bool = False) -> dict:
    stops = _stops(route, mask=mask)
    return {
        "id": route.pk,
        "campaign_id": route.campaign_id,
        "campaign_title": route.campaign.title,
        "warehouse_id": route.warehouse_id,
        "warehouse_name": route.warehouse.name,
        "warehouse_address": route.warehouse.address,
        "delivery_date": route.delivery_date,
        "slot": route.slot,
        "number": route.number,
        "name": f"{route.warehouse.name}-{route.slot}-{route.number}",
        "courier_id": route.courier_id,
        "courier_name": route.courier.name if route.courier_id else "",
        "distance_m": route.distance_m,
        "solver": route.solver,
        "stop_count": len(stops),
        "delivered_count": sum(1 for stop in stops if stop["delivered_at"]),
        "stops": stops,
    }


def _routes(queryset):
    return queryset.select_related("warehouse", "campaign", "courier").prefetch_related(
        Prefetch(
            "stops",
            queryset=OrderDelivery.objects.select_related("order", "delivered_by")
            .prefetch_related("order__lines")
            .order_by("sequence", "id"),
        )
    )


def routes_of_campaign(*, shop, campaign) -> dict:
    """The delivery sheet of a campaign: its routes, each with its stops in the solver's order,
    and the home-delivery orders no route carries yet (paid, not planned)."""
    # Phones masked on the console's sheet (as on the sorting list); the courier's page has them whole.
    routes = [
        _route_dict(route, mask=True) for route in _routes(DeliveryRoute.objects.filter(shop=shop, campaign=campaign))
    ]
    unplanned = OrderDelivery.objects.filter(
        shop=shop, order__campaign=campaign, route__isnull=True, delivered_at__isnull=True
    ).exclude(order__status__in=("pending_payment", "cancelled", "refunded"))
    return {
        "campaign_id": campaign.pk,
        "campaign_title": campaign.title,
        "shop_name": campaign.shop.name,
        "pickup_at": campaign.pickup_at,
        "cutoff_at": campaign.cutoff_at,
        "generated_at": timezone.now(),
        "routes": routes,
        "unplanned_count": unplanned.count(),
        "totals": {
            "route_count": len(routes),
            "stop_count": sum(route["stop_count"] for route in routes),
            "distance_m": sum(route["distance_m"] for route in routes),
        },
    }


def route_sheet(*, shop, route_id: int) -> dict | None:
    route = _routes(DeliveryRoute.objects.filter(shop=shop, pk=route_id)).first()
    return None if route is None else _route_dict(route, mask=True)


def routes_of_courier(*, shop, courier) -> list[dict]:
    """The courier's routes still with stops to deliver, then today's finished ones; phones in
    full (the courier calls at the door)."""
    today = timezone.localdate()
    queryset = DeliveryRoute.objects.filter(shop=shop, courier=courier, delivery_date__gte=today).order_by(
        "delivery_date", "slot", "number"
    )
    return [_route_dict(route) for route in _routes(queryset)]
