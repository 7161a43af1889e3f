"""The signing keys page: who may see it and rotate, the confirmation, the audit trail, and
what it costs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plancampus.training.models import Certificate, IssuerKey
from plancampus.training.services.certificates import certificates_issue
from plancampus.training.services.credentials import issuer_key_for, issuer_key_rotate

from .certificates_setup import make_closed_cohort

pytestmark = pytest.mark.django_db

PAGE = reverse("certificates:keys")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _rotate_url(institution):
    return reverse("certificates:key-rotate", args=[institution.code])


def test_rotation_is_audited_and_keeps_one_active_key(institution, admin_user):
    first = issuer_key_for(institution=institution)
    with pytest.raises(ValidationError, match="Say why"):
        issuer_key_rotate(institution=institution, reason="  ", user=admin_user)
    new = issuer_key_rotate(institution=institution, reason="Yearly rotation", user=admin_user)
    first.refresh_from_db()
    assert not first.is_active
    assert first.retired_at is not None
    assert (first.retired_by, first.retirement_reason) == (admin_user, "Yearly rotation")
    assert new.is_active
    assert new.created_by == admin_user
    assert IssuerKey.objects.filter(institution=institution, is_active=True).get() == new
    retired = first.history.latest()
    assert (retired.history_user, retired.history_change_reason) == (admin_user, "Yearly rotation")
    assert not retired.is_active
    created = new.history.get()
    assert (created.history_type, created.history_user) == ("+", admin_user)
    # The history never holds the private key.
    assert not hasattr(created, "private_key_pem")


def test_administrator_sees_keys_and_rotates_with_confirmation(
    client_for, admin_user, institution, coordinator
):
    cohort = make_closed_cohort(institution, completed=2, not_completed=0)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    old = issuer_key_for(institution=institution)
    Certificate.objects.update(issuer_key=old)
    client = client_for(admin_user)
    html = client.get(PAGE).content.decode()
    assert old.kid in html
    assert "Active" in html
    assert f"/issuers/{institution.code}/jwks.json" in html
    assert _rotate_url(institution) in html

    unconfirmed = client.post(_rotate_url(institution), {"reason": "Yearly"})
    assert unconfirmed.status_code == 400
    assert "Tick the confirmation" in unconfirmed.content.decode()
    no_reason = client.post(_rotate_url(institution), {"reason": "", "confirm": "on"})
    assert no_reason.status_code == 400
    assert IssuerKey.objects.count() == 1

    response = client.post(
        _rotate_url(institution), {"reason": "Yearly rotation", "confirm": "on"}, follow=True
    )
    assert response.status_code == 200
    new = IssuerKey.objects.get(is_active=True)
    assert new.kid != old.kid
    html = response.content.decode()
    assert f"new credentials are signed with key {new.kid}" in html
    assert "Retired" in html
    assert "Yearly rotation" in html
    old.refresh_from_db()
    assert old.retired_by == admin_user
    assert old.history.latest().history_user == admin_user
    # The JWK Set still publishes the retired key.
    jwks = client.get(f"/issuers/{institution.code}/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [new.kid, old.kid]


@pytest.mark.parametrize("persona", ["coordinator", "trainer", "participant", "specialist"])
def test_other_roles_get_403(request, client_for, institution, persona):
    issuer_key_for(institution=institution)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    response = client.post(_rotate_url(institution), {"reason": "Mine", "confirm": "on"})
    assert response.status_code == (404 if persona == "specialist" else 403)
    assert IssuerKey.objects.count() == 1


def test_another_institution_answers_404(client_for, admin_user, outsider, institution):
    issuer_key_for(institution=institution)
    # The outsider is a coordinator elsewhere: their own page is 403, ours is 404.
    client = client_for(outsider)
    assert client.post(_rotate_url(institution), {"reason": "x", "confirm": "on"}).status_code == (
        404
    )
    # An administrator of our institution cannot rotate another's key either.
    from plancampus.core.tests.factories import InstitutionFactory

    other = InstitutionFactory(code="OTHER", country=institution.country)
    issuer_key_for(institution=other)
    client = client_for(admin_user)
    assert client.post(_rotate_url(other), {"reason": "x", "confirm": "on"}).status_code == 404
    assert client.get(PAGE).content.decode().count("OTHER") == 0
    assert IssuerKey.objects.count() == 2


def test_rotation_needs_post(client_for, admin_user, institution):
    assert client_for(admin_user).get(_rotate_url(institution)).status_code == 405


def test_keys_page_queries_do_not_grow_with_keys_and_certificates(
    client_for, admin_user, institution, coordinator, django_assert_max_num_queries
):
    issuer_key_for(institution=institution)
    client = client_for(admin_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    cohort = make_closed_cohort(institution, completed=30, not_completed=0)
    certificates_issue(cohort=cohort, issued_by=coordinator, enqueue=False)
    for number in range(5):
        key = issuer_key_rotate(institution=institution, reason=f"Rotation {number}")
        Certificate.objects.filter(pk__in=Certificate.objects.values("pk")[:number]).update(
            issuer_key=key
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE)
    assert response.content.decode().count('<code class="kid">') == 6
    assert len(few.captured_queries) <= 10


def test_certificates_page_links_to_the_keys_for_administrators_only(
    client_for, admin_user, coordinator, institution
):
    cohort = make_closed_cohort(institution)
    url = reverse("certificates:cohort", args=[cohort.pk])
    assert PAGE in client_for(admin_user).get(url).content.decode()
    assert PAGE not in client_for(coordinator).get(url).content.decode()


def test_admin_shows_the_rotation_history_without_the_private_key(client, institution):
    from plancampus.core.tests.factories import UserFactory

    first = issuer_key_for(institution=institution)
    issuer_key_rotate(institution=institution, reason="Yearly rotation")
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    history = client.get(reverse("admin:training_issuerkey_history", args=[first.pk]))
    assert history.status_code == 200
    assert "Yearly rotation" in history.content.decode()
    change = client.get(reverse("admin:training_issuerkey_change", args=[first.pk]))
    assert change.status_code == 200
    assert "PRIVATE KEY" not in change.content.decode()
    assert "PRIVATE KEY" not in history.content.decode()
