import pytest

from tuangou.core.construct import construct
from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.fulfilment.selectors import sheet_build
from tuangou.fulfilment.services import shipments_ship
from tuangou.orders import services as orders
from tuangou.orders.models import Order
from tuangou.orders.schemas import OrderOut
from tuangou.orders.tests.factories import login, pay, place, staff_login
from tuangou.orders.tests.test_checkout import assert_constructed_as_validated
from tuangou.warehouses.models import OrderDelivery

from .factories import given_delivery_campaign, stock_of

pytestmark = pytest.mark.django_db


def deliver(world, quantity=1, slot="09:00-12:00", **kwargs):
    return place(world, quantity, delivery={"address_id": world.address.id, "slot": slot}, **kwargs)


def test_home_delivery_adds_the_fee_and_takes_the_goods_from_the_nearest_warehouse():
    world = given_delivery_campaign(fee_fen=500)

    order = deliver(world, 2)

    assert (order.delivery_mode, order.items_fen, order.delivery_fee_fen, order.total_fen) == (
        "delivery",
        2580,
        500,
        3080,
    )
    delivery = OrderDelivery.objects.get(order=order)
    assert (delivery.warehouse, delivery.slot, delivery.community, delivery.address) == (
        world.near,
        "09:00-12:00",
        "白城小区",
        "3号楼2单元101",
    )
    assert (stock_of(world.near, world.item.sku), stock_of(world.far, world.item.sku)) == (8, 10)
    world.item.refresh_from_db()
    assert world.item.stock_left == 18  # the campaign's own stock as for any order


def test_the_checkout_answer_of_a_home_delivery_carries_it_as_validation_would():
    world = given_delivery_campaign(fee_fen=500)

    order = deliver(world, 2)

    assert_constructed_as_validated(order)
    assert construct(OrderOut, order).delivery.slot == "09:00-12:00"


def test_the_fee_is_waived_above_the_free_amount():
    world = given_delivery_campaign(fee_fen=500, free_above=2000)

    assert deliver(world, 1).delivery_fee_fen == 500
    order = deliver(world, 2)

    assert (order.delivery_fee_fen, order.total_fen) == (0, 2580)


def test_a_nearest_warehouse_without_the_goods_is_passed_over_for_the_next():
    world = given_delivery_campaign(near_stock=1, far_stock=5)

    order = deliver(world, 2)

    assert OrderDelivery.objects.get(order=order).warehouse == world.far
    assert (stock_of(world.near, world.item.sku), stock_of(world.far, world.item.sku)) == (1, 3)


def test_no_warehouse_with_the_goods_refuses_and_changes_nothing():
    world = given_delivery_campaign(near_stock=1, far_stock=1)

    with pytest.raises(ApplicationError) as error:
        deliver(world, 2)

    assert (error.value.code, error.value.status) == ("delivery_out_of_stock", 409)
    assert Order.objects.count() == 0
    world.item.refresh_from_db()
    assert (world.item.stock_left, stock_of(world.near, world.item.sku)) == (20, 1)


def test_an_address_no_warehouse_covers_is_refused():
    world = given_delivery_campaign()
    world.address.lat, world.address.lng = 24.6, 118.3  # ~25 km away
    world.address.save()

    with pytest.raises(ApplicationError) as error:
        deliver(world)

    assert (error.value.code, error.value.field) == ("delivery_not_covered", "delivery.address_id")


def test_a_community_the_warehouse_names_is_covered_beyond_its_radius():
    world = given_delivery_campaign()
    world.address.lat, world.address.lng = 24.6, 118.3
    world.address.save()
    world.near.communities = ["白城小区"]
    world.near.save()

    assert OrderDelivery.objects.get(order=deliver(world)).warehouse == world.near


def test_a_slot_the_campaign_does_not_offer_is_refused_over_the_api():
    world = given_delivery_campaign()
    member = login(world.member)

    response = member.post(
        f"shops/{world.shop.id}/orders",
        {
            "campaign_id": world.campaign.id,
            "items": [{"campaign_item_id": world.item.id, "quantity": 1}],
            "delivery": {"address_id": world.address.id, "slot": "23:00-23:59"},
        },
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "delivery_slot_unknown",
        "delivery.slot",
    )


def test_someone_elses_address_is_not_found():
    world = given_delivery_campaign()
    other = given_delivery_campaign()

    with pytest.raises(ApplicationError) as error:
        place(world, 1, delivery={"address_id": other.address.id, "slot": "09:00-12:00"})

    assert (error.value.code, error.value.status) == ("not_found", 404)


def test_self_pickup_stays_the_default_and_a_pickup_only_campaign_refuses_delivery():
    world = given_delivery_campaign()

    order = place(world, 1)
    assert (order.delivery_mode, order.delivery_fee_fen, order.total_fen) == ("pickup", 0, 1290)

    world.campaign.fulfilment_mode = "pickup"
    world.campaign.save()
    with pytest.raises(ApplicationError) as error:
        deliver(world)
    assert error.value.code == "delivery_not_offered"


def test_a_delivery_only_campaign_needs_an_address():
    world = given_delivery_campaign()
    world.campaign.fulfilment_mode = "delivery"
    world.campaign.save()

    with pytest.raises(ApplicationError) as error:
        place(world, 1)

    assert (error.value.code, error.value.field) == ("delivery_required", "delivery")


def test_cancelling_an_unpaid_delivery_order_puts_the_goods_back_on_the_warehouse_shelf():
    world = given_delivery_campaign()
    order = deliver(world, 3)

    orders.order_cancel(order=order, actor=world.member)

    assert stock_of(world.near, world.item.sku) == 10
    assert OrderDelivery.objects.get(order=order).held == {}


def test_a_full_refund_returns_the_fee_too():
    world = given_delivery_campaign(fee_fen=500)
    order = deliver(world, 2)
    pay(order)
    finance = staff_login(world.shop, "finance")

    body = ok(finance.post(f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "缺货"}))

    assert (body["status"], body["refunded_fen"], body["delivery_fee_fen"]) == ("refunded", 3080, 500)
    assert stock_of(world.near, world.item.sku) == 10


def test_refunding_every_piece_refunds_the_fee_and_an_amount_beyond_the_goods_takes_from_it():
    world = given_delivery_campaign(fee_fen=500)
    order = deliver(world, 2)
    pay(order)
    finance = staff_login(world.shop, "finance")
    line = order.lines.get()
    url = f"console/shops/{world.shop.id}/orders/{order.id}/refund"

    first = ok(finance.post(url, {"reason": "坏了", "lines": [{"line_id": line.id, "quantity": 1}]}))
    assert (first["status"], first["refunded_fen"]) == ("paid", 1290)
    second = ok(finance.post(url, {"reason": "都坏了", "amount_fen": 1290 + 200}))
    assert (second["status"], second["refunded_fen"]) == ("paid", 2780)
    third = ok(finance.post(url, {"reason": "运费"}))
    assert (third["status"], third["refunded_fen"]) == ("refunded", 3080)


def test_the_member_sees_the_delivery_on_their_order():
    world = given_delivery_campaign()
    order = deliver(world, 1, slot="17:00-20:00")
    pay(order)

    body = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}"))

    assert (body["delivery_mode"], body["delivery"]["slot"], body["delivery"]["warehouse_name"]) == (
        "delivery",
        "17:00-20:00",
        "思明仓",
    )


def test_home_delivery_orders_are_bought_but_not_shipped_to_the_pickup_point():
    world = given_delivery_campaign()
    delivered, picked_up = deliver(world, 2), place(world, 1)
    for order in (delivered, picked_up):
        pay(order)
    Order.objects.filter(pk__in=[delivered.pk, picked_up.pk]).update(status=Order.Status.CONFIRMED)
    world.campaign.status = "succeeded"
    world.campaign.save()

    purchase = sheet_build(campaign=world.campaign, kind="purchase")
    shipping = sheet_build(campaign=world.campaign, kind="shipping")
    shipped = shipments_ship(campaign=world.campaign, actor=None, pickup_point_ids=None)

    assert purchase["totals"]["quantity"] == 3
    assert shipping["totals"]["quantity"] == 1
    assert shipped["moved_orders"] == 1
    delivered.refresh_from_db()
    assert delivered.status == Order.Status.CONFIRMED  # it leaves from the warehouse, on its route
