"""Background task of the needs documents (Django's tasks framework; worker:
``manage.py db_worker``). Thin: a job id in, a service out."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from .services.exports import export_render_run


@task
def render_document(job_id: int) -> dict[str, Any]:
    """Make the report or plan document of a ``DocumentExport``'s job and store it."""
    return export_render_run(job_id=job_id)
