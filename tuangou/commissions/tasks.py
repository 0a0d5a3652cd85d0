"""Commission jobs (django-q). Each takes ids or nothing and is safe to run twice."""

from datetime import timedelta

from . import services

LEVELS_EVERY = timedelta(hours=20)  # levels are judged about once a day (the console can judge now)


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


def incentives_settle_due() -> int:
    """Scheduled every 10 minutes: settle 团长激励 rewards whose after-sales window has closed."""
    from .incentives import awards_settle_due

    return awards_settle_due()


def incentives_evaluate() -> dict:
    """Scheduled every 30 minutes: record 破蛋 reached (days 1–15), pay referrals that reached
    their target, pay last month's team PK prize, re-assess levels once a day. Each part is safe to run twice."""
    from django.utils import timezone

    from tuangou.shops.models import Shop

    from .gmv import month_start
    from .levels import levels_assess, team_pk_award
    from .models import LeaderStanding
    from .referrals import referrals_sweep
    from .tiers import local_today, tiers_evaluate

    now = timezone.now()
    figures = {"tiers": 0, "referrals": referrals_sweep(now=now), "team_pk": 0, "levels": 0}
    for shop in Shop.objects.order_by("id"):
        figures["tiers"] += tiers_evaluate(shop=shop, now=now)
        last_month = month_start(month_start(local_today(shop, now)) - timedelta(days=1))
        figures["team_pk"] += team_pk_award(shop=shop, month=last_month, now=now) is not None
        if not LeaderStanding.objects.filter(shop=shop, assessed_at__gte=now - LEVELS_EVERY).exists():
            figures["levels"] += levels_assess(shop=shop, now=now)
    return figures
