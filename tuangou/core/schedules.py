"""The recurring jobs, registered in django-q's schedule table (idempotent: run at every start)."""

from django_q.models import Schedule

JOBS = [
    # (name, function, every N minutes)
    ("campaigns: start, cut off and decide", "tuangou.campaigns.tasks.campaigns_advance", 1),
    ("orders: cancel unpaid past the payment timeout", "tuangou.orders.tasks.orders_expire_unpaid", 1),
    ("orders: complete after the after-sales window", "tuangou.orders.tasks.orders_complete_due", 10),
    ("commissions: settle after the after-sales window", "tuangou.commissions.tasks.commissions_settle_due", 10),
    ("commissions: settle incentive rewards after the window", "tuangou.commissions.tasks.incentives_settle_due", 10),
    ("commissions: 破蛋, referrals, team PK, levels", "tuangou.commissions.tasks.incentives_evaluate", 30),
    ("commissions: follow WeChat transfers of withdrawals", "tuangou.commissions.tasks.withdrawal_transfers_sync", 3),
    ("payments: re-send refunds left pending", "tuangou.payments.tasks.refunds_redrive", 3),
    ("payments: ask the provider about payments open over 5 minutes", "tuangou.payments.tasks.payments_sync_stale", 5),
    ("notifications: retry failed SMS / WeChat deliveries", "tuangou.notifications.tasks.deliveries_retry", 5),
    (
        "notifications: ask the SMS vendor for receipts never pushed",
        "tuangou.notifications.tasks.sms_receipts_query",
        30,
    ),
    ("fulfilment: rerun or fail export jobs whose worker died", "tuangou.fulfilment.tasks.export_jobs_recover", 1),
    ("accounts: drop ended attempt-limit windows", "tuangou.accounts.tasks.attempt_counters_purge", 60),
]


def ensure_schedules() -> None:
    for name, func, minutes in JOBS:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
        )
    Schedule.objects.exclude(name__in=[name for name, _, _ in JOBS]).filter(func__startswith="tuangou.").delete()
