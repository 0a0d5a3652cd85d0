"""Our PostgreSQL backend (tuangou/core/postgresql): a kept connection's health is read off its
socket, and statements run often enough are prepared once, not planned on every use."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[3]
ENGINE = "tuangou.core.postgresql"
JIT_OFF = "-c jit=off"


def _other_session():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_live_idle_connection_is_usable_without_a_round_trip(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement sent'")
    pid = connection.connection.info.backend_pid
    assert connection.is_usable()
    with _other_session() as other:
        last = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]
    # Django's own check would have sent SELECT 1 and shown here.
    assert last == "SELECT 'the last statement sent'"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_not_usable_and_the_next_request_reconnects(require_postgres, client):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with _other_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # pg_terminate_backend only signals: wait until that backend is gone.
        other.execute(
            "DO $$ BEGIN FOR i IN 1..200 LOOP EXIT WHEN NOT EXISTS "
            f"(SELECT 1 FROM pg_stat_activity WHERE pid = {int(pid)}); PERFORM pg_sleep(0.01); END LOOP; END $$"
        )
    assert not connection.is_usable()
    # As between two requests with CONN_HEALTH_CHECKS: Django drops the dead connection and the
    # next query opens a new one instead of failing.
    connection.health_check_enabled, connection.health_check_done = True, False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_apps_sessions_run_without_jit(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_used_often_is_prepared_on_its_connection(require_postgres):
    from tuangou.shops.models import Shop

    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    assert threshold and threshold > 0
    for _ in range(threshold + 1):
        list(Shop.objects.filter(pk=123456789))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "shops_shop"' in statement for statement in prepared), prepared


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, {"engine": ENGINE, "binding": True, "threshold": 5, "options": JIT_OFF}),
        ({"DB_PREPARE_THRESHOLD": ""}, {"engine": ENGINE, "binding": True, "threshold": 5, "options": JIT_OFF}),
        # Behind pgbouncer in transaction mode (1.18 keeps no prepared statements, refuses startup options): off.
        ({"DISABLE_SERVER_SIDE_CURSORS": "1"}, {"engine": ENGINE, "binding": None, "threshold": None, "options": None}),
        ({"DB_PREPARE_THRESHOLD": "0"}, {"engine": ENGINE, "binding": None, "threshold": None, "options": JIT_OFF}),
        (
            {"DISABLE_SERVER_SIDE_CURSORS": "1", "DB_PREPARE_THRESHOLD": "2"},
            {"engine": ENGINE, "binding": True, "threshold": 2, "options": None},
        ),
        ({"DB_JIT": "1"}, {"engine": ENGINE, "binding": True, "threshold": 5, "options": None}),
    ],
)
def test_settings_prepare_statements_unless_behind_a_transaction_pooler(env, expected, tmp_path):
    code = (
        "import json; from config import settings as s; d = s.DATABASES['default']; o = d['OPTIONS']; "
        "print(json.dumps({'engine': d['ENGINE'], 'binding': o.get('server_side_binding'), "
        "'threshold': o.get('prepare_threshold'), 'options': o.get('options')}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DISABLE_SERVER_SIDE_CURSORS", "DB_PREPARE_THRESHOLD", "DB_JIT")
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "TUANGOU_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://app@10.0.0.5:6432/tuangou", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hand_written_statements_keep_one_cursor_and_still_behave_as_djangos(require_postgres):
    from django.db import IntegrityError, transaction
    from django.db.transaction import TransactionManagementError
    from django.test.utils import CaptureQueriesContext

    from tuangou.core import rawsql

    assert rawsql.fetchone("SELECT 1", []) == (1,)
    kept = connections["default"].__dict__["_rawsql_cursor"]
    assert rawsql.fetchall("SELECT generate_series(1, %s)", [3]) == [(1,), (2,), (3,)]
    assert connections["default"].__dict__["_rawsql_cursor"] is kept

    # Captured statements (assertNumQueries, DEBUG) go through Django's cursor, and are seen.
    with CaptureQueriesContext(connection) as captured:
        rawsql.fetchone("SELECT 'seen'", [])
    assert [query["sql"] for query in captured.captured_queries] == ["SELECT 'seen'"]

    # A new connection gets a new cursor.
    connection.close()
    assert rawsql.fetchone("SELECT 2", []) == (2,)
    assert connections["default"].__dict__["_rawsql_cursor"] is not kept

    # psycopg's errors come out as Django's, and a broken transaction stays broken.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE kept_cursor_probe (id int PRIMARY KEY)")
    duplicate = "INSERT INTO kept_cursor_probe VALUES (1), (1) RETURNING id"
    with pytest.raises(IntegrityError):
        rawsql.fetchall(duplicate, [])
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rawsql.fetchall(duplicate, [])
        with pytest.raises(TransactionManagementError):
            rawsql.fetchone("SELECT 1", [])
    assert rawsql.fetchone("SELECT count(*) FROM kept_cursor_probe", []) == (0,)
