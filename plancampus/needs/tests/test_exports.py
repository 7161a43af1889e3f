"""The report and plan documents made by a background job: asking for one, following it,
downloading it; who may; joining a running job, reusing a finished copy; failures."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import signal

import docx
import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from plancampus.core.models import BackgroundJob
from plancampus.needs import export_tasks
from plancampus.needs.export_tasks import render_document
from plancampus.needs.models import DocumentExport, Indicator, IndicatorMeasurement
from plancampus.needs.services import documents, exports
from plancampus.needs.tests.pdfs import (
    first_page_image,
    ink_share,
    khmer_shaping_problems,
    khmer_words,
    needs_pdftoppm,
    pdf_text,
)

pytestmark = pytest.mark.django_db

QUEUED_ONLY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued_only(settings):
    """Jobs are queued and wait (no worker): the tests run them with ``run``."""
    settings.TASKS = QUEUED_ONLY


def run(export: DocumentExport) -> DocumentExport:
    """What the worker does with the export's job."""
    exports.export_render_run(job_id=export.job_id)
    return DocumentExport.objects.select_related("job").get(pk=export.pk)


def ask_report(client, campaign, language="en", **extra):
    return client.post(reverse("needs-report", args=[campaign.pk]), {"language": language, **extra})


def ask_plan(client, plan, file_format="pdf", language="en", **extra):
    return client.post(
        reverse("needs-plan-export", args=[plan.pk]),
        {"format": file_format, "language": language, **extra},
    )


def download(client, export: DocumentExport):
    response = client.get(reverse("needs-export-download", args=[export.pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Start, follow, download ----------------------------------------------------------------


def test_report_in_khmer_through_the_job(client_for, coordinator, answered, caplog):
    client = client_for(coordinator)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = ask_report(client, answered, "km")
    export = DocumentExport.objects.select_related("job").get()
    assert response.status_code == 302
    assert response.url == reverse("needs-export", args=[export.pk])
    assert (export.kind, export.campaign, export.language, export.file_format) == (
        "report",
        answered,
        "km",
        "pdf",
    )
    job = export.job
    assert (job.kind, job.status, job.message) == ("needs_document", "succeeded", "export_ready")
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert job.created_by == coordinator
    assert job.institution == answered.institution
    assert job.result["export_id"] == export.pk
    # Stored under a folder name nobody can guess, never linked to by its storage address.
    assert re.fullmatch(
        rf"needs/exports/[0-9a-f]{{32}}/needs-report-{answered.code}-km\.pdf", export.file.name
    )

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Generated on" in html
    assert reverse("needs-export-download", args=[export.pk]) in html
    assert "hx-trigger" not in html  # finished: nothing to poll

    response, content = download(client, export)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="needs-report-{answered.code}-km.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    text = khmer_words(content)
    assert "ការវាយតម្លៃ" in text
    assert "វិទ្យាស្ថានជាតិអប់រំ" in text
    assert "របាយការណ៍" in text
    assert "14,00" in text or "14.00" in text  # the top MWDS
    assert khmer_shaping_problems(content) == []
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]


@needs_pdftoppm
def test_the_khmer_report_draws_in_poppler(client_for, coordinator, answered):
    client = client_for(coordinator)
    ask_report(client, answered, "km")
    _response, content = download(client, DocumentExport.objects.get())
    image = first_page_image(content)
    assert image.width < image.height  # A4, upright
    assert 0.005 < ink_share(image) < 0.5


def test_report_in_english_through_the_job(client_for, trainer, answered):
    """A trainer (who sees the campaign, read-only) may ask for the report too."""
    client = client_for(trainer)
    ask_report(client, answered, "en")
    _response, content = download(client, DocumentExport.objects.get())
    text = pdf_text(content)
    assert "Education sector plan preparation" in text
    assert "CAPNAM" in text


def test_plan_word_in_khmer_through_the_job(client_for, coordinator, plan):
    client = client_for(coordinator)
    response = ask_plan(client, plan, "docx", "km")
    export = DocumentExport.objects.get()
    assert response.url == export.get_absolute_url()
    response, content = download(client, export)
    assert response["Content-Type"] == documents.DOCX
    assert response["Content-Disposition"].endswith(f'capacity-plan-{plan.pk}-km.docx"')
    word = docx.Document(io.BytesIO(content))
    body = "\n".join(p.text for p in word.paragraphs)
    cells = "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert "ផែនការអភិវឌ្ឍសមត្ថភាព" in body
    assert "វគ្គរៀបចំផែនការ" in cells
    assert "50 %" in cells
    assert len(word.inline_shapes) == 2  # the needs ranking and the indicators' progress


def test_plan_pdf_in_khmer_through_the_job(client_for, coordinator, plan):
    client = client_for(coordinator)
    ask_plan(client, plan, "pdf", "km")
    _response, content = download(client, DocumentExport.objects.get())
    assert "ផែនការអភិវឌ្ឍសមត្ថភាព" in khmer_words(content)
    assert khmer_shaping_problems(content) == []


def test_a_language_or_format_the_document_does_not_come_in(client_for, coordinator, answered):
    client = client_for(coordinator)
    response = ask_report(client, answered, "de")
    assert response.url == reverse("needs-campaign", args=[answered.pk])
    assert any("not in “de”" in m for m in messages_of(response))
    response = ask_report(client, answered, "km", format="docx")
    assert any("not as “docx”" in m for m in messages_of(response))
    assert not DocumentExport.objects.exists()
    assert not BackgroundJob.objects.exists()


# --- Who may ----------------------------------------------------------------------------------


def test_outsider_gets_404_and_participant_403(
    client_for, coordinator, outsider, participant, specialist, answered, plan, client
):
    coordinator_client = client_for(coordinator)
    ask_report(coordinator_client, answered, "km")
    ask_plan(coordinator_client, plan, "docx", "en")
    report, plan_export = DocumentExport.objects.order_by("pk")
    urls = [
        reverse("needs-export", args=[report.pk]),
        reverse("needs-export-download", args=[report.pk]),
        reverse("needs-export", args=[plan_export.pk]),
        reverse("needs-export-download", args=[plan_export.pk]),
        reverse("needs-report", args=[answered.pk]),
        reverse("needs-plan-export", args=[plan.pk]),
    ]
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302, url  # to the login page
    outsider_client = client_for(outsider)
    for url in urls:
        assert outsider_client.get(url).status_code == 404, url
    assert ask_report(outsider_client, answered).status_code == 404
    assert ask_plan(outsider_client, plan).status_code == 404
    assert reverse("needs-export", args=[999999]) not in urls
    assert outsider_client.get(reverse("needs-export", args=[999999])).status_code == 404
    outsider_client.logout()
    participant_client = client_for(participant)
    for url in urls:
        assert participant_client.get(url).status_code == 403, url
    assert ask_report(participant_client, answered).status_code == 403
    participant_client.logout()
    # The partner's specialist sees every institution's documents.
    specialist_client = client_for(specialist)
    assert specialist_client.get(urls[1]).status_code == 200
    assert DocumentExport.objects.count() == 2  # nobody else started anything


def test_the_download_of_an_unfinished_export_is_not_found(
    client_for, coordinator, answered, queued_only
):
    client = client_for(coordinator)
    ask_report(client, answered)
    export = DocumentExport.objects.get()
    assert client.get(reverse("needs-export-download", args=[export.pk])).status_code == 404


# --- Progress, joining, reusing ------------------------------------------------------------------


def test_progress_page_polls_until_the_job_ends(
    client_for, coordinator, answered, queued_only, django_assert_max_num_queries
):
    client = client_for(coordinator)
    response = ask_report(client, answered, "km")
    export = DocumentExport.objects.select_related("job").get()
    assert export.job.status == "queued"
    with django_assert_max_num_queries(6):
        page = client.get(response.url)
    html = page.content.decode()
    assert 'hx-get="{}"'.format(reverse("needs-export", args=[export.pk])) in html
    assert "Waiting for a worker to pick it up." in html
    # No inline script (CSP): every script tag loads a file.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "needs/js/exports.js" in html

    # The job runs; the fragment htmx polls says where it is.
    BackgroundJob.objects.filter(pk=export.job_id).update(
        status="running", message="export_writing", progress_done=1
    )
    with django_assert_max_num_queries(6):
        fragment = client.get(response.url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "Laying out the document." in text
    assert 'aria-valuenow="50"' in text
    assert "<html" not in text

    run(export)
    with django_assert_max_num_queries(8):  # and the data version, to say if still current
        fragment = client.get(response.url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "hx-trigger" not in text  # polling stops
    assert "data-auto-download" in text  # watched to the end: it downloads by itself
    with django_assert_max_num_queries(8):
        page = client.get(response.url)
    assert "data-auto-download" not in page.content.decode()  # opened later: a button


def test_plan_pages_queries(
    client_for, coordinator, plan, queued_only, django_assert_max_num_queries
):
    """The plan's data version reads each kind of row of the plan once (8 queries)."""
    client = client_for(coordinator)
    with django_assert_max_num_queries(25):
        response = ask_plan(client, plan, "docx", "km")
    export = run(DocumentExport.objects.get())
    with django_assert_max_num_queries(14):
        assert client.get(response.url).status_code == 200
    with django_assert_max_num_queries(14):
        client.get(reverse("needs-plan-export", args=[plan.pk]), headers={"HX-Request": "1"})
    with django_assert_max_num_queries(6):
        assert client.get(reverse("needs-export-download", args=[export.pk])).status_code == 200


def test_asking_again_while_it_runs_joins_the_job(
    client_for, coordinator, trainer, answered, queued_only
):
    first = ask_report(client_for(coordinator), answered, "km")
    trainer_client = client_for(trainer)
    second = ask_report(trainer_client, answered, "km")
    assert second.url == first.url
    assert BackgroundJob.objects.count() == 1
    assert any("already being made" in m for m in messages_of(second))
    # Answers arriving while it waits: the job reads the data when it starts, so still one.
    answered.touch_answers()
    assert ask_report(trainer_client, answered, "km").url == first.url
    assert BackgroundJob.objects.count() == 1
    # Another language or format is another document.
    ask_report(trainer_client, answered, "en")
    assert BackgroundJob.objects.count() == 2


def test_a_running_job_on_older_data_is_not_joined(client_for, coordinator, answered, queued_only):
    client = client_for(coordinator)
    ask_report(client, answered)
    export = DocumentExport.objects.get()
    BackgroundJob.objects.filter(pk=export.job_id).update(status="running")
    assert ask_report(client, answered).url == export.get_absolute_url()  # same data: joined
    answered.touch_answers()
    assert ask_report(client, answered).url != export.get_absolute_url()
    assert BackgroundJob.objects.count() == 2


def test_a_finished_copy_of_unchanged_data_is_reused(
    client_for, coordinator, answered, queued_only
):
    client = client_for(coordinator)
    ask_report(client, answered, "km")
    export = run(DocumentExport.objects.get())
    response = ask_report(client, answered, "km")
    assert response.url == export.get_absolute_url()
    assert BackgroundJob.objects.count() == 1
    assert any("from the same data" in m for m in messages_of(response))

    # "Make a fresh copy": a new job; once made, the older copy and its file are gone.
    response = ask_report(client, answered, "km", force="1")
    assert BackgroundJob.objects.count() == 2
    fresh = DocumentExport.objects.exclude(pk=export.pk).get()
    assert response.url == fresh.get_absolute_url()
    storage = export.file.storage
    assert storage.exists(export.file.name)
    run(fresh)
    assert not DocumentExport.objects.filter(pk=export.pk).exists()
    assert not storage.exists(export.file.name)
    assert client.get(export.get_absolute_url()).status_code == 404

    # Changed answers: the copy no longer shows the data; the page says so; a new job.
    answered.touch_answers()
    page = client.get(fresh.get_absolute_url()).content.decode()
    assert "The data has changed since this copy was made" in page
    ask_report(client, answered, "km")
    assert BackgroundJob.objects.count() == 3


def test_an_old_copy_is_not_reused(client_for, coordinator, answered, queued_only):
    client = client_for(coordinator)
    ask_report(client, answered)
    export = run(DocumentExport.objects.get())
    DocumentExport.objects.filter(pk=export.pk).update(
        generated_at=timezone.now() - dt.timedelta(seconds=exports.REUSE_SECONDS + 60)
    )
    ask_report(client, answered)
    assert BackgroundJob.objects.count() == 2


def test_the_plan_version_follows_every_row_of_the_plan(plan, answered):
    version = exports.plan_data_version(plan)
    assert exports.plan_data_version(plan) == version
    indicator = Indicator.objects.get(objective__plan=plan)
    IndicatorMeasurement.objects.create(
        indicator=indicator, measured_on=dt.date(2027, 6, 1), value=80
    )
    moved = exports.plan_data_version(plan)
    assert moved != version
    objective = plan.objectives.get()
    objective.gaps.add(answered.framework.competencies.get(code="teacher_management"))
    assert exports.plan_data_version(plan) != moved
    before_answers = exports.plan_data_version(plan)
    answered.touch_answers()  # the needs ranking chart of the plan
    assert exports.plan_data_version(plan) != before_answers


def test_the_report_version_follows_answers_and_the_baseline(answered, campaign):
    version = exports.report_data_version(answered)
    assert exports.report_data_version(answered) == version
    answered.touch_answers()
    assert exports.report_data_version(answered) != version


def test_the_documents_list(client_for, coordinator, answered, django_assert_max_num_queries):
    client = client_for(coordinator)
    url = reverse("needs-report", args=[answered.pk])
    assert (
        "Documents already made"
        not in client.get(url, headers={"HX-Request": "1"}).content.decode()
    )
    ask_report(client, answered, "km")
    ask_report(client, answered, "en")
    with django_assert_max_num_queries(10):
        fragment = client.get(url, headers={"HX-Request": "1"}).content.decode()
    assert fragment.count("generated on") == 2
    assert "the data has changed since" not in fragment
    answered.touch_answers()
    fragment = client.get(url, headers={"HX-Request": "1"}).content.decode()
    assert fragment.count("the data has changed since") == 2
    page = client.get(url)  # without JavaScript: a page of its own
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    campaign_page = client.get(reverse("needs-campaign", args=[answered.pk])).content.decode()
    assert f'hx-get="{url}"' in campaign_page


# --- Failures ---------------------------------------------------------------------------------


def test_a_failing_job_shows_its_error_on_the_page(
    client_for, coordinator, answered, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("vl-convert crashed")

    monkeypatch.setattr(documents, "needs_report_pdf", broken)
    client = client_for(coordinator)
    with caplog.at_level(logging.ERROR, logger="plancampus.needs.services.exports"):
        response = ask_report(client, answered, "km")
    export = DocumentExport.objects.select_related("job").get()
    assert (export.job.status, export.job.message) == ("failed", "export_error")
    assert export.job.result["error"] == "RuntimeError"
    assert export.has_failed
    assert not export.file
    assert any("failed" in r.getMessage() for r in caplog.records)
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "The document could not be made." in html
    assert "logged for the administrators" in html
    assert "Try again" in html
    assert "vl-convert crashed" not in html  # the details are for the log, not the page
    assert client.get(reverse("needs-export-download", args=[export.pk])).status_code == 404
    # A failed copy is never reused: asking again starts a new job.
    monkeypatch.undo()
    ask_report(client, answered, "km")
    assert BackgroundJob.objects.count() == 2
    assert DocumentExport.objects.latest("pk").is_ready


def test_a_queue_that_does_not_answer_fails_the_job_not_the_request(
    client_for, coordinator, plan, monkeypatch
):
    class Refusing:
        def enqueue(self, **kwargs):
            raise ConnectionError("queue down")

    monkeypatch.setattr(export_tasks, "render_document", Refusing())
    client = client_for(coordinator)
    response = ask_plan(client, plan, "docx", "km")
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "could not be queued" in html


def test_a_lost_job_is_replaced(client_for, coordinator, answered, queued_only):
    client = client_for(coordinator)
    ask_report(client, answered)
    lost = DocumentExport.objects.get()
    BackgroundJob.objects.filter(pk=lost.job_id).update(
        status="running",
        created_at=timezone.now() - dt.timedelta(seconds=exports.ABANDONED_SECONDS + 60),
    )
    ask_report(client, answered)
    assert BackgroundJob.objects.count() == 2
    lost.job.refresh_from_db()
    assert (lost.job.status, lost.job.result["error"]) == ("failed", "abandoned")
    assert "did not finish" in client.get(lost.get_absolute_url()).content.decode()


# --- The task --------------------------------------------------------------------------------


def test_the_task_makes_and_stores_the_document(coordinator, plan, queued_only, settings):
    asked = exports.export_request(user=coordinator, language="en", file_format="pdf", plan=plan)
    assert asked.outcome == "started"
    job = asked.export.job
    assert job.task_result_id  # queued through django.tasks
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result = render_document.enqueue(job_id=job.pk)
    assert result.status == "SUCCESSFUL", result.errors
    assert result.return_value["export_id"] == asked.export.pk
    export = DocumentExport.objects.select_related("job").get(pk=asked.export.pk)
    assert export.is_ready
    assert export.size == result.return_value["size"] > 1000
    assert export.generated_at is not None
    assert export.data_version == exports.plan_data_version(plan)
    with export.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert (export.job.status, export.job.message, export.job.percent) == (
        "succeeded",
        "export_ready",
        100,
    )


def test_the_task_of_a_deleted_plan_ends_failed(coordinator, plan, queued_only):
    asked = exports.export_request(user=coordinator, language="km", file_format="docx", plan=plan)
    job_id = asked.export.job_id
    plan.delete()
    assert exports.export_render_run(job_id=job_id) == {"outcome": "gone"}
    job = BackgroundJob.objects.get(pk=job_id)
    assert (job.status, job.result["error"]) == ("failed", "gone")


@pytest.mark.django_db(transaction=True)
def test_real_database_worker_makes_the_document(client_for, coordinator, plan, settings):
    """Queued in the database, made by `manage.py db_worker`, then downloaded."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    client = client_for(coordinator)
    ask_plan(client, plan, "docx", "km")
    export = DocumentExport.objects.select_related("job").get()
    assert export.job.status == BackgroundJob.Status.QUEUED
    task_result = DBTaskResult.objects.get(pk=export.job.task_result_id)
    assert task_result.status == "READY"

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)

    task_result.refresh_from_db()
    assert task_result.status == "SUCCESSFUL"
    export = DocumentExport.objects.select_related("job").get(pk=export.pk)
    assert export.job.status == BackgroundJob.Status.SUCCEEDED, export.job.result
    _response, content = download(client, export)
    word = docx.Document(io.BytesIO(content))
    assert "ផែនការអភិវឌ្ឍសមត្ថភាព" in "\n".join(p.text for p in word.paragraphs)
