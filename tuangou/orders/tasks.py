"""Order jobs for the django-q schedule (tuangou/core/schedules.py); each is safe to run twice."""

from . import services


def orders_expire_unpaid() -> int:
    """Every minute: unpaid orders past their deadline are cancelled, stock returned."""
    return services.orders_expire_unpaid()


def orders_complete_due() -> int:
    """Every 10 minutes: picked-up orders whose after-sales window closed become completed."""
    return services.orders_complete_due()
