"""Token bookkeeping: ``last_used_at`` is written at most once a minute."""

from __future__ import annotations

import datetime as dt

import pytest

from plancampus.core.models import ApiToken

pytestmark = pytest.mark.django_db


def test_last_used_is_stamped_at_most_once_a_minute(
    client, coordinator, django_assert_num_queries, monkeypatch
):
    from django.utils import timezone

    token, raw = ApiToken.issue(coordinator, "script")
    headers = {"Authorization": f"Bearer {raw}"}
    assert token.last_used_at is None
    client.get("/api/areas/", headers=headers)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    client.get("/api/areas/", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: no write

    later = first + dt.timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.get("/api/areas/", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_a_request_within_the_minute_makes_no_write(client, coordinator, django_assert_num_queries):
    _token, raw = ApiToken.issue(coordinator, "script")
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/api/areas/", headers=headers)
    # token lookup, memberships, the page of areas (empty: no count) — and no UPDATE
    with django_assert_num_queries(3) as captured:
        client.get("/api/areas/", headers=headers)
    assert not any(q["sql"].startswith("UPDATE") for q in captured.captured_queries)


def test_the_token_owner_is_the_request_user(client, coordinator, specialist):
    """Access follows the token's owner, not a session that happens to be open."""
    _token, raw = ApiToken.issue(specialist, "script")
    client.force_login(coordinator)
    response = client.get("/api/organisations/IIEP/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_basic_auth_header_is_not_a_token(client, coordinator):
    response = client.get("/api/areas/", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


def test_unknown_api_address_answers_json_404(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "/api/docs" in response.json()["detail"]
