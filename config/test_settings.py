"""Settings for the test suite: the real database (SQLite, or PostgreSQL from DATABASE_URL),
jobs run inline, a fast password hasher, and files under a throwaway folder."""

import os
import tempfile

os.environ.setdefault("TUANGOU_VAR_DIR", tempfile.mkdtemp(prefix="tuangou-test-"))

from config.settings import *  # noqa: E402,F403

Q_CLUSTER["sync"] = True  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "media"  # noqa: F405
SMS_SHOW_CODES = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
SMS_SEND_LIMIT_PER_IP_HOUR = 10_000  # every test client shares 127.0.0.1; the limit has its own test
SMS_VERIFY_LIMIT_PER_IP_HOUR = 10_000

# SQLite: a test database in a file, not Django's default shared-cache in-memory one. In shared-cache
# mode SQLite locks per table and answers "database table is locked" at once (the busy timeout does
# not apply) when the browser tests' live-server thread writes while the test thread holds a read;
# a file in WAL mode with the 30 s timeout queues the writer instead (make test was flaky: issue 7).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
DELIVERY_SOLVER_MS = 200
