"""Leader jobs (django-q): take ids, safe to run twice."""

from . import notices


def application_reviewed_notify(application_id: int):
    """Queued after an application is approved or rejected: tell the applicant."""
    return notices.application_reviewed_notify(application_id)
