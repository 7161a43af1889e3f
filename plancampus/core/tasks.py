"""Background tasks of the core app (Django's tasks framework; worker: ``manage.py db_worker``).

Tasks stay thin: they take JSON-serialisable arguments (ids, not objects) and call a service.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from .services.people_import import people_import_run


@task
def import_people(job_id: int) -> dict[str, Any]:
    """Check and import the spreadsheet of a people-import ``BackgroundJob``."""
    return people_import_run(job_id=job_id)
