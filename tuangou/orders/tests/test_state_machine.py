"""The one state-machine helper (tuangou.core.states) as the orders app uses it: its table of moves,
the refusal naming the status and the action in the request's language, one event row per move."""

import pytest
from django.apps import apps

from tuangou.core.errors import ApplicationError
from tuangou.core.models import Event
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.transitions import ORDER

from .factories import given_live_campaign, login, paid_order, place

pytestmark = pytest.mark.django_db


def test_every_event_table_is_the_core_event_model():
    event_models = sorted(m._meta.label for m in apps.get_models() if issubclass(m, Event))

    assert event_models == [
        "campaigns.CampaignEvent",
        "commissions.WithdrawalEvent",
        "leaders.LeaderEvent",
        "market.DropshipEvent",
        "orders.OrderEvent",
        "polls.PollEvent",
    ]


def test_a_move_from_a_wrong_status_is_refused_and_writes_nothing():
    world = given_live_campaign(stock=5)
    order = paid_order(world)
    events_before = list(order.events.values_list("type", flat=True))

    with pytest.raises(ApplicationError) as refused:
        ORDER.apply(order, "cancel", actor=world.member)

    assert (refused.value.code, refused.value.status, refused.value.message("en")) == (
        "order_state",
        409,
        "The order is Paid; cannot cancel",
    )
    assert refused.value.message("zh-hans") == "订单当前状态为「已付款」，不能取消"
    order.refresh_from_db()
    assert order.status == "paid"
    assert list(order.events.values_list("type", flat=True)) == events_before


def test_a_bulk_move_leaves_out_an_order_that_changed_meanwhile_and_writes_one_event_each():
    world = given_live_campaign(stock=5)
    first, second = paid_order(world), paid_order(world)
    Order.objects.filter(pk=second.pk).update(status=Order.Status.REFUNDED)  # a refund got there first

    moved = ORDER.apply_bulk(Order.objects.filter(campaign=world.campaign), "confirm", from_status="paid")

    assert moved == [first.pk]
    assert list(OrderEvent.objects.filter(type="confirmed").values_list("order_id", "from_status", "to_status")) == [
        (first.pk, "paid", "confirmed")
    ]


def test_an_english_member_cancelling_a_cancelled_order_reads_english_only():
    world = given_live_campaign(stock=5)
    order = place(world)
    member = login(world.member)
    member.language = "en"
    ok_first = member.post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {})

    again = member.post(f"shops/{world.shop.id}/orders/{order.id}/cancel", {})

    assert ok_first.status_code == 200
    assert (again.status_code, again.json()["message"]) == (409, "The order is Cancelled; cannot cancel")
