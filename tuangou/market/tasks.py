"""Marketplace jobs: the ledger moves to due (and, left due, settled) — tuangou/core/schedules.py."""

from . import services


def settlements_advance() -> dict:
    return services.settlements_advance()
