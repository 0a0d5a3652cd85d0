"""Report reads and the replica router (tuangou/core/replica.py; DATABASE_REPLICA_URL in config/settings.py).

The replica here is a second connection to the test database (the same SQLite file, or the same
PostgreSQL test database): what is checked is where each query goes, and the fallback to the primary."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from tuangou.core import replica
from tuangou.core.replica import REPLICA, ReplicaRouter, reads_replica, report_reads
from tuangou.shops.models import Shop

ROOT = Path(__file__).resolve().parents[3]


# Every test here may use both aliases; no test transaction around them, since a report inside one
# reads the primary (transaction=True: each test's rows are committed, then flushed).
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """A `replica` alias reading the test database through a connection of its own, for this module only
    (set before the tests' database access is allowed, so the test case allows it)."""
    connections.settings[REPLICA] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    yield
    if hasattr(connections._connections, REPLICA):
        connections[REPLICA].close()
        del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def _replica_not_marked_down():
    replica._down_until["at"] = 0.0
    yield
    replica._down_until["at"] = 0.0


@pytest.fixture
def with_replica():
    return connections.settings[REPLICA]


def test_without_a_replica_reports_read_the_primary(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA)
    with report_reads() as alias:
        assert alias == "default"
        assert ReplicaRouter().db_for_read(Shop) == "default"
        Shop.objects.count()
    assert ReplicaRouter().db_for_read(Shop) == "default"


def test_reports_read_the_replica_everything_else_the_primary(with_replica):
    router = ReplicaRouter()
    Shop.objects.create(name="鲜果铺")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, CaptureQueriesContext(connections["default"]):
        with report_reads() as alias:
            assert alias == REPLICA
            assert router.db_for_read(Shop) == REPLICA
            assert [s.name for s in Shop.objects.all()] == ["鲜果铺"]
            # A write inside a report still goes to the primary.
            assert router.db_for_write(Shop) == "default"
            Shop.objects.create(name="第二家")
        assert router.db_for_read(Shop) == "default"
    assert any("shops_shop" in q["sql"] and "SELECT" in q["sql"] for q in on_replica.captured_queries)
    assert not any("INSERT" in q["sql"] for q in on_replica.captured_queries)
    assert Shop.objects.count() == 2


def test_a_report_inside_a_transaction_reads_the_primary(with_replica):
    with transaction.atomic():
        Shop.objects.create(name="刚写的")
        with report_reads() as alias:
            assert alias == "default"  # the replica has not seen what this transaction wrote
            assert Shop.objects.filter(name="刚写的").exists()
    with report_reads() as alias:
        assert alias == REPLICA
        with transaction.atomic():  # a transaction begun inside a report
            assert ReplicaRouter().db_for_read(Shop) == "default"


@pytest.fixture
def broken_replica(with_replica):
    saved = dict(with_replica)
    connections[REPLICA].close()
    with_replica["NAME"] = "/nonexistent/folder/replica.sqlite3"
    if with_replica["ENGINE"].endswith("postgresql"):
        with_replica.update(NAME="tuangou_no_such_replica", HOST="127.0.0.1", PORT="1")
    yield
    connections[REPLICA].close()
    with_replica.clear()
    with_replica.update(saved)


def test_a_replica_that_does_not_answer_is_left_for_the_primary_a_while(broken_replica, monkeypatch, settings):
    settings.REPLICA_RETRY_SECONDS = 30
    with report_reads() as alias:
        assert alias == "default"
        assert Shop.objects.count() == 0  # the report still runs, on the primary
    assert replica._down_until["at"] > 0

    probes = []
    monkeypatch.setattr(replica, "_replica_answers", lambda: probes.append(1) or True)
    with report_reads() as alias:
        assert alias == "default" and probes == []  # not tried again before REPLICA_RETRY_SECONDS
    replica._down_until["at"] = 0.0
    with report_reads() as alias:
        assert alias == REPLICA and probes == [1]


def test_report_functions_read_the_replica(with_replica):
    """The sheets, the dashboard and the exports are wrapped (reads_replica)."""
    from tuangou.fulfilment.selectors import sheet_build
    from tuangou.insights.selectors import dashboard_get
    from tuangou.leaders.exports import leaders_workbook
    from tuangou.orders.exports import orders_xlsx

    for function in (sheet_build, dashboard_get, leaders_workbook, orders_xlsx):
        assert function.__wrapped__, function

    shop = Shop.objects.create(name="看板店")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        dashboard = dashboard_get(shop=shop, days=7)
    assert dashboard["days"] == 7
    assert any("orders_order" in q["sql"] for q in on_replica.captured_queries)

    nested = reads_replica(lambda: ReplicaRouter().db_for_read(Shop))
    assert nested() == REPLICA
    with report_reads():
        assert nested() == REPLICA  # one probe, kept by the inner call


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, {"aliases": ["default"]}),
        (
            {
                "DATABASE_URL": "postgres://app@10.0.0.5:6432/tuangou",
                "DATABASE_REPLICA_URL": "postgres://app@10.0.0.5:6432/tuangou_replica",
            },
            {
                "aliases": ["default", "replica"],
                "replica_name": "tuangou_replica",
                "mirror": "default",
                "health_checks": True,
                "connect_timeout": 5,
            },
        ),
        (
            {"DATABASE_REPLICA_URL": "sqlite:////tmp/same.sqlite3"},
            {"aliases": ["default", "replica"], "replica_name": "/tmp/same.sqlite3"},
        ),
    ],
)
def test_settings_add_the_replica_alias(env, expected, tmp_path):
    code = (
        "import json; from config import settings as s; d = s.DATABASES; r = d.get('replica', {}); "
        "print(json.dumps({'aliases': sorted(d), 'replica_name': r.get('NAME'), 'mirror': r.get('TEST', {}).get('MIRROR'), "
        "'health_checks': r.get('CONN_HEALTH_CHECKS'), 'connect_timeout': r.get('OPTIONS', {}).get('connect_timeout'), "
        "'routers': s.DATABASE_ROUTERS}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "TUANGOU_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["routers"] == ["tuangou.core.replica.ReplicaRouter"]
    for key, value in expected.items():
        assert found[key] == value, key
