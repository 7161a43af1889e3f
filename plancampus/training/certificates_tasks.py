"""Background tasks of the certificates (Django's tasks framework; worker: ``manage.py
db_worker``). Thin: JSON-serialisable arguments, then a service."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from .services.certificates import certificates_render_run


@task
def render_certificates(job_id: int) -> dict[str, Any]:
    """Make the PDFs and signed credentials of a certificates ``BackgroundJob``."""
    return certificates_render_run(job_id=job_id)
