"""Hand-written SELECTs for the few hot paths (auth, shop access, checkout).

Django's SQL compiler costs ~0.3–1 ms of CPU per SELECT with joins, more than PostgreSQL takes
to run it. `Columns` names a model's columns once and turns a row back into values exactly as
the ORM would (the backend converters: SQLite hands back booleans as 0/1 and datetimes naive),
or into a model instance (`Model.from_db`, as the ORM builds them: unnamed fields deferred).
"""

from functools import cached_property

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections


class Columns:
    """Some columns (by attname; all by default) of one model under a table alias, e.g.
    `Columns(Shop, "s", ["id", "status"])`. Resolved on first use, so modules may build them at import."""

    def __init__(self, model, alias: str, attnames: list[str] | None = None):
        self._model, self.alias, self._attnames = model, alias, attnames
        self._converters = {}

    @cached_property
    def model(self):
        return apps.get_model(self._model) if isinstance(self._model, str) else self._model

    @cached_property
    def fields(self) -> list:
        if self._attnames is None:
            return list(self.model._meta.concrete_fields)
        return [self.model._meta.get_field(name) for name in self._attnames]

    @cached_property
    def attnames(self) -> list[str]:
        return [field.attname for field in self.fields]

    @cached_property
    def sql(self) -> str:
        """`alias."column", ...` for the SELECT list."""
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    @cached_property
    def table(self) -> str:
        """`table alias` for the FROM / JOIN clause."""
        return f"{connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    def __len__(self):
        return len(self.fields)

    def _converters_for(self, conn):
        found = self._converters.get(conn.vendor)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                col = field.get_col(field.model._meta.db_table)
                functions = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if functions:
                    found.append((index, col, functions))
            self._converters[conn.vendor] = found
        return found

    def values(self, row, start: int = 0) -> list:
        """This model's values from `row[start:start + len(self)]`, converted as the ORM would."""
        conn = connections[DEFAULT_DB_ALIAS]
        values = list(row[start : start + len(self.fields)])
        for index, col, functions in self._converters_for(conn):
            value = values[index]
            for function in functions:
                value = function(value, col, conn)
            values[index] = value
        return values

    def instance(self, row, start: int = 0):
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, self.values(row, start))


def _kept_cursor(conn):
    """On PostgreSQL, one psycopg cursor per connection, kept for these statements: Django's
    `connection.cursor()` builds a cursor and its wrapper for each one, ~a tenth of a checkout's
    CPU. Where statements are being captured (assertNumQueries, DEBUG) or wrapped
    (execute_wrapper), Django's own cursor runs them, so they are seen as usual."""
    if conn.vendor != "postgresql" or conn.queries_logged or conn.execute_wrappers:
        return None
    conn.validate_no_broken_transaction()  # as Django's cursor does inside an atomic block
    if conn.connection is None:
        conn.ensure_connection()
    cursor = conn.__dict__.get("_rawsql_cursor")
    if cursor is None or cursor.connection is not conn.connection or cursor.closed:
        with conn.wrap_database_errors:
            cursor = conn.create_cursor()
        conn.__dict__["_rawsql_cursor"] = cursor
    return cursor


def _run(sql: str, params, fetch):
    """Run one statement and hand its cursor to `fetch` (fetchone or fetchall)."""
    conn = connections[DEFAULT_DB_ALIAS]
    cursor = _kept_cursor(conn)
    if cursor is None:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    with conn.wrap_database_errors:  # psycopg's errors as Django's (IntegrityError, ...)
        cursor.execute(sql, params)
        return fetch(cursor)


def fetchone(sql: str, params) -> tuple | None:
    return _run(sql, params, lambda cursor: cursor.fetchone())


def fetchall(sql: str, params) -> list[tuple]:
    return _run(sql, params, lambda cursor: cursor.fetchall())


def for_update(of: str) -> str:
    """` FOR UPDATE OF <alias>` where the database locks rows (PostgreSQL); SQLite locks the whole
    database for the transaction anyway (transaction_mode IMMEDIATE)."""
    if not connection.features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if connection.features.has_select_for_update_of else " FOR UPDATE"
