from datetime import timedelta

import pytest

from tuangou.core.testing import ok
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders import services

from .factories import (
    CampaignFactory,
    CampaignItemFactory,
    given_live_campaign,
    given_member,
    login,
    paid_order,
    place,
    staff_login,
)

pytestmark = pytest.mark.django_db


def test_the_leader_sees_their_members_orders_grouped_by_campaign_masked_and_without_codes():
    world = given_live_campaign(price_fen=1000)
    neighbour = given_member(world.shop, world.leader)
    first, second = paid_order(world, 2), paid_order(world, 1, member=neighbour)
    place(world, 1)  # unpaid, still listed
    later = CampaignFactory(
        shop=world.shop,
        cutoff_at=world.campaign.cutoff_at + timedelta(days=7),
        pickup_at=world.campaign.pickup_at + timedelta(days=7),
    )
    later_item = CampaignItemFactory(campaign=later, price_fen=500)
    services.order_place(
        shop=world.shop,
        member=neighbour,
        campaign_id=later.id,
        items=[{"campaign_item_id": later_item.id, "quantity": 4}],
    )
    other_leader = LeaderFactory(shop=world.shop)
    place(world, 1, member=given_member(world.shop, other_leader))  # another leader's member

    body = ok(login(world.leader.user).get(f"shops/{world.shop.id}/leader/orders"))

    assert body["count"] == 2
    assert [(g["campaign_id"], g["order_count"], g["total_fen"]) for g in body["items"]][0] == (later.id, 1, 2000)
    group = body["items"][1]
    assert (
        group["campaign_id"],
        group["campaign_title"],
        group["order_count"],
        group["quantity"],
        group["total_fen"],
    ) == (
        world.campaign.id,
        world.campaign.title,
        3,
        4,
        4000,
    )
    assert group["status_counts"] == {"paid": 2, "pending_payment": 1}
    listed = group["orders"][0]
    assert listed["id"] == first.id
    assert listed["member_phone"] == f"{first.contact_phone[:3]}****{first.contact_phone[-4:]}"
    assert "pickup_code" not in listed
    assert [line["quantity"] for line in listed["lines"]] == [2]
    paid_only = ok(login(world.leader.user).get(f"shops/{world.shop.id}/leader/orders", {"status": "paid"}))
    assert paid_only["count"] == 1
    assert [order["id"] for order in paid_only["items"][0]["orders"]] == [first.id, second.id]


def test_someone_who_is_not_a_leader_gets_404():
    world = given_live_campaign()

    response = login(world.member).get(f"shops/{world.shop.id}/leader/orders")

    assert response.status_code == 404


def test_staff_filter_orders_by_campaign_leader_status_and_phone():
    world = given_live_campaign()
    paid = paid_order(world)
    unpaid = place(world, contact_phone="13905921234")
    other = given_live_campaign(shop=world.shop)
    elsewhere = place(other)
    client = staff_login(world.shop, "warehouse")
    url = f"console/shops/{world.shop.id}/orders"

    everything = ok(client.get(url))
    by_campaign = ok(client.get(url, {"campaign_id": world.campaign.id}))
    by_status = ok(client.get(url, {"status": "paid"}))
    by_phone = ok(client.get(url, {"phone": "139-0592-1234"}))
    by_leader = ok(client.get(url, {"leader_id": other.leader.id}))

    assert [o["id"] for o in everything["items"]] == [elsewhere.id, unpaid.id, paid.id]
    assert [o["id"] for o in by_campaign["items"]] == [unpaid.id, paid.id]
    assert [o["id"] for o in by_status["items"]] == [paid.id]
    assert [o["id"] for o in by_phone["items"]] == [unpaid.id]
    assert [o["id"] for o in by_leader["items"]] == [elsewhere.id]


def test_staff_order_detail_has_payments_refunds_and_events_and_other_shops_get_404():
    world = given_live_campaign()
    order = paid_order(world)
    client = staff_login(world.shop, "finance")
    stranger = staff_login(given_live_campaign().shop)

    detail = ok(client.get(f"console/shops/{world.shop.id}/orders/{order.id}"))
    probe = stranger.get(f"console/shops/{world.shop.id}/orders/{order.id}")
    cross = staff_login(given_live_campaign().shop)
    own_shop_other_id = cross.get(f"console/shops/{cross_shop_id(cross)}/orders/{order.id}")

    assert detail["pickup_code"] == order.pickup_code
    assert [p["status"] for p in detail["payments"]] == ["succeeded"]
    assert [e["type"] for e in detail["events"]] == ["placed", "paid"]
    assert probe.status_code == 404
    assert own_shop_other_id.status_code == 404


def cross_shop_id(client):
    return ok(client.get("auth/me"))["staff_of"][0]["shop_id"]
