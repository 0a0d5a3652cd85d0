"""The marketplace attacked through its HTTP API: numbers out of range, floats and strings where
ints go, control characters, other shops' ids, repeated and out-of-order calls. Each refusal
names its field and leaves every row as it was; what is accepted is stored exactly."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tuangou.audit.models import AuditRecord
from tuangou.catalog.models import Product, ProductImage, Sku, StockMovement
from tuangou.catalog.tests.factories import SkuFactory
from tuangou.core.bounds import MAX_STOCK
from tuangou.core.testing import ok, race
from tuangou.orders import services as order_services
from tuangou.orders.tests.factories import (
    CampaignItemFactory,
    given_live_campaign,
    given_member,
    login,
    paid_order,
    staff_login,
)
from tuangou.shops.tests.factories import ShopFactory, StaffFactory

from .. import services
from ..models import DropshipOrder, MarketLink, MarketSettlement, SupplyOffer
from .world import SUPPLY_PRICE, given_market_sale, given_offer

pytestmark = pytest.mark.django_db

HUGE = [2**63, 10**30, 2**31]
NOT_TEXT = [123, [], {}, None]


def console(shop, path):
    return f"console/shops/{shop.id}/{path}"


def market_state() -> dict:
    """Every row the marketplace writes or moves, to compare before and after a refusal."""
    return {
        "offers": list(
            SupplyOffer.objects.order_by("id").values_list(
                "id",
                "status",
                "supply_price_fen",
                "retail_price_fen",
                "units_left",
                "units_allotted",
                "min_order",
                "description",
            )
        ),
        "links": list(MarketLink.objects.order_by("id").values_list("id", "units_allotted", "supply_price_fen")),
        "skus": list(Sku.objects.order_by("id").values_list("id", "stock", "price_fen")),
        "products": Product.objects.count(),
        "movements": StockMovement.objects.count(),
        "dropships": list(DropshipOrder.objects.order_by("id").values_list("id", "status", "carrier", "tracking_no")),
        "settlements": list(MarketSettlement.objects.order_by("id").values_list("id", "status", "supply_due_fen")),
        "audit": AuditRecord.objects.filter(action__startswith="market").count(),
    }


def refused(response, status: int, field: str | None, code: str | None = None) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["field"] == field, body
    if code is not None:
        assert body["code"] == code, body
    assert set(body) >= {"code", "message", "field"}
    return body


# --- publishing an offer (the supplier) ----------------------------------------------------------

GOOD_OFFER = {"supply_price_fen": 1500, "units": 10}

OFFER_ATTACKS = [
    *[({"supply_price_fen": n}, 422, "supply_price_fen") for n in HUGE],
    ({"supply_price_fen": -1}, 400, "supply_price_fen"),
    ({"supply_price_fen": 0}, 400, "supply_price_fen"),
    ({"supply_price_fen": 12.5}, 422, "supply_price_fen"),
    ({"supply_price_fen": "1500元"}, 422, "supply_price_fen"),
    ({"supply_price_fen": None}, 422, "supply_price_fen"),
    *[({"units": n}, 422, "units") for n in [*HUGE, -1, 10_000_001, 0.5, "十"]],
    ({"retail_price_fen": 1499}, 422, "retail_price_fen"),
    ({"retail_price_fen": -1}, 400, "retail_price_fen"),
    ({"retail_price_fen": 2**63}, 422, "retail_price_fen"),
    *[({"min_order": n}, 422, "min_order") for n in [0, -1, 10_000, 2**63, 1.5]],
    ({"description": "a\x00b"}, 422, "description"),
    ({"description": "line\nbreak"}, 422, "description"),
    ({"description": "\x1b[31m"}, 422, "description"),
    ({"description": "\ud800"}, 422, "description"),
    ({"description": "鸡" * 201}, 422, "description"),
    *[({"description": value}, 422, "description") for value in NOT_TEXT],
]


@pytest.mark.parametrize(("change", "status", "field"), OFFER_ATTACKS, ids=repr)
def test_a_bad_offer_field_is_refused_by_name_and_nothing_is_published(change, status, field):
    supply = given_offer()
    sku = SkuFactory(product__shop=supply.supplier, stock=50)
    before = market_state()

    response = staff_login(supply.supplier).post(
        console(supply.supplier, "supply/offers"), {"sku_id": sku.id, **GOOD_OFFER, **change}
    )

    refused(response, status, field)
    assert market_state() == before


@pytest.mark.parametrize("missing", ["sku_id", "supply_price_fen", "units"])
def test_an_offer_without_a_required_field_names_it(missing):
    supply = given_offer()
    body = {"sku_id": supply.sku.id, **GOOD_OFFER}
    del body[missing]
    before = market_state()

    refused(staff_login(supply.supplier).post(console(supply.supplier, "supply/offers"), body), 422, missing)
    assert market_state() == before


@pytest.mark.parametrize("sku_id", [0, -1, 2**63, 10**30, 1.5, "x"])
def test_an_offer_of_an_impossible_sku_id_is_refused_on_sku_id(sku_id):
    supply = given_offer()
    before = market_state()
    response = staff_login(supply.supplier).post(
        console(supply.supplier, "supply/offers"), {"sku_id": sku_id, **GOOD_OFFER}
    )
    refused(response, 422, "sku_id")
    assert market_state() == before


def test_an_offer_of_a_missing_or_another_shops_sku_is_the_same_404():
    supply = given_offer()
    other = ShopFactory()
    before = market_state()
    client = staff_login(other)
    for sku_id in (supply.sku.id, 2**62):
        refused(
            client.post(console(other, "supply/offers"), {"sku_id": sku_id, **GOOD_OFFER}), 404, "sku_id", "not_found"
        )
    assert market_state() == before


@pytest.mark.parametrize("body", [[], ["sku_id"], "offer", 7, None])
def test_a_body_that_is_not_an_object_is_refused(body):
    supply = given_offer()
    before = market_state()
    response = staff_login(supply.supplier).post(console(supply.supplier, "supply/offers"), body)
    assert response.status_code in (400, 422), response.content
    assert set(response.json()) >= {"code", "message", "field"}
    assert market_state() == before


def test_text_that_is_html_or_outside_the_bmp_is_stored_and_answered_exactly():
    supply = given_offer()
    description = "<script>alert(1)</script>𠮷🥚 " + "蛋" * 160
    sku = SkuFactory(product__shop=supply.supplier, stock=5)

    offer = ok(
        staff_login(supply.supplier).post(
            console(supply.supplier, "supply/offers"), {"sku_id": sku.id, **GOOD_OFFER, "description": description}
        ),
        201,
    )

    assert offer["description"] == description
    assert SupplyOffer.objects.get(pk=offer["id"]).description == description


def test_fields_the_supplier_does_not_own_are_ignored():
    supply = given_offer(units=50)
    sku = SkuFactory(product__shop=supply.supplier, stock=5)
    other = ShopFactory()

    offer = ok(
        staff_login(supply.supplier).post(
            console(supply.supplier, "supply/offers"),
            {"sku_id": sku.id, **GOOD_OFFER, "shop_id": other.id, "units_allotted": 10**6, "status": "withdrawn"},
        ),
        201,
    )

    row = SupplyOffer.objects.get(pk=offer["id"])
    assert (row.shop_id, row.units_allotted, row.status, row.units_left) == (supply.supplier.id, 0, "listed", 10)


def test_a_seller_cannot_put_the_sku_it_sells_from_a_supplier_back_on_the_market():
    """Reselling an adopted SKU makes a chain: the middle shop would be asked to ship goods it never holds."""
    world = given_market_sale()
    before = market_state()

    response = staff_login(world.shop).post(
        console(world.shop, "supply/offers"), {"sku_id": world.link.sku_id, "supply_price_fen": 2500, "units": 5}
    )

    refused(response, 422, "sku_id", "market_offer_resale")
    assert market_state() == before


# --- adopting (the seller) --------------------------------------------------------------------

ADOPT_ATTACKS = [
    *[({"price_fen": n}, 422, "price_fen") for n in [*HUGE, 100_000_001, 3290.5, "3290元", None]],
    ({"price_fen": -1}, 400, "price_fen"),
    ({"price_fen": 0}, 422, "price_fen"),
    ({"price_fen": SUPPLY_PRICE - 1}, 422, "price_fen"),
    *[({"units": n}, 422, "units") for n in [*HUGE, -1, 10_000_001, 1.5]],
    ({"units": 51}, 400, "units"),
    ({"name": "鸡" * 61}, 422, "name"),
    ({"name": "蛋\x00"}, 422, "name"),
    *[({"name": value}, 422, "name") for value in [123, [], {}]],
]


@pytest.mark.parametrize(("change", "status", "field"), ADOPT_ATTACKS, ids=repr)
def test_a_bad_adoption_is_refused_by_name_and_takes_nothing(change, status, field):
    supply = given_offer(stock=100, units=50)
    seller = ShopFactory()
    before = market_state()

    response = staff_login(seller).post(
        console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "units": 5, **change}
    )

    refused(response, status, field)
    assert market_state() == before


def test_a_missing_price_is_named():
    supply = given_offer()
    seller = ShopFactory()
    before = market_state()
    response = staff_login(seller).post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"units": 1})
    refused(response, 422, "price_fen")
    assert market_state() == before


@pytest.mark.parametrize("offer_id", [0, -1, 2**63, 10**30, "abc", "1.5"])
def test_an_impossible_offer_id_is_refused_on_offer_id(offer_id):
    given_offer()
    seller = ShopFactory()
    before = market_state()
    response = staff_login(seller).post(console(seller, f"market/offers/{offer_id}/adopt"), {"price_fen": 3290})
    refused(response, 422, "offer_id")
    assert market_state() == before


def test_a_missing_own_or_withdrawn_offer_is_the_same_404_on_offer_id():
    supply = given_offer()
    withdrawn = given_offer()
    withdrawn.offer.status = SupplyOffer.Status.WITHDRAWN
    withdrawn.offer.save()
    seller = ShopFactory()
    before = market_state()

    own = staff_login(supply.supplier).post(
        console(supply.supplier, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290}
    )
    client = staff_login(seller)
    gone = client.post(console(seller, f"market/offers/{withdrawn.offer.id}/adopt"), {"price_fen": 3290})
    missing = client.post(console(seller, f"market/offers/{2**62}/adopt"), {"price_fen": 3290})

    for response in (own, gone, missing):
        refused(response, 404, "offer_id", "not_found")
    assert market_state() == before


def test_a_blank_name_falls_back_to_the_suppliers_and_an_odd_one_is_kept_trimmed():
    supply = given_offer()
    seller, other = ShopFactory(), ShopFactory()

    blank = ok(
        staff_login(seller).post(
            console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "name": "   "}
        ),
        201,
    )
    odd = ok(
        staff_login(other).post(
            console(other, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "name": "<b>𠮷</b>🥚\u2028"}
        ),
        201,
    )

    assert blank["product_name"] == "散养土鸡蛋"
    assert odd["product_name"] == "<b>𠮷</b>🥚"  # U+2028 is whitespace to str.strip()


def test_adopting_twice_is_409_and_the_second_takes_no_units():
    supply = given_offer(stock=100, units=50)
    seller = ShopFactory()
    client = staff_login(seller)
    ok(client.post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "units": 5}), 201)
    before = market_state()

    again = client.post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "units": 5})

    refused(again, 409, "offer_id", "market_offer_adopted")
    assert market_state() == before


def test_taking_fewer_than_the_minimum_order_is_refused_on_units():
    supply = given_offer(min_order=6)
    seller = ShopFactory()
    before = market_state()
    response = staff_login(seller).post(
        console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "units": 5}
    )
    refused(response, 400, "units", "market_below_min_order")
    assert market_state() == before


# --- allotting and handing back ------------------------------------------------------------------

UNITS_ATTACKS = [
    *[({"units": n}, 422) for n in [*HUGE, 0, -1, 10_000_001, 1.5, "1e3", None, float("inf"), float("nan")]],
    ({}, 422),
]


@pytest.mark.parametrize("action", ["allot", "return"])
@pytest.mark.parametrize(("body", "status"), UNITS_ATTACKS, ids=repr)
def test_bad_units_are_refused_on_units_and_nothing_moves(action, body, status):
    world = given_market_sale(allot=10)
    before = market_state()
    response = staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/{action}"), body)
    refused(response, status, "units")
    assert market_state() == before


@pytest.mark.parametrize("action", ["allot", "return"])
def test_another_shops_or_a_missing_link_is_the_same_404_on_link_id(action):
    world = given_market_sale(allot=10)
    stranger = ShopFactory()
    before = market_state()
    client = staff_login(stranger)
    for link_id in (world.link.id, 2**62):
        response = client.post(console(stranger, f"market/links/{link_id}/{action}"), {"units": 1})
        refused(response, 404, "link_id", "not_found")
    # The supplier is not the link's shop either.
    response = staff_login(world.supplier).post(
        console(world.supplier, f"market/links/{world.link.id}/{action}"), {"units": 1}
    )
    refused(response, 404, "link_id", "not_found")
    assert market_state() == before


@pytest.mark.parametrize("link_id", [0, -5, 2**63, "x"])
def test_an_impossible_link_id_is_refused_on_link_id(link_id):
    world = given_market_sale()
    before = market_state()
    response = staff_login(world.shop).post(console(world.shop, f"market/links/{link_id}/allot"), {"units": 1})
    refused(response, 422, "link_id")
    assert market_state() == before


def test_allotting_from_a_withdrawn_offer_is_refused_and_handing_back_still_works():
    world = given_market_sale(allot=10)
    ok(staff_login(world.supplier).post(console(world.supplier, f"supply/offers/{world.offer.id}/withdraw")))
    client = staff_login(world.shop)
    before = market_state()

    refused(
        client.post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 1}),
        409,
        "link_id",
        "market_offer_withdrawn",
    )
    assert market_state() == before

    link = ok(client.post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 3}))
    assert (link["stock"], link["units_allotted"], link["offer_listed"]) == (7, 7, False)
    world.sku.refresh_from_db()
    assert world.sku.stock == 93


def test_handing_back_more_than_allotted_even_with_stock_of_its_own_is_refused():
    world = given_market_sale(allot=10)
    Sku.objects.filter(pk=world.link.sku_id).update(stock=40)  # stock the link did not bring
    before = market_state()
    response = staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 11})
    refused(response, 400, "units", "market_return_too_many")
    assert market_state() == before


def test_handing_back_past_the_suppliers_stock_cap_is_refused_and_changes_nothing():
    """The supplier added stock after allotting: handing the units back would take its SKU past the
    cap (and round trips of allot, add, hand back would grow it until the column overflowed)."""
    world = given_market_sale(allot=10)
    Sku.objects.filter(pk=world.sku.pk).update(stock=MAX_STOCK - 2)
    before = market_state()

    response = staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 3})

    body = refused(response, 400, "units", "market_supplier_stock_full")
    assert str(MAX_STOCK) in body["message"]
    assert market_state() == before
    ok(staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 2}))


def test_handing_back_units_already_in_a_campaign_or_sold_is_refused_on_units():
    world = given_market_sale(allot=10, campaign_stock=10)
    # The campaign took the ten units off the SKU (campaign items hold their own allotment).
    Sku.objects.filter(pk=world.link.sku_id).update(stock=2)
    before = market_state()
    response = staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/return"), {"units": 3})
    refused(response, 400, "units")
    assert market_state() == before


def test_the_seller_cannot_make_up_stock_on_a_sku_the_supplier_ships():
    """Units of a market SKU come only from the supplier: a stock adjustment would let the seller sell
    units the supplier never promised (a dropship order for goods that are not there)."""
    world = given_market_sale(allot=10)
    before = market_state()
    client = staff_login(world.shop)

    for delta, reason in ((1000, "purchase"), (-1, "damage"), (5, "adjustment")):
        response = client.post(
            console(world.shop, f"skus/{world.link.sku_id}/stock-adjustments"), {"delta": delta, "reason": reason}
        )
        refused(response, 409, "sku_id", "market_stock_managed")
    assert market_state() == before


def test_taking_all_that_is_offered_then_one_more_never_oversells():
    world = given_market_sale(allot=10)
    client = staff_login(world.shop)
    ok(client.post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 40}))
    before = market_state()

    response = client.post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 1})

    refused(response, 400, "units", "market_units_short")
    assert market_state() == before
    world.offer.refresh_from_db()
    world.sku.refresh_from_db()
    assert (world.offer.units_left, world.offer.units_allotted, world.sku.stock) == (0, 50, 50)


def test_a_seller_near_the_stock_cap_cannot_take_past_it():
    supply = given_offer(stock=10_000_000, units=10_000_000)
    seller = ShopFactory()
    client = staff_login(seller)
    link = ok(
        client.post(
            console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290, "units": 10_000_000}
        ),
        201,
    )
    assert link["stock"] == 10_000_000
    supply.sku.refresh_from_db()
    Sku.objects.filter(pk=supply.sku.id).update(stock=5)
    SupplyOffer.objects.filter(pk=supply.offer.id).update(units_left=5)
    before = market_state()

    response = client.post(console(seller, f"market/links/{link['id']}/allot"), {"units": 1})

    refused(response, 400, "units", "stock_too_large")
    assert market_state() == before


# --- the supplier changes its offer while sellers hold it ----------------------------------------


def test_relisting_with_fewer_units_does_not_take_back_what_sellers_hold():
    world = given_market_sale(allot=10)
    supplier = staff_login(world.supplier)

    offer = ok(
        supplier.post(
            console(world.supplier, "supply/offers"),
            {"sku_id": world.sku.id, "supply_price_fen": SUPPLY_PRICE, "units": 0},
        ),
        201,
    )

    assert (offer["units_left"], offer["units_allotted"]) == (0, 10)
    assert Sku.objects.get(pk=world.link.sku_id).stock == 10
    refused(
        staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 1}),
        400,
        "units",
        "market_units_short",
    )


def test_raising_the_supply_price_does_not_reprice_units_the_seller_already_took():
    world = given_market_sale(allot=10)
    ok(
        staff_login(world.supplier).post(
            console(world.supplier, "supply/offers"), {"sku_id": world.sku.id, "supply_price_fen": 9000, "units": 40}
        ),
        201,
    )

    seller = staff_login(world.shop)

    paid_order(world, 2, item=world.market_item)

    settlement = MarketSettlement.objects.get()
    line = DropshipOrder.objects.get().lines.get()
    assert (line.supply_price_fen, settlement.supply_due_fen) == (SUPPLY_PRICE, 2 * SUPPLY_PRICE)
    assert [link["supply_price_fen"] for link in ok(seller.get(console(world.shop, "market/links")))] == [SUPPLY_PRICE]
    assert ok(seller.get(console(world.shop, "market/offers")))["items"][0]["supply_price_fen"] == 9000
    # Taking units again is taking them at the price the market shows.
    link = ok(seller.post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 5}))
    assert link["supply_price_fen"] == 9000


# --- shipping (the supplier) ----------------------------------------------------------------------

SHIP_ATTACKS = [
    ({"carrier": ""}, 422, "carrier"),
    ({"carrier": "   "}, 400, "carrier"),
    ({"carrier": "顺\x00丰"}, 422, "carrier"),
    ({"carrier": "顺丰\r\n"}, 422, "carrier"),
    ({"carrier": "快" * 21}, 422, "carrier"),
    ({"carrier": None}, 422, "carrier"),
    ({"carrier": 7}, 422, "carrier"),
    ({"tracking_no": ""}, 422, "tracking_no"),
    ({"tracking_no": "SF\x001234567"}, 422, "tracking_no"),
    ({"tracking_no": "<script>x</script>"}, 422, "tracking_no"),
    ({"tracking_no": "SF12"}, 422, "tracking_no"),
    ({"tracking_no": "SF" + "1" * 29}, 422, "tracking_no"),
    ({"tracking_no": "ＳＦ１２３４５６７"}, 422, "tracking_no"),  # full-width: not what a carrier prints
    ({"tracking_no": "SF１２３４５６"}, 422, "tracking_no"),
    ({"tracking_no": "𠮷𠮷𠮷𠮷𠮷𠮷"}, 422, "tracking_no"),
    ({"tracking_no": 123456789}, 422, "tracking_no"),
]


@pytest.mark.parametrize(("change", "status", "field"), SHIP_ATTACKS, ids=repr)
def test_a_bad_shipment_is_refused_by_name_and_the_order_stays_pending(change, status, field):
    world = given_market_sale()
    paid_order(world, 1, item=world.market_item)
    dropship = DropshipOrder.objects.get()
    before = market_state()

    response = staff_login(world.supplier).post(
        console(world.supplier, f"supply/dropships/{dropship.id}/ship"),
        {"carrier": "顺丰", "tracking_no": "SF1234567", **change},
    )

    refused(response, status, field)
    assert market_state() == before


def test_a_carrier_name_with_markup_or_emoji_is_kept_as_text():
    world = given_market_sale()
    order = paid_order(world, 1, item=world.market_item)
    dropship = DropshipOrder.objects.get()

    shipped = ok(
        staff_login(world.supplier).post(
            console(world.supplier, f"supply/dropships/{dropship.id}/ship"),
            {"carrier": "<img src=x>𠮷🚚", "tracking_no": " sf-12345678 "},
        )
    )

    assert (shipped["carrier"], shipped["tracking_no"]) == ("<img src=x>𠮷🚚", "SF-12345678")
    seen = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}/dropships"))
    assert seen[0]["carrier"] == "<img src=x>𠮷🚚"


def test_shipping_twice_or_a_cancelled_order_or_delivering_before_shipping_is_409():
    world = given_market_sale()
    order = paid_order(world, 1, item=world.market_item)
    dropship = DropshipOrder.objects.get()
    supplier = staff_login(world.supplier)
    ship = {"carrier": "顺丰", "tracking_no": "SF1234567"}

    early = supplier.post(console(world.supplier, f"supply/dropships/{dropship.id}/deliver"))
    refused(early, 409, "status", "dropshiporder_state")
    ok(supplier.post(console(world.supplier, f"supply/dropships/{dropship.id}/ship"), ship))
    before = market_state()
    again = supplier.post(
        console(world.supplier, f"supply/dropships/{dropship.id}/ship"), {"carrier": "中通", "tracking_no": "ZT7654321"}
    )
    refused(again, 409, "status", "dropshiporder_state")
    assert market_state() == before

    order2 = paid_order(world, 1, item=world.market_item)
    order_services.order_refund(order=order2, actor=None, reason="不要了")
    cancelled = DropshipOrder.objects.get(order=order2)
    before = market_state()
    for action, body in (("ship", ship), ("deliver", None)):
        refused(
            supplier.post(console(world.supplier, f"supply/dropships/{cancelled.id}/{action}"), body),
            409,
            "status",
            "dropshiporder_state",
        )
    assert market_state() == before
    assert order.pk != order2.pk


@pytest.mark.parametrize("action", ["ship", "deliver"])
def test_the_seller_a_stranger_or_a_missing_id_get_the_same_404_on_dropship_id(action):
    world = given_market_sale()
    paid_order(world, 1, item=world.market_item)
    dropship = DropshipOrder.objects.get()
    stranger = ShopFactory()
    body = {"carrier": "顺丰", "tracking_no": "SF1234567"}
    before = market_state()

    for shop, dropship_id in ((world.shop, dropship.id), (stranger, dropship.id), (world.supplier, 2**62)):
        response = staff_login(shop).post(console(shop, f"supply/dropships/{dropship_id}/{action}"), body)
        refused(response, 404, "dropship_id", "not_found")
    assert market_state() == before


@pytest.mark.parametrize("dropship_id", [0, 2**63, "abc"])
def test_an_impossible_dropship_id_is_refused_on_dropship_id(dropship_id):
    world = given_market_sale()
    response = staff_login(world.supplier).post(
        console(world.supplier, f"supply/dropships/{dropship_id}/ship"), {"carrier": "顺丰", "tracking_no": "SF1234567"}
    )
    refused(response, 422, "dropship_id")


PATH_IDS = [
    ("post", "supply/offers/{}/withdraw", "offer_id"),
    ("post", "market/offers/{}/adopt", "offer_id"),
    ("post", "market/links/{}/return", "link_id"),
    ("post", "supply/dropships/{}/deliver", "dropship_id"),
    ("get", "orders/{}/dropships", "order_id"),
]


@pytest.mark.parametrize(("method", "path", "field"), PATH_IDS, ids=repr)
@pytest.mark.parametrize("bad_id", [0, -1, 2**63, 10**30, "abc", "1.5", "1e3", "%00"])
def test_an_impossible_id_in_any_path_is_refused_on_its_name(method, path, field, bad_id):
    world = given_market_sale()
    before = market_state()
    client = staff_login(world.shop)
    body = {"price_fen": 3290, "units": 1}
    response = (
        client.get(console(world.shop, path.format(bad_id)))
        if method == "get"
        else client.post(console(world.shop, path.format(bad_id)), body)
    )
    refused(response, 422, field)
    assert market_state() == before


@pytest.mark.parametrize("bad_id", [0, 2**63, "abc"])
def test_a_member_asking_for_an_impossible_order_id_is_refused_on_order_id(bad_id):
    world = given_market_sale()
    refused(login(world.member).get(f"shops/{world.shop.id}/orders/{bad_id}/dropships"), 422, "order_id")


def test_another_members_order_is_404_never_its_dropships():
    world = given_market_sale()
    order = paid_order(world, 1, item=world.market_item)
    other = given_member(world.shop, world.leader)
    refused(login(other).get(f"shops/{world.shop.id}/orders/{order.id}/dropships"), 404, None, "not_found")


# --- settling (the seller) ------------------------------------------------------------------------


def given_due_settlement():
    world = given_market_sale()
    paid_order(world, 2, item=world.market_item)
    MarketSettlement.objects.update(status=MarketSettlement.Status.DUE)
    return world, MarketSettlement.objects.get()


@pytest.mark.parametrize(
    ("ids", "field"),
    [
        ([0], "settlement_ids.0"),
        ([2**63], "settlement_ids.0"),
        ([10**30], "settlement_ids.0"),
        ([1.5], "settlement_ids.0"),
        (["abc"], "settlement_ids.0"),
        ([None], "settlement_ids.0"),
        ("1", "settlement_ids"),
        (7, "settlement_ids"),
        ({"id": 1}, "settlement_ids"),
        (list(range(1, 502)), "settlement_ids"),
    ],
    ids=repr,
)
def test_bad_settlement_ids_are_refused_on_their_field_and_nothing_is_settled(ids, field):
    world, _ = given_due_settlement()
    before = market_state()
    response = staff_login(world.shop).post(console(world.shop, "market/settlements/settle"), {"settlement_ids": ids})
    refused(response, 422, field)
    assert market_state() == before


def test_the_supplier_or_a_stranger_cannot_settle_the_sellers_rows():
    world, settlement = given_due_settlement()
    stranger = ShopFactory()
    before = market_state()
    for shop in (world.supplier, stranger):
        response = staff_login(shop).post(
            console(shop, "market/settlements/settle"), {"settlement_ids": [settlement.id]}
        )
        refused(response, 404, "settlement_ids", "not_found")
        assert ok(staff_login(shop).post(console(shop, "market/settlements/settle"), {})) == {"settled": 0}
    assert market_state() == before


def test_settling_a_row_twice_or_with_a_missing_id_changes_nothing_the_second_time():
    world, settlement = given_due_settlement()
    client = staff_login(world.shop)
    assert ok(
        client.post(console(world.shop, "market/settlements/settle"), {"settlement_ids": [settlement.id] * 3})
    ) == {"settled": 1}
    before = market_state()

    again = client.post(console(world.shop, "market/settlements/settle"), {"settlement_ids": [settlement.id]})
    missing = client.post(console(world.shop, "market/settlements/settle"), {"settlement_ids": [settlement.id, 2**62]})

    refused(again, 409, "settlement_ids", "market_settlement_not_due")
    refused(missing, 404, "settlement_ids", "not_found")
    assert ok(client.post(console(world.shop, "market/settlements/settle"), {})) == {"settled": 0}
    assert ok(client.post(console(world.shop, "market/settlements/settle"), {"settlement_ids": []})) == {"settled": 0}
    assert market_state() == before


def test_a_row_still_in_its_after_sales_window_cannot_be_settled():
    world = given_market_sale()
    paid_order(world, 1, item=world.market_item)
    settlement = MarketSettlement.objects.get()
    before = market_state()
    client = staff_login(world.shop)
    response = client.post(console(world.shop, "market/settlements/settle"), {"settlement_ids": [settlement.id]})
    refused(response, 409, "settlement_ids", "market_settlement_not_due")
    assert ok(client.post(console(world.shop, "market/settlements/settle"), {"settlement_ids": None})) == {"settled": 0}
    assert market_state() == before


def test_a_void_row_cannot_be_settled():
    world = given_market_sale()
    order = paid_order(world, 1, item=world.market_item)
    order_services.order_refund(order=order, actor=None, reason="不要了")
    settlement = MarketSettlement.objects.get()
    before = market_state()
    response = staff_login(world.shop).post(
        console(world.shop, "market/settlements/settle"), {"settlement_ids": [settlement.id]}
    )
    refused(response, 409, "settlement_ids", "market_settlement_not_due")
    assert market_state() == before


# --- reads ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("market/offers", {"q": "蛋\x00"}, "q"),
        ("market/offers", {"page": 0}, "page"),
        ("market/offers", {"page": 2**63}, "page"),
        ("market/offers", {"page_size": 10**30}, "page_size"),
        ("supply/dropships", {"q": "SF\x00"}, "q"),
        ("supply/dropships", {"status": "<script>"}, "status"),
        ("supply/dropships", {"page": -1}, "page"),
        ("market/settlements", {"status": "paid"}, "status"),
        ("supply/settlements", {"status": "\x00"}, "status"),
    ],
    ids=repr,
)
def test_a_bad_query_parameter_is_refused_by_name(path, params, field):
    world = given_market_sale()
    for shop in (world.shop, world.supplier):
        refused(staff_login(shop).get(console(shop, path), params), 422, field)


def test_searching_with_markup_or_astral_characters_finds_nothing_and_a_search_past_60_is_a_422():
    world = given_market_sale()
    paid_order(world, 1, item=world.market_item)
    seller, supplier = staff_login(world.shop), staff_login(world.supplier)
    for q in ("<script>", "𠮷🥚", "%", "_", "' OR 1=1 --", "蛋" * 60):
        assert ok(seller.get(console(world.shop, "market/offers"), {"q": q}))["items"] == []
        assert ok(supplier.get(console(world.supplier, "supply/dropships"), {"q": q}))["items"] == []
    # A search is a name: past 60 characters it is refused on q (core/validation.py Search).
    refused(seller.get(console(world.shop, "market/offers"), {"q": "蛋" * 10_000}), 422, "q", "validation_error")
    refused(supplier.get(console(world.supplier, "supply/dropships"), {"q": "蛋" * 61}), 422, "q", "validation_error")


def test_a_stranger_reading_an_orders_dropships_gets_404_never_data():
    world = given_market_sale()
    order = paid_order(world, 1, item=world.market_item)
    stranger = ShopFactory()
    for shop in (stranger, world.supplier):
        refused(staff_login(shop).get(console(shop, f"orders/{order.id}/dropships")), 404, None, "not_found")
    refused(login(world.member).get(f"shops/{stranger.id}/orders/{order.id}/dropships"), 404, None, "not_found")


# --- the same call at once (PostgreSQL: real row locks) -------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_publishes_of_one_sku_at_once_make_one_offer(require_postgres):
    supply = given_offer()
    sku = SkuFactory(product__shop=supply.supplier, stock=50)

    outcomes = race(
        [
            lambda units=units: services.offer_publish(
                shop=supply.supplier, actor=supply.supplier_owner, sku_id=sku.id, supply_price_fen=1500, units=units
            )
            for units in (5, 7)
        ]
    )

    assert outcomes == ["done", "done"]
    assert SupplyOffer.objects.filter(sku=sku).count() == 1
    assert SupplyOffer.objects.get(sku=sku).units_left in (5, 7)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hand_backs_at_once_never_return_more_than_was_allotted(require_postgres):
    world = given_market_sale(allot=10, campaign_stock=0)
    Sku.objects.filter(pk=world.link.sku_id).update(stock=40)  # more than the link brought

    outcomes = race(
        [
            lambda: services.link_return(shop=world.shop, actor=world.seller_owner, link_id=world.link.id, units=6)
            for _ in range(2)
        ]
    )

    assert sorted(outcomes) == ["done", "market_return_too_many"]
    world.link.refresh_from_db()
    world.offer.refresh_from_db()
    assert (world.link.units_allotted, world.offer.units_allotted, world.offer.units_left) == (4, 4, 46)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_adopting_twice_at_once_makes_one_link_and_takes_units_once(require_postgres):
    supply = given_offer(stock=100, units=50)
    seller = ShopFactory()
    owner = StaffFactory(shop=seller, role="owner").user

    outcomes = race(
        [
            lambda: services.offer_adopt(shop=seller, actor=owner, offer_id=supply.offer.id, price_fen=3290, units=5)
            for _ in range(2)
        ]
    )

    assert sorted(outcomes) == ["done", "market_offer_adopted"]
    supply.offer.refresh_from_db()
    assert (MarketLink.objects.count(), Product.objects.filter(shop=seller).count()) == (1, 1)
    assert (supply.offer.units_left, supply.offer.units_allotted) == (45, 5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_allotments_never_lets_one_through_after_it(require_postgres):
    world = given_market_sale(allot=10, campaign_stock=0)
    jobs = [lambda: services.link_allot(shop=world.shop, actor=world.seller_owner, link_id=world.link.id, units=2)] * 3
    jobs.append(
        lambda: services.offer_withdraw(shop=world.supplier, actor=world.supplier_owner, offer_id=world.offer.id)
    )

    outcomes = race(jobs)

    taken = outcomes.count("done") - 1
    assert sorted(outcomes) == sorted(["done"] * (taken + 1) + ["market_offer_withdrawn"] * (3 - taken))
    world.offer.refresh_from_db()
    world.sku.refresh_from_db()
    assert (world.offer.status, world.offer.units_allotted, world.sku.stock) == (
        "withdrawn",
        10 + 2 * taken,
        90 - 2 * taken,
    )
    assert Sku.objects.get(pk=world.link.sku_id).stock == 10 + 2 * taken


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_settling_everything_twice_at_once_settles_each_row_once(require_postgres):
    world, settlement = given_due_settlement()

    outcomes = race([lambda: services.settlements_settle(shop=world.shop, actor=world.seller_owner)] * 2)

    assert outcomes == ["done", "done"]
    assert MarketSettlement.objects.get().status == "settled"
    assert AuditRecord.objects.filter(shop=world.shop, action="market.settle").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_shipping_twice_at_once_ships_once(require_postgres):
    world = given_market_sale()
    paid_order(world, 1, item=world.market_item)
    dropship = DropshipOrder.objects.get()

    outcomes = race(
        [
            lambda tracking=tracking: services.dropship_ship(
                shop=world.supplier,
                actor=world.supplier_owner,
                dropship_id=dropship.id,
                carrier="顺丰",
                tracking_no=tracking,
            )
            for tracking in ("SF1111111", "SF2222222")
        ]
    )

    assert sorted(outcomes) == ["done", "dropshiporder_state"]
    assert AuditRecord.objects.filter(action="market.ship").count() == 1
    assert DropshipOrder.objects.get().events.count() == 1


# --- money past 32 bits ----------------------------------------------------------------------------


def test_a_cheap_campaign_of_a_dear_supply_still_records_what_is_owed_in_whole_fen():
    """The seller's campaign price is its own (1 元 here), the supply price is the supplier's: 22 units at
    ¥1,000,000 owe 2,200,000,000 fen, past a 32-bit column; the payment must still go through."""
    world = given_live_campaign()
    supply = given_offer(stock=100, units=50)
    services.offer_publish(
        shop=supply.supplier, actor=supply.supplier_owner, sku_id=supply.sku.id, supply_price_fen=100_000_000, units=50
    )
    owner = StaffFactory(shop=world.shop, role="owner").user
    link = services.offer_adopt(shop=world.shop, actor=owner, offer_id=supply.offer.id, price_fen=100_000_000, units=30)
    item = CampaignItemFactory(campaign=world.campaign, sku=link.sku, price_fen=100, stock_allotted=30)

    order = paid_order(world, 22, item=item)

    order.refresh_from_db()
    settlement = MarketSettlement.objects.get()
    assert order.status == "paid"
    assert (settlement.paid_fen, settlement.supply_due_fen, settlement.margin_fen) == (
        2200,
        2_200_000_000,
        2200 - 2_200_000_000,
    )
    ledger = ok(staff_login(world.shop).get(console(world.shop, "market/settlements")))
    assert ledger["totals"]["pending"]["supply_due_fen"] == 2_200_000_000
    dropships = ok(staff_login(supply.supplier).get(console(supply.supplier, "supply/dropships")))["items"]
    assert dropships[0]["supply_total_fen"] == 2_200_000_000


def test_a_suspended_suppliers_offers_leave_the_market_and_give_no_more_units():
    """Its staff can no longer sign in to ship, so nothing new may be sold on its behalf."""
    world = given_market_sale(allot=10)
    world.supplier.status = "suspended"
    world.supplier.save()
    newcomer = ShopFactory()
    before = market_state()

    listed = ok(staff_login(newcomer).get(console(newcomer, "market/offers")))["items"]
    adopt = staff_login(newcomer).post(console(newcomer, f"market/offers/{world.offer.id}/adopt"), {"price_fen": 3290})
    allot = staff_login(world.shop).post(console(world.shop, f"market/links/{world.link.id}/allot"), {"units": 1})

    assert listed == []
    refused(adopt, 404, "offer_id", "not_found")
    refused(allot, 409, "link_id", "market_offer_withdrawn")
    assert market_state() == before


def test_units_a_seller_holds_of_a_withdrawn_offer_still_sell_and_ship():
    world = given_market_sale(allot=10)
    supplier = staff_login(world.supplier)
    ok(supplier.post(console(world.supplier, f"supply/offers/{world.offer.id}/withdraw")))

    paid_order(world, 2, item=world.market_item)

    dropship = DropshipOrder.objects.get()
    shipped = ok(
        supplier.post(
            console(world.supplier, f"supply/dropships/{dropship.id}/ship"),
            {"carrier": "顺丰", "tracking_no": "SF7654321"},
        )
    )
    assert (shipped["status"], shipped["lines"][0]["quantity"]) == ("shipped", 2)
    assert MarketSettlement.objects.get().supply_due_fen == 2 * SUPPLY_PRICE


# --- pictures shared with the supplier --------------------------------------------------------


def test_a_seller_deleting_its_copy_of_a_picture_leaves_the_suppliers_file(
    settings, django_capture_on_commit_callbacks
):
    supply = given_offer()
    supplier = staff_login(supply.supplier)
    images = console(supply.supplier, f"products/{supply.sku.product_id}/images")
    buffer = BytesIO()
    Image.new("RGB", (32, 32), (240, 200, 80)).save(buffer, format="PNG")
    uploaded = ok(supplier.post(images, files={"file": SimpleUploadedFile("egg.png", buffer.getvalue())}), 201)
    stored = ProductImage.objects.get(pk=uploaded["id"]).image.name
    seller = ShopFactory()
    client = staff_login(seller)
    link = ok(client.post(console(seller, f"market/offers/{supply.offer.id}/adopt"), {"price_fen": 3290}), 201)
    copy = ProductImage.objects.get(shop=seller)
    assert copy.image.name == stored  # shared, not copied

    with django_capture_on_commit_callbacks(execute=True):
        ok(client.delete(console(seller, f"products/{link['product_id']}/images/{copy.id}")), 204)

    assert (settings.MEDIA_ROOT / stored).exists()
    with django_capture_on_commit_callbacks(execute=True):
        ok(supplier.delete(f"{images}/{uploaded['id']}"), 204)
    assert not (settings.MEDIA_ROOT / stored).exists()  # the last row that named it is gone


# --- fields a caller does not own ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["voucher", "service", "topup"])
def test_only_physical_goods_can_be_offered(kind):
    supply = given_offer()
    sku = SkuFactory(product__shop=supply.supplier, product__kind=kind, stock=10)
    before = market_state()
    response = staff_login(supply.supplier).post(
        console(supply.supplier, "supply/offers"), {"sku_id": sku.id, **GOOD_OFFER}
    )
    refused(response, 400, "sku_id", "market_offer_physical_only")
    assert market_state() == before


def test_a_seller_cannot_name_its_own_supply_price_or_a_link_of_another_shop_when_adopting():
    supply = given_offer()
    seller, other = ShopFactory(), ShopFactory()
    body = {"price_fen": 3290, "units": 2, "supply_price_fen": 1, "shop_id": other.id, "offer_id": 1}

    link = ok(staff_login(seller).post(console(seller, f"market/offers/{supply.offer.id}/adopt"), body), 201)

    row = MarketLink.objects.get(pk=link["id"])
    assert (row.shop_id, row.offer_id, row.supply_price_fen, link["supply_price_fen"]) == (
        seller.id,
        supply.offer.id,
        SUPPLY_PRICE,
        SUPPLY_PRICE,
    )


def test_a_shipment_cannot_set_its_own_status_or_times():
    world = given_market_sale()
    paid_order(world, 1, item=world.market_item)
    dropship = DropshipOrder.objects.get()

    shipped = ok(
        staff_login(world.supplier).post(
            console(world.supplier, f"supply/dropships/{dropship.id}/ship"),
            {
                "carrier": "顺丰",
                "tracking_no": "SF1234567",
                "status": "delivered",
                "delivered_at": "2020-01-01T00:00:00Z",
                "supply_total_fen": 0,
            },
        )
    )

    assert (shipped["status"], shipped["delivered_at"], shipped["supply_total_fen"]) == ("shipped", None, SUPPLY_PRICE)


@pytest.mark.parametrize("kind", ["voucher", "service", "topup"])
def test_neither_shop_can_turn_a_marketplace_product_into_codes_and_a_plain_product_still_can(kind):
    # A voucher's codes go to the member while the supplier is still asked to ship: the kind stays.
    world = given_market_sale()
    body = {"kind": kind, "face_value_fen": 1000} if kind == "topup" else {"kind": kind}
    for shop, product in ((world.shop, world.link.sku.product), (world.supplier, world.sku.product)):
        refused(
            staff_login(shop).patch(console(shop, f"products/{product.id}"), body), 409, "kind", "market_kind_locked"
        )
        product.refresh_from_db()
        assert product.kind == Product.Kind.PHYSICAL
    plain = SkuFactory(product__shop=world.shop).product
    ok(staff_login(world.shop).patch(console(world.shop, f"products/{plain.id}"), body))
    plain.refresh_from_db()
    assert plain.kind == kind
