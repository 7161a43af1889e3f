"""A new certificate after a revocation: at most one valid certificate per enrolment (in the
service and in the database), revoked ones stay revoked, and the pages and the API show both."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from plancampus.core.models import ApiToken
from plancampus.training.models import Certificate
from plancampus.training.services.certificates import (
    certificate_revoke,
    certificates_issue,
    issuable_enrolments,
)
from plancampus.training.services.credentials import decode_status_list
from plancampus.training.services.results import cohort_close, results_reopen

from .certificates_setup import holder_enrolment, make_closed_cohort
from .test_results_reopen import _run, _set_mark

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _revoked_bit(client, certificate: Certificate) -> bool:
    """The certificate's bit in its institution's published status list."""
    url = reverse(
        "certificates:status-list",
        args=[certificate.institution.code, certificate.status_list],
    )
    response = client.get(url)
    assert response.status_code == 200
    bits = decode_status_list(
        _claims(response.content.decode())["credentialSubject"]["encodedList"]
    )
    index = certificate.status_index
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _verdict(client, certificate: Certificate) -> str:
    page = client.get(reverse("certificates:verify", args=[certificate.verification_id]))
    assert page.status_code == 200
    return page.content.decode()


def test_revoke_reclose_and_reissue_gives_a_second_certificate(client, cohort, coordinator):
    enrolments = _run(cohort, coordinator)
    cohort_close(cohort=cohort, user=coordinator)
    certificates_issue(cohort=cohort, issued_by=coordinator)
    fair = enrolments["Fair"]
    first = Certificate.objects.get(enrolment=fair)

    # Corrected down: closing again revokes Fair's certificate.
    results_reopen(cohort=cohort, user=coordinator, reason="Fair copied", confirm_certificates=True)
    _set_mark(cohort, fair, coordinator, 4, 20)
    assert [c.pk for c in cohort_close(cohort=cohort, user=coordinator).revoked] == [first.pk]
    # Not completing, Fair cannot get a new one.
    with pytest.raises(ValidationError, match="has not completed"):
        certificates_issue(cohort=cohort, issued_by=coordinator, enrolment_ids=[fair.pk])

    # Corrected back (the copying was a mistake): Fair completes again, and is issued anew.
    results_reopen(cohort=cohort, user=coordinator, reason="Not copied", confirm_certificates=True)
    _set_mark(cohort, fair, coordinator, 12, 60)
    assert cohort_close(cohort=cohort, user=coordinator).revoked == []
    assert [e.pk for e in issuable_enrolments(cohort)] == [fair.pk]
    issued = certificates_issue(cohort=cohort, issued_by=coordinator)
    assert [c.enrolment_id for c in issued.certificates] == [fair.pk]

    first.refresh_from_db()
    second = Certificate.objects.get(pk=issued.certificates[0].pk)
    assert first.is_revoked
    assert not second.is_revoked
    assert second.number != first.number
    assert second.sequence > first.sequence
    assert second.verification_id != first.verification_id
    assert second.subject_uuid != first.subject_uuid
    assert (second.status_list, second.status_index) != (first.status_list, first.status_index)
    assert second.is_ready
    assert second.credential_jwt != first.credential_jwt
    assert _claims(second.credential_jwt)["id"] == second.verification_url()
    assert list(Certificate.objects.filter(enrolment=fair).valid()) == [second]
    assert fair.certificates.count() == 2

    # The old one still verifies as revoked, the new one as valid; the status list agrees.
    assert _revoked_bit(client, first)
    assert not _revoked_bit(client, second)
    old_page, new_page = _verdict(client, first), _verdict(client, second)
    assert ">Revoked<" in old_page
    assert ">Valid<" not in old_page
    assert ">Valid<" in new_page
    # The old page says nothing of the new certificate (decided: see the how-to).
    assert second.number not in old_page
    assert second.verification_id not in old_page

    # Nothing more to issue: Fair has a valid certificate again.
    with pytest.raises(ValidationError, match="already has certificate"):
        certificates_issue(cohort=cohort, issued_by=coordinator, enrolment_ids=[fair.pk])
    with pytest.raises(ValidationError, match="already has a valid one"):
        certificates_issue(cohort=cohort, issued_by=coordinator)


def test_a_certificate_revoked_by_mistake_is_replaced(institution, coordinator):
    cohort = make_closed_cohort(institution, completed=2, not_completed=1)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    holder = holder_enrolment(cohort)
    first = Certificate.objects.get(enrolment=holder)
    certificate_revoke(certificate=first, user=coordinator, reason="Typo in the name")
    issued = certificates_issue(
        cohort=cohort, issued_by=coordinator, enrolment_ids=[holder.pk], enqueue=False
    )
    second = issued.certificates[0]
    assert second.enrolment_id == holder.pk
    assert second.number != first.number
    history = second.history.latest()
    assert (history.history_user, history.history_change_reason) == (coordinator, "issued")


def test_database_refuses_two_valid_certificates_for_one_enrolment(institution, coordinator):
    cohort = make_closed_cohort(institution, completed=1, not_completed=0)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    first = Certificate.objects.get()

    def copy(**fields):
        skip = {"id", "number", "sequence", "verification_id", "subject_uuid", "status_index"}
        values = {
            f.attname: getattr(first, f.attname)
            for f in Certificate._meta.concrete_fields
            if f.attname not in skip
        }
        values |= {
            "number": f"{first.number}-b",
            "sequence": first.sequence + 1,
            "verification_id": "x" * 22,
            "status_index": (first.status_index + 1) % 131_072,
            **fields,
        }
        return Certificate.objects.create(**values)

    with pytest.raises(IntegrityError), transaction.atomic():
        copy()
    # A revoked one beside the valid one is allowed.
    copy(revoked_at=first.issued_at, revocation_reason="Old")
    assert Certificate.objects.filter(enrolment=first.enrolment).count() == 2
    # Revoking the valid one, and un-revoking another in its place, is refused too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(enrolment=first.enrolment).update(revoked_at=None)


def test_certificates_page_shows_the_revoked_and_the_current_one(
    client_for, coordinator, institution
):
    cohort = make_closed_cohort(institution, completed=2, not_completed=0)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    holder = holder_enrolment(cohort)
    first = Certificate.objects.get(enrolment=holder)
    certificate_revoke(certificate=first, user=coordinator, reason="Typo in the name")
    client = client_for(coordinator)
    url = reverse("certificates:cohort", args=[cohort.pk])

    waiting = client.get(url).content.decode()
    assert f'name="enrolment" value="{holder.pk}"' in waiting
    assert f"replaces revoked {first.number}" in waiting

    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    second = Certificate.objects.filter(enrolment=holder).valid().get()
    page = client.get(url).content.decode()
    assert first.number in page
    assert second.number in page
    assert page.index(first.number) < page.index(second.number)  # side by side, oldest first
    assert f"Replaced by {second.number}" in page
    assert f'name="enrolment" value="{holder.pk}"' not in page


def _bearer(user):
    _token, raw = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {raw}"}


def test_api_issues_a_new_certificate_after_a_revocation(client, coordinator, institution):
    cohort = make_closed_cohort(institution, completed=2, not_completed=1)
    headers = _bearer(coordinator)
    url = f"/api/training/cohorts/{cohort.pk}/certificates/"

    def post(path, body):
        return client.post(path, body, content_type="application/json", headers=headers)

    assert post(url, {}).status_code == 201
    holder = holder_enrolment(cohort)
    first = Certificate.objects.get(enrolment=holder)
    refused = post(url, {"enrolment_ids": [holder.pk]})
    assert refused.status_code == 400
    assert first.number in refused.json()["detail"]
    assert post(url, {}).status_code == 400  # nobody waiting

    revoked = post(f"/api/training/certificates/{first.pk}/revoke/", {"reason": "Typo"})
    assert revoked.status_code == 200
    again = post(url, {"enrolment_ids": [holder.pk]})
    assert again.status_code == 201, again.content
    [new] = again.json()["certificates"]
    assert new["enrolment_id"] == holder.pk
    assert new["status"] == "valid"
    assert new["number"] != first.number
    assert new["verification_url"] != revoked.json()["verification_url"]

    listing = client.get(url, headers=headers).json()
    mine = [c for c in listing if c["enrolment_id"] == holder.pk]
    assert [(c["number"], c["status"]) for c in mine] == [
        (first.number, "revoked"),
        (new["number"], "valid"),
    ]
