import pytest
from django.db import InterfaceError, OperationalError

from tuangou.core.testing import ok
from tuangou.orders import services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), InterfaceError("connection already closed")],
)
def test_a_database_gone_away_during_checkout_is_a_503_to_retry_and_the_retry_places_the_order(monkeypatch, error):
    world = given_live_campaign(stock=10)
    client = login(world.member)
    path = f"shops/{world.shop.id}/orders"
    body = {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": 2}]}

    def gone_away(**kwargs):
        raise error

    with monkeypatch.context() as patched:
        patched.setattr(services, "order_place", gone_away)  # as a failover breaks the connection
        refused = client.post(path, body, headers={"Idempotency-Key": "checkout-1"})
        english = client.post(path, body, headers={"Idempotency-Key": "checkout-1", "Accept-Language": "en"})

    assert (refused.status_code, refused["Retry-After"]) == (503, "5")
    assert refused.json() == {"code": "service_unavailable", "message": "系统正忙，请5秒后重试", "field": None}
    assert english.json()["message"] == "The service is briefly unavailable; please try again in 5 seconds"
    assert not Order.objects.filter(shop=world.shop).exists()

    placed = ok(client.post(path, body, headers={"Idempotency-Key": "checkout-1"}), 201)  # the member's retry
    again = ok(client.post(path, body, headers={"Idempotency-Key": "checkout-1"}), 201)
    assert again["id"] == placed["id"] and Order.objects.filter(shop=world.shop).count() == 1
    world.item.refresh_from_db()
    assert world.item.stock_left == 8


def test_a_503_is_documented_on_every_operation(client):
    document = client.get("/api/openapi.json").json()
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert all("503" in op["responses"] for op in operations)
    assert "Retry-After" in document["components"]["responses"]["ServiceUnavailable"]["description"]
