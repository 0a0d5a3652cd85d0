"""Item 24: `make test` on SQLite failed now and then in a browser test with "database table is
locked: accounts_user". Django's default SQLite test database is in memory (shared cache), and
then pytest-django hands the live server's thread the test thread's own connection: two threads
on one SQLite connection, racing. The test database is a file in WAL mode instead
(config/test_settings.py): the live server gets a connection of its own, a reader never blocks
the writer, and two writers queue (30 s timeout) instead of failing."""

import threading

import pytest
from django.db import connection

from tuangou.accounts.models import User


@pytest.fixture
def sqlite_only(transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("about the SQLite test database")


def test_the_live_server_thread_has_a_connection_of_its_own(sqlite_only, live_server):
    assert not connection.is_in_memory_db()
    assert live_server.thread.connections_override == {}


def test_another_thread_writes_a_table_this_thread_is_reading(sqlite_only):
    User.objects.create(username="reader")
    outcome = {}

    def write():  # as the live server's thread does: its own connection to the same database
        try:
            User.objects.create(username="writer")
            outcome["write"] = "ok"
        except Exception as error:
            outcome["write"] = str(error)
        finally:
            connection.close()

    with connection.cursor() as cursor:
        cursor.execute("SELECT username FROM accounts_user")
        cursor.fetchone()  # the read is still open: its statement has more rows to give
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=60)

    assert outcome == {"write": "ok"}
    assert sorted(User.objects.values_list("username", flat=True)) == ["reader", "writer"]
