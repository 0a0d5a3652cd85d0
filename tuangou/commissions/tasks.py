"""Commission jobs (django-q). Each takes ids or nothing and is safe to run twice."""

from . import services


def commissions_settle_due() -> int:
    """Scheduled every 10 minutes: settle accruals whose after-sales window has closed."""
    return services.commissions_settle_due()


def withdrawal_paid_notify(withdrawal_id: int):
    """Queued after finance marks a withdrawal paid: tell the leader."""
    from . import notices

    return notices.withdrawal_paid_notify(withdrawal_id)
