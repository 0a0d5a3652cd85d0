"""django-q signal receivers: schedules registered without `manage.py serve`, and the request id
carried from the request that queued a job into the worker that runs it."""

import logging

from django.db import DEFAULT_DB_ALIAS, connections

from .logging import get_request_id, set_request_id

logger = logging.getLogger("tuangou.jobs")


def schedules_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    from django_q.models import Schedule

    from .schedules import ensure_schedules

    # `migrate core` alone (or a migrate that stopped before django_q's tables) has nothing to fill.
    if Schedule._meta.db_table in connections[using].introspection.table_names():
        ensure_schedules(using=using)


def schedules_on_worker_start(sender, proc_name=None, **kwargs) -> None:
    from django.conf import settings

    from .schedules import ensure_schedules

    if settings.Q_CLUSTER.get("sync"):  # inline jobs "spawn" a worker per job: nothing starts
        return

    try:
        ensure_schedules()
    except Exception:  # a worker that cannot write schedules still runs jobs; the log says why
        logger.exception("schedules_not_registered")


def request_id_into_task(sender, task, **kwargs) -> None:
    request_id = get_request_id()
    if request_id:
        task["request_id"] = request_id


def request_id_from_task(sender, task, **kwargs) -> None:
    set_request_id(task.get("request_id") if isinstance(task, dict) else None)


def request_id_clear(sender, task=None, **kwargs) -> None:
    # Inline jobs (Q_SYNC) run inside the request: its id stays.
    if not (isinstance(task, dict) and task.get("sync")):
        set_request_id(None)
