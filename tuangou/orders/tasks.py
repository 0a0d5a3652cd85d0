"""Order jobs for the django-q schedule (tuangou/core/schedules.py); each is safe to run twice."""

from . import notices, services


def orders_expire_unpaid() -> int:
    """Every minute: unpaid orders past their deadline are cancelled, stock returned."""
    return services.orders_expire_unpaid()


def orders_complete_due() -> int:
    """Every 10 minutes: picked-up orders whose after-sales window closed become completed."""
    return services.orders_complete_due()


def orders_refund_failed_redrive() -> int:
    """Every 10 minutes: a failed campaign's paid order whose refund job was lost is refunded."""
    return services.orders_refund_failed_redrive()


def order_refund_for_failed_campaign(order_id: int, actor_id: int | None = None) -> str:
    """Queued per order when a campaign fails: that order's full refund, in its own transaction."""
    from tuangou.accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.order_refund_for_failed_campaign(order_id=order_id, actor=actor)


def campaign_formed_notify(campaign_id: int) -> int:
    """Queued when a campaign forms: its members hear the result."""
    return notices.campaign_formed_notify(campaign_id)
