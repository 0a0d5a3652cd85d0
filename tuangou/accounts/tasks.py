"""Jobs of the accounts app (thin: the work is in limits.py)."""

from .limits import attempt_counters_purge as _purge


def attempt_counters_purge() -> int:
    return _purge()
