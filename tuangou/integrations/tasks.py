"""Webhook jobs (django-q). Each takes ids or nothing and is safe to run twice."""

from . import services


def webhook_deliver(delivery_id: int) -> str:
    """Queued after commit for each delivery: one attempt, if it is due."""
    return services.webhook_deliver(delivery_id)


def webhook_deliveries_retry() -> int:
    """Scheduled every minute: retries whose backoff has passed (and deliveries whose job was lost)."""
    return services.webhook_deliveries_retry_due()
