"""Certificates over the REST API: the same rules as the pages."""

from __future__ import annotations

import pytest

from plancampus.core.models import ApiToken
from plancampus.training.models import Certificate
from plancampus.training.services.certificates import certificates_issue

from .certificates_setup import give_account, holder_enrolment, make_closed_cohort, non_completer


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def closed_cohort(institution):
    return make_closed_cohort(institution, completed=2, not_completed=1)


def bearer(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def api(path: str) -> str:
    return f"/api{path}"


@pytest.mark.django_db
def test_coordinator_issues_lists_and_revokes(client, coordinator, closed_cohort):
    headers = bearer(coordinator)
    url = api(f"/training/cohorts/{closed_cohort.pk}/certificates/")
    response = client.post(url, {}, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["certificates"]) == 2
    assert body["job_id"]

    listing = client.get(url, headers=headers).json()
    assert {c["status"] for c in listing} == {"valid"}
    assert all(c["ready"] and c["credential_url"].endswith("credential.jwt") for c in listing)

    certificate_id = listing[0]["id"]
    revoke = api(f"/training/certificates/{certificate_id}/revoke/")
    revoked = client.post(
        revoke, {"reason": "Duplicate"}, content_type="application/json", headers=headers
    )
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert Certificate.objects.get(pk=certificate_id).history.latest().history_user == coordinator
    again = client.post(
        revoke, {"reason": "Again"}, content_type="application/json", headers=headers
    )
    assert again.status_code == 400
    assert "already revoked" in again.json()["detail"]


@pytest.mark.django_db
def test_refusal_lists_the_problem_and_saves_nothing(client, coordinator, closed_cohort):
    failing = non_completer(closed_cohort)
    response = client.post(
        api(f"/training/cohorts/{closed_cohort.pk}/certificates/"),
        {"enrolment_ids": [holder_enrolment(closed_cohort).pk, failing.pk]},
        content_type="application/json",
        headers=bearer(coordinator),
    )
    assert response.status_code == 400
    assert failing.person.name_latin in response.json()["detail"]
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_participant_reads_only_their_own_and_cannot_revoke(
    client, coordinator, participant, closed_cohort
):
    holder = holder_enrolment(closed_cohort)
    give_account(holder.person, participant)
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    own = Certificate.objects.get(enrolment=holder)
    other = Certificate.objects.exclude(pk=own.pk).get()
    headers = bearer(participant)
    assert client.get(api(f"/training/certificates/{own.pk}/"), headers=headers).status_code == 200
    assert (
        client.get(api(f"/training/certificates/{other.pk}/"), headers=headers).status_code == 404
    )
    listing = client.get(
        api(f"/training/cohorts/{closed_cohort.pk}/certificates/"), headers=headers
    )
    assert listing.status_code == 404
    revoke = client.post(
        api(f"/training/certificates/{own.pk}/revoke/"),
        {"reason": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert revoke.status_code == 403
    assert not own.__class__.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.django_db
def test_trainer_reads_but_cannot_issue(client, trainer, closed_cohort):
    headers = bearer(trainer)
    url = api(f"/training/cohorts/{closed_cohort.pk}/certificates/")
    assert client.get(url, headers=headers).status_code == 200
    response = client.post(url, {}, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert Certificate.objects.count() == 0


@pytest.mark.django_db
def test_outsider_gets_404(client, coordinator, outsider, closed_cohort):
    certificates_issue(cohort=closed_cohort, issued_by=coordinator)
    certificate = Certificate.objects.first()
    headers = bearer(outsider)
    url = api(f"/training/cohorts/{closed_cohort.pk}/certificates/")
    assert client.get(url, headers=headers).status_code == 404
    assert client.post(url, {}, content_type="application/json", headers=headers).status_code == 404
    detail = api(f"/training/certificates/{certificate.pk}/")
    assert client.get(detail, headers=headers).status_code == 404
    revoke = client.post(
        detail + "revoke/", {"reason": "x"}, content_type="application/json", headers=headers
    )
    assert revoke.status_code == 404


@pytest.mark.django_db
def test_list_has_bounded_queries(client, coordinator, institution, django_assert_max_num_queries):
    headers = bearer(coordinator)
    small = make_closed_cohort(institution, completed=2, not_completed=0, code="s")
    large = make_closed_cohort(
        institution, completed=40, not_completed=0, code="l", course=small.course
    )
    for cohort in (small, large):
        certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    for cohort in (small, large):
        with django_assert_max_num_queries(8):
            response = client.get(
                api(f"/training/cohorts/{cohort.pk}/certificates/"), headers=headers
            )
        assert response.status_code == 200
