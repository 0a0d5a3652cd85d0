"""The events a shop's webhooks hear, and what each one carries. Receivers of the lower apps' hooks
(registered in IntegrationsConfig.ready()): each writes its deliveries in the caller's transaction
(an action that rolls back sends nothing) and queues them after commit."""

from .services import webhook_event_emit


def _time(value) -> str | None:
    return value.isoformat() if value else None


def order_data(order) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "campaign_id": order.campaign_id,
        "leader_id": order.leader_id,
        "pickup_point_id": order.pickup_point_id,
        "items_fen": order.items_fen,
        "discount_fen": order.discount_fen,
        "total_fen": order.total_fen,
        "refunded_fen": order.refunded_fen,
        "paid_at": _time(order.paid_at),
        "picked_up_at": _time(order.picked_up_at),
    }


def campaign_data(campaign) -> dict:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "status": campaign.status,
        "cutoff_at": _time(campaign.cutoff_at),
        "pickup_at": _time(campaign.pickup_at),
        "paid_orders": campaign.paid_orders,
        "paid_quantity": campaign.paid_quantity,
        "paid_amount_fen": campaign.paid_amount_fen,
    }


def withdrawal_data(withdrawal) -> dict:
    return {
        "id": withdrawal.pk,
        "leader_id": withdrawal.leader_id,
        "amount_fen": withdrawal.amount_fen,
        "status": withdrawal.status,
        "paid_at": _time(withdrawal.paid_at),
    }


def on_order_paid(*, order):
    webhook_event_emit(shop_id=order.shop_id, event_type="order.paid", data=order_data(order))


def on_order_refunded(*, order, refunded_fen_by_line):
    data = {**order_data(order), "refund_fen": sum(refunded_fen_by_line.values())}
    webhook_event_emit(shop_id=order.shop_id, event_type="order.refunded", data=data)


def on_order_picked_up(*, order):
    webhook_event_emit(shop_id=order.shop_id, event_type="order.picked_up", data=order_data(order))


def _campaign_receiver(event_type: str):
    def receive(*, campaign, actor):
        webhook_event_emit(shop_id=campaign.shop_id, event_type=event_type, data=campaign_data(campaign))

    return receive


on_campaign_closed = _campaign_receiver("campaign.closed")
on_campaign_succeeded = _campaign_receiver("campaign.succeeded")
on_campaign_failed = _campaign_receiver("campaign.failed")


def on_withdrawal_paid(*, withdrawal):
    webhook_event_emit(shop_id=withdrawal.shop_id, event_type="withdrawal.paid", data=withdrawal_data(withdrawal))
