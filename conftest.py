import os

import pytest
from django.db import connection


@pytest.fixture
def require_postgres(db):
    """Tests of real concurrency need PostgreSQL. In CI (REQUIRE_POSTGRES=1) its absence is a failure."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuangou"
        if os.environ.get("REQUIRE_POSTGRES") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Each test gets its own media folder, SMS outbox and an empty cache (rate-limit counters are
    in the database)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    # A code an earlier test sent to the same phone must not be read as this test's.
    settings.SMS_OUTBOX = tmp_path / "sms_outbox.jsonl"
    # Many tests log in from the one test client IP; the captcha's own tests turn it on.
    settings.SMS_CAPTCHA_AFTER_SENDS = 0
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _after_commit_runs_when_our_outermost_block_ends(monkeypatch):
    """In production our outermost atomic block COMMITs and `after_commit` work (queuing the
    provider call of a refund, ...) runs. Under the `db` fixture a test case's transaction
    wraps everything and never commits, so that work would never run: here it runs where the
    COMMIT would have been — when the last atomic block of ours ends without error (a rollback
    already dropped it). Other on_commit callbacks are left to django_capture_on_commit_callbacks."""
    from django.db import transaction

    from tuangou.core.transactions import in_our_transaction

    original_exit = transaction.Atomic.__exit__

    def exit_and_run(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if connection.atomic_blocks and not in_our_transaction(self.using):
            ours = [entry for entry in connection.run_on_commit if getattr(entry[1], "after_commit", False)]
            if ours:
                connection.run_on_commit = [entry for entry in connection.run_on_commit if entry not in ours]
                for _, func, _ in ours:
                    func()
        return result

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_run)
