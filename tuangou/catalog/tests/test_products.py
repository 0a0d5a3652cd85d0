import pytest

from tuangou.catalog.models import Category, Product, Sku, StockMovement
from tuangou.catalog.tests.factories import CategoryFactory, ProductFactory, SkuFactory
from tuangou.core.testing import ok
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def egg_payload(category_id=None, **overrides):
    payload = {
        "name": "土鸡蛋",
        "category_id": category_id,
        "description": "散养土鸡蛋，当天现捡",
        "unit": "盒",
        "purchase_limit": 2,
        "skus": [
            {"spec": "30枚", "code": "EGG30", "price_fen": 3990, "cost_fen": 2800, "stock": 100},
            {"spec": "15枚", "code": "EGG15", "price_fen": 2190, "cost_fen": 1500, "stock": 40},
        ],
    }
    payload.update(overrides)
    return payload


def test_should_create_a_product_with_its_skus_and_opening_stock(staff_client):
    client, staff = staff_client("operations")
    category = ok(client.post(f"console/shops/{staff.shop_id}/categories", {"name": "蛋奶"}), 201)

    product = ok(client.post(f"console/shops/{staff.shop_id}/products", egg_payload(category["id"])), 201)

    assert product["name"] == "土鸡蛋"
    assert product["category_name"] == "蛋奶"
    assert [(s["spec"], s["price_fen"], s["cost_fen"], s["stock"]) for s in product["skus"]] == [
        ("30枚", 3990, 2800, 100),
        ("15枚", 2190, 1500, 40),
    ]
    movements = StockMovement.objects.filter(sku__product_id=product["id"]).order_by("id")
    assert [(m.delta, m.stock_after, m.reason) for m in movements] == [(100, 100, "initial"), (40, 40, "initial")]


def test_should_reject_a_negative_price_naming_the_sku_and_create_nothing(staff_client):
    client, staff = staff_client()
    payload = egg_payload()
    payload["skus"][1]["price_fen"] = -1

    response = client.post(f"console/shops/{staff.shop_id}/products", payload)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("price_negative", "skus.1.price_fen")
    assert response.json()["message"] == "价格不能为负数"
    assert not Product.objects.exists() and not Sku.objects.exists() and not StockMovement.objects.exists()


def test_should_reject_negative_opening_stock_and_a_duplicate_spec(staff_client):
    client, staff = staff_client()
    negative = egg_payload()
    negative["skus"][0]["stock"] = -5
    duplicate = egg_payload()
    duplicate["skus"][1]["spec"] = "30枚"

    first = client.post(f"console/shops/{staff.shop_id}/products", negative)
    second = client.post(f"console/shops/{staff.shop_id}/products", duplicate)

    assert (first.json()["code"], first.json()["field"]) == ("stock_negative", "skus.0.stock")
    assert (second.json()["code"], second.json()["field"]) == ("sku_spec_duplicate", "skus.1.spec")
    assert not Product.objects.exists()


def test_should_reject_a_product_without_skus_or_with_a_float_price(staff_client):
    client, staff = staff_client()

    empty = client.post(f"console/shops/{staff.shop_id}/products", egg_payload(skus=[]))
    floating = egg_payload()
    floating["skus"][0]["price_fen"] = 39.9
    fractional = client.post(f"console/shops/{staff.shop_id}/products", floating)

    assert (empty.json()["code"], empty.json()["field"]) == ("product_no_sku", "skus")
    assert fractional.status_code == 422
    assert fractional.json()["field"] == "skus.0.price_fen"
    assert not Product.objects.exists()


def test_should_answer_english_messages_when_asked(staff_client):
    client, staff = staff_client()
    client.language = "en"
    payload = egg_payload()
    payload["skus"][0]["cost_fen"] = -10

    response = client.post(f"console/shops/{staff.shop_id}/products", payload)

    assert response.json() == {
        "code": "price_negative",
        "message": "Price cannot be negative",
        "field": "skus.0.cost_fen",
    }


def test_should_reject_a_category_of_another_shop_like_a_missing_one(staff_client):
    client, staff = staff_client()
    foreign = CategoryFactory(shop=ShopFactory())

    other = client.post(f"console/shops/{staff.shop_id}/products", egg_payload(foreign.id))
    missing = client.post(f"console/shops/{staff.shop_id}/products", egg_payload(999999))

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert other.json()["field"] == "category_id"
    assert not Product.objects.exists()


def test_should_list_products_with_search_filters_and_pages(staff_client):
    client, staff = staff_client()
    fruit = CategoryFactory(shop=staff.shop, name="水果")
    veg = CategoryFactory(shop=staff.shop, name="蔬菜")
    SkuFactory(product=ProductFactory(shop=staff.shop, category=fruit, name="红富士苹果"), price_fen=1290, stock=7)
    SkuFactory(product=ProductFactory(shop=staff.shop, category=fruit, name="赣南脐橙", status="off_shelf"))
    SkuFactory(product=ProductFactory(shop=staff.shop, category=veg, name="有机菠菜"))
    SkuFactory(product=ProductFactory(shop=ShopFactory(), name="别人家的苹果"))

    by_name = ok(client.get(f"console/shops/{staff.shop_id}/products", {"q": "苹果"}))
    on_shelf_fruit = ok(
        client.get(f"console/shops/{staff.shop_id}/products", {"category_id": fruit.id, "status": "on_shelf"})
    )
    everything = ok(client.get(f"console/shops/{staff.shop_id}/products"))

    assert by_name["count"] == 1
    assert {
        k: by_name["items"][0][k] for k in ("name", "category_name", "min_price_fen", "total_stock", "sku_count")
    } == {
        "name": "红富士苹果",
        "category_name": "水果",
        "min_price_fen": 1290,
        "total_stock": 7,
        "sku_count": 1,
    }
    assert [p["name"] for p in on_shelf_fruit["items"]] == ["红富士苹果"]
    assert [p["name"] for p in everything["items"]] == ["有机菠菜", "赣南脐橙", "红富士苹果"]


def test_should_paginate_twenty_products_a_page(staff_client):
    client, staff = staff_client()
    for number in range(23):
        SkuFactory(product=ProductFactory(shop=staff.shop, name=f"商品{number}"))

    second_page = ok(client.get(f"console/shops/{staff.shop_id}/products", {"page": 2}))

    assert second_page["count"] == 23
    assert len(second_page["items"]) == 3


def test_should_edit_a_product_add_a_sku_and_deactivate_another(staff_client):
    client, staff = staff_client()
    product = ok(client.post(f"console/shops/{staff.shop_id}/products", egg_payload()), 201)
    first, second = product["skus"]

    updated = ok(
        client.patch(
            f"console/shops/{staff.shop_id}/products/{product['id']}",
            {
                "name": "农家土鸡蛋",
                "purchase_limit": 5,
                "skus": [
                    {"id": first["id"], "price_fen": 3690},
                    {"id": second["id"], "is_active": False},
                    {"spec": "60枚", "price_fen": 6990, "cost_fen": 5000, "stock": 10},
                ],
            },
        )
    )

    assert (updated["name"], updated["purchase_limit"]) == ("农家土鸡蛋", 5)
    assert [(s["spec"], s["price_fen"], s["stock"], s["is_active"]) for s in updated["skus"]] == [
        ("30枚", 3690, 100, True),
        ("15枚", 2190, 40, False),
        ("60枚", 6990, 10, True),
    ]


def test_should_change_nothing_when_one_sku_edit_is_bad(staff_client):
    client, staff = staff_client()
    product = ok(client.post(f"console/shops/{staff.shop_id}/products", egg_payload()), 201)
    first, second = product["skus"]

    response = client.patch(
        f"console/shops/{staff.shop_id}/products/{product['id']}",
        {
            "name": "改名",
            "skus": [{"id": first["id"], "price_fen": 100}, {"id": second["id"], "cost_fen": -1}],
        },
    )

    assert (response.json()["code"], response.json()["field"]) == ("price_negative", "skus.1.cost_fen")
    after = ok(client.get(f"console/shops/{staff.shop_id}/products/{product['id']}"))
    assert after["name"] == "土鸡蛋"
    assert after["skus"][0]["price_fen"] == 3990


def test_should_take_a_product_off_and_on_the_shelf(staff_client):
    client, staff = staff_client()
    product = SkuFactory(product=ProductFactory(shop=staff.shop)).product

    off = ok(client.post(f"console/shops/{staff.shop_id}/products/{product.id}/off-shelf"))
    on = ok(client.post(f"console/shops/{staff.shop_id}/products/{product.id}/on-shelf"))

    assert (off["status"], on["status"]) == ("off_shelf", "on_shelf")


def test_should_manage_categories(staff_client):
    client, staff = staff_client()
    fruit = ok(client.post(f"console/shops/{staff.shop_id}/categories", {"name": "水果"}), 201)
    ok(client.post(f"console/shops/{staff.shop_id}/categories", {"name": "蔬菜", "sort": 1}), 201)
    product = ProductFactory(shop=staff.shop, category=Category.objects.get(pk=fruit["id"]))

    duplicate = client.post(f"console/shops/{staff.shop_id}/categories", {"name": "蔬菜"})
    renamed = ok(client.patch(f"console/shops/{staff.shop_id}/categories/{fruit['id']}", {"name": "时令水果"}))
    listed = ok(client.get(f"console/shops/{staff.shop_id}/categories"))
    ok(client.delete(f"console/shops/{staff.shop_id}/categories/{fruit['id']}"), 204)

    assert (duplicate.status_code, duplicate.json()["code"], duplicate.json()["field"]) == (
        409,
        "category_exists",
        "name",
    )
    assert renamed["name"] == "时令水果"
    assert [(c["name"], c["product_count"]) for c in listed] == [("时令水果", 1), ("蔬菜", 0)]
    product.refresh_from_db()
    assert product.category_id is None
    assert list(Category.objects.filter(shop=staff.shop).values_list("name", flat=True)) == ["蔬菜"]


def test_finance_cannot_edit_products_and_support_can_only_look(staff_client):
    owner_client, owner = staff_client("owner")
    product = SkuFactory(product=ProductFactory(shop=owner.shop, name="苹果")).product
    finance, _ = staff_client("finance", shop=owner.shop)
    support, _ = staff_client("support", shop=owner.shop)

    finance_edit = finance.patch(f"console/shops/{owner.shop_id}/products/{product.id}", {"name": "梨"})
    finance_look = finance.get(f"console/shops/{owner.shop_id}/products")
    support_look = support.get(f"console/shops/{owner.shop_id}/products/{product.id}")
    support_create = support.post(f"console/shops/{owner.shop_id}/products", egg_payload())

    assert finance_edit.status_code == 403 and finance_edit.json()["code"] == "permission_denied"
    assert finance_look.status_code == 403
    assert support_look.status_code == 200
    assert support_create.status_code == 403
    product.refresh_from_db()
    assert product.name == "苹果"
    assert Product.objects.count() == 1


def test_another_shops_product_answers_the_same_404_as_a_missing_one(staff_client):
    client, staff = staff_client()
    foreign = SkuFactory(product=ProductFactory(shop=ShopFactory()))

    other = client.get(f"console/shops/{staff.shop_id}/products/{foreign.product_id}")
    missing = client.get(f"console/shops/{staff.shop_id}/products/999999")
    other_sku = client.post(
        f"console/shops/{staff.shop_id}/skus/{foreign.id}/stock-adjustments", {"delta": 5, "reason": "purchase"}
    )

    assert other.status_code == missing.status_code == other_sku.status_code == 404
    assert other.json() == missing.json()
    foreign.refresh_from_db()
    assert foreign.stock == 100


def test_a_search_longer_than_60_characters_is_a_422_on_q_and_60_of_them_search(staff_client):
    client, staff = staff_client()
    SkuFactory(product=ProductFactory(shop=staff.shop, name="红富士苹果"))

    too_long = client.get(f"console/shops/{staff.shop_id}/products", {"q": "苹" * 61})
    longest = ok(client.get(f"console/shops/{staff.shop_id}/products", {"q": "𠮷" * 60}))

    assert too_long.status_code == 422 and too_long.json()["field"] == "q"
    assert too_long.json()["message"] == "q：最多60个字符"
    assert longest["count"] == 0
