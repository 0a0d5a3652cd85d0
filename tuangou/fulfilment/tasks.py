"""Fulfilment jobs (django-q): take ids, safe to run twice."""

from . import services


def export_job_run(job_id: int) -> str | None:
    """Build an export job's sheet file; a job already done (or being built) is skipped."""
    job = services.export_job_run(job_id=job_id)
    return job.status if job else None
