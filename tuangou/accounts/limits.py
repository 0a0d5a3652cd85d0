"""Attempt limits shared by every web worker: a counter row per key in the database.

Why the database and not the cache: the default deployment has no Redis, and Django's local-memory
cache is per process (with 3 workers a limit of 20 allowed 60); DatabaseCache is shared but its
incr is a read then a write. A conditional UPDATE (`count = count + 1 WHERE count < limit`) is
atomic on SQLite and PostgreSQL alike, costs one indexed write per attempt (attempts are rare:
logins and pickup codes), and needs no second store to run or to back up.

An attempt is *claimed before the guess is checked*: N concurrent guesses against a limit of 5
get exactly 5 checks. A caller whose attempt turned out right (or was never checked) releases it.

Claims must outlive a failing call: call these outside the service's transaction (a rolled-back
claim would not count the miss)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import AttemptCounter


def attempt_claim(*, key: str, limit: int, window_seconds: int) -> bool:
    """Take one of `limit` attempts in the key's window (which starts at its first attempt);
    False, and nothing counted, when none is left."""
    now = timezone.now()
    live = AttemptCounter.objects.filter(key=key, expires_at__gt=now)
    for _ in range(5):
        if live.filter(count__lt=limit).update(count=F("count") + 1):
            return True
        if live.filter(count__gte=limit).exists():
            return False
        # No window yet, or the last one is over: start one with this attempt.
        restarted = AttemptCounter.objects.filter(key=key, expires_at__lte=now).update(
            count=1, expires_at=now + timedelta(seconds=window_seconds)
        )
        if restarted:
            return limit >= 1
        try:
            with transaction.atomic():
                AttemptCounter.objects.create(key=key, count=1, expires_at=now + timedelta(seconds=window_seconds))
            return limit >= 1
        except IntegrityError:  # another worker created it first: count against theirs
            continue
    return False


def attempt_release(*, key: str) -> None:
    """Give back a claimed attempt (the guess was right, or was never checked)."""
    AttemptCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def attempt_retry_after(*, key: str) -> int:
    """Seconds until the key's window ends (0 when none is open)."""
    expires_at = AttemptCounter.objects.filter(key=key).values_list("expires_at", flat=True).first()
    if expires_at is None:
        return 0
    return max(int((expires_at - timezone.now()).total_seconds()) + 1, 0)


def attempt_counters_purge(*, older_than_seconds: int = 86400) -> int:
    """Job: drop counters whose window ended a while ago (they would restart at count 1 anyway)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = AttemptCounter.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def attempt_count(*, key: str) -> int:
    """Attempts taken in the key's open window (0 when none is open)."""
    now = timezone.now()
    return AttemptCounter.objects.filter(key=key, expires_at__gt=now).values_list("count", flat=True).first() or 0
