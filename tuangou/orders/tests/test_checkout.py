from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignLeader
from tuangou.core.construct import construct
from tuangou.core.testing import ok
from tuangou.leaders.models import Leader, Membership
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.orders import services
from tuangou.orders.models import Order, OrderEvent, OrderLine
from tuangou.orders.schemas import OrderOut
from tuangou.shops.tests.factories import MemberUserFactory

from .factories import CampaignItemFactory, given_live_campaign, login, place

pytestmark = pytest.mark.django_db


def orders_url(world):
    return f"shops/{world.shop.id}/orders"


def body(world, quantity=1, **changes):
    data = {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": quantity}]}
    data.update(changes)
    return data


def assert_nothing_placed(world, stock_left):
    world.item.refresh_from_db()
    assert world.item.stock_left == stock_left
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0


def test_member_places_an_order_that_reserves_stock_with_a_pickup_code():
    world = given_live_campaign(stock=20, price_fen=1290)
    world.leader.commission_rate_bp = 1200
    world.leader.save()
    client = login(world.member)

    order = ok(client.post(orders_url(world), body(world, 3, note="放门口")), 201)

    world.item.refresh_from_db()
    assert world.item.stock_left == 17
    assert order["status"] == "pending_payment"
    assert order["total_fen"] == 3870
    assert order["leader_id"] == world.leader.id
    assert order["pickup_point_name"] == world.leader.pickup_point.name
    assert order["pickup_code"] is None  # shown once paid
    assert [(line["quantity"], line["amount_fen"]) for line in order["lines"]] == [(3, 3870)]
    saved = Order.objects.get(pk=order["id"])
    assert len(saved.pickup_code) == 8 and saved.pickup_code.isdigit()
    assert saved.number.startswith(timezone.localdate().strftime("%Y%m%d"))
    assert abs(saved.expires_at - saved.created_at - timedelta(minutes=15)) < timedelta(seconds=1)
    assert saved.lines.get().commission_rate_bp == 1200
    assert list(saved.events.values_list("type", "to_status")) == [("placed", "pending_payment")]


def test_commission_rate_comes_from_the_item_then_the_leader_then_the_shop():
    world = given_live_campaign()
    override = CampaignItemFactory(campaign=world.campaign, commission_rate_bp=1500)

    order = place(world)
    overridden = place(world, item=override)

    assert order.lines.get().commission_rate_bp == 1000  # shop default (leader has none)
    assert overridden.lines.get().commission_rate_bp == 1500


def test_same_idempotency_key_returns_the_first_order_and_reserves_once():
    world = given_live_campaign(stock=20)
    client = login(world.member)

    first = ok(client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-7f3a"}), 201)
    again = ok(client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-7f3a"}), 201)
    in_body = ok(client.post(orders_url(world), body(world, 2, idempotency_key="cart-7f3a")), 201)

    assert again == first == in_body
    assert Order.objects.count() == 1
    world.item.refresh_from_db()
    assert world.item.stock_left == 18


def test_same_idempotency_key_with_another_request_is_a_conflict():
    world = given_live_campaign(stock=20)
    client = login(world.member)
    ok(client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-1"}), 201)

    response = client.post(orders_url(world), body(world, 5), headers={"Idempotency-Key": "cart-1"})

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1
    world.item.refresh_from_db()
    assert world.item.stock_left == 18


def test_a_retry_with_the_key_gets_its_order_back_after_the_stock_ran_out_or_the_campaign_closed():
    # The key is looked up only when a check refuses or the INSERT finds it taken: a retry that
    # comes after the last unit sold, or after the cut-off, must still find its order.
    world = given_live_campaign(stock=2)
    client = login(world.member)
    first = ok(client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-late"}), 201)
    world.item.refresh_from_db()
    assert world.item.stock_left == 0

    after_stock = ok(client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-late"}), 201)
    Campaign.objects.filter(pk=world.campaign.pk).update(cutoff_at=timezone.now() - timedelta(minutes=1))
    after_cutoff = ok(client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-late"}), 201)
    other = client.post(orders_url(world), body(world, 1), headers={"Idempotency-Key": "cart-late"})
    fresh = client.post(orders_url(world), body(world, 2), headers={"Idempotency-Key": "cart-new"})

    assert after_stock == after_cutoff == first
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    # A new order is refused: the database says the campaign closed; with hot stock in Redis
    # (REDIS_URL set, as in CI) its counter, at 0, answers first, before any transaction.
    assert fresh.status_code == 409
    assert fresh.json()["code"] in {"campaign_not_live", "stock_insufficient"}
    assert Order.objects.count() == 1
    world.item.refresh_from_db()
    assert world.item.stock_left == 0


def test_placing_an_order_costs_its_fixed_statements(django_assert_num_queries):
    # Pinned so a change that adds a round trip to checkout is seen: the session and its user
    # (this client logs in by SMS; a bearer token is one SELECT), the shop, the savepoint (BEGIN
    # outside a test), the membership lock, campaign + items + products with their deal rules, the
    # running 满减送, INSERT order, INSERT lines with the `placed` event (one statement on
    # PostgreSQL, two elsewhere), the conditional UPDATEs of the items (one statement on
    # PostgreSQL, one per item elsewhere), release (COMMIT). A new idempotency key costs no SELECT.
    world = given_live_campaign(stock=20)
    second = CampaignItemFactory(campaign=world.campaign, stock_allotted=10)
    client = login(world.member)
    items = [{"campaign_item_id": world.item.id, "quantity": 1}, {"campaign_item_id": second.id, "quantity": 2}]
    ok(client.post(orders_url(world), body(world, items=items), headers={"Idempotency-Key": "warm"}), 201)
    postgres = connection.vendor == "postgresql"

    with django_assert_num_queries(11 if postgres else 13) as captured:
        ok(client.post(orders_url(world), body(world, items=items), headers={"Idempotency-Key": "pinned"}), 201)

    sql = [query["sql"] for query in captured.captured_queries]
    assert sum(statement.count("INSERT INTO") for statement in sql) == 3  # order, lines, event
    assert len([statement for statement in sql if "INSERT INTO" in statement]) == (2 if postgres else 3)
    assert len([statement for statement in sql if statement.startswith("UPDATE")]) == (1 if postgres else 2)
    assert not any("idempotency_key" in statement for statement in sql if statement.startswith("SELECT"))
    assert OrderEvent.objects.filter(order__idempotency_key="pinned", type="placed").count() == 1


def assert_constructed_as_validated(order):
    """Checkout's answer is built without validation (core/construct.py): it must be what Ninja's
    validation of the same order gives, field for field and as JSON."""
    built, validated = construct(OrderOut, order), OrderOut.model_validate(order)
    assert built.model_dump() == validated.model_dump()
    assert built.model_dump_json() == validated.model_dump_json()


def test_the_checkout_answer_is_built_as_validation_would_build_it():
    world = given_live_campaign(stock=20)
    second = CampaignItemFactory(campaign=world.campaign, stock_allotted=10)
    client = login(world.member)
    items = [{"campaign_item_id": world.item.id, "quantity": 1}, {"campaign_item_id": second.id, "quantity": 2}]

    answer = ok(client.post(orders_url(world), body(world, items=items), headers={"Idempotency-Key": "same"}), 201)
    replayed = services.order_place(
        shop=world.shop, member=world.member, idempotency_key="same", **body(world, items=items)
    )

    assert len(answer["lines"]) == 2 and answer["status_label"] == "待付款"
    assert_constructed_as_validated(place(world, 2))
    assert_constructed_as_validated(replayed)  # read back: its lines through the relation
    assert ok(client.get(f"{orders_url(world)}/{answer['id']}"))["lines"] == answer["lines"]


def test_another_member_may_use_the_same_idempotency_key():
    world = given_live_campaign(stock=20)
    neighbour = MemberUserFactory()

    place(world, idempotency_key="k1")
    place(world, member=neighbour, leader_id=world.leader.id, idempotency_key="k1")

    assert Order.objects.count() == 2


def test_more_than_the_stock_left_is_refused_and_changes_nothing():
    world = given_live_campaign(stock=5)
    second = CampaignItemFactory(campaign=world.campaign, stock_allotted=10)
    client = login(world.member)

    response = client.post(
        orders_url(world),
        {
            "campaign_id": world.campaign.id,
            "items": [
                {"campaign_item_id": second.id, "quantity": 2},
                {"campaign_item_id": world.item.id, "quantity": 6},
            ],
        },
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stock_insufficient"
    assert response.json()["field"] == "items.1.quantity"
    assert "5" in response.json()["message"]
    assert_nothing_placed(world, stock_left=5)
    second.refresh_from_db()
    assert second.stock_left == 10  # the first item's reservation rolled back too


def test_purchase_limit_counts_earlier_orders_and_changes_nothing_when_exceeded():
    world = given_live_campaign(stock=20, purchase_limit=3)
    client = login(world.member)
    ok(client.post(orders_url(world), body(world, 2)), 201)

    response = client.post(orders_url(world), body(world, 2))

    assert response.status_code == 400
    assert response.json()["code"] == "limit_exceeded"
    assert response.json()["field"] == "items.0.quantity"
    assert Order.objects.count() == 1
    world.item.refresh_from_db()
    assert world.item.stock_left == 18


def test_cancelled_orders_do_not_count_against_the_limit():
    world = given_live_campaign(stock=20, purchase_limit=2)
    first = place(world, 2)
    Order.objects.filter(pk=first.pk).update(status=Order.Status.CANCELLED)

    second = place(world, 2)

    assert second.status == "pending_payment"


def test_campaign_not_live_refuses_orders():
    world = given_live_campaign()
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    client = login(world.member)

    response = client.post(orders_url(world), body(world))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("campaign_not_live", "campaign_id")
    assert_nothing_placed(world, stock_left=20)


def test_a_live_campaign_past_its_cutoff_refuses_orders():
    world = given_live_campaign()
    Campaign.objects.filter(pk=world.campaign.pk).update(cutoff_at=timezone.now() - timedelta(minutes=1))

    response = login(world.member).post(orders_url(world), body(world))

    assert response.json()["code"] == "campaign_not_live"
    assert_nothing_placed(world, stock_left=20)


def test_a_leader_not_allowed_for_the_campaign_is_refused():
    world = given_live_campaign()
    Campaign.objects.filter(pk=world.campaign.pk).update(all_leaders=False)
    client = login(world.member)

    refused = client.post(orders_url(world), body(world))
    CampaignLeader.objects.create(shop=world.shop, campaign=world.campaign, leader=world.leader)
    allowed = client.post(orders_url(world), body(world))

    assert (refused.json()["code"], refused.json()["field"]) == ("leader_not_allowed", "leader_id")
    assert allowed.status_code == 201
    assert Order.objects.count() == 1


def test_a_suspended_leader_takes_no_orders():
    world = given_live_campaign()
    Leader.objects.filter(pk=world.leader.pk).update(status=Leader.Status.SUSPENDED)

    response = login(world.member).post(orders_url(world), body(world))

    assert (response.json()["code"], response.json()["field"]) == ("leader_not_active", "leader_id")
    assert_nothing_placed(world, stock_left=20)


def test_an_item_of_another_campaign_is_refused():
    world = given_live_campaign()
    elsewhere = CampaignItemFactory(campaign__shop=world.shop)

    response = login(world.member).post(
        orders_url(world),
        {
            "campaign_id": world.campaign.id,
            "items": [{"campaign_item_id": elsewhere.id, "quantity": 1}],
        },
    )

    assert (response.json()["code"], response.json()["field"]) == ("item_not_in_campaign", "items.0.campaign_item_id")
    assert_nothing_placed(world, stock_left=20)


def test_another_shops_campaign_is_a_404():
    world = given_live_campaign()
    other = given_live_campaign()

    response = login(world.member).post(orders_url(world), body(other))

    assert response.status_code == 404
    assert response.json()["field"] == "campaign_id"
    assert Order.objects.count() == 0


def test_quantity_zero_is_a_validation_error():
    world = given_live_campaign()

    response = login(world.member).post(orders_url(world), body(world, 0))

    assert response.status_code == 422
    assert response.json()["field"] == "items.0.quantity"
    assert_nothing_placed(world, stock_left=20)


def test_a_new_member_chooses_a_leader_at_checkout_and_is_bound_to_them():
    world = given_live_campaign()
    newcomer = MemberUserFactory()
    client = login(newcomer)

    without = client.post(orders_url(world), body(world))
    order = ok(client.post(orders_url(world), body(world, leader_id=world.leader.id)), 201)

    assert (without.json()["code"], without.json()["field"]) == ("leader_required", "leader_id")
    assert order["leader_id"] == world.leader.id
    assert Membership.objects.get(shop=world.shop, user=newcomer).leader_id == world.leader.id


def test_ordering_through_another_leader_uses_their_pickup_point():
    world = given_live_campaign()
    other_leader = LeaderFactory(shop=world.shop)

    order = ok(login(world.member).post(orders_url(world), body(world, leader_id=other_leader.id)), 201)

    assert order["pickup_point_name"] == other_leader.pickup_point.name
    assert Membership.objects.get(shop=world.shop, user=world.member).leader_id == world.leader.id


def test_member_lists_and_reads_only_their_own_orders():
    world = given_live_campaign()
    mine = place(world, 2)
    neighbour = MemberUserFactory()
    theirs = place(world, 1, member=neighbour, leader_id=world.leader.id)
    client = login(world.member)

    listed = ok(client.get(orders_url(world)))
    detail = ok(client.get(f"{orders_url(world)}/{mine.id}"))
    other = client.get(f"{orders_url(world)}/{theirs.id}")

    assert listed["count"] == 1
    assert [order["id"] for order in listed["items"]] == [mine.id]
    assert [event["type"] for event in detail["events"]] == ["placed"]
    assert detail["pickup_point_address"] == world.leader.pickup_point.address
    assert other.status_code == 404
    assert OrderEvent.objects.count() == 2


def two_item_world(stock=20):
    world = given_live_campaign(stock=stock)
    second = CampaignItemFactory(campaign=world.campaign, stock_allotted=10)
    return world, second


def test_an_order_number_taken_already_is_drawn_again_and_nothing_is_written_twice(monkeypatch):
    # The order's INSERT meets a taken number: it is drawn again, and the lines, the `placed`
    # event and the stock are written once, for the order that was written.
    world, second = two_item_world()
    taken = place(world)
    draws = iter([int(taken.number[8:]), int(taken.pickup_code), 4242424242, 42424242])
    monkeypatch.setattr(services.secrets, "randbelow", lambda limit: next(draws))
    items = [{"campaign_item_id": second.id, "quantity": 2}, {"campaign_item_id": world.item.id, "quantity": 3}]

    order = services.order_place(shop=world.shop, member=world.member, campaign_id=world.campaign.id, items=items)

    assert order.number.endswith("4242424242") and order.pickup_code == "42424242"
    assert Order.objects.count() == 2
    assert OrderEvent.objects.filter(order=order, type="placed").count() == 1
    assert OrderEvent.objects.filter(type="placed").count() == 2
    world.item.refresh_from_db()
    second.refresh_from_db()
    assert (world.item.stock_left, second.stock_left) == (20 - 1 - 3, 10 - 2)
    # The lines in the cart's order, each with its own id, as the database holds them.
    assert [(line.pk, line.campaign_item_id, line.quantity) for line in order.lines.all()] == list(
        OrderLine.objects.filter(order=order).order_by("id").values_list("id", "campaign_item_id", "quantity")
    )
    assert [line.campaign_item_id for line in order.lines.all()] == [second.id, world.item.id]


def test_stock_gone_between_the_read_and_the_write_refuses_the_order_whole(monkeypatch):
    # Another buyer takes the second item's last units after this checkout read them: the
    # conditional UPDATE is the guard, the 409 names that item, and nothing of the order stays.
    world, second = two_item_world()
    quote = services._checkout_quote

    def quote_then_sell_out(**kwargs):
        answer = quote(**kwargs)
        type(second).objects.filter(pk=second.pk).update(stock_left=1)
        return answer

    monkeypatch.setattr(services, "_checkout_quote", quote_then_sell_out)
    items = [{"campaign_item_id": world.item.id, "quantity": 1}, {"campaign_item_id": second.id, "quantity": 2}]

    with pytest.raises(services.ApplicationError) as refused:
        services.order_place(shop=world.shop, member=world.member, campaign_id=world.campaign.id, items=items)

    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "stock_insufficient",
        "items.1.quantity",
        409,
    )
    assert_nothing_placed(world, stock_left=20)
    assert OrderEvent.objects.count() == 0
