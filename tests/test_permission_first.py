"""Permission is checked before the body is validated: a staff role without the permission gets
403 for any body (not a 422 listing the fields), a stranger gets the shop's 404.

Every console operation that takes a body is probed, taken from the OpenAPI document.
"""

import re

import pytest

from config.api import api
from tuangou.accounts.testing import ApiClient
from tuangou.shops.models import Staff
from tuangou.shops.tests.factories import PASSWORD

from .world import add_staff, build_world

pytestmark = pytest.mark.django_db
PARAM = re.compile(r"{(\w+)}")


def console_body_operations():
    """(method, path, a body that is invalid for it): every field a list holding a NUL."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if path.startswith("/api/console/shops/{shop_id}") and "application/json" in content:
                body = components[content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
                yield method, path, {name: ["\x00"] for name in body["properties"]}


def url_of(path: str, ids: dict) -> str:
    return PARAM.sub(lambda m: str(ids[m.group(1)]), path)


def test_a_role_without_the_permission_gets_403_whatever_the_body():
    world = build_world("甲", 13911110000)
    warehouse = add_staff(world, Staff.Role.WAREHOUSE)
    client = ApiClient()
    client.login_password(warehouse.user.username, PASSWORD)
    owner = ApiClient()
    owner.login_password(world["owner"].username, PASSWORD)
    answers = {}

    for method, path, body in console_body_operations():
        url = url_of(path, world["ids"])
        assert owner.request(method, url, body).status_code == 422, (method, path)  # it is invalid
        response = client.request(method, url, body)
        answers[f"{method.upper()} {path.removeprefix('/api/console/shops/{shop_id}')}"] = response.status_code
        if response.status_code == 403:
            assert response.json() == {
                "code": "permission_denied",
                "message": "没有权限执行此操作",
                "field": None,
            }

    # The warehouse role adjusts stock, ships and runs the front warehouses (catalog.stock,
    # fulfilment.ship, fulfilment.view, warehouses.manage): only there does the body get validated
    # (422); everything else is refused first (403).
    allowed = {path for path, status in answers.items() if status == 422}
    assert allowed == {
        "POST /skus/{sku_id}/stock-adjustments",
        "POST /campaigns/{campaign_id}/ship",
        "POST /campaigns/{campaign_id}/exports",
        "POST /warehouses",
        "PATCH /warehouses/{warehouse_id}",
        "POST /warehouses/{warehouse_id}/transfers",
        "POST /couriers",
        "PATCH /couriers/{courier_id}",
        "POST /campaigns/{campaign_id}/delivery-routes",
        "PATCH /delivery-routes/{route_id}",
        "POST /market/links/{link_id}/allot",
        "POST /market/links/{link_id}/return",
        "POST /supply/dropships/{dropship_id}/ship",
    }
    assert set(answers.values()) == {403, 422}
    assert len(answers) > 30


def test_a_stranger_gets_404_whatever_the_body():
    world = build_world("甲", 13911110000)
    other = build_world("乙", 13922220000)
    stranger = ApiClient()
    stranger.login_password(other["owner"].username, PASSWORD)

    answers = {
        (method, path): stranger.request(method, url_of(path, world["ids"]), body).status_code
        for method, path, body in console_body_operations()
    }

    assert set(answers.values()) == {404}
    assert len(answers) > 30
