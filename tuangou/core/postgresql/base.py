"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS Django tries a kept connection at the first query of every request, by
sending it `SELECT 1`: one more round trip on each order, for a connection that is almost always
alive. A connection that is idle between requests has nothing to read from its server, so a
socket that is readable means the server is gone (end of file) or is saying goodbye (FATAL
"terminating connection", as PostgreSQL and pgbouncer send before closing). Either way the
connection cannot be used: Django opens a new one. Anything else readable (a notice) costs a
reconnect, never a failed request. A half-open connection (no FIN ever arrives) is not seen
here, and was not by `SELECT 1` either: that waited for the kernel's TCP timeout.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper


class DatabaseWrapper(PostgreSQLWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != connection.info.transaction_status.IDLE:
            return super().is_usable()  # inside a transaction: ask the server, as Django does
        try:
            poller = select.poll()  # not select(): a process may hold more than 1024 files
            poller.register(connection.fileno(), select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
