"""Transactions and the work that must wait for them: calls to the outside world (a payment
provider) never run under our row locks, and the jobs that make them are queued only once
the rows they read have committed.

A test case's own wrapping blocks (Django's TestCase, pytest-django's `db` fixture) do not
count as ours: they stand for the autocommit the code runs under in production. Only the
atomic blocks our code opens do.
"""

import logging
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)


class InsideTransaction(RuntimeError):
    """A call that must run outside any transaction was made inside one."""


def in_our_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True inside an atomic block opened by our code (not by a test case around it)."""
    connection = transaction.get_connection(using)
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def outside_transaction(func):
    """Refuse to run `func` inside a transaction: it talks to the outside world (a provider),
    which must never happen while our rows are locked or our writes may still roll back."""

    @wraps(func)
    def guarded(*args, **kwargs):
        if in_our_transaction():
            raise InsideTransaction(f"{func.__qualname__} must not run inside a transaction (atomic block)")
        return func(*args, **kwargs)

    return guarded


def after_commit(func) -> None:
    """Run `func` once the transaction of ours now open commits (at once when there is none);
    a rollback drops it. An exception in `func` is logged, not raised: what it starts (a job)
    is re-driven by a schedule anyway."""

    def run():
        try:
            func()
        except Exception:  # as on_commit(robust=True) does
            logger.exception("after-commit work failed: %r", func)

    run.after_commit = True  # lets the test suite tell our callbacks from others (conftest.py)
    if in_our_transaction():
        transaction.on_commit(run)
    else:
        run()
