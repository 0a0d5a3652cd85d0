"""Payment jobs, queued after commit; each takes ids and is safe to run twice."""

from . import sandbox


def sandbox_deliver_notify(payment_id: int) -> str:
    """The sandbox gateway's notify delivery. An exception leaves the task unacknowledged, so
    django-q hands it out again (Q_CLUSTER retry / max_attempts), as a real gateway retries."""
    return sandbox.gateway_deliver_notify(payment_id=payment_id)
