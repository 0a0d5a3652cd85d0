"""Notification jobs (django-q): take ids, safe to run twice."""

from . import services


def delivery_send(delivery_id: int) -> str | None:
    """Send one outbound delivery; a delivery already sent is skipped."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


def deliveries_retry() -> int:
    """Scheduled: try again the deliveries that failed or whose job was lost."""
    return services.deliveries_retry_due()


def application_reviewed_notify(application_id: int):
    """Queued after an application is approved or rejected: tell the applicant."""
    from .notices import application_reviewed_notify as notify

    return notify(application_id)


def refund_notify(refund_id: int):
    """Queued after a refund succeeds (a staff refund, an after-sale, a failed campaign): tell the member."""
    from .notices import refund_notify as notify

    return notify(refund_id)


def withdrawal_paid_notify(withdrawal_id: int):
    """Queued after finance marks a withdrawal paid: tell the leader."""
    from .notices import withdrawal_paid_notify as notify

    return notify(withdrawal_id)
