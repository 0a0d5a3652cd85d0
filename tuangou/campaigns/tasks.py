"""Scheduled job: moves campaigns along the clock (start, cut-off, 成团 decision)."""

import logging

from django.db import transaction
from django.utils import timezone

from . import services
from .models import Campaign

logger = logging.getLogger(__name__)
S = Campaign.Status


def _advance_one(campaign_id: int, expected_status: str, transition) -> bool:
    """Run one transition in its own transaction. A campaign another worker holds is skipped
    (skip_locked on PostgreSQL; SQLite serialises writers anyway), and one already moved is left alone."""
    try:
        with transaction.atomic():
            campaign = (
                Campaign.objects.select_for_update(skip_locked=True)
                .filter(pk=campaign_id, status=expected_status)
                .first()
            )
            if campaign is None:
                return False
            transition(campaign=campaign, actor=None)
            return True
    except Exception:  # one broken campaign must not stop the others; the next run retries it
        logger.exception("campaign %s: %s failed", campaign_id, transition.__name__)
        return False


def campaigns_advance() -> dict[str, int]:
    """Start due scheduled campaigns, close live ones past their cut-off and decide every closed one
    (right after closing, in the same run). Idempotent: safe to run twice or on two workers at once."""
    now = timezone.now()
    counts = {"started": 0, "closed": 0, "decided": 0}
    # A due campaign whose cut-off has also passed (the worker was down) is started, then closed.
    for campaign_id in (
        Campaign.objects.filter(status=S.SCHEDULED, starts_at__lte=now)
        .order_by("starts_at")
        .values_list("pk", flat=True)
    ):
        counts["started"] += _advance_one(campaign_id, S.SCHEDULED, services.campaign_start)
    for campaign_id in (
        Campaign.objects.filter(status=S.LIVE, cutoff_at__lte=now).order_by("cutoff_at").values_list("pk", flat=True)
    ):
        counts["closed"] += _advance_one(campaign_id, S.LIVE, services.campaign_close)
    for campaign_id in Campaign.objects.filter(status=S.CLOSED).order_by("cutoff_at").values_list("pk", flat=True):
        counts["decided"] += _advance_one(campaign_id, S.CLOSED, services.campaign_decide)
    return counts


def hot_stock_reconcile_all() -> int:
    """Scheduled, and at every worker start: the Redis stock counters of live campaigns' items
    rewritten from the database (hotstock.py). A crash between a take and its COMMIT is healed here."""
    from .hotstock import hot_stock_reconcile

    return hot_stock_reconcile()


def hot_stock_reconcile_on_worker_start(sender=None, **kwargs) -> None:
    try:
        hot_stock_reconcile_all()
    except Exception:  # a worker that cannot reach the database still starts; the schedule retries
        logger.exception("hot_stock_reconcile_failed")
