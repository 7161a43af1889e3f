"""Issuing and revoking certificates: the rules, the job, the pages, who may do what."""

from __future__ import annotations

import signal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from plancampus.core.models import BackgroundJob
from plancampus.training.models import Certificate, IssuerKey, ResultStatus
from plancampus.training.services.certificates import (
    certificate_language,
    certificate_revoke,
    certificates_issue,
    certificates_render_run,
    render_processes,
)

from .certificates_setup import (
    HOLDER_LATIN,
    give_account,
    holder_enrolment,
    make_closed_cohort,
    non_completer,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def closed_cohort(institution):
    return make_closed_cohort(institution, completed=3, not_completed=1)


# --- Issuing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_makes_one_certificate_per_completer_with_pdf_and_credential(
    closed_cohort, coordinator
):
    issued = certificates_issue(cohort=closed_cohort, issued_by=coordinator)

    assert len(issued.certificates) == 3
    certificates = list(Certificate.objects.for_cohort(closed_cohort.pk).order_by("sequence"))
    assert {c.enrolment.result_status for c in certificates} == {ResultStatus.COMPLETED}
    year = certificates[0].year
    assert [c.number for c in certificates] == [f"NIE-{year}-{n:05d}" for n in (1, 2, 3)]
    for certificate in certificates:
        assert certificate.is_ready
        assert certificate.pdf.read(5) == b"%PDF-"
        assert certificate.credential_jwt.count(".") == 2
        assert len(certificate.verification_id) >= 22
    job = BackgroundJob.objects.get(pk=issued.job.pk)
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert IssuerKey.objects.filter(institution=closed_cohort.institution).count() == 1


@pytest.mark.django_db
def test_numbers_continue_across_cohorts_of_the_year(institution, coordinator):
    first = make_closed_cohort(institution, completed=2, not_completed=0, code="a")
    second = make_closed_cohort(
        institution, completed=2, not_completed=0, code="b", course=first.course
    )
    certificates_issue(cohort=first, issued_by=coordinator)
    issued = certificates_issue(cohort=second, issued_by=coordinator)
    assert [c.sequence for c in issued.certificates] == [3, 4]
    indexes = set(Certificate.objects.values_list("status_index", flat=True))
    assert len(indexes) == 4  # each certificate owns its own revocation bit


@pytest.mark.django_db
def test_non_completer_is_refused_with_a_clear_message_and_nothing_saved(
    closed_cohort, coordinator
):
    failing = non_completer(closed_cohort)
    ids = [holder_enrolment(closed_cohort).pk, failing.pk]
    with pytest.raises(ValidationError) as raised:
        certificates_issue(cohort=closed_cohort, issued_by=coordinator, enrolment_ids=ids)

    (message,) = raised.value.messages
    assert failing.person.name_latin in message
    assert "has not completed the course" in message
    assert "attendance 60 %" in message
    assert "final mark 41 %" in message
    assert Certificate.objects.count() == 0
    assert Certificate.history.count() == 0
    assert BackgroundJob.objects.count() == 0


@pytest.mark.django_db
def test_cohort_not_closed_and_already_certified_are_refused(closed_cohort, coordinator):
    closed_cohort.closed_at = None
    closed_cohort.save()
    with pytest.raises(ValidationError, match="not closed yet"):
        certificates_issue(cohort=closed_cohort, issued_by=coordinator)

    closed_cohort.closed_at = closed_cohort.created_at
    closed_cohort.save()
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    holder = holder_enrolment(closed_cohort)
    with pytest.raises(ValidationError, match="already has certificate"):
        certificates_issue(cohort=closed_cohort, issued_by=coordinator, enrolment_ids=[holder.pk])
    with pytest.raises(ValidationError, match="Nobody in cohort"):
        certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    assert Certificate.objects.count() == 3


@pytest.mark.django_db
def test_enrolment_of_another_cohort_is_refused(institution, closed_cohort, coordinator):
    other = make_closed_cohort(institution, code="other", course=closed_cohort.course)
    stranger = holder_enrolment(other)
    with pytest.raises(ValidationError, match="is not in cohort"):
        certificates_issue(cohort=closed_cohort, issued_by=coordinator, enrolment_ids=[stranger.pk])
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_language_is_the_override_then_the_account_then_the_cohort(closed_cohort, participant):
    enrolment = holder_enrolment(closed_cohort)
    assert certificate_language(enrolment, closed_cohort) == "km"  # the cohort's
    give_account(enrolment.person, participant, language="fr")
    enrolment.person.refresh_from_db()
    assert certificate_language(enrolment, closed_cohort) == "fr"  # the account's
    assert certificate_language(enrolment, closed_cohort, "en") == "en"  # the coordinator's
    participant.language = "ar"  # not a certificate language: the cohort's, then English
    participant.save()
    enrolment.person.refresh_from_db()
    assert certificate_language(enrolment, closed_cohort) == "km"
    closed_cohort.language = "lo"
    assert certificate_language(enrolment, closed_cohort) == "en"


@pytest.mark.django_db
def test_course_title_is_in_the_certificate_language(closed_cohort, coordinator):
    issued = certificates_issue(cohort=closed_cohort, issued_by=coordinator, language="fr")
    assert {c.course_title for c in issued.certificates} == {closed_cohort.course.title_fr}
    assert {c.language for c in issued.certificates} == {"fr"}
    with pytest.raises(ValidationError, match="Khmer, English or French"):
        certificates_issue(cohort=closed_cohort, issued_by=coordinator, language="de")


# --- Revoking ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_revocation_is_audited_with_user_and_reason(closed_cohort, coordinator):
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    certificate = Certificate.objects.get(enrolment=holder_enrolment(closed_cohort))
    with pytest.raises(ValidationError, match="Say why"):
        certificate_revoke(certificate=certificate, user=coordinator, reason="  ")

    certificate_revoke(certificate=certificate, user=coordinator, reason="Issued by mistake")

    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revoked_by == coordinator
    latest = certificate.history.latest()
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "Issued by mistake"
    assert latest.revocation_reason == "Issued by mistake"
    issued = certificate.history.earliest()
    assert (issued.history_type, issued.history_user) == ("+", coordinator)
    with pytest.raises(ValidationError, match="already revoked"):
        certificate_revoke(certificate=certificate, user=coordinator, reason="again")


# --- Pages -------------------------------------------------------------------------------------


def _list_url(cohort):
    return reverse("certificates:cohort", args=[cohort.pk])


@pytest.mark.django_db
def test_coordinator_issues_from_the_page_and_lands_on_the_job(
    client_for, coordinator, closed_cohort
):
    client = client_for(coordinator)
    page = client.get(_list_url(closed_cohort)).content.decode()
    assert "Issue certificates" in page
    eligible = [e.pk for e in closed_cohort.enrolments.filter(result_status=ResultStatus.COMPLETED)]
    for pk in eligible:
        assert f'value="{pk}" checked' in page
    assert f'value="{non_completer(closed_cohort).pk}">' in page  # offered, not selected

    response = client.post(
        reverse("certificates:issue", args=[closed_cohort.pk]), {"enrolment": eligible}
    )
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job-detail", args=[job.pk])
    job_page = client.get(response.url).content.decode()
    assert "the certificates are ready" in job_page
    assert _list_url(closed_cohort) in job_page
    listing = client.get(_list_url(closed_cohort)).content.decode()
    assert HOLDER_LATIN in listing
    assert "Valid" in listing


@pytest.mark.django_db
def test_page_refusal_shows_each_problem(client_for, coordinator, closed_cohort):
    client = client_for(coordinator)
    failing = non_completer(closed_cohort)
    response = client.post(
        reverse("certificates:issue", args=[closed_cohort.pk]),
        {"enrolment": [holder_enrolment(closed_cohort).pk, failing.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "has not completed the course" in page
    assert "No certificate was issued" in page
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_revoke_from_the_page(client_for, coordinator, closed_cohort):
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    certificate = Certificate.objects.first()
    client = client_for(coordinator)
    client.post(reverse("certificates:revoke", args=[certificate.pk]), {"reason": "Fraud"})
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revocation_reason == "Fraud"
    assert certificate.history.latest().history_user == coordinator


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["trainer", "participant"])
def test_without_training_manage_issuing_and_revoking_are_forbidden(
    client_for, request, persona, closed_cohort, coordinator
):
    user = request.getfixturevalue(persona)
    if persona == "participant":
        give_account(holder_enrolment(closed_cohort).person, user)
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    certificate = Certificate.objects.first()
    client = client_for(user)
    assert client.post(reverse("certificates:issue", args=[closed_cohort.pk])).status_code == 403
    revoke = reverse("certificates:revoke", args=[certificate.pk])
    assert client.post(revoke, {"reason": "x"}).status_code in {403, 404}
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.django_db
def test_trainer_sees_the_list_without_the_forms(client_for, trainer, closed_cohort):
    page = client_for(trainer).get(_list_url(closed_cohort))
    assert page.status_code == 200
    assert "Issue certificates" not in page.content.decode()


@pytest.mark.django_db
def test_outsider_gets_404_everywhere(client_for, outsider, coordinator, closed_cohort):
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    certificate = Certificate.objects.first()
    client = client_for(outsider)
    assert client.get(_list_url(closed_cohort)).status_code == 404
    assert client.post(reverse("certificates:issue", args=[closed_cohort.pk])).status_code == 404
    revoke = reverse("certificates:revoke", args=[certificate.pk])
    assert client.post(revoke, {"reason": "x"}).status_code == 404
    assert (
        client.get(reverse("job-detail", args=[BackgroundJob.objects.get().pk])).status_code == 404
    )


@pytest.mark.django_db
def test_participant_sees_only_their_own_certificates(
    client_for, participant, coordinator, closed_cohort
):
    holder = holder_enrolment(closed_cohort)
    give_account(holder.person, participant)
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    client = client_for(participant)
    assert client.get(_list_url(closed_cohort)).status_code == 403
    page = client.get(reverse("certificates:mine")).content.decode()
    own = Certificate.objects.get(enrolment=holder)
    assert own.number in page
    others = Certificate.objects.exclude(pk=own.pk)
    assert not any(c.number in page for c in others)


@pytest.mark.django_db
def test_list_page_has_bounded_queries(
    client_for, coordinator, institution, django_assert_max_num_queries
):
    client = client_for(coordinator)
    small = make_closed_cohort(institution, completed=2, not_completed=1, code="small")
    large = make_closed_cohort(
        institution, completed=30, not_completed=5, code="large", course=small.course
    )
    for cohort in (small, large):
        certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    client.get(_list_url(small))
    for cohort in (small, large):
        with django_assert_max_num_queries(12):
            response = client.get(_list_url(cohort))
        assert response.status_code == 200


@pytest.mark.django_db
def test_a_pool_of_processes_draws_the_same_certificates(institution, coordinator):
    """Big jobs draw their PDFs in spawned processes; the result is the same."""
    cohort = make_closed_cohort(institution, completed=3, not_completed=0)
    issued = certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    job = BackgroundJob.objects.create(
        kind="certificates",
        title="pool",
        created_by=coordinator,
        institution=institution,
        result={"cohort_id": cohort.pk, "certificate_ids": [c.pk for c in issued.certificates]},
    )
    result = certificates_render_run(job_id=job.pk, processes=2)
    assert result["processes"] == 2
    assert result["done"] == 3
    for certificate in Certificate.objects.filter(pk__in=[c.pk for c in issued.certificates]):
        assert certificate.is_ready
        assert certificate.pdf.read(5) == b"%PDF-"
    assert render_processes(3) == 1  # small jobs stay in the job's process


# --- The real worker ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_real_database_worker_makes_the_pdfs(institution, coordinator, settings):
    """Issued certificates are queued in the database and `manage.py db_worker` makes them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    cohort = make_closed_cohort(institution, completed=2, not_completed=0)
    issued = certificates_issue(cohort=cohort, issued_by=coordinator)
    job = issued.job
    assert job.status == BackgroundJob.Status.QUEUED
    assert Certificate.objects.pending().count() == 2
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
    assert job.status == BackgroundJob.Status.SUCCEEDED
    assert job.percent == 100
    assert Certificate.objects.pending().count() == 0
