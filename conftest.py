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
    """Each test gets its own media folder and an empty cache (rate-limit counters are in the database)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
