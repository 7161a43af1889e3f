"""The audit trail page: who may see it, what it shows, and what it costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plancampus.core.models import Membership, Organisation, Person, Position
from plancampus.core.tests.factories import (
    CountryFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def save_as(obj, user):
    """Save with ``user`` recorded as the author of the change (as the request middleware does)."""
    obj._history_user = user
    obj.save()
    del obj._history_user
    return obj


@pytest.fixture
def changes(coordinator, admin_user, office, institution):
    person = Person(name_latin="Chea Sokha", sex="F", organisation=office, position="Officer")
    person.refresh_search_fields()
    save_as(person, coordinator)
    person.position = "Director"
    save_as(person, admin_user)
    position = save_as(Position(person=person, organisation=office, title="Director"), admin_user)
    office.name_en = "Siemreap PoE"
    save_as(office, admin_user)
    membership = save_as(
        Membership(
            user=UserFactory(username="newtrainer"), institution=institution, role="trainer"
        ),
        admin_user,
    )
    elsewhere = OrganisationFactory(country=CountryFactory(iso_code="LAO"), code="LAO-SECRET")
    elsewhere.name_en = "Hidden office"
    save_as(elsewhere, UserFactory(username="laoadmin"))
    return {"person": person, "position": position, "membership": membership}


@pytest.fixture
def country_admin(institution):
    """An institution administrator who is not a superuser: sees their country only."""
    user = UserFactory(username="countryadmin")
    MembershipFactory(user=user, institution=institution, role="institution_admin")
    return user


@pytest.mark.parametrize("persona", ["coordinator", "trainer", "participant", "outsider"])
def test_roles_without_audit_view_get_403(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("audit")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("audit")).status_code == 302


def test_institution_admin_sees_changes_with_diffs_and_links(client_for, country_admin, changes):
    response = client_for(country_admin).get(reverse("audit"))
    assert response.status_code == 200
    page = response.content.decode()
    person = changes["person"]
    assert f'href="{reverse("person-detail", args=[person.pk])}"' in page
    assert f'href="{reverse("organisation-detail", args=["POE-17"])}"' in page
    assert "<del>Officer</del> → <strong>Director</strong>" in page
    assert "<strong>Siemreap PoE</strong>" in page
    assert "newtrainer — Trainer — NIE" in page
    assert "coordinator" in page
    assert "nieadmin" in page
    # A change in another country's directory is not shown to a country's administrator.
    assert "LAO-SECRET" not in page
    assert "Hidden office" not in page
    assert "laoadmin" not in page


@pytest.mark.parametrize("persona", ["specialist", "admin_user"])
def test_specialist_and_superuser_see_every_country(client_for, request, persona, changes):
    page = client_for(request.getfixturevalue(persona)).get(reverse("audit")).content.decode()
    assert "LAO-SECRET" in page
    assert "laoadmin" in page


def test_filter_by_model_and_user(client_for, admin_user, coordinator, changes):
    client = client_for(admin_user)
    organisations = client.get(reverse("audit"), {"model": "organisation"}).content.decode()
    assert "Siemreap PoE" in organisations
    assert "Chea Sokha" not in organisations
    by_coordinator = client.get(reverse("audit"), {"user": coordinator.pk}).content.decode()
    assert "1 change" in by_coordinator
    assert "current position:</span> Officer" in by_coordinator
    assert "<strong>Director</strong>" not in by_coordinator
    nonsense = client.get(reverse("audit"), {"model": "x", "user": "y", "page": "z"})
    assert nonsense.status_code == 200


def test_import_shows_who_imported(client_for, admin_user, coordinator, office, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    content = b"name_latin,sex,organisation_code,position\r\nHeng Piseth,M,POE-17,Planner\r\n"
    client_for(coordinator).post(
        reverse("person-import"), {"file": SimpleUploadedFile("staff.csv", content)}
    )
    page = client_for(admin_user).get(reverse("audit"), {"model": "person"}).content.decode()
    assert "Heng Piseth" in page
    assert "Import staff.csv" in page


def test_audit_page_has_bounded_queries(
    client_for, admin_user, country_admin, office, institution, django_assert_max_num_queries
):
    client = client_for(country_admin)

    def make_changes(n: int) -> None:
        for i in range(n):
            org = save_as(OrganisationFactory.build(country=office.country), admin_user)
            person = Person(name_latin=f"P{i}", sex="M", organisation=org, position="A")
            save_as(person, admin_user)
            person.position = "B"
            person.organisation = office
            save_as(person, UserFactory())
            save_as(Position(person=person, organisation=org, title="A"), admin_user)
            user = UserFactory()
            save_as(Membership(user=user, institution=institution, role="trainer"), admin_user)

    make_changes(2)
    client.get(reverse("audit"))  # warm the session and content types
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("audit"))
    make_changes(30)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse("audit"))
    assert "Page 1 of" in response.content.decode()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audit"), {"page": 2})
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_django_admin_shows_history(client_for, admin_user, changes):
    client = client_for(admin_user)
    person = changes["person"]
    response = client.get(reverse("admin:core_person_history", args=[person.pk]))
    assert response.status_code == 200
    assert "nieadmin" in response.content.decode()
    organisation = Organisation.objects.get(code="POE-17")
    response = client.get(reverse("admin:core_organisation_history", args=[organisation.pk]))
    assert response.status_code == 200
    response = client.get(reverse("admin:core_position_history", args=[changes["position"].pk]))
    assert response.status_code == 200


def test_membership_history_of_other_institutions_in_the_country_is_shown(
    client_for, country_admin, admin_user, country
):
    # Memberships are scoped by country, like the directory an administrator works on.
    from plancampus.core.tests.factories import InstitutionFactory

    other = InstitutionFactory(country=country, code="RUPP")
    save_as(
        Membership(user=UserFactory(username="ruppuser"), institution=other, role="trainer"),
        admin_user,
    )
    page = client_for(country_admin).get(reverse("audit"), {"model": "membership"}).content.decode()
    assert "ruppuser — Trainer — RUPP" in page
