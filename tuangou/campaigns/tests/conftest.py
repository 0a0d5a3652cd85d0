from tuangou.catalog.tests.conftest import staff_client  # noqa: F401 (shared fixture)
