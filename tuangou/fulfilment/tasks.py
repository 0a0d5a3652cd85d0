"""Fulfilment jobs (django-q): take ids, safe to run twice."""

from . import services


def export_job_run(job_id: int) -> str | None:
    """Build an export job's sheet file; a job already done (or being built by a live worker) is
    skipped; a re-delivered task whose worker died takes its job over."""
    job = services.export_job_run(job_id=job_id)
    return job.status if job else None


def export_jobs_recover() -> dict:
    """Every minute: jobs whose worker died are run again, or failed with a reason (schedules.py)."""
    return services.export_jobs_recover()
