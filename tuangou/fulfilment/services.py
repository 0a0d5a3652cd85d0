"""Shipping to pickup points, the leader's arrival check, and the one-click pickup notice."""
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.leaders.models import PickupPoint
from tuangou.notifications.models import Message
from tuangou.notifications.services import notifications_send_many
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.transitions import orders_bulk_transition

from .models import Shipment
from .selectors import FULFILLABLE

S = Order.Status
NOTICE_INTERVAL = timedelta(minutes=10)


class _SafeFormat(dict):
    """Leaves an unknown {placeholder} of the merchant's text as it is instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


@transaction.atomic
def shipments_ship(*, campaign: Campaign, actor, pickup_point_ids: list[int] | None = None) -> dict:
    """Mark the campaign's goods shipped to some points (or all with goods): one Shipment per
    point, and those points' confirmed orders -> shipped. Shipping again changes nothing."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.SUCCEEDED:
        raise ApplicationError(
            "campaign_state", field="campaign_id", status=409,
            status_label=Campaign.Status(campaign.status).label, action="发货",
        )
    orders = Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign)
    with_goods = set(orders.filter(status__in=FULFILLABLE).values_list("pickup_point_id", flat=True).distinct())
    if pickup_point_ids is None:
        targets = with_goods
    else:
        wanted = set(pickup_point_ids)
        known = set(PickupPoint.objects.filter(shop_id=campaign.shop_id, pk__in=wanted).values_list("id", flat=True))
        if wanted - known:
            raise NotFound("自提点", "Pickup point", field="pickup_point_ids")
        targets = wanted & with_goods
    now = timezone.now()
    existing = set(Shipment.objects.filter(campaign=campaign, pickup_point_id__in=targets).values_list("pickup_point_id", flat=True))
    Shipment.objects.bulk_create([
        Shipment(shop_id=campaign.shop_id, campaign=campaign, pickup_point_id=point_id, shipped_at=now, shipped_by=actor)
        for point_id in sorted(targets - existing)
    ])
    moved = orders_bulk_transition(
        orders.filter(pickup_point_id__in=targets), S.CONFIRMED, S.SHIPPED, actor=actor, event_type="shipped",
    )
    return {
        "shipped_point_ids": sorted(targets - existing),
        "already_shipped_point_ids": sorted(existing),
        "skipped_point_ids": sorted(set(pickup_point_ids or []) - targets),
        "moved_orders": len(moved),
    }


def _leader_shipment_locked(*, leader, campaign_id: int) -> Shipment:
    """This leader's shipment of a campaign; a campaign not shipped to their point is a 404."""
    shipment = (
        # Lock only the shipment: the campaign row is shared by every point's leader.
        Shipment.objects.select_for_update(of=("self",)).select_related("campaign", "pickup_point")
        .filter(shop_id=leader.shop_id, campaign_id=campaign_id, pickup_point__leader=leader).first()
    )
    if shipment is None:
        raise NotFound("发货记录", "Shipment", field="campaign_id")
    return shipment


@transaction.atomic
def shipment_confirm_arrival(*, leader, campaign_id: int) -> dict:
    """The leader received the goods: the shipment arrives and their point's shipped orders wait
    for pickup. Confirming twice moves nothing the second time."""
    shipment = _leader_shipment_locked(leader=leader, campaign_id=campaign_id)
    if shipment.status != Shipment.Status.ARRIVED:
        shipment.status, shipment.arrived_at = Shipment.Status.ARRIVED, timezone.now()
        shipment.save(update_fields=["status", "arrived_at", "updated_at"])
    moved = orders_bulk_transition(
        Order.objects.filter(shop_id=leader.shop_id, campaign_id=campaign_id, pickup_point=shipment.pickup_point),
        S.SHIPPED, S.ARRIVED, actor=leader.user, event_type="arrived",
    )
    return {"shipment": shipment, "moved_orders": len(moved)}


@transaction.atomic
def shipment_send_pickup_notice(*, leader, campaign_id: int) -> dict:
    """One-click 提货通知: one message to every member with goods waiting at the leader's point
    (arrived, not picked up), with their pickup code(s). At most once every 10 minutes."""
    shipment = _leader_shipment_locked(leader=leader, campaign_id=campaign_id)
    if shipment.status != Shipment.Status.ARRIVED:
        raise ApplicationError("shipment_not_arrived", field="campaign_id", status=409)
    now = timezone.now()
    if shipment.notice_sent_at and now - shipment.notice_sent_at < NOTICE_INTERVAL:
        wait = NOTICE_INTERVAL - (now - shipment.notice_sent_at)
        raise ApplicationError("rate_limited", status=429, seconds=int(wait.total_seconds()) + 1)
    waiting = list(
        Order.objects.filter(shop_id=leader.shop_id, campaign_id=campaign_id, pickup_point=shipment.pickup_point, status=S.ARRIVED)
        .select_related("member").order_by("member_id", "id")
    )
    by_member: dict[int, list[Order]] = defaultdict(list)
    for order in waiting:
        by_member[order.member_id].append(order)
    campaign, point, shop = shipment.campaign, shipment.pickup_point, leader.shop
    messages = []
    for orders in by_member.values():
        codes = "、".join(o.pickup_code for o in orders)
        values = {"campaign": campaign.title, "point": point.name, "code": codes}
        messages.append({
            "user": orders[0].member,
            "title": "提货通知",
            "body": shop.pickup_notice_text.format_map(_SafeFormat(values)),
            "data": {**values, "campaign_id": campaign.id, "pickup_point_id": point.id, "order_ids": [o.id for o in orders]},
        })
    notifications_send_many(shop=shop, kind=Message.Kind.PICKUP_NOTICE, messages=messages)
    OrderEvent.objects.bulk_create([
        OrderEvent(shop_id=o.shop_id, order=o, type="pickup_notice", actor=leader.user, data={"shipment_id": shipment.id})
        for o in waiting
    ])
    if messages:
        shipment.notice_sent_at = now
        shipment.save(update_fields=["notice_sent_at", "updated_at"])
    return {"notified_members": len(messages), "orders": len(waiting), "notice_sent_at": shipment.notice_sent_at}
