"""Payment jobs, queued after commit; each takes ids and is safe to run twice."""

from . import sandbox, services


def sandbox_deliver_notify(payment_id: int) -> str:
    """The sandbox gateway's notify delivery. An exception leaves the task unacknowledged, so
    django-q hands it out again (Q_CLUSTER retry / max_attempts), as a real gateway retries."""
    return sandbox.gateway_deliver_notify(payment_id=payment_id)


def refund_send(refund_id: int) -> str:
    """Send one pending refund to its provider (same reference every time). A provider that
    did not take it raises: django-q retries, and refunds_redrive re-sends it anyway."""
    return services.refund_send(refund_id=refund_id)


def refunds_redrive() -> dict:
    """Every few minutes: refunds left pending (a lost job, a provider outage) are sent again."""
    return services.refunds_redrive()


def payments_sync_stale() -> dict:
    """Every few minutes: payments open for a while are asked about at their provider (a lost notify is found)."""
    return services.payments_sync_stale()


def refund_notify(refund_id: int):
    """Queued after a refund succeeds (a staff refund, an after-sale, a failed campaign): tell the member."""
    from . import notices

    return notices.refund_notify(refund_id)


def payments_gateway_close(payment_ids: list[int]) -> dict:
    """Queued after our payments closed (the order expired or was paid another way): close their gateway trades."""
    return services.payments_gateway_close(payment_ids=payment_ids)


def reconciliation_daily() -> dict:
    """Hourly: once yesterday's gateway bills are ready, reconcile every shop not reconciled yet."""
    from . import reconciliation

    return reconciliation.reconciliation_daily()


def wechatpay_certificates_refresh() -> int:
    """Every 12 hours: download WeChat Pay's platform certificates (a rotation is known ahead)."""
    from . import reconciliation

    return reconciliation.wechatpay_certificates_refresh()
