"""API keys: created and revoked in the console, then used as `Bearer tk_…` on the console's read
endpoints of their own shop, within their scopes."""

import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.audit.models import AuditRecord
from tuangou.integrations.models import ApiKey
from tuangou.orders.tests.factories import given_live_campaign, paid_order, staff_login
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _console(shop, rest: str) -> str:
    return f"console/shops/{shop.id}/{rest}"


def _key_client(key: str) -> ApiClient:
    client = ApiClient()
    client.token = key
    return client


def _create_key(owner, shop, scopes, name="ERP 同步"):
    response = owner.post(_console(shop, "api-keys"), {"name": name, "scopes": scopes})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_key_is_shown_once_and_stored_hashed():
    shop = ShopFactory()
    owner = staff_login(shop)

    created = _create_key(owner, shop, ["orders:read", "campaigns:read"])

    assert created["key"].startswith("tk_") and len(created["key"]) > 40
    assert created["prefix"] == created["key"][:10]
    assert created["scopes"] == ["orders:read", "campaigns:read"]
    row = ApiKey.objects.get(pk=created["id"])
    assert row.key_hash == ApiKey.hash_key(created["key"]) and created["key"] not in row.key_hash
    listed = owner.get(_console(shop, "api-keys")).json()
    assert [key["prefix"] for key in listed] == [created["prefix"]]
    assert "key" not in listed[0]
    record = AuditRecord.objects.get(shop=shop, action="api_key.create")
    assert record.after == {"scopes": ["orders:read", "campaigns:read"]}


def test_a_key_reads_its_shops_orders_and_records_its_use():
    world = given_live_campaign()
    order = paid_order(world)
    owner = staff_login(world.shop)
    created = _create_key(owner, world.shop, ["orders:read"])
    client = _key_client(created["key"])

    response = client.get(_console(world.shop, "orders"))

    assert response.status_code == 200, response.content
    assert [row["number"] for row in response.json()["items"]] == [order.number]
    assert ApiKey.objects.get(pk=created["id"]).last_used_at is not None


def test_a_key_outside_its_scopes_shop_or_reads_is_refused():
    world = given_live_campaign()
    other = given_live_campaign()
    owner = staff_login(world.shop)
    client = _key_client(_create_key(owner, world.shop, ["campaigns:read"])["key"])

    assert client.get(_console(world.shop, "campaigns")).status_code == 200
    out_of_scope = client.get(_console(world.shop, "orders"))
    assert (out_of_scope.status_code, out_of_scope.json()["code"]) == (403, "api_key_scope")
    assert client.get(_console(other.shop, "campaigns")).status_code == 404
    write = client.post(_console(world.shop, f"campaigns/{world.campaign.id}/close"))
    assert (write.status_code, write.json()["code"]) == (403, "api_key_read_only")
    member_side = client.get(f"shops/{world.shop.id}/campaigns")
    assert member_side.status_code in (200, 403)  # public page: answered as to anyone, or the key refused
    assert client.get("auth/me").json()["code"] == "api_key_read_only"
    webhooks = client.get(_console(world.shop, "webhooks"))
    assert (webhooks.status_code, webhooks.json()["code"]) == (403, "api_key_scope")


def test_a_revoked_or_made_up_key_is_401():
    shop = ShopFactory()
    owner = staff_login(shop)
    created = _create_key(owner, shop, ["orders:read"])
    client = _key_client(created["key"])

    revoked = owner.post(_console(shop, f"api-keys/{created['id']}/revoke"))

    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    answer = client.get(_console(shop, "orders"))
    assert (answer.status_code, answer.json()["code"]) == (401, "api_key_invalid")
    assert _key_client("tk_made_up").get(_console(shop, "orders")).status_code == 401
    again = owner.post(_console(shop, f"api-keys/{created['id']}/revoke"))
    assert (again.status_code, again.json()["code"]) == (409, "api_key_revoked")
    assert AuditRecord.objects.filter(shop=shop, action="api_key.revoke").count() == 1


@pytest.mark.parametrize("scopes", [[], ["orders:write"], ["orders:read", "𠮷"]])
def test_unknown_or_no_scopes_are_a_422_on_scopes(scopes):
    shop = ShopFactory()
    owner = staff_login(shop)

    response = owner.post(_console(shop, "api-keys"), {"name": "x", "scopes": scopes})

    assert response.status_code == 422 and response.json()["field"].startswith("scopes")
    assert not ApiKey.objects.exists()


def test_only_owner_and_admin_manage_keys():
    shop = ShopFactory()
    operations = staff_login(shop, role="operations")

    response = operations.post(_console(shop, "api-keys"), {"name": "x", "scopes": ["orders:read"]})

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
