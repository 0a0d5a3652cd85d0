"""/healthz (database, worker heartbeat, schedule lag), /metrics (Prometheus) and the request id
carried from a request into the job it queued."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule
from django_q.signing import SignedPackage
from django_q.tasks import async_task

from tests.world import add_live_order, build_world
from tuangou.core.health import heartbeat
from tuangou.core.logging import get_request_id, set_request_id
from tuangou.core.models import Heartbeat
from tuangou.orders.models import Order

SEEN_REQUEST_IDS: list = []


def record_request_id():
    SEEN_REQUEST_IDS.append(get_request_id())


@pytest.fixture
def empty_queue():
    """The Redis broker's list outlives a test's transaction: each test starts and ends with it empty."""
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


@pytest.fixture
def with_worker(settings):
    """As in production: jobs go to a worker, so /healthz watches it."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}


@pytest.mark.django_db
def test_healthz_follows_the_worker_heartbeat_and_schedule_lag(client, with_worker):
    Schedule.objects.update(next_run=timezone.now() + timedelta(minutes=1))
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["checks"]["worker"] == "no heartbeat yet"

    heartbeat()
    answer = client.get("/healthz").json()
    assert answer["status"] == "ok"
    assert {k: v for k, v in answer["checks"].items() if k != "redis"} == {
        "database": "ok",
        "worker": "ok",
        "schedules": "ok",
    }  # (and "redis": "ok" when REDIS_URL is set)

    Heartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=10))
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["checks"]["worker"].startswith("stale: 6")

    heartbeat()
    Schedule.objects.filter(func="tuangou.orders.tasks.orders_expire_unpaid").update(
        next_run=timezone.now() - timedelta(minutes=7)
    )
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["checks"]["schedules"].startswith("late: 4")


@pytest.mark.django_db
def test_metrics_by_route_orders_payments_and_the_job_queue(client, with_worker, empty_queue):
    world = build_world("指标", 13800000000)
    add_live_order(world, Order.Status.PAID, "M1")
    client.get(f"/api/shops/{world['shop'].id}/campaigns")
    client.get("/api/shops/999999999/campaigns")
    # One job waiting for a worker for two minutes.
    broker = empty_queue
    started = timezone.now() - timedelta(minutes=2)
    broker.enqueue(SignedPackage.dumps({"id": "x", "name": "waiting", "func": "math.floor", "started": started}))

    text = client.get("/metrics").content.decode()
    route = 'route="api/shops/<shop_id>/campaigns"'
    assert f'tuangou_http_requests_total{{method="GET",{route},status="200"}}' in text
    assert f'tuangou_http_requests_total{{method="GET",{route},status="404"}}' in text
    # Routes, never raw paths: no series' name or labels hold the id (a value may, e.g. 52.449999999999996).
    series = [line.rsplit(" ", 1)[0] for line in text.splitlines() if line and not line.startswith("#")]
    assert not [name for name in series if "999999999" in name]
    assert f'tuangou_http_request_duration_seconds_count{{method="GET",{route}}}' in text
    assert 'tuangou_orders_24h{status="paid"}' in text
    assert 'tuangou_payments_24h{status="succeeded"}' in text or "tuangou_payments_24h{" in text
    assert "tuangou_job_queue_length 1.0" in text
    oldest = float(
        next(line for line in text.splitlines() if line.startswith("tuangou_job_queue_oldest_seconds ")).split()[1]
    )
    assert 115 < oldest < 300
    assert "tuangou_worker_heartbeat_age_seconds -1.0" in text
    assert "tuangou_schedule_lag_seconds" in text


@pytest.mark.django_db
def test_metrics_are_not_for_the_public(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_a_job_runs_with_the_request_id_that_queued_it(settings, empty_queue):
    from django_q.tasks import _sync

    SEEN_REQUEST_IDS.clear()
    set_request_id("req-from-checkout")
    async_task("tests.test_observability.record_request_id", sync=False)  # to the broker, as in production
    set_request_id(None)
    broker = empty_queue
    [(ack, package)] = broker.dequeue()
    _sync(package)  # a worker, elsewhere, later
    broker.acknowledge(ack)
    assert SEEN_REQUEST_IDS == ["req-from-checkout"]
    assert get_request_id() is None


def test_log_lines_carry_the_request_id():
    import json
    import logging

    from tuangou.core.logging import JsonFormatter, RequestIdFilter

    record = logging.LogRecord("tuangou.jobs", logging.INFO, __file__, 1, "sent", None, None)
    set_request_id("req-42")
    RequestIdFilter().filter(record)
    set_request_id(None)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "req-42"


def test_sentry_events_are_tagged_with_the_request_id(settings):
    import sentry_sdk

    settings.SENTRY_DSN = "https://public@127.0.0.1:9/1"
    with sentry_sdk.isolation_scope() as scope:
        set_request_id("req-7")
        set_request_id(None)
        assert scope._tags["request_id"] == "req-7"
