"""Notification jobs (django-q): take ids, safe to run twice."""

from . import services


def delivery_send(delivery_id: int) -> str | None:
    """Send one outbound delivery; a delivery already sent is skipped."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


def deliveries_retry() -> int:
    """Scheduled: try again the deliveries that failed or whose job was lost."""
    return services.deliveries_retry_due()


def sms_receipts_query() -> int:
    """Scheduled: ask the SMS vendor for the receipts whose push never came."""
    return services.sms_receipts_query_due()
