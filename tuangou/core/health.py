"""Is the service alive end to end: the database answers, the job worker runs jobs, the scheduler
hands them out on time. /healthz answers from here and /metrics exports the same figures."""

from django.conf import settings
from django.db import connection
from django.utils import timezone

WORKER = "worker"


def heartbeat() -> None:
    """Scheduled every minute: proves the scheduler queued it and a worker ran it."""
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now()})


def heartbeat_age_seconds() -> float | None:
    from .models import Heartbeat

    beat = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    return (timezone.now() - beat).total_seconds() if beat else None


def schedule_lag_seconds() -> float:
    """How late the most overdue recurring schedule is (0: none is due). The scheduler moves
    next_run forward when it queues a run, so a stopped scheduler shows here within a minute."""
    from django_q.models import Schedule

    oldest = Schedule.objects.exclude(repeats=0).order_by("next_run").values_list("next_run", flat=True).first()
    return max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0


def health_checks() -> tuple[bool, dict]:
    checks: dict = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # report, don't raise: this is what monitors read
        return False, {"database": f"error: {exc.__class__.__name__}"}
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
            healthy = False
    # Jobs run inline (Q_SYNC, tests): there is no worker or scheduler to watch.
    if not settings.Q_CLUSTER.get("sync"):
        age = heartbeat_age_seconds()
        if age is None:
            checks["worker"] = "no heartbeat yet"
        else:
            checks["worker"] = "ok" if age <= settings.HEALTH_HEARTBEAT_MAX_SECONDS else f"stale: {int(age)} s"
        lag = schedule_lag_seconds()
        checks["schedules"] = "ok" if lag <= settings.HEALTH_SCHEDULE_LAG_MAX_SECONDS else f"late: {int(lag)} s"
        # A worker that never beat yet (just deployed) is not an outage; a stale beat or late schedules are.
        if checks["worker"].startswith("stale") or checks["schedules"] != "ok":
            healthy = False
    return healthy, checks
