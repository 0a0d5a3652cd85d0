from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.audit.models import AuditRecord
from tuangou.catalog.models import Sku, StockMovement
from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.orders import services as order_services
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.tests.factories import login, paid_order, staff_login
from tuangou.shops.tests.factories import ShopFactory

from .. import services
from ..models import DropshipOrder, MarketLink, MarketSettlement, SupplyOffer
from .world import SELLER_PRICE, SUPPLY_PRICE, given_market_sale, given_offer

pytestmark = pytest.mark.django_db


def console(shop, path):
    return f"console/shops/{shop.id}/{path}"


def buy(world, quantity=2):
    return paid_order(world, quantity, item=world.market_item)


# --- offers and the market ------------------------------------------------------------------------


def test_another_shop_sees_a_listed_offer_with_only_its_market_fields_and_the_supplier_does_not():
    supply = given_offer(stock=30, units=50)
    seller = ShopFactory()

    offers = ok(staff_login(seller).get(console(seller, "market/offers")))["items"]
    own = ok(staff_login(supply.supplier).get(console(supply.supplier, "market/offers")))["items"]

    assert [
        (o["supplier_name"], o["product_name"], o["spec"], o["supply_price_fen"], o["units_available"]) for o in offers
    ] == [("山野源头供应链", "散养土鸡蛋", "30枚", SUPPLY_PRICE, 30)]
    assert set(offers[0]) == {
        "id", "supplier_name", "product_name", "spec", "unit", "description", "images", "supply_price_fen",
        "retail_price_fen", "min_order", "units_available", "adopted_link_id",
    }  # fmt: skip
    assert own == []


def test_a_withdrawn_offer_leaves_the_market_and_cannot_be_adopted():
    supply = given_offer()
    seller = ShopFactory()
    ok(staff_login(supply.supplier).post(console(supply.supplier, f"supply/offers/{supply.offer.id}/withdraw")))

    client = staff_login(seller)
    assert ok(client.get(console(seller, "market/offers")))["items"] == []
    response = client.post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3000})
    assert response.status_code == 404
    assert MarketLink.objects.count() == 0


def test_publishing_a_sku_of_another_shop_is_404():
    supply = given_offer()
    other = ShopFactory()
    response = staff_login(other).post(
        console(other, "supply/offers"), {"sku_id": supply.sku.id, "supply_price_fen": 100, "units": 1}
    )
    assert response.status_code == 404
    assert SupplyOffer.objects.count() == 1


# --- adoption and allotment -------------------------------------------------------------------


def test_a_price_below_the_supply_price_is_refused_on_its_field_and_nothing_changes():
    supply = given_offer()
    seller = ShopFactory()

    response = staff_login(seller).post(
        console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": SUPPLY_PRICE - 1, "units": 5}
    )

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("market_price_below_supply", "price_fen")
    assert MarketLink.objects.count() == 0
    assert Sku.objects.filter(shop=seller).count() == 0
    supply.sku.refresh_from_db()
    assert supply.sku.stock == 100


def test_adopting_with_an_allotment_moves_units_from_the_supplier_to_the_seller_with_a_movement_each():
    supply = given_offer(stock=100, units=50)
    seller = ShopFactory()
    client = staff_login(seller)

    link = ok(
        client.post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "units": 12}), 201
    )

    assert (link["product_name"], link["price_fen"], link["supply_price_fen"], link["stock"]) == (
        "散养土鸡蛋",
        3290,
        SUPPLY_PRICE,
        12,
    )
    supply.sku.refresh_from_db()
    supply.offer.refresh_from_db()
    assert (supply.sku.stock, supply.offer.units_left, supply.offer.units_allotted) == (88, 38, 12)
    moves = StockMovement.objects.filter(reason__startswith="market").order_by("id")
    assert [(m.shop_id, m.delta, m.stock_after, m.reason) for m in moves] == [
        (supply.supplier.id, -12, 88, "market_supply"),
        (seller.id, 12, 12, "market_buy"),
    ]
    assert AuditRecord.objects.filter(shop=seller, action="market.adopt").count() == 1
    again = client.post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290})
    assert (again.status_code, again.json()["code"]) == (409, "market_offer_adopted")


def test_taking_more_than_is_offered_is_refused_and_nothing_moves():
    world = given_market_sale(allot=10)
    client = staff_login(world.shop)

    response = client.post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 41})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "market_units_short",
        "units",
    )
    world.sku.refresh_from_db()
    world.offer.refresh_from_db()
    assert (world.sku.stock, world.offer.units_left, Sku.objects.get(pk=world.link.sku_id).stock) == (90, 40, 10)


def test_taking_more_than_the_supplier_has_in_stock_is_refused_even_when_offered():
    supply = given_offer(stock=5, units=50)
    seller = ShopFactory()
    response = staff_login(seller).post(
        console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3000, "units": 6}
    )
    assert (response.status_code, response.json()["code"]) == (400, "market_units_short")
    assert MarketLink.objects.count() == 0
    supply.offer.refresh_from_db()
    assert supply.offer.units_left == 50


def test_handing_back_unsold_units_returns_them_to_the_supplier_and_its_offer():
    world = given_market_sale(allot=10)
    client = staff_login(world.shop)

    link = ok(client.post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 4}))
    too_many = client.post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 7})

    assert (link["stock"], link["units_allotted"]) == (6, 6)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "market_return_too_many")
    world.sku.refresh_from_db()
    world.offer.refresh_from_db()
    assert (world.sku.stock, world.offer.units_left, world.offer.units_allotted) == (94, 44, 6)


# --- dropship ------------------------------------------------------------------------------------


def test_paying_for_market_goods_sends_a_dropship_order_to_the_supplier_with_the_pickup_point_only():
    world = given_market_sale()
    order = buy(world, 2)

    dropships = ok(staff_login(world.supplier).get(console(world.supplier, "supply/dropships")))["items"]

    assert len(dropships) == 1
    shipped = dropships[0]
    point = world.leader.pickup_point
    assert (shipped["order_number"], shipped["status"], shipped["destination"], shipped["point_name"]) == (
        order.number,
        "pending",
        "pickup",
        point.name,
    )
    assert (shipped["recipient_name"], shipped["recipient_phone"]) == (world.leader.name, world.leader.phone)
    assert [(line["quantity"], line["supply_price_fen"]) for line in shipped["lines"]] == [(2, SUPPLY_PRICE)]
    assert shipped["supply_total_fen"] == 2 * SUPPLY_PRICE
    assert world.member.phone not in str(dropships)
    settlement = MarketSettlement.objects.get()
    assert (settlement.shop_id, settlement.supplier_id, settlement.status) == (
        world.shop.id,
        world.supplier.id,
        "pending",
    )
    assert (settlement.paid_fen, settlement.supply_due_fen, settlement.margin_fen) == (
        2 * SELLER_PRICE,
        2 * SUPPLY_PRICE,
        2 * (SELLER_PRICE - SUPPLY_PRICE),
    )


def test_an_order_without_market_goods_makes_no_dropship():
    world = given_market_sale()
    paid_order(world, 1)
    assert DropshipOrder.objects.count() == 0
    assert MarketSettlement.objects.count() == 0


def test_the_supplier_ships_with_tracking_and_the_seller_and_member_see_it():
    world = given_market_sale()
    order = buy(world)
    dropship = DropshipOrder.objects.get()
    supplier = staff_login(world.supplier, "warehouse")

    bad = supplier.post(
        console(world.supplier, f"supply/dropships/{dropship.id}/ship"), {"carrier": "顺丰", "tracking_no": "SF 12"}
    )
    shipped = ok(
        supplier.post(
            console(world.supplier, f"supply/dropships/{dropship.id}/ship"),
            {"carrier": "顺丰", "tracking_no": "sf1234567890"},
        )
    )
    again = supplier.post(
        console(world.supplier, f"supply/dropships/{dropship.id}/ship"),
        {"carrier": "顺丰", "tracking_no": "SF1234567890"},
    )

    assert (bad.status_code, bad.json()["field"]) == (422, "tracking_no")
    assert (shipped["status"], shipped["carrier"], shipped["tracking_no"]) == ("shipped", "顺丰", "SF1234567890")
    assert (again.status_code, again.json()["code"]) == (409, "dropshiporder_state")
    seen_by_seller = ok(staff_login(world.shop, "support").get(console(world.shop, f"orders/{order.id}/dropships")))
    seen_by_member = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}/dropships"))
    assert [(d["supplier_name"], d["status_label"], d["carrier"], d["tracking_no"]) for d in seen_by_seller] == [
        ("山野源头供应链", "已发货", "顺丰", "SF1234567890")
    ]
    assert [(d["status"], d["carrier"], d["tracking_no"]) for d in seen_by_member] == [
        ("shipped", "顺丰", "SF1234567890")
    ]
    assert "supplier_name" not in seen_by_member[0]
    assert list(OrderEvent.objects.filter(order=order, type__startswith="dropship").values_list("type", flat=True)) == [
        "dropship_created",
        "dropship_shipped",
    ]

    delivered = ok(supplier.post(console(world.supplier, f"supply/dropships/{dropship.id}/deliver")))
    assert delivered["status"] == "delivered"
    assert OrderEvent.objects.filter(order=order, type="dropship_delivered").count() == 1


def test_a_full_refund_before_shipping_cancels_the_dropship_and_voids_the_ledger_row():
    world = given_market_sale()
    order = buy(world, 2)

    order_services.order_refund(order=order, actor=None, reason="不想要了")

    dropship = DropshipOrder.objects.get()
    settlement = MarketSettlement.objects.get()
    assert (dropship.status, dropship.lines.get().refunded_quantity) == ("cancelled", 2)
    assert (settlement.status, settlement.paid_fen, settlement.supply_due_fen, settlement.margin_fen) == (
        "void",
        0,
        0,
        0,
    )
    assert OrderEvent.objects.filter(order=order, type="dropship_cancelled").count() == 1


def test_a_partial_refund_keeps_the_dropship_and_lowers_what_is_due():
    world = given_market_sale()
    order = buy(world, 3)
    line = order.lines.get()

    order_services.order_refund(order=order, actor=None, reason="少发一盒", lines=[{"line_id": line.id, "quantity": 1}])

    settlement = MarketSettlement.objects.get()
    assert DropshipOrder.objects.get().status == "pending"
    assert (settlement.status, settlement.paid_fen, settlement.supply_due_fen, settlement.margin_fen) == (
        "pending",
        2 * SELLER_PRICE,
        2 * SUPPLY_PRICE,
        2 * (SELLER_PRICE - SUPPLY_PRICE),
    )


# --- the ledger ---------------------------------------------------------------------------------


def test_the_ledger_is_due_only_once_the_order_completed_then_the_seller_settles_it():
    world = given_market_sale()
    order = buy(world, 2)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PICKED_UP, picked_up_at=timezone.now())

    assert services.settlements_advance() == {"due": 0, "settled": 0}  # the after-sales window is open
    early = staff_login(world.shop, "finance").post(
        console(world.shop, "market/settlements/settle"), {"settlement_ids": [MarketSettlement.objects.get().id]}
    )
    assert (early.status_code, early.json()["code"]) == (409, "market_settlement_not_due")

    Order.objects.filter(pk=order.pk).update(picked_up_at=timezone.now() - timedelta(days=8))
    order_services.orders_complete_due()
    assert services.settlements_advance() == {"due": 1, "settled": 0}

    finance = staff_login(world.shop, "finance")
    ledger = ok(finance.get(console(world.shop, "market/settlements")))
    assert ledger["totals"]["due"] == {
        "count": 1,
        "paid_fen": 2 * SELLER_PRICE,
        "supply_due_fen": 2 * SUPPLY_PRICE,
        "margin_fen": 2 * (SELLER_PRICE - SUPPLY_PRICE),
    }
    assert ok(finance.post(console(world.shop, "market/settlements/settle"), {})) == {"settled": 1}
    supplier_side = ok(staff_login(world.supplier, "finance").get(console(world.supplier, "supply/settlements")))
    assert supplier_side["totals"]["settled"] == {"count": 1, "supply_due_fen": 2 * SUPPLY_PRICE}
    assert [(r["counterpart_name"], r["order_number"], r["status"]) for r in supplier_side["items"]] == [
        (world.shop.name, order.number, "settled")
    ]
    assert "margin_fen" not in supplier_side["items"][0] and "paid_fen" not in supplier_side["items"][0]
    assert AuditRecord.objects.filter(shop=world.shop, action="market.settle").count() == 1


def test_the_daily_job_settles_what_was_left_due_for_three_days():
    world = given_market_sale()
    buy(world)
    MarketSettlement.objects.update(status="due", due_at=timezone.now() - timedelta(days=3, minutes=1))
    assert services.settlements_advance() == {"due": 0, "settled": 1}
    assert MarketSettlement.objects.get().status == "settled"


# --- tenancy -------------------------------------------------------------------------------------


def test_the_supplier_cannot_read_the_sellers_order_and_a_third_shop_sees_neither_side():
    world = given_market_sale()
    order = buy(world)
    dropship = DropshipOrder.objects.get()
    third = ShopFactory()
    supplier, seller, stranger = (
        staff_login(world.supplier),
        staff_login(world.shop),
        staff_login(third),
    )

    assert supplier.get(console(world.supplier, f"orders/{order.id}")).status_code == 404
    assert supplier.get(console(world.supplier, f"orders/{order.id}/dropships")).status_code == 404
    assert (
        seller.post(
            console(world.shop, f"supply/dropships/{dropship.id}/ship"), {"carrier": "顺丰", "tracking_no": "SF1234567"}
        ).status_code
        == 404
    )
    assert ok(seller.get(console(world.shop, "supply/dropships")))["items"] == []
    assert stranger.post(console(third, f"supply/dropships/{dropship.id}/deliver")).status_code == 404
    assert ok(stranger.get(console(third, "market/settlements")))["items"] == []
    assert ok(stranger.get(console(third, "supply/settlements")))["items"] == []
    assert stranger.post(console(third, f"market/links/{world.link.id}/allot"), {"units": 1}).status_code == 404
    # A member of another shop asking about this order.
    assert login(world.member).get(f"shops/{third.id}/orders/{order.id}/dropships").status_code == 404


def test_a_shop_cannot_adopt_its_own_offer():
    supply = given_offer()
    with pytest.raises(ApplicationError) as error:
        services.offer_adopt(
            shop=supply.supplier, actor=supply.supplier_owner, offer_id=supply.offer.id, price_fen=3000
        )
    assert error.value.code == "not_found"


def test_every_marketplace_action_is_audited_in_the_shop_that_did_it_with_its_actor():
    world = given_market_sale(allot=10)
    order = buy(world)
    seller, supplier = staff_login(world.shop), staff_login(world.supplier)
    dropship = DropshipOrder.objects.get()
    ok(seller.post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 2}))
    ok(seller.post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 1}))
    ship = {"carrier": "顺丰", "tracking_no": "SF1234567"}
    ok(supplier.post(console(world.supplier, f"supply/dropships/{dropship.id}/ship"), ship))
    ok(supplier.post(console(world.supplier, f"supply/dropships/{dropship.id}/deliver")))
    ok(supplier.post(console(world.supplier, f"supply/offers/{world.offer.id}/withdraw")))
    MarketSettlement.objects.update(status="due")
    ok(seller.post(console(world.shop, "market/settlements/settle"), {}))

    def actions(shop):
        records = AuditRecord.objects.filter(shop=shop, action__startswith="market").order_by("id")
        return list(records.values_list("action", "actor_id"))

    assert actions(world.supplier) == [
        ("market.publish", world.supplier_owner.id),
        ("market.ship", supplier.user.id),
        ("market.deliver", supplier.user.id),
        ("market.withdraw", supplier.user.id),
    ]
    assert actions(world.shop) == [
        ("market.adopt", world.seller_owner.id),
        ("market.allot", seller.user.id),
        ("market.return", seller.user.id),
        ("market.settle", seller.user.id),
    ]
    shipped = AuditRecord.objects.get(action="market.ship")
    assert (shipped.target_type, shipped.target_label, shipped.after) == (
        "dropship",
        order.number,
        {"carrier": "顺丰", "tracking_no": "SF1234567"},
    )
