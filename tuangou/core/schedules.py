"""The recurring jobs, in django-q's schedule table: written after every `migrate` and at every worker
start (tuangou/core/jobs.py), and by `manage.py serve`; idempotent."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django_q.models import Schedule

JOBS = [
    # (name, function, every N minutes)
    ("campaigns: start, cut off and decide", "tuangou.campaigns.tasks.campaigns_advance", 1),
    ("campaigns: Redis stock counters from the database", "tuangou.campaigns.tasks.hot_stock_reconcile_all", 5),
    ("orders: cancel unpaid past the payment timeout", "tuangou.orders.tasks.orders_expire_unpaid", 1),
    ("orders: complete after the after-sales window", "tuangou.orders.tasks.orders_complete_due", 10),
    ("orders: refund failed campaigns' paid orders left paid", "tuangou.orders.tasks.orders_refund_failed_redrive", 10),
    ("commissions: settle after the after-sales window", "tuangou.commissions.tasks.commissions_settle_due", 10),
    ("commissions: settle incentive rewards after the window", "tuangou.commissions.tasks.incentives_settle_due", 10),
    ("commissions: 破蛋, referrals, team PK, levels", "tuangou.commissions.tasks.incentives_evaluate", 30),
    ("commissions: follow WeChat transfers of withdrawals", "tuangou.commissions.tasks.withdrawal_transfers_sync", 3),
    ("payments: re-send refunds left pending", "tuangou.payments.tasks.refunds_redrive", 3),
    ("payments: ask the provider about payments open over 5 minutes", "tuangou.payments.tasks.payments_sync_stale", 5),
    ("payments: reconcile yesterday's gateway bills (after 10:00)", "tuangou.payments.tasks.reconciliation_daily", 60),
    (
        "payments: refresh WeChat Pay platform certificates",
        "tuangou.payments.tasks.wechatpay_certificates_refresh",
        720,
    ),
    ("marketing: finish coupon packs whose job was lost", "tuangou.marketing.tasks.coupon_packs_redrive", 5),
    ("marketing: deliver payment gifts whose job was lost", "tuangou.marketing.tasks.payment_gifts_redrive", 5),
    ("notifications: retry failed SMS / WeChat deliveries", "tuangou.notifications.tasks.deliveries_retry", 5),
    (
        "notifications: ask the SMS vendor for receipts never pushed",
        "tuangou.notifications.tasks.sms_receipts_query",
        30,
    ),
    ("vouchers: ask the top-up vendor about top-ups left open", "tuangou.vouchers.tasks.topups_sync", 2),
    ("fulfilment: rerun or fail export jobs whose worker died", "tuangou.fulfilment.tasks.export_jobs_recover", 1),
    ("insights: rebuild the dashboard's daily rollups", "tuangou.insights.tasks.rollups_rebuild_all", 60),
    ("accounts: drop ended attempt-limit windows", "tuangou.accounts.tasks.attempt_counters_purge", 60),
    ("integrations: retry webhook deliveries due", "tuangou.integrations.tasks.webhook_deliveries_retry", 1),
    ("market: ledger rows due after the after-sales window", "tuangou.market.tasks.settlements_advance", 60),
    ("core: worker heartbeat (/healthz)", "tuangou.core.health.heartbeat", 1),
]


def scheduled_backup() -> list[tuple[str, str, int]]:
    """The backup job (docs/deploy.md), when BACKUP_EVERY_MINUTES is set (0: systemd timer or none)."""
    minutes = settings.BACKUP_EVERY_MINUTES
    return [("core: backup with retention", "tuangou.core.backup.backup_scheduled", minutes)] if minutes else []


def ensure_schedules(using: str = DEFAULT_DB_ALIAS) -> None:
    jobs = JOBS + scheduled_backup()
    schedules = Schedule.objects.using(using)
    for name, func, minutes in jobs:
        schedules.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
        )
    schedules.exclude(name__in=[name for name, _, _ in jobs]).filter(func__startswith="tuangou.").delete()
