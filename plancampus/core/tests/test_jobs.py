"""The job page: who sees it, how it refreshes, what it costs, and the real database worker."""

from __future__ import annotations

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from plancampus.core.models import BackgroundJob, Person, Position
from plancampus.core.services import people_import
from plancampus.core.tests.factories import MembershipFactory, UserFactory

HEADER = "name_latin,sex,organisation_code,position,staff_id"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def start_import(client, content: bytes) -> BackgroundJob:
    response = client.post(
        reverse("person-import"), {"file": SimpleUploadedFile("people.csv", content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return BackgroundJob.objects.latest("pk")


@pytest.fixture
def finished_job(db, client_for, coordinator, office):
    return start_import(client_for(coordinator), csv_bytes("Chea Sokha,F,POE-17,Officer,"))


@pytest.fixture
def queued_job(db, coordinator, institution):
    return BackgroundJob.objects.create(
        kind=people_import.JOB_KIND,
        title="Import of people from people.csv",
        created_by=coordinator,
        institution=institution,
        status=BackgroundJob.Status.RUNNING,
        message="checking",
        progress_done=30,
        progress_total=120,
    )


# --- Who sees a job -------------------------------------------------------------------------


@pytest.mark.django_db
def test_creator_and_institution_admin_see_the_job(client, coordinator, admin_user, finished_job):
    for user in (coordinator, admin_user):
        client.force_login(user)
        response = client.get(reverse("job-detail", args=[finished_job.pk]))
        assert response.status_code == 200
        assert "People added" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["trainer", "participant", "outsider", "specialist"])
def test_others_get_404(client_for, request, persona, finished_job):
    client = client_for(request.getfixturevalue(persona))
    for name in ("job-detail", "job-status"):
        assert client.get(reverse(name, args=[finished_job.pk])).status_code == 404


@pytest.mark.django_db
def test_admin_of_another_institution_gets_404(client_for, finished_job, country):
    from plancampus.core.tests.factories import InstitutionFactory

    other = InstitutionFactory(country=country, code="RUPP")
    user = UserFactory(username="otheradmin")
    MembershipFactory(user=user, institution=other, role="institution_admin")
    assert client_for(user).get(reverse("job-detail", args=[finished_job.pk])).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(finished_job):
    from django.test import Client

    response = Client().get(reverse("job-detail", args=[finished_job.pk]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_report_download_only_for_those_who_see_the_job(client_for, coordinator, trainer, office):
    job = start_import(client_for(coordinator), csv_bytes("Chea Sokha,X,POE-17,Officer,"))
    assert client_for(coordinator).get(reverse("job-report", args=[job.pk])).status_code == 200
    assert client_for(trainer).get(reverse("job-report", args=[job.pk])).status_code == 404


# --- Progress and refreshing ----------------------------------------------------------------


@pytest.mark.django_db
def test_running_job_polls_with_htmx_and_has_a_refresh_link(client_for, coordinator, queued_job):
    page = client_for(coordinator).get(reverse("job-detail", args=[queued_job.pk])).content.decode()
    status_url = reverse("job-status", args=[queued_job.pk])
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="25"' in page  # 30 of 120
    assert "Checking each row" in page
    assert f'href="{reverse("job-detail", args=[queued_job.pk])}"' in page  # works without JS


@pytest.mark.django_db
def test_status_fragment_stops_polling_when_finished(client_for, coordinator, queued_job):
    client = client_for(coordinator)
    url = reverse("job-status", args=[queued_job.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    assert "every 1s" in running.content.decode()
    assert "HX-Refresh" not in running
    assert "<html" not in running.content.decode()

    queued_job.status = BackgroundJob.Status.SUCCEEDED
    queued_job.save()
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    assert "hx-trigger" not in finished.content.decode()


@pytest.mark.django_db
def test_job_page_has_bounded_queries(
    client_for, coordinator, office, django_assert_max_num_queries
):
    client = client_for(coordinator)
    small = start_import(client, csv_bytes(*[f"P {n},X,POE-17,Officer," for n in range(3)]))
    large = start_import(client, csv_bytes(*[f"P {n},X,POE-17,Officer," for n in range(400)]))
    assert large.result["problems_total"] == 400
    client.get(reverse("job-detail", args=[small.pk]))  # warm the session and caches
    for job in (small, large):
        with django_assert_max_num_queries(6):
            response = client.get(reverse("job-detail", args=[job.pk]))
        assert response.status_code == 200
    page = client.get(reverse("job-detail", args=[large.pk]), {"page": 4}).content.decode()
    assert "Page 4 of 4" in page


# --- The real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_real_database_worker_runs_the_import(client_for, coordinator, office, settings):
    """The upload is queued in the database and `manage.py db_worker` imports it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    job = start_import(
        client_for(coordinator),
        csv_bytes("Chea Sokha,F,POE-17,Officer,S-1", "Heng Piseth,M,POE-17,Planner,S-2"),
    )
    assert job.status == BackgroundJob.Status.QUEUED
    assert Person.objects.count() == 0
    task_result = DBTaskResult.objects.get(pk=job.task_result_id)
    assert task_result.status == "READY"

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)

    job.refresh_from_db()
    task_result.refresh_from_db()
    assert task_result.status == "SUCCESSFUL"
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.result
    assert job.result["created"] == 2
    assert job.percent == 100
    assert Person.objects.filter(external_id__in=["S-1", "S-2"]).count() == 2
    assert Position.objects.count() == 2
    assert {h.history_user_id for h in Person.history.all()} == {coordinator.pk}


def test_a_job_remembers_its_task_once_and_finishes_adding_to_its_result(db):
    from types import SimpleNamespace

    job = BackgroundJob.objects.create(kind="test", title="t", result={"input": 1})
    job.remember_task(SimpleNamespace(id="first"))
    job.remember_task(SimpleNamespace(id="second"))  # a task already kept stays
    job.finish(BackgroundJob.Status.SUCCEEDED, "done", {"count": 3})
    job.refresh_from_db()
    assert job.task_result_id == "first"
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.message == "done"
    assert job.result == {"input": 1, "count": 3}
    assert job.finished_at is not None
