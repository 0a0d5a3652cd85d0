"""What the API takes: integers within their columns' ranges (documented in /api/openapi.json),
text without NUL or control characters, bodies within the size limit, page numbers within
reason. Each refusal is a 4xx in the one error shape naming the field, and nothing changes.

On PostgreSQL each of these answered 500 (integer out of range, NUL in text); on SQLite some were
stored as given. The PostgreSQL pass of the suite runs them there too.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuangou.accounts.models import User
from tuangou.accounts.testing import ApiClient
from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.catalog.models import Category, Product, Sku, StockMovement
from tuangou.core.bounds import INT64_MAX, MAX_AMOUNT_FEN, MAX_PRICE_FEN, MAX_STOCK
from tuangou.orders.models import Order
from tuangou.shops.models import Shop, Staff
from tuangou.shops.tests.factories import PASSWORD

from .world import add_live_order, build_world

pytestmark = pytest.mark.django_db

HUGE = [2**31, 2**63, 10**30]


@pytest.fixture
def world():
    return build_world("甲", 13911110000)


@pytest.fixture
def owner(world):
    client = ApiClient()
    client.login_password(world["owner"].username, PASSWORD)
    return client


def console(world, rest: str) -> str:
    return f"console/shops/{world['ids']['shop_id']}/{rest}"


def refused(response, field: str, status: int = 422) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("validation_error" if status == 422 else body["code"], field)
    return body


def product_body(**sku) -> dict:
    return {"name": "芒果", "skus": [{"spec": "5斤", "price_fen": 5900, **sku}]}


# --- the document ---------------------------------------------------------------------------


def integers_without_bounds(node, where: str):
    if isinstance(node, dict):
        if node.get("type") == "integer" and not ("minimum" in node and "maximum" in node):
            yield where
        for key, value in node.items():
            yield from integers_without_bounds(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from integers_without_bounds(value, f"{where}[{index}]")


def test_every_integer_property_and_parameter_in_the_document_has_a_minimum_and_a_maximum():
    document = Client().get("/api/openapi.json").json()

    unbounded = list(integers_without_bounds(document["components"]["schemas"], "components"))
    parameters = 0
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                parameters += 1
                unbounded += integers_without_bounds(parameter["schema"], f"{method} {path} {parameter['name']}")

    assert unbounded == []
    assert parameters > 200
    sku = document["components"]["schemas"]["SkuIn"]["properties"]
    assert (sku["price_fen"]["minimum"], sku["price_fen"]["maximum"]) == (0, MAX_PRICE_FEN)
    assert (sku["stock"]["minimum"], sku["stock"]["maximum"]) == (0, MAX_STOCK)


def test_every_operation_documents_the_error_shape(owner):
    document = Client().get("/api/openapi.json").json()

    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "403", "404", "409", "422", "429"):
                name = operation["responses"][status]["$ref"].removeprefix("#/components/responses/")
                content = document["components"]["responses"][name]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message", "field"]
    poster = document["paths"]["/api/shops/{shop_id}/leader/campaigns/{campaign_id}/poster.png"]["get"]
    assert list(poster["responses"]["200"]["content"]) == ["image/png"]


# --- large numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["price_fen", "cost_fen"])
def test_a_price_past_its_column_is_refused_naming_the_field(world, owner, field, value):
    before = Product.objects.count()

    body = refused(owner.post(console(world, "products"), product_body(**{field: value})), f"skus.0.{field}")

    label = {"price_fen": "价格", "cost_fen": "成本价"}[field]
    assert body["message"] == f"{label}：不能大于¥1000000.00"  # in 元, by its label
    assert Product.objects.count() == before


def test_stock_and_purchase_limit_past_their_columns_are_refused(world, owner):
    before = Product.objects.count()

    refused(owner.post(console(world, "products"), product_body(stock=2**31)), "skus.0.stock")
    refused(owner.post(console(world, "products"), {**product_body(), "purchase_limit": 2**31}), "purchase_limit")
    product_id = world["ids"]["product_id"]
    refused(owner.patch(console(world, f"products/{product_id}"), {"purchase_limit": 2**31}), "purchase_limit")

    assert Product.objects.count() == before
    assert Product.objects.get(pk=product_id).purchase_limit == 0


def test_a_campaign_item_price_and_threshold_past_their_columns_are_refused(world, owner):
    now = timezone.now()
    campaign = {
        "title": "周末团",
        "starts_at": (now + timedelta(hours=1)).isoformat(),
        "cutoff_at": (now + timedelta(days=1)).isoformat(),
        "pickup_at": (now + timedelta(days=2)).isoformat(),
        "items": [{"sku_id": world["ids"]["sku_id"], "price_fen": 4900, "stock_allotted": 10}],
    }
    before = Campaign.objects.count()

    item = {**campaign["items"][0], "price_fen": 2**31}
    refused(owner.post(console(world, "campaigns"), {**campaign, "items": [item]}), "items.0.price_fen")
    refused(owner.post(console(world, "campaigns"), {**campaign, "threshold_value": 2**31}), "threshold_value")
    refused(owner.post(console(world, "campaigns"), {**campaign, "threshold_value": 10**30}), "threshold_value")

    assert Campaign.objects.count() == before
    assert owner.post(console(world, "campaigns"), campaign).status_code == 201  # the same, in range


def test_a_stock_adjustment_past_the_column_or_the_cap_is_refused(world, owner):
    url = console(world, f"skus/{world['ids']['sku_id']}/stock-adjustments")
    movements = StockMovement.objects.count()

    refused(owner.post(url, {"delta": 2**31, "reason": "purchase"}), "delta")
    refused(owner.post(url, {"delta": -(2**63), "reason": "purchase"}), "delta")
    over_cap = owner.post(url, {"delta": MAX_STOCK, "reason": "purchase"})  # 100 in stock already

    assert over_cap.status_code == 400
    assert over_cap.json() == {"code": "stock_too_large", "message": "库存超出上限（最多10000000件）", "field": "delta"}
    assert StockMovement.objects.count() == movements
    assert Sku.objects.get(pk=world["ids"]["sku_id"]).stock == 100


@pytest.mark.parametrize("page", [2**63, 922337203685477580, 10**30])
def test_a_huge_page_number_is_refused_on_every_kind_of_list(world, owner, page):
    shop_id = world["ids"]["shop_id"]

    refused(owner.get(console(world, f"orders?page={page}")), "page")
    refused(ApiClient().get(f"shops/{shop_id}/campaigns?page={page}"), "page")
    refused(owner.get(console(world, f"products?page_size={page}")), "page_size")


def test_a_huge_id_in_the_path_is_refused_not_looked_up(world, owner):
    refused(owner.get(console(world, f"products/{2**63}")), "product_id")
    refused(ApiClient().get(f"shops/{10**30}/campaigns"), "shop_id")


def test_an_order_whose_total_overflows_is_refused_naming_the_quantity(world):
    """A price of 2147483647 fen (stored before prices had a cap) × 2 is past the order's column."""
    live = add_live_order(world, Order.Status.PAID, "0002")
    item = CampaignItem.objects.get(campaign=live.campaign)
    item.price_fen, item.stock_left = MAX_AMOUNT_FEN, 9
    item.save(update_fields=["price_fen", "stock_left"])
    member = ApiClient()
    member.login_sms(world["member"].phone)
    orders = Order.objects.count()

    response = member.post(
        f"shops/{world['ids']['shop_id']}/orders",
        {"campaign_id": live.campaign_id, "items": [{"campaign_item_id": item.id, "quantity": 2}]},
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "amount_too_large",
        "message": "金额超出上限（单笔订单最多¥21474836.47）",
        "field": "items.0.quantity",
    }
    assert Order.objects.count() == orders
    assert CampaignItem.objects.get(pk=item.id).stock_left == 9


def test_an_order_of_in_range_lines_whose_sum_overflows_is_refused_naming_the_items(world):
    live = add_live_order(world, Order.Status.PAID, "0002")
    first = CampaignItem.objects.get(campaign=live.campaign)
    first.price_fen, first.stock_left = MAX_AMOUNT_FEN // 2 + 1, 9
    first.save(update_fields=["price_fen", "stock_left"])
    second = CampaignItem.objects.create(
        shop=world["shop"],
        campaign=live.campaign,
        sku=Sku.objects.create(shop=world["shop"], product=first.sku.product, spec="10斤", price_fen=1, stock=0),
        price_fen=MAX_AMOUNT_FEN // 2 + 1,
        stock_allotted=9,
        stock_left=9,
    )
    member = ApiClient()
    member.login_sms(world["member"].phone)
    items = [{"campaign_item_id": first.id, "quantity": 1}, {"campaign_item_id": second.id, "quantity": 1}]

    response = member.post(f"shops/{world['ids']['shop_id']}/orders", {"campaign_id": live.campaign_id, "items": items})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "amount_too_large",
        "items",
    )


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_a_quantity_nor_an_id(world, value):
    """pydantic's lax mode read JSON true as 1: `"quantity": true` was an order of one."""
    live = add_live_order(world, Order.Status.PAID, "0002")
    item = CampaignItem.objects.get(campaign=live.campaign)
    member = ApiClient()
    member.login_sms(world["member"].phone)
    url = f"shops/{world['ids']['shop_id']}/orders"
    orders, stock_left = Order.objects.count(), item.stock_left

    body = refused(
        member.post(
            url, {"campaign_id": live.campaign_id, "items": [{"campaign_item_id": item.id, "quantity": value}]}
        ),
        "items.0.quantity",
    )
    assert body["message"] == "数量：必须是整数"
    refused(
        member.post(url, {"campaign_id": value, "items": [{"campaign_item_id": item.id, "quantity": 1}]}),
        "campaign_id",
    )

    assert Order.objects.count() == orders
    assert CampaignItem.objects.get(pk=item.id).stock_left == stock_left
    # A number in a string, as a form would send it, is still read.
    placed = member.post(
        url, {"campaign_id": live.campaign_id, "items": [{"campaign_item_id": item.id, "quantity": "1"}]}
    )
    assert placed.status_code == 201, placed.content


def test_a_boolean_is_not_a_price_a_stock_nor_a_rate(world, owner):
    before = Product.objects.count()

    refused(owner.post(console(world, "products"), product_body(price_fen=True)), "skus.0.price_fen")
    refused(owner.post(console(world, "products"), product_body(stock=True)), "skus.0.stock")
    refused(
        owner.post(console(world, "incentives/levels"), {"name": "金牌", "rank": True, "commission_rate_bp": 800}),
        "rank",
    )

    assert Product.objects.count() == before


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_a_number_in_optional_settings_either(world, owner, value):
    # Optional numbers (a PATCH's, null allowed) are bounded the same way as required ones.
    shop = Shop.objects.get(pk=world["ids"]["shop_id"])

    for field in ("payment_timeout_minutes", "min_households", "default_commission_rate_bp"):
        body = refused(owner.patch(console(world, "settings"), {field: value}), field)
        assert body["message"].endswith("必须是整数"), body
    refused(owner.patch(console(world, "incentives/plan"), {"first_order_count": value}), "first_order_count")

    after = Shop.objects.get(pk=shop.pk)
    assert (after.payment_timeout_minutes, after.min_households) == (shop.payment_timeout_minutes, shop.min_households)
    changed = owner.patch(console(world, "settings"), {"payment_timeout_minutes": 30})
    assert (changed.status_code, changed.json()["payment_timeout_minutes"]) == (200, 30)


# --- text the database cannot hold --------------------------------------------------------------


def test_a_nul_byte_in_a_signup_is_refused_naming_the_field():
    users = User.objects.count()

    response = ApiClient().post(
        "auth/signup", {"username": "newshop", "password": "s3cret-pass", "display_name": "王\x00"}
    )

    assert response.status_code == 422
    assert response.json()["field"] == "display_name"
    assert response.json()["message"] == "display_name：不能包含控制字符（如 NUL）"
    assert User.objects.count() == users


def test_nul_and_control_characters_are_refused_in_console_names(world, owner):
    staff, categories, products = Staff.objects.count(), Category.objects.count(), Product.objects.count()
    campaign_id = world["ids"]["campaign_id"]
    now = timezone.now()

    refused(owner.post(console(world, "staff"), {"username": "ab\x00c", "role": "support"}), "username")
    refused(owner.post(console(world, "categories"), {"name": "水果\x00"}), "name")
    refused(owner.post(console(world, "categories"), {"name": "水\x1b[31m果"}), "name")
    refused(owner.post(console(world, "categories"), {"name": "水\n果"}), "name")  # a name is one line
    refused(owner.post(console(world, "products"), {**product_body(), "name": "芒\x00果"}), "name")
    refused(owner.post(console(world, "products"), product_body(spec="5\x00斤")), "skus.0.spec")
    duplicate = {
        "title": "再来\x00一团",
        "starts_at": (now + timedelta(hours=1)).isoformat(),
        "cutoff_at": (now + timedelta(days=1)).isoformat(),
        "pickup_at": (now + timedelta(days=2)).isoformat(),
    }
    refused(owner.post(console(world, f"campaigns/{campaign_id}/duplicate"), duplicate), "title")
    refused(owner.get(console(world, "products?q=%00")), "q")

    assert (Staff.objects.count(), Category.objects.count(), Product.objects.count()) == (staff, categories, products)


def test_a_description_keeps_its_line_breaks_and_tabs_but_not_a_nul(world, owner):
    text = "产地直发\n\t· 5斤装\r\n· 次日达"

    created = owner.post(console(world, "products"), {**product_body(), "description": text})
    refused(owner.post(console(world, "products"), {**product_body(), "description": "a\x00b"}), "description")

    assert created.status_code == 201, created.content
    assert created.json()["description"] == text


# --- bodies, feed ids -------------------------------------------------------------------------------


def test_a_body_over_the_size_limit_answers_413_in_the_error_shape(world, owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    categories = Category.objects.count()

    response = owner.post(console(world, "categories"), {"name": "水果", "padding": "x" * (1024 * 1024 + 1)})

    assert response.status_code == 413
    assert response.json() == {"code": "body_too_large", "message": "请求内容太大（最多1MB）", "field": None}
    assert Category.objects.count() == categories


def test_a_django_error_page_under_api_has_the_error_shape():
    """Django's own 400 (here: a Host it does not serve) is HTML; under /api/ it is our JSON."""
    response = Client(HTTP_HOST="bad host!").get("/api/openapi.json")

    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "请求无效", "field": None}


# The feed reads on its own thread: the world must be committed for it to see it (SQLite).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("header", ["²", "9" * 5000, "9" * 20, "-1", "12a"])
def test_a_last_event_id_that_is_not_an_id_is_no_id(world, header):
    shop_id, campaign_id = world["ids"]["shop_id"], world["ids"]["campaign_id"]
    url = f"/api/shops/{shop_id}/campaigns/{campaign_id}/feed"

    response = Client().get(url, headers={"Last-Event-ID": header})
    without = Client().get(url)

    assert response.status_code == 200
    assert response.content == without.content


def test_a_huge_last_event_id_query_is_refused(world):
    shop_id, campaign_id = world["ids"]["shop_id"], world["ids"]["campaign_id"]

    response = Client().get(f"/api/shops/{shop_id}/campaigns/{campaign_id}/feed?last_event_id={INT64_MAX + 1}")

    assert (response.status_code, response.json()["field"]) == (422, "last_event_id")


def test_a_time_with_a_far_offset_is_kept_as_the_same_instant_in_utc(world, owner):
    """PostgreSQL refuses offsets past ±15:59 (a 500); pydantic takes up to ±23:59."""
    body = {
        "title": "再来一团",
        "starts_at": "2030-01-01T23:30:00+23:30",
        "cutoff_at": "2030-01-02T10:00:00-23:00",
        "pickup_at": "2030-01-04T10:00:00+00:00",
    }

    response = owner.post(console(world, f"campaigns/{world['ids']['campaign_id']}/duplicate"), body)
    past_the_end = owner.post(console(world, "campaigns"), {**body, "starts_at": "9999-12-31T23:00:00-05:00"})

    assert response.status_code == 201, response.content
    copy = Campaign.objects.get(pk=response.json()["id"])
    assert copy.starts_at.isoformat() == "2030-01-01T00:00:00+00:00"
    assert copy.cutoff_at.isoformat() == "2030-01-03T09:00:00+00:00"
    refused(past_the_end, "starts_at")


@pytest.mark.parametrize("body", ['["\\u0000"]', '"name"', "42", "{not json"])
def test_a_body_that_is_not_a_json_object_is_refused(world, owner, body):
    """Ninja's schemas read attributes: a list was an object with no fields, and PATCH answered 200."""
    url = "/api/" + console(world, "settings")

    response = owner.client.patch(url, body, content_type="application/json", headers=owner._headers())

    assert response.status_code == 400
    assert response.json() == {"code": "json_invalid", "message": "请求体必须是有效的 JSON 对象", "field": None}
