"""Commission jobs (django-q). Each takes ids or nothing and is safe to run twice."""

from . import services


def commissions_settle_due() -> int:
    """Scheduled every 10 minutes: settle accruals whose after-sales window has closed."""
    return services.commissions_settle_due()


def withdrawal_paid_notify(withdrawal_id: int):
    """Queued after finance marks a withdrawal paid: tell the leader."""
    from . import notices

    return notices.withdrawal_paid_notify(withdrawal_id)


def withdrawal_failed_notify(withdrawal_id: int):
    """Queued after a withdrawal's WeChat transfer failed: tell the leader, with the reason."""
    from . import notices

    return notices.withdrawal_failed_notify(withdrawal_id)


def withdrawal_transfer_send(withdrawal_id: int) -> str:
    """Queued after finance approves (WeChat transfers): send the transfer, same out_bill_no every time."""
    return services.withdrawal_transfer_send(withdrawal_id)


def withdrawal_transfers_sync() -> int:
    """Scheduled every 3 minutes: ask WeChat Pay about transfers still in flight (or send them again)."""
    return services.withdrawal_transfers_sync()
