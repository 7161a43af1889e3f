"""The page /account/tokens/: create (shown once), list, revoke."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from plancampus.core.models import ApiToken
from plancampus.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("api-tokens"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_member_creates_a_token_shown_once_that_works(client_for, coordinator):
    client = client_for(coordinator)
    created = client.post(reverse("api-tokens"), {"name": "provincial dashboard"})
    # Post/redirect/get: reloading the page that shows the token creates no other token.
    assert created.status_code == 302
    assert created["Location"] == reverse("api-tokens")
    response = client.get(reverse("api-tokens"))
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    raw = re.search(r'id="new-token" value="(pc_[^"]+)"', page).group(1)
    assert f"Authorization: Bearer {raw}" in page  # the curl example
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "provincial dashboard"
    assert raw.startswith(token.prefix)
    assert raw not in {token.key_hash, token.prefix}
    # Shown once: the list page afterwards (a reload) has the prefix only.
    listing = client.get(reverse("api-tokens")).content.decode()
    assert ApiToken.objects.filter(user=coordinator).count() == 1
    assert raw not in listing
    assert token.prefix in listing
    client.logout()
    api = client.get("/api/people/", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_token_name_is_required(client_for, coordinator):
    response = client_for(coordinator).post(reverse("api-tokens"), {"name": " "})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert 'class="errorlist"' in response.content.decode()


def test_number_of_active_tokens_is_capped(client_for, coordinator):
    from plancampus.core.views.tokens import MAX_ACTIVE_TOKENS

    for n in range(MAX_ACTIVE_TOKENS):
        ApiToken.issue(coordinator, f"t{n}")
    response = client_for(coordinator).post(reverse("api-tokens"), {"name": "one more"})
    assert "Revoke one" in response.content.decode()
    assert ApiToken.objects.filter(user=coordinator).count() == MAX_ACTIVE_TOKENS


def test_user_without_membership_sees_the_page_but_cannot_create(client_for, db):
    nobody = UserFactory(username="nobody")
    client = client_for(nobody)
    page = client.get(reverse("api-tokens"))
    assert page.status_code == 200
    assert "no role in an institution" in page.content.decode()
    assert client.post(reverse("api-tokens"), {"name": "x"}).status_code == 403


def test_revoke_own_token(client_for, coordinator):
    token, raw = ApiToken.issue(coordinator, "old script")
    client = client_for(coordinator)
    response = client.post(reverse("api-token-revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.prefix not in response.content.decode().split("<h2>")[-1]
    client.logout()
    assert client.get("/api/people/", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_revoke_needs_post(client_for, coordinator):
    token, _raw = ApiToken.issue(coordinator, "script")
    assert (
        client_for(coordinator).get(reverse("api-token-revoke", args=[token.pk])).status_code == 405
    )


def test_revoke_needs_csrf(coordinator):
    from django.test import Client

    token, _raw = ApiToken.issue(coordinator, "script")
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_outsider_cannot_see_or_revoke_another_users_token(client_for, coordinator, outsider):
    token, _raw = ApiToken.issue(coordinator, "coordinator's script")
    client = client_for(outsider)
    assert token.prefix not in client.get(reverse("api-tokens")).content.decode()
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_page_is_translated(client_for, coordinator):
    client = client_for(coordinator)
    client.cookies["plancampus_language"] = "fr"
    response = client.get(reverse("api-tokens"))
    assert 'lang="fr"' in response.content.decode()


def test_page_has_bounded_queries(client_for, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    for n in range(3):
        ApiToken.issue(coordinator, f"t{n}")
    client.get(reverse("api-tokens"))
    with django_assert_max_num_queries(6):
        client.get(reverse("api-tokens"))
    for n in range(3, 15):
        ApiToken.issue(coordinator, f"t{n}")
    with django_assert_max_num_queries(6):
        client.get(reverse("api-tokens"))
