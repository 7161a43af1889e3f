"""Background tasks of the needs module (Django's tasks framework; worker: ``db_worker``)."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from .services.submissions import submissions_import_run


@task
def import_submissions(job_id: int) -> dict[str, Any]:
    """Import the KoboToolbox / ODK export stored for a ``BackgroundJob``."""
    return submissions_import_run(job_id=job_id)
