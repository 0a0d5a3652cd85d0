from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.core.testing import ok
from tuangou.fulfilment.models import Shipment
from tuangou.fulfilment.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    PickupPointFactory,
    order_with_lines,
    phone_client,
    staff_client,
)
from tuangou.notifications.models import Delivery, Message
from tuangou.orders.models import Order, OrderEvent
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

pytestmark = pytest.mark.django_db
S = Order.Status


@pytest.fixture
def sold():
    shop = ShopFactory(name="鲜果小铺")
    campaign = CampaignFactory(shop=shop, title="周末鲜果团")
    eggs = CampaignItemFactory(campaign=campaign, sku__product__name="土鸡蛋")
    haiyun = PickupPointFactory(leader__shop=shop, name="海韵花园自提点")
    wanda = PickupPointFactory(leader__shop=shop, name="湖里万达自提点")
    zhang, li = MemberUserFactory(), MemberUserFactory()
    orders = {
        "zhang_1": order_with_lines(
            campaign=campaign, point=haiyun, member=zhang, lines=[(eggs, 2)], pickup_code="200001"
        ),
        "zhang_2": order_with_lines(
            campaign=campaign, point=haiyun, member=zhang, lines=[(eggs, 1)], pickup_code="200002"
        ),
        "li": order_with_lines(campaign=campaign, point=haiyun, member=li, lines=[(eggs, 1)], pickup_code="200003"),
        "wanda": order_with_lines(campaign=campaign, point=wanda, lines=[(eggs, 3)], pickup_code="200004"),
        "refunded": order_with_lines(campaign=campaign, point=haiyun, lines=[(eggs, 1, 1)], status=S.REFUNDED),
        "unpaid": order_with_lines(campaign=campaign, point=haiyun, lines=[(eggs, 1)], status=S.PENDING_PAYMENT),
    }
    return {
        "shop": shop,
        "campaign": campaign,
        "haiyun": haiyun,
        "wanda": wanda,
        "zhang": zhang,
        "li": li,
        "orders": orders,
    }


def statuses(sold) -> dict:
    return {key: Order.objects.get(pk=order.pk).status for key, order in sold["orders"].items()}


def ship_url(sold):
    return f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/ship"


def leader_url(sold, suffix):
    return f"shops/{sold['shop'].id}/leader/campaigns/{sold['campaign'].id}/{suffix}"


def test_shipping_all_moves_only_confirmed_orders_and_twice_changes_nothing(sold):
    client = staff_client(sold["shop"], role="warehouse")

    first = ok(client.post(ship_url(sold), {"pickup_point_ids": None}))
    events = OrderEvent.objects.count()
    second = ok(client.post(ship_url(sold), {}))

    assert first == {
        "shipped_point_ids": sorted([sold["haiyun"].id, sold["wanda"].id]),
        "already_shipped_point_ids": [],
        "skipped_point_ids": [],
        "moved_orders": 4,
    }
    assert second["moved_orders"] == 0
    assert second["already_shipped_point_ids"] == sorted([sold["haiyun"].id, sold["wanda"].id])
    assert statuses(sold) == {
        "zhang_1": S.SHIPPED,
        "zhang_2": S.SHIPPED,
        "li": S.SHIPPED,
        "wanda": S.SHIPPED,
        "refunded": S.REFUNDED,
        "unpaid": S.PENDING_PAYMENT,
    }
    assert Shipment.objects.filter(campaign=sold["campaign"]).count() == 2
    assert OrderEvent.objects.count() == events
    assert (
        OrderEvent.objects.filter(
            order=sold["orders"]["li"], type="shipped", from_status=S.CONFIRMED, to_status=S.SHIPPED
        ).count()
        == 1
    )


def test_shipping_chosen_points_and_reading_their_status(sold):
    client = staff_client(sold["shop"], role="warehouse")

    ok(client.post(ship_url(sold), {"pickup_point_ids": [sold["wanda"].id]}))
    listing = ok(client.get(f"console/shops/{sold['shop'].id}/campaigns/{sold['campaign'].id}/shipments"))

    assert statuses(sold)["wanda"] == S.SHIPPED
    assert statuses(sold)["li"] == S.CONFIRMED
    by_point = {row["point_name"]: row for row in listing["items"]}
    assert (by_point["湖里万达自提点"]["status"], by_point["湖里万达自提点"]["shipped_count"]) == ("shipped", 1)
    assert (by_point["海韵花园自提点"]["status"], by_point["海韵花园自提点"]["confirmed_count"]) == ("pending", 3)
    assert listing["count"] == 2


def test_shipping_to_another_shops_point_is_a_404_and_ships_nothing(sold):
    foreign = PickupPointFactory()
    client = staff_client(sold["shop"])

    response = client.post(ship_url(sold), {"pickup_point_ids": [sold["haiyun"].id, foreign.id]})

    assert response.status_code == 404
    assert response.json()["field"] == "pickup_point_ids"
    assert not Shipment.objects.exists()
    assert statuses(sold)["li"] == S.CONFIRMED


def test_a_campaign_still_live_cannot_ship(sold):
    Campaign.objects.filter(pk=sold["campaign"].pk).update(status=Campaign.Status.LIVE)

    response = staff_client(sold["shop"]).post(ship_url(sold), {})

    assert (response.status_code, response.json()["code"]) == (409, "campaign_state")
    assert not Shipment.objects.exists()


def test_operations_may_view_sheets_but_not_ship(sold):
    client = staff_client(sold["shop"], role="operations")

    assert client.post(ship_url(sold), {}).status_code == 403
    assert statuses(sold)["li"] == S.CONFIRMED


def test_the_points_leader_confirms_arrival_and_another_leader_gets_404(sold):
    ok(staff_client(sold["shop"]).post(ship_url(sold), {"pickup_point_ids": [sold["haiyun"].id]}))
    wanda_leader = phone_client(sold["wanda"].leader.user)
    haiyun_leader = phone_client(sold["haiyun"].leader.user)

    refused = wanda_leader.post(leader_url(sold, "arrived"))
    arrived = ok(haiyun_leader.post(leader_url(sold, "arrived")))
    again = ok(haiyun_leader.post(leader_url(sold, "arrived")))

    assert refused.status_code == 404
    assert arrived["moved_orders"] == 3
    assert (arrived["shipment"]["status"], arrived["shipment"]["waiting_count"]) == ("arrived", 3)
    assert again["moved_orders"] == 0
    assert statuses(sold) == {
        "zhang_1": S.ARRIVED,
        "zhang_2": S.ARRIVED,
        "li": S.ARRIVED,
        "wanda": S.CONFIRMED,
        "refunded": S.REFUNDED,
        "unpaid": S.PENDING_PAYMENT,
    }
    mine = ok(haiyun_leader.get(f"shops/{sold['shop'].id}/leader/shipments"))
    assert [(s["campaign_title"], s["point_name"], s["order_count"]) for s in mine["items"]] == [
        ("周末鲜果团", "海韵花园自提点", 3)
    ]
    assert ok(wanda_leader.get(f"shops/{sold['shop'].id}/leader/shipments"))["count"] == 0


def test_a_member_who_is_no_leader_gets_404(sold):
    ok(staff_client(sold["shop"]).post(ship_url(sold), {}))

    response = phone_client(sold["zhang"]).post(leader_url(sold, "arrived"))

    assert response.status_code == 404
    assert statuses(sold)["zhang_1"] == S.SHIPPED


def test_pickup_notice_reaches_each_waiting_member_once(sold):
    ok(staff_client(sold["shop"]).post(ship_url(sold), {}))
    leader = phone_client(sold["haiyun"].leader.user)
    ok(leader.post(leader_url(sold, "arrived")))
    Order.objects.filter(pk=sold["orders"]["li"].pk).update(status=S.PICKED_UP)  # li already took his goods

    result = ok(leader.post(leader_url(sold, "pickup-notice")))

    assert (result["notified_members"], result["orders"]) == (1, 2)
    message = Message.objects.get()
    assert message.user == sold["zhang"]
    assert message.kind == "pickup_notice"
    assert message.body == "您在「周末鲜果团」购买的商品已到达海韵花园自提点，请凭提货码200001、200002尽快提货。"
    inbox = ok(phone_client(sold["zhang"]).get(f"shops/{sold['shop'].id}/messages"))
    assert (inbox["count"], inbox["unread_count"], inbox["items"][0]["title"]) == (1, 1, "提货通知")
    assert Shipment.objects.get(pickup_point=sold["haiyun"]).notice_sent_at is not None
    assert OrderEvent.objects.filter(type="pickup_notice").count() == 2
    assert list(Delivery.objects.values_list("message__user", "channel", "status")) == [
        (sold["zhang"].id, "sms", "queued")
    ]


def test_a_second_notice_within_ten_minutes_is_refused(sold):
    ok(staff_client(sold["shop"]).post(ship_url(sold), {}))
    leader = phone_client(sold["haiyun"].leader.user)
    ok(leader.post(leader_url(sold, "arrived")))
    ok(leader.post(leader_url(sold, "pickup-notice")))

    again = leader.post(leader_url(sold, "pickup-notice"))
    Shipment.objects.filter(pickup_point=sold["haiyun"]).update(notice_sent_at=timezone.now() - timedelta(minutes=11))
    later = ok(leader.post(leader_url(sold, "pickup-notice")))

    assert (again.status_code, again.json()["code"]) == (429, "rate_limited")
    assert later["notified_members"] == 2
    assert Message.objects.count() == 4


def test_no_notice_before_the_goods_arrived(sold):
    ok(staff_client(sold["shop"]).post(ship_url(sold), {}))

    response = phone_client(sold["haiyun"].leader.user).post(leader_url(sold, "pickup-notice"))

    assert (response.status_code, response.json()["code"]) == (409, "shipment_not_arrived")
    assert not Message.objects.exists()


def test_console_shipments_of_another_shop_are_404(sold):
    other_campaign = CampaignFactory()
    client = staff_client(sold["shop"])

    foreign = client.post(f"console/shops/{sold['shop'].id}/campaigns/{other_campaign.id}/ship", {})
    foreign_list = client.get(f"console/shops/{sold['shop'].id}/campaigns/{other_campaign.id}/shipments")
    not_staff = client.get(f"console/shops/{other_campaign.shop_id}/campaigns/{other_campaign.id}/shipments")

    assert foreign.status_code == foreign_list.status_code == not_staff.status_code == 404
    assert not Shipment.objects.exists()
