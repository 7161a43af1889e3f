"""Reopening closed results: the rules, the certificates issued from them, the pages, the
API, who may do it, and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from plancampus.core.models import ApiToken
from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import Certificate, CohortStatus, ResultStatus
from plancampus.training.services.attendance import attendance_mark
from plancampus.training.services.certificates import certificates_issue
from plancampus.training.services.courses import course_is_locked
from plancampus.training.services.enrolment import enrolment_withdraw
from plancampus.training.services.results import (
    MarkEntry,
    cohort_close,
    marks_record,
    results_reopen,
)

from .factories import AttendanceFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(cohort, coordinator, people=("Good", "Fair", "Weak")):
    """Two sessions attended by everyone; marks: Good 72 %, Fair 60 %, Weak 30 %."""
    sessions = [
        SessionFactory(cohort=cohort, starts_at=NOW - dt.timedelta(days=d), duration_minutes=120)
        for d in (2, 1)
    ]
    exercises, test = cohort.course.modalities.order_by("id")
    enrolments = {
        name: EnrolmentFactory(
            cohort=cohort,
            person=PersonFactory(name_latin=name),
            enrolled_at=NOW - dt.timedelta(days=10),
        )
        for name in people
    }
    for session in sessions:
        attendance_mark(
            session=session, marks={e.pk: "present" for e in enrolments.values()}, user=coordinator
        )
    values = {"Good": (15, 70), "Fair": (12, 60), "Weak": (6, 30)}
    marks_record(
        cohort=cohort,
        entries=[
            MarkEntry(enrolments[name].pk, modality.pk, Decimal(value))
            for name in people
            for modality, value in zip((exercises, test), values[name], strict=True)
        ],
        user=coordinator,
    )
    return enrolments


@pytest.fixture
def certified(cohort, coordinator):
    """A closed cohort whose two completers (Good, Fair) have certificates."""
    enrolments = _run(cohort, coordinator)
    cohort_close(cohort=cohort, user=coordinator)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    cohort.refresh_from_db()
    return enrolments


def _set_mark(cohort, enrolment, user, exercise, test):
    first, second = cohort.course.modalities.order_by("id")
    marks_record(
        cohort=cohort,
        entries=[
            MarkEntry(enrolment.pk, first.pk, Decimal(exercise)),
            MarkEntry(enrolment.pk, second.pk, Decimal(test)),
        ],
        user=user,
    )


# --- The service -------------------------------------------------------------------------------


def test_reopening_needs_a_reason_and_closed_results(cohort, coordinator):
    _run(cohort, coordinator)
    with pytest.raises(ValidationError, match="not closed"):
        results_reopen(cohort=cohort, user=coordinator, reason="Typo in a mark")
    cohort_close(cohort=cohort, user=coordinator)
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="Say why"):
            results_reopen(cohort=cohort, user=coordinator, reason=reason)
    with pytest.raises(ValidationError, match="1,000"):
        results_reopen(cohort=cohort, user=coordinator, reason="x" * 1001)
    cohort.refresh_from_db()
    assert cohort.is_closed


def test_reopening_is_audited_and_lets_marks_be_corrected(cohort, coordinator, trainer):
    enrolments = _run(cohort, coordinator)
    cohort_close(cohort=cohort, user=coordinator)
    reopened = results_reopen(
        cohort=cohort, user=coordinator, reason="  The written test of Weak was mis-typed  "
    )
    assert reopened.is_reopened
    assert not reopened.is_closed
    cohort.refresh_from_db()
    assert (cohort.closed_at, cohort.reopened_by) == (None, coordinator)
    assert cohort.reopen_reason == "The written test of Weak was mis-typed"
    assert cohort.status == CohortStatus.COMPLETED
    latest = cohort.history.latest()
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "The written test of Weak was mis-typed"
    assert latest.reopen_reason == "The written test of Weak was mis-typed"
    # The previous results stand until the results are closed again.
    weak = enrolments["Weak"]
    weak.refresh_from_db()
    assert weak.result_status == ResultStatus.NOT_COMPLETED
    # Marks and attendance can be corrected; the participants cannot change.
    _set_mark(cohort, weak, trainer, 14, 65)
    with pytest.raises(ValidationError, match="can no longer change"):
        enrolment_withdraw(enrolment=enrolments["Good"], user=coordinator)
    # The course version stays locked (certificates cite it).
    assert course_is_locked(cohort.course)

    closing = cohort_close(cohort=cohort, user=coordinator)
    assert closing.completed_count == 3
    assert closing.revoked == []
    weak.refresh_from_db()
    assert weak.result_status == ResultStatus.COMPLETED
    cohort.refresh_from_db()
    assert cohort.is_closed
    assert not cohort.is_reopened
    # Each step is in the cohort's history, with who did it.
    reasons = [h.history_change_reason for h in cohort.history.order_by("history_date")]
    assert reasons[-3:] == [
        "results closed",
        "The written test of Weak was mis-typed",
        "results closed",
    ]


def test_reopening_with_valid_certificates_needs_a_confirmation(cohort, coordinator, certified):
    with pytest.raises(ValidationError) as error:
        results_reopen(cohort=cohort, user=coordinator, reason="Check marks")
    assert "2 valid certificates" in str(error.value.message_dict["confirm_certificates"])
    cohort.refresh_from_db()
    assert cohort.is_closed
    results_reopen(cohort=cohort, user=coordinator, reason="Check marks", confirm_certificates=True)
    cohort.refresh_from_db()
    assert cohort.is_reopened
    # While reopened, certificates stay valid and none can be issued.
    assert Certificate.objects.for_cohort(cohort.pk).valid().count() == 2
    with pytest.raises(ValidationError, match="not closed yet"):
        certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)


def test_closing_again_revokes_the_certificate_of_who_no_longer_completes(
    cohort, coordinator, admin_user, certified
):
    results_reopen(cohort=cohort, user=coordinator, reason="Fair copied", confirm_certificates=True)
    _set_mark(cohort, certified["Fair"], coordinator, 4, 20)  # now 18 %
    closing = cohort_close(cohort=cohort, user=admin_user)

    fair = Certificate.objects.get(enrolment=certified["Fair"])
    good = Certificate.objects.get(enrolment=certified["Good"])
    assert [c.pk for c in closing.revoked] == [fair.pk]
    assert fair.is_revoked
    assert not good.is_revoked
    assert fair.revoked_by == admin_user
    # The public reason is in the certificate's language, and names no mark.
    assert fair.revocation_reason == _revocation_reason(fair, cohort)
    assert cohort.code in fair.revocation_reason
    # The revocation is audited like any other: who, and why.
    latest = fair.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_change_reason == fair.revocation_reason[:100]
    certified["Fair"].refresh_from_db()
    assert certified["Fair"].result_status == ResultStatus.NOT_COMPLETED

    # Reopened and closed again with no change: nothing more is revoked.
    results_reopen(cohort=cohort, user=coordinator, reason="Recheck", confirm_certificates=True)
    assert cohort_close(cohort=cohort, user=coordinator).revoked == []


def test_someone_who_completes_after_a_correction_can_get_a_certificate(
    cohort, coordinator, certified
):
    results_reopen(cohort=cohort, user=coordinator, reason="Weak's test", confirm_certificates=True)
    _set_mark(cohort, certified["Weak"], coordinator, 16, 80)
    cohort_close(cohort=cohort, user=coordinator)
    issued = certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    assert [c.enrolment_id for c in issued.certificates] == [certified["Weak"].pk]


# --- The pages ---------------------------------------------------------------------------------


def test_coordinator_reopens_with_reason_and_confirmation(
    client_for, coordinator, cohort, certified
):
    client = client_for(coordinator)
    detail = client.get(reverse("training:cohort-detail", args=[cohort.pk])).content.decode()
    url = reverse("training:cohort-reopen", args=[cohort.pk])
    assert url in detail

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 valid certificates were issued from these results" in html
    assert 'name="confirm_certificates"' in html
    number = Certificate.objects.for_cohort(cohort.pk).order_by("number").first().number
    assert number in html

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    unconfirmed = client.post(url, {"reason": "Fair copied"})
    assert unconfirmed.status_code == 400
    assert "Confirm that you understand" in unconfirmed.content.decode()
    cohort.refresh_from_db()
    assert cohort.is_closed

    response = client.post(url, {"reason": "Fair copied", "confirm_certificates": "on"})
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.is_reopened
    assert cohort.reopened_by == coordinator
    detail = client.get(reverse("training:cohort-detail", args=[cohort.pk])).content.decode()
    assert "Fair copied" in detail
    assert reverse("training:cohort-close", args=[cohort.pk]) in detail
    assert reverse("training:nominate", args=[cohort.pk]) not in detail
    # The status cannot be changed while the results are reopened.
    client.post(reverse("training:cohort-status", args=[cohort.pk]), {"status": "running"})
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.COMPLETED


def test_reopening_without_certificates_asks_no_confirmation(client_for, coordinator, cohort):
    _run(cohort, coordinator)
    cohort_close(cohort=cohort, user=coordinator)
    client = client_for(coordinator)
    url = reverse("training:cohort-reopen", args=[cohort.pk])
    html = client.get(url).content.decode()
    assert 'name="confirm_certificates"' not in html
    assert client.post(url, {"reason": "A mark was wrong"}).status_code == 302
    cohort.refresh_from_db()
    assert cohort.is_reopened
    # Not closed: the page sends back to the cohort.
    assert client.get(url).status_code == 302


def test_close_page_says_which_certificates_will_be_revoked(
    client_for, coordinator, cohort, certified
):
    results_reopen(cohort=cohort, user=coordinator, reason="Fair copied", confirm_certificates=True)
    _set_mark(cohort, certified["Fair"], coordinator, 4, 20)
    client = client_for(coordinator)
    url = reverse("training:cohort-close", args=[cohort.pk])
    html = client.get(url).content.decode()
    fair = Certificate.objects.get(enrolment=certified["Fair"])
    good = Certificate.objects.get(enrolment=certified["Good"])
    assert f"{fair.number} — <strong>will be revoked</strong>" in html
    assert f"{good.number} — stays valid" in html
    assert "Fair copied" in html

    response = client.post(url, {"allow_missing_marks": ""}, follow=True)
    assert response.status_code == 200
    assert f"no longer completes the course: {fair.number}." in response.content.decode()
    fair.refresh_from_db()
    assert fair.is_revoked
    certificates = client.get(reverse("certificates:cohort", args=[cohort.pk])).content.decode()
    assert escape(_revocation_reason(fair, cohort)) in certificates


def _revocation_reason(certificate, cohort):
    with translation.override(certificate.language):
        return gettext(
            "The results of cohort %(code)s were corrected on %(date)s: the holder no "
            "longer meets the course's completion rules."
        ) % {"code": cohort.code, "date": timezone.localdate(certificate.revoked_at).isoformat()}


@pytest.mark.parametrize(("persona", "status"), [("trainer", 403), ("specialist", 403)])
def test_only_managers_reopen(request, client_for, cohort, coordinator, persona, status):
    _run(cohort, coordinator)
    cohort_close(cohort=cohort, user=coordinator)
    client = client_for(request.getfixturevalue(persona))
    url = reverse("training:cohort-reopen", args=[cohort.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"reason": "Mine"}).status_code == status
    cohort.refresh_from_db()
    assert cohort.is_closed


def test_other_institutions_get_404(client_for, outsider, cohort, coordinator):
    _run(cohort, coordinator)
    cohort_close(cohort=cohort, user=coordinator)
    client = client_for(outsider)
    url = reverse("training:cohort-reopen", args=[cohort.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Mine"}).status_code == 404
    cohort.refresh_from_db()
    assert cohort.is_closed


def test_reopen_page_queries_do_not_grow_with_certificates(
    client_for, coordinator, cohort, django_assert_max_num_queries
):
    _certify(cohort, coordinator, [f"First {n}" for n in range(3)])
    client = client_for(coordinator)
    url = reverse("training:cohort-reopen", args=[cohort.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    results_reopen(cohort=cohort, user=coordinator, reason="More", confirm_certificates=True)
    _certify(cohort, coordinator, [f"More {n:02d}" for n in range(57)])
    assert Certificate.objects.for_cohort(cohort.pk).valid().count() == 60
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "60 valid certificates" in response.content.decode()
    assert len(few.captured_queries) <= 15


def _certify(cohort, coordinator, names):
    """Add participants who attend and pass, close the results and certify them."""
    session = cohort.sessions.first() or SessionFactory(
        cohort=cohort, starts_at=NOW - dt.timedelta(days=1)
    )
    first, second = cohort.course.modalities.order_by("id")
    enrolments = [
        EnrolmentFactory(cohort=cohort, person=PersonFactory(name_latin=name)) for name in names
    ]
    for enrolment in enrolments:
        AttendanceFactory(session=session, enrolment=enrolment, status="present")
    marks_record(
        cohort=cohort,
        entries=[
            MarkEntry(e.pk, m.pk, Decimal(v))
            for e in enrolments
            for m, v in ((first, 15), (second, 80))
        ],
        user=coordinator,
    )
    cohort_close(cohort=cohort, user=coordinator)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)


# --- The API -----------------------------------------------------------------------------------


def _bearer(user):
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_api_reopens_and_closes_with_the_same_rules(
    client, coordinator, trainer, outsider, cohort, certified
):
    reopen = f"/api/training/cohorts/{cohort.pk}/results/reopen/"
    close = f"/api/training/cohorts/{cohort.pk}/results/close/"

    def post(url, body, user):
        return client.post(url, body, content_type="application/json", headers=_bearer(user))

    assert post(reopen, {"reason": "Fair copied"}, outsider).status_code == 404
    assert post(reopen, {"reason": "Fair copied"}, trainer).status_code == 403
    refused = post(reopen, {"reason": "Fair copied"}, coordinator)
    assert refused.status_code == 400
    assert "Confirm that you understand" in refused.json()["detail"]
    assert post(reopen, {"reason": "  "}, coordinator).status_code == 400

    response = post(reopen, {"reason": "Fair copied", "confirm_certificates": True}, coordinator)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["closed"], body["reopen_reason"]) == (False, "Fair copied")
    assert body["reopened_at"]

    _set_mark(cohort, certified["Fair"], coordinator, 4, 20)
    assert post(close, {}, trainer).status_code == 403
    closed = post(close, {}, coordinator)
    assert closed.status_code == 200, closed.content
    fair = Certificate.objects.get(enrolment=certified["Fair"])
    assert closed.json() | {"closed_at": None, "reopened_at": None} == {
        "cohort_id": cohort.pk,
        "closed": True,
        "closed_at": None,
        "reopened_at": None,
        "reopen_reason": "Fair copied",
        "completed": 1,
        "not_completed": 2,
        "revoked_certificates": [fair.number],
    }
    assert post(close, {}, coordinator).status_code == 400  # already closed
