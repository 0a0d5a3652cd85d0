"""Webhooks: endpoints managed in the console, each event signed and POSTed to a real local
receiver by the delivery job, retried with backoff, logged, redelivered by hand."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.audit.models import AuditRecord
from tuangou.integrations import services
from tuangou.integrations.models import WebhookDelivery, WebhookEndpoint
from tuangou.integrations.testing import start_receiver
from tuangou.orders.models import Order
from tuangou.orders.services import order_pickup_verify
from tuangou.orders.tests.factories import given_live_campaign, paid_order, staff_login
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def _console(shop, rest: str) -> str:
    return f"console/shops/{shop.id}/{rest}"


def _add_endpoint(owner, shop, url, events=("order.paid",)):
    response = owner.post(_console(shop, "webhooks"), {"url": url, "events": list(events), "description": "ERP"})
    assert response.status_code == 201, response.content
    return response.json()


def _signed_with(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (docs/open-platform.md): one of the v1 signatures over `t.body` is
    made with its secret (after a rotation there are two)."""
    items = [part.split("=", 1) for part in headers["X-Tuangou-Signature"].split(",")]
    timestamp = next(value for key, value in items if key == "t")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, value in items if key == "v1")


def _verify(secret: str, headers: dict, body: bytes) -> dict:
    assert _signed_with(secret, headers, body)
    return json.loads(body)


def test_the_test_event_arrives_signed_and_is_logged(receiver):
    shop = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, receiver.url)

    response = owner.post(_console(shop, f"webhooks/{endpoint['id']}/test"))

    assert response.status_code == 201, response.content
    [request] = receiver.requests
    event = _verify(endpoint["secret"], request.headers, request.body)
    assert event["type"] == "webhook.test" and event["shop_id"] == shop.id
    assert request.headers["X-Tuangou-Event-Id"] == event["id"] == response.json()["event_id"]
    delivery = owner.get(_console(shop, f"webhook-deliveries/{response.json()['id']}")).json()
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == ("succeeded", 1, 200)
    [attempt] = delivery["attempt_log"]
    assert attempt["response_status"] == 200 and '"received": true' in attempt["response_excerpt"]
    assert attempt["request_headers"]["X-Tuangou-Event"] == "webhook.test"
    assert delivery["body"] == request.body.decode()


def test_a_paid_order_and_its_pickup_are_sent_to_the_endpoints_that_take_them(receiver):
    world = given_live_campaign()
    owner = staff_login(world.shop)
    endpoint = _add_endpoint(owner, world.shop, receiver.url, events=["order.paid", "order.picked_up"])
    _add_endpoint(owner, world.shop, receiver.url + "/refunds-only", events=["order.refunded"])

    order = paid_order(world)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.SHIPPED)
    order_pickup_verify(shop=world.shop, code=order.pickup_code, actor=None)

    events = [_verify(endpoint["secret"], r.headers, r.body) for r in receiver.requests]
    assert [event["type"] for event in events] == ["order.paid", "order.picked_up"]
    assert events[0]["data"]["number"] == order.number and events[0]["data"]["total_fen"] == order.total_fen
    assert events[1]["data"]["status"] == "picked_up"
    assert {r.path for r in receiver.requests} == {"/hooks/tuangou"}


def test_a_failing_endpoint_is_retried_with_backoff_then_failed_then_redelivered(receiver):
    shop = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, receiver.url)
    receiver.statuses = [500] * services.MAX_ATTEMPTS

    first = owner.post(_console(shop, f"webhooks/{endpoint['id']}/test")).json()

    delivery = WebhookDelivery.objects.get(pk=first["id"])
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    waits = []
    while delivery.status == "pending":
        waits.append(round((delivery.next_attempt_at - delivery.updated_at).total_seconds() / 60))
        assert services.webhook_deliveries_retry_due(now=delivery.next_attempt_at - timedelta(seconds=1)) == 0
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert services.webhook_deliveries_retry_due() == 1
        delivery.refresh_from_db()
    assert waits == [1, 5, 30, 120, 480]
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("failed", 6, 6)
    assert len({r.headers["X-Tuangou-Event-Id"] for r in receiver.requests}) == 1

    again = owner.post(_console(shop, f"webhook-deliveries/{delivery.pk}/redeliver"))

    assert again.status_code == 200 and again.json()["status"] == "succeeded"
    assert delivery.attempt_log.count() == 7


def test_an_unreachable_endpoint_is_logged_as_an_error(receiver):
    shop = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, "http://127.0.0.1:9/nothing-listens")

    delivery = owner.post(_console(shop, f"webhooks/{endpoint['id']}/test")).json()

    detail = owner.get(_console(shop, f"webhook-deliveries/{delivery['id']}")).json()
    assert detail["status"] == "pending" and detail["response_status"] is None
    assert detail["attempt_log"][0]["error"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.0.0.8/x",
        "http://169.254.169.254/latest",
        "http://[::1]/",
    ],
)
def test_private_addresses_are_refused_in_production(settings, url):
    settings.DEBUG, settings.WEBHOOKS_ALLOW_PRIVATE = False, False
    shop = ShopFactory()
    owner = staff_login(shop)

    response = owner.post(_console(shop, "webhooks"), {"url": url, "events": ["order.paid"]})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "webhook_url_private",
        "url",
    )
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "http://user:pw@example.com/", "𠮷"])
def test_a_non_http_url_is_refused(url):
    shop = ShopFactory()
    owner = staff_login(shop)

    response = owner.post(_console(shop, "webhooks"), {"url": url, "events": ["order.paid"]})

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_invalid")


def test_endpoints_are_changed_paused_deleted_and_audited(receiver):
    shop = ShopFactory()
    other = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, receiver.url)

    paused = owner.patch(_console(shop, f"webhooks/{endpoint['id']}"), {"is_active": False, "events": ["order.paid"]})
    assert paused.status_code == 200 and paused.json()["is_active"] is False
    services.webhook_event_emit(shop_id=shop.id, event_type="order.paid", data={"id": 1})
    assert receiver.requests == []
    secret = owner.get(_console(shop, f"webhooks/{endpoint['id']}/secret")).json()["secret"]
    assert secret == endpoint["secret"]
    assert staff_login(other).get(_console(other, f"webhooks/{endpoint['id']}/secret")).status_code == 404
    assert owner.delete(_console(shop, f"webhooks/{endpoint['id']}")).status_code == 204
    actions = list(AuditRecord.objects.filter(shop=shop).order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["webhook.create", "webhook.update", "webhook.delete"]


def _send_test(owner, shop, endpoint_id) -> None:
    response = owner.post(_console(shop, f"webhooks/{endpoint_id}/test"))
    assert response.status_code == 201, response.content


def test_a_rotated_secret_signs_beside_the_old_one_for_the_grace_period_then_alone(receiver):
    shop = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, receiver.url)
    old = endpoint["secret"]

    rotated = owner.post(_console(shop, f"webhooks/{endpoint['id']}/rotate-secret"), {"grace_hours": 24})
    _send_test(owner, shop, endpoint["id"])

    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != old
    grace_ends = WebhookEndpoint.objects.get(pk=endpoint["id"]).previous_secret_expires_at
    assert timedelta(hours=23, minutes=59) < grace_ends - timezone.now() <= timedelta(hours=24)
    [listed] = owner.get(_console(shop, "webhooks")).json()
    assert listed["previous_secret_expires_at"] is not None
    [during] = receiver.requests
    header = during.headers["X-Tuangou-Signature"]
    assert [part.split("=")[0] for part in header.split(",")] == ["t", "v1", "v1"]
    assert _signed_with(new, during.headers, during.body) and _signed_with(old, during.headers, during.body)
    assert header.split(",")[1] == f"v1={services.sign(new, int(header.split(',')[0][2:]), during.body)}"
    record = AuditRecord.objects.get(shop=shop, action="webhook.rotate_secret")
    assert (record.target_type, record.target_id, record.after) == ("webhook", str(endpoint["id"]), {"grace_hours": 24})
    assert new not in json.dumps(record.after) and old not in json.dumps(record.before)

    # The grace period over: the new secret alone
    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(previous_secret_expires_at=timezone.now())
    _send_test(owner, shop, endpoint["id"])

    after = receiver.requests[1]
    assert after.headers["X-Tuangou-Signature"].count("v1=") == 1
    assert _signed_with(new, after.headers, after.body) and not _signed_with(old, after.headers, after.body)
    assert owner.get(_console(shop, "webhooks")).json()[0]["previous_secret_expires_at"] is None


def test_a_rotation_without_grace_drops_the_old_secret_at_once(receiver):
    shop = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, receiver.url)

    new = owner.post(_console(shop, f"webhooks/{endpoint['id']}/rotate-secret"), {"grace_hours": 0}).json()["secret"]
    _send_test(owner, shop, endpoint["id"])

    [request] = receiver.requests
    assert request.headers["X-Tuangou-Signature"].count("v1=") == 1
    assert _signed_with(new, request.headers, request.body)
    assert not _signed_with(endpoint["secret"], request.headers, request.body)
    assert owner.get(_console(shop, f"webhooks/{endpoint['id']}/secret")).json() == {"secret": new}


def test_two_rotations_in_a_row_sign_with_the_last_two_secrets_only(receiver):
    shop = ShopFactory()
    owner = staff_login(shop)
    endpoint = _add_endpoint(owner, shop, receiver.url)
    path = _console(shop, f"webhooks/{endpoint['id']}/rotate-secret")

    second = owner.post(path, {}).json()["secret"]  # the default grace: 24 h
    third = owner.post(path, {}).json()["secret"]
    _send_test(owner, shop, endpoint["id"])

    [request] = receiver.requests
    assert [_signed_with(s, request.headers, request.body) for s in (endpoint["secret"], second, third)] == [
        False,
        True,
        True,
    ]


def test_a_rotation_is_refused_beyond_a_week_of_grace_and_for_another_shops_endpoint(receiver):
    shop, other = ShopFactory(), ShopFactory()
    owner, stranger = staff_login(shop), staff_login(other)
    endpoint = _add_endpoint(owner, shop, receiver.url)
    secret_before = WebhookEndpoint.objects.get(pk=endpoint["id"]).secret_encrypted

    too_long = owner.post(_console(shop, f"webhooks/{endpoint['id']}/rotate-secret"), {"grace_hours": 169})
    not_yours = stranger.post(_console(other, f"webhooks/{endpoint['id']}/rotate-secret"), {"grace_hours": 1})

    assert (too_long.status_code, too_long.json()["field"]) == (422, "grace_hours")
    assert not_yours.status_code == 404
    assert WebhookEndpoint.objects.get(pk=endpoint["id"]).secret_encrypted == secret_before
    assert not AuditRecord.objects.filter(action="webhook.rotate_secret").exists()
