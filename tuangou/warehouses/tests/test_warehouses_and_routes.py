from decimal import Decimal

import pytest

from tuangou.catalog.models import StockMovement
from tuangou.core.testing import ok
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_member, login, pay, place, staff_login
from tuangou.shops.tests.factories import MemberUserFactory
from tuangou.warehouses import routing, services
from tuangou.warehouses.models import Courier, MemberAddress, OrderDelivery, StockTransfer, WarehouseStock

from .factories import given_delivery_campaign, stock_of

pytestmark = pytest.mark.django_db


def console(world):
    return f"console/shops/{world.shop.id}"


def test_the_warehouse_staff_create_a_warehouse_and_move_stock_to_it_and_back():
    world = given_delivery_campaign()
    sku = world.item.sku
    sku.stock = 50
    sku.save()
    client = staff_login(world.shop, "warehouse")

    created = ok(
        client.post(
            f"{console(world)}/warehouses",
            {"name": "湖里仓", "address": "湖里大道9号", "lat": 24.51, "lng": 118.14, "communities": ["国贸花园"]},
        ),
        201,
    )
    url = f"{console(world)}/warehouses/{created['id']}/transfers"
    ok(
        client.post(
            url, {"direction": "to_warehouse", "lines": [{"sku_id": sku.id, "quantity": 30}], "note": "周五补货"}
        ),
        201,
    )
    back = ok(client.post(url, {"direction": "to_central", "lines": [{"sku_id": sku.id, "quantity": 5}]}), 201)

    sku.refresh_from_db()
    stock = ok(client.get(f"{console(world)}/warehouses/{created['id']}/stock"))
    assert (sku.stock, [(row["sku_id"], row["quantity"], row["central_stock"]) for row in stock]) == (
        25,
        [(sku.id, 25, 25)],
    )
    assert (back["direction"], back["lines"][0]["quantity"], back["actor_name"]) == (
        "to_central",
        5,
        client.user.name,
    )
    assert list(StockMovement.objects.filter(sku=sku).values_list("reason", "delta")) == [
        ("transfer_out", -30),
        ("transfer_in", 5),
    ]


def test_a_transfer_beyond_either_side_moves_nothing():
    world = given_delivery_campaign(near_stock=3)
    sku = world.item.sku
    sku.stock = 10
    sku.save()
    client = staff_login(world.shop, "warehouse")
    url = f"{console(world)}/warehouses/{world.near.id}/transfers"

    too_much_out = client.post(url, {"direction": "to_warehouse", "lines": [{"sku_id": sku.id, "quantity": 11}]})
    too_much_back = client.post(url, {"direction": "to_central", "lines": [{"sku_id": sku.id, "quantity": 4}]})

    assert (too_much_out.status_code, too_much_out.json()["code"], too_much_out.json()["field"]) == (
        400,
        "stock_insufficient",
        "lines.0.quantity",
    )
    assert (too_much_back.status_code, too_much_back.json()["code"]) == (409, "stock_insufficient")
    sku.refresh_from_db()
    assert (sku.stock, stock_of(world.near, sku), StockTransfer.objects.count()) == (10, 3, 0)


def test_support_staff_may_not_transfer_and_strangers_see_no_warehouse():
    world = given_delivery_campaign()
    other = given_delivery_campaign()
    support = staff_login(world.shop, "support")
    stranger = staff_login(other.shop, "owner")
    transfer = {"direction": "to_warehouse", "lines": [{"sku_id": world.item.sku.id, "quantity": 1}]}

    assert support.post(f"{console(world)}/warehouses/{world.near.id}/transfers", transfer).status_code == 403
    assert stranger.get(f"console/shops/{other.shop.id}/warehouses/{world.near.id}").status_code == 404


def test_bad_warehouse_input_names_the_field():
    world = given_delivery_campaign()
    client = staff_login(world.shop, "owner")
    base = {"name": "仓", "address": "路", "lat": 24.5, "lng": 118.1}

    taken = client.post(f"{console(world)}/warehouses", {**base, "name": "思明仓"})
    far_away = client.post(f"{console(world)}/warehouses", {**base, "lat": 99})
    html = ok(client.post(f"{console(world)}/warehouses", {**base, "name": "<b>𠮷😀</b>"}), 201)

    assert (taken.status_code, taken.json()["code"], taken.json()["field"]) == (409, "warehouse_name_taken", "name")
    assert (far_away.status_code, far_away.json()["field"]) == (422, "lat")
    assert html["name"] == "<b>𠮷😀</b>"


def test_a_member_keeps_addresses_and_the_first_is_the_default():
    world = given_delivery_campaign()
    member = login(world.member)
    MemberAddress.objects.all().delete()
    url = f"shops/{world.shop.id}/addresses"

    first = ok(
        member.post(
            url, {"recipient_name": "林", "recipient_phone": "13800002222", "community": "白城", "address": "1号"}
        ),
        201,
    )
    second = ok(
        member.post(
            url,
            {
                "recipient_name": "王",
                "recipient_phone": "13800003333",
                "community": "曾厝垵",
                "address": "2号",
                "lat": 24.43,
                "lng": 118.11,
                "is_default": True,
            },
        ),
        201,
    )
    bad_phone = member.post(url, {"recipient_name": "x", "recipient_phone": "123", "community": "c", "address": "a"})
    ok(member.delete(f"{url}/{second['id']}"), 204)

    assert (first["is_default"], second["is_default"]) == (True, True)
    # Without a location the address sits at my leader's pickup point (my 小区).
    assert (first["lat"], first["lng"]) == (24.4376, 118.0963)
    assert (bad_phone.status_code, bad_phone.json()["field"]) == (422, "recipient_phone")
    assert [(a["id"], a["is_default"]) for a in ok(member.get(url))] == [(first["id"], True)]
    assert login(given_member(world.shop, world.leader)).get(url).json() == []


def test_the_solver_orders_stops_along_the_road_not_as_given():
    depot = (24.0, 118.0)
    # On a line east of the warehouse, given out of order.
    points = [(24.0, 118.03), (24.0, 118.01), (24.0, 118.04), (24.0, 118.02)]

    (route,) = routing.plan_routes(depot, points, max_stops=10, time_limit_ms=200)

    assert route.stops == [1, 3, 0, 2]
    assert route.distance_m == pytest.approx(routing.road_m(24.0, 118.0, 24.0, 118.04), abs=4)


def test_more_stops_than_a_courier_takes_make_several_routes():
    points = [(24.0 + n * 0.001, 118.0) for n in range(7)]

    routes = routing.plan_routes((24.0, 118.0), points, max_stops=3, time_limit_ms=200)

    assert sorted(len(route.stops) for route in routes) == [1, 3, 3]
    assert sorted(stop for route in routes for stop in route.stops) == list(range(7))


def given_confirmed_delivery_orders(world, count=3):
    orders = []
    spots = [(Decimal("24.441000"), Decimal("118.099000")), (Decimal("24.452000"), Decimal("118.094000"))]
    for n in range(count):
        member = given_member(world.shop, world.leader)
        lat, lng = spots[n % 2]
        address = MemberAddress.objects.create(
            shop=world.shop,
            member=member,
            recipient_name=f"会员{n}",
            recipient_phone=f"1380000{n:04d}",
            community="白城小区",
            address=f"{n}号楼",
            lat=lat + Decimal(n) / 1000,
            lng=lng,
        )
        order = place(world, 1, member=member, delivery={"address_id": address.id, "slot": "09:00-12:00"})
        pay(order)
        orders.append(order)
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(status=Order.Status.CONFIRMED)
    return orders


def test_planning_routes_orders_the_stops_and_a_courier_confirms_each_by_code():
    world = given_delivery_campaign()
    orders = given_confirmed_delivery_orders(world, 3)
    owner = staff_login(world.shop, "owner")
    courier_user = MemberUserFactory()
    courier = ok(owner.post(f"{console(world)}/couriers", {"phone": courier_user.phone, "name": "小李"}), 201)

    sheet = ok(owner.post(f"{console(world)}/campaigns/{world.campaign.id}/delivery-routes", {"max_stops": 30}))
    (route,) = sheet["routes"]
    ok(owner.patch(f"{console(world)}/delivery-routes/{route['id']}", {"courier_id": courier["id"]}))

    assert [stop["sequence"] for stop in route["stops"]] == [1, 2, 3]
    assert route["stops"][0]["recipient_phone"].count("*") == 4  # masked on the sheet
    assert (route["warehouse_name"], route["solver"], sheet["totals"]["stop_count"]) == ("思明仓", "ortools-routing", 3)
    legs = [stop["leg_m"] for stop in route["stops"]]
    assert sum(legs) == route["distance_m"] > 0

    phone = login(courier_user)
    mine = ok(phone.get(f"shops/{world.shop.id}/courier/routes"))
    assert [r["id"] for r in mine] == [route["id"]]
    target = Order.objects.get(number=mine[0]["stops"][1]["order_number"])
    wrong = phone.post(f"shops/{world.shop.id}/courier/routes/{route['id']}/deliveries", {"code": "00000000"})
    done = ok(
        phone.post(f"shops/{world.shop.id}/courier/routes/{route['id']}/deliveries", {"code": target.pickup_code})
    )
    again = phone.post(f"shops/{world.shop.id}/courier/routes/{route['id']}/deliveries", {"code": target.pickup_code})

    assert (wrong.status_code, wrong.json()["code"]) == (404, "delivery_code_invalid")
    assert (done["order_id"], done["delivered_by_name"]) == (target.id, courier_user.name)
    assert (again.status_code, again.json()["code"]) == (409, "delivery_already_confirmed")
    target.refresh_from_db()
    assert target.status == "picked_up"
    assert list(target.events.values_list("type", flat=True))[-3:] == ["out_for_delivery", "arrived", "delivered"]
    stop = OrderDelivery.objects.get(order=target)
    assert (stop.delivered_by_id, stop.delivered_at is not None) == (courier_user.id, True)
    # Deliveries started: the sheet stays as the couriers have it.
    replan = owner.post(f"{console(world)}/campaigns/{world.campaign.id}/delivery-routes", {"max_stops": 30})
    assert (replan.status_code, replan.json()["code"]) == (409, "delivery_started")
    assert len(orders) == 3


def test_another_courier_cannot_confirm_a_route_not_theirs():
    world = given_delivery_campaign()
    orders = given_confirmed_delivery_orders(world, 1)
    owner = staff_login(world.shop, "owner")
    (route,) = ok(owner.post(f"{console(world)}/campaigns/{world.campaign.id}/delivery-routes", {}))["routes"]
    intruder = MemberUserFactory()
    services.courier_create(shop=world.shop, actor=None, phone=intruder.phone, name="别人")

    response = login(intruder).post(
        f"shops/{world.shop.id}/courier/routes/{route['id']}/deliveries", {"code": orders[0].pickup_code}
    )

    assert (response.status_code, Courier.objects.count()) == (404, 1)
    assert OrderDelivery.objects.get(order=orders[0]).delivered_at is None


def test_the_delivery_sheet_prints_as_pdf_and_excel():
    world = given_delivery_campaign()
    given_confirmed_delivery_orders(world, 2)
    owner = staff_login(world.shop, "owner")
    ok(owner.post(f"{console(world)}/campaigns/{world.campaign.id}/delivery-routes", {}))

    pdf = owner.get(f"{console(world)}/campaigns/{world.campaign.id}/delivery-sheet.pdf")
    xlsx = owner.get(f"{console(world)}/campaigns/{world.campaign.id}/delivery-sheet.xlsx")

    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert (xlsx.status_code, b"".join(xlsx.streaming_content)[:2]) == (200, b"PK")
    assert WarehouseStock.objects.get(warehouse=world.near).quantity == 8
