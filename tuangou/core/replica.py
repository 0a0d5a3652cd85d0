"""Report reads from a read replica (DATABASE_REPLICA_URL adds the `replica` database alias).

Report code — sheets, the dashboard, exports — wraps its reads in `report_reads()` (or decorates a
function with `@reads_replica`); `ReplicaRouter` then sends the ORM's reads inside it to `replica`.
Everything else, and every write, goes to `default` (the primary). The replica is left for the
primary when:
  * no replica is configured (SQLite, development), or
  * it does not answer `SELECT 1` (down, or pgbouncer has no server for it): then it is not tried
    again for REPLICA_RETRY_SECONDS, so a dead replica costs one failed probe, not one per report, or
  * the caller is inside a transaction on the primary: it may read what it has just written, which
    the replica has not seen.
A replica may lag the primary by a moment (Patroni's synchronous standby by very little): reports
read there, never the order path or anything that decides on money or stock.
"""

import contextvars
import functools
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
log = logging.getLogger(__name__)

_reading = contextvars.ContextVar("tuangou_report_reads", default=None)
_down_until = {"at": 0.0}


def has_replica() -> bool:
    return REPLICA in connections.settings  # settings.DATABASES, as the connections read it


def _replica_answers() -> bool:
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError as error:
        log.warning("replica_unavailable", extra={"error": str(error)[:200]})
        connection.close()  # the next try opens a fresh connection
        return False


def replica_alias() -> str:
    """Where report reads go now: `replica` when it is configured and answers, else `default`."""
    if not has_replica() or connections["default"].in_atomic_block:
        return "default"
    if time.monotonic() < _down_until["at"]:
        return "default"
    if _replica_answers():
        return REPLICA
    _down_until["at"] = time.monotonic() + getattr(settings, "REPLICA_RETRY_SECONDS", 30)
    return "default"


@contextmanager
def report_reads():
    """Reads of the ORM inside go to the replica (see the module's note); yields the alias chosen."""
    alias = _reading.get() or replica_alias()
    token = _reading.set(alias)
    try:
        yield alias
    finally:
        _reading.reset(token)


def reads_replica(func):
    """`report_reads()` around a whole function (a sheet, an export)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with report_reads():
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside `report_reads()` to its alias, all else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading.get()
        if alias and alias != "default" and connections["default"].in_atomic_block:
            return "default"  # a transaction began inside the report: read what it wrote
        return alias or "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # a replica follows the primary's schema through replication
