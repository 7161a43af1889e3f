"""The directory API: access (401/403/404), contacts, filters, pagination, query counts."""

from __future__ import annotations

import pytest

from plancampus.core.models import ApiToken
from plancampus.core.tests.factories import (
    AreaFactory,
    CountryFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    """``api(user).get(path, **params)``: the test client with the user's bearer token."""

    class Caller:
        def __init__(self, user=None, raw=None):
            self.headers = {}
            if user is not None:
                _token, raw = ApiToken.issue(user, "tests")
            if raw is not None:
                self.headers["Authorization"] = f"Bearer {raw}"

        def get(self, path, **params):
            return client.get(f"/api{path}", params, headers=self.headers)

    return Caller


@pytest.fixture
def district(province):
    return AreaFactory(
        country=province.country,
        parent=province,
        kind="district",
        code="1701",
        name_en="Angkor Chum",
        name_km="អង្គរជុំ",
    )


@pytest.fixture
def directory(office, district):
    """Two people in the provincial office, one in a district office."""
    district_office = OrganisationFactory(
        country=office.country,
        code="DOE-1701",
        kind="district_office",
        area=district,
        parent=office,
        name_en="Angkor Chum District Office of Education",
        is_synthetic=True,
    )
    return {
        "keo": PersonFactory(
            name_latin="Keo Sreymom",
            name_km="កែវ ស្រីមុំ",
            organisation=office,
            sex="F",
            email="sreymom@example.org",
            phone="+855 12 345 678",
            is_synthetic=True,
        ),
        "heng": PersonFactory(
            name_latin="Heng Piseth", name_km="ហេង ពិសិដ្ឋ", organisation=office, sex="M"
        ),
        "chan": PersonFactory(
            name_latin="Chan Dara", name_km="ចាន់ ដារា", organisation=district_office, sex="M"
        ),
        "district_office": district_office,
    }


def _detail_paths(province, office, person):
    return [
        f"/areas/{province.code}/",
        f"/organisations/{office.code}/",
        f"/people/{person.pk}/",
    ]


LIST_PATHS = ["/areas/", "/organisations/", "/people/"]


# --- Authentication and access -----------------------------------------------------------


def test_anonymous_gets_401_with_a_clear_message(api, province, office, directory):
    for path in LIST_PATHS + _detail_paths(province, office, directory["keo"]):
        response = api().get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"].startswith("application/json")
        assert "Authorization: Bearer" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired", "inactive user"])
def test_bad_token_gets_401(api, coordinator, state):
    import datetime as dt

    from django.utils import timezone

    token, raw = ApiToken.issue(coordinator, "script")
    if state == "unknown":
        raw = "pc_not-a-real-token"
    elif state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - dt.timedelta(days=1)
        )
    else:
        coordinator.is_active = False
        coordinator.save()
    response = api(raw=raw).get("/people/")
    assert response.status_code == 401
    assert "unknown, expired or revoked" in response.json()["detail"]


def test_bad_token_does_not_fall_back_to_the_session(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/api/people/", headers={"Authorization": "Bearer pc_wrong"})
    assert response.status_code == 401


def test_session_of_a_logged_in_member_works(client_for, coordinator, directory):
    response = client_for(coordinator).get("/api/people/")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_user_without_membership_gets_403(api, province, office, directory):
    nobody = UserFactory(username="nobody")
    for path in LIST_PATHS + _detail_paths(province, office, directory["keo"]):
        response = api(nobody).get(path)
        assert response.status_code == 403, path
        assert "no active role" in response.json()["detail"]


def test_outsider_gets_404_for_every_detail_and_empty_lists(
    api, outsider, province, office, directory
):
    caller = api(outsider)
    for path in _detail_paths(province, office, directory["keo"]):
        response = caller.get(path)
        assert response.status_code == 404, path
        assert "visible to you" in response.json()["detail"]
    assert caller.get("/areas/").json()["count"] == 0
    assert caller.get("/people/").json()["count"] == 0
    codes = {o["code"] for o in caller.get("/organisations/").json()["items"]}
    assert codes == {"OTHER-INST"}


def test_missing_objects_are_404(api, coordinator):
    caller = api(coordinator)
    assert caller.get("/areas/99/").status_code == 404
    assert caller.get("/organisations/NOPE/").status_code == 404
    assert caller.get("/people/999999/").status_code == 404


def test_specialist_sees_every_country_with_contacts(api, specialist, outsider, directory):
    caller = api(specialist)
    assert caller.get("/organisations/OTHER-INST/").status_code == 200
    keo = caller.get(f"/people/{directory['keo'].pk}/").json()
    assert keo["email"] == "sreymom@example.org"
    assert keo["phone"] == "+855 12 345 678"
    assert caller.get("/people/").json()["count"] == 3


# --- Contacts ----------------------------------------------------------------------------


def test_participant_sees_no_contacts(api, participant, directory):
    caller = api(participant)
    detail = caller.get(f"/people/{directory['keo'].pk}/").json()
    assert detail["email"] is None
    assert detail["phone"] is None
    items = caller.get("/people/").json()["items"]
    assert items
    assert all(p["email"] is None and p["phone"] is None for p in items)
    assert b"sreymom@example.org" not in caller.get("/people/", q="keo").content


def test_coordinator_sees_contacts(api, coordinator, directory):
    detail = api(coordinator).get(f"/people/{directory['keo'].pk}/").json()
    assert detail["email"] == "sreymom@example.org"


# --- Content -----------------------------------------------------------------------------


def test_area_detail_gives_names_parent_and_ancestors(api, coordinator, district):
    data = api(coordinator).get(f"/areas/{district.code}/").json()
    assert data["name_en"] == "Angkor Chum"
    assert data["name_km"] == "អង្គរជុំ"
    assert data["kind"] == "district"
    assert data["parent_code"] == "17"
    assert data["country"] == "KHM"
    assert [a["code"] for a in data["ancestors"]] == ["17"]
    assert data["children_count"] == 0


def test_area_code_used_by_two_countries_needs_the_country(api, specialist, province, outsider):
    AreaFactory(country=CountryFactory(iso_code="LAO"), code=province.code, name_en="Vientiane")
    caller = api(specialist)
    ambiguous = caller.get(f"/areas/{province.code}/")
    assert ambiguous.status_code == 400
    assert "?country=" in ambiguous.json()["detail"]
    assert caller.get(f"/areas/{province.code}/", country="lao").json()["name_en"] == "Vientiane"


def test_organisation_detail_and_synthetic_flag(api, coordinator, directory, office):
    data = api(coordinator).get("/organisations/DOE-1701/").json()
    assert data["is_synthetic"] is True
    assert data["parent_code"] == office.code
    assert data["parent"]["code"] == office.code
    assert data["area"]["code"] == "1701"
    assert data["area_code"] == "1701"
    assert data["kind"] == "district_office"
    assert {"name_en", "name_fr", "name_km", "acronym", "website"} <= data.keys()


def test_person_detail_lists_positions(api, coordinator, directory, office):
    from plancampus.core.models import Position

    keo = directory["keo"]
    Position.objects.create(person=keo, organisation=office, title="Planning officer")
    data = api(coordinator).get(f"/people/{keo.pk}/").json()
    assert data["is_synthetic"] is True
    assert data["organisation"]["code"] == office.code
    assert data["positions"][0]["title"] == "Planning officer"
    assert data["positions"][0]["end_date"] is None


# --- Filters and search ------------------------------------------------------------------


@pytest.mark.parametrize("query", ["sreymom", "KEO", "ស្រីមុំ", "កែវ ស្រី", "ស្រី\u200bមុំ"])
def test_people_search_in_latin_and_khmer(api, coordinator, directory, query):
    names = [p["name_latin"] for p in api(coordinator).get("/people/", q=query).json()["items"]]
    assert names == ["Keo Sreymom"]


def test_people_filters(api, coordinator, directory):
    caller = api(coordinator)
    men = caller.get("/people/", sex="M").json()
    assert {p["name_latin"] for p in men["items"]} == {"Heng Piseth", "Chan Dara"}
    in_district = caller.get("/people/", organisation="DOE-1701").json()
    assert [p["name_latin"] for p in in_district["items"]] == ["Chan Dara"]
    khmer_order = [p["name_km"] for p in caller.get("/people/", order="khmer").json()["items"]]
    assert khmer_order == ["កែវ ស្រីមុំ", "ចាន់ ដារា", "ហេង ពិសិដ្ឋ"]
    assert caller.get("/people/", sex="X").status_code == 422


def test_area_filters(api, coordinator, district):
    caller = api(coordinator)
    provinces = caller.get("/areas/", kind="province").json()
    assert [a["code"] for a in provinces["items"]] == ["17"]
    children = caller.get("/areas/", parent="17").json()
    assert [a["code"] for a in children["items"]] == ["1701"]
    assert [a["code"] for a in caller.get("/areas/", q="អង្គរជុំ").json()["items"]] == ["1701"]
    assert [a["code"] for a in caller.get("/areas/", q="angkor").json()["items"]] == ["1701"]


def test_organisation_filters(api, coordinator, directory, institution):
    caller = api(coordinator)
    in_province = {o["code"] for o in caller.get("/organisations/", province="17").json()["items"]}
    assert in_province == {"POE-17", "DOE-1701", "NIE"}
    districts = caller.get("/organisations/", kind="district_office").json()
    assert [o["code"] for o in districts["items"]] == ["DOE-1701"]
    found = caller.get("/organisations/", q="angkor chum").json()
    assert [o["code"] for o in found["items"]] == ["DOE-1701"]
    assert caller.get("/organisations/", province="99").json()["count"] == 0
    invalid = caller.get("/organisations/", kind="castle")
    assert invalid.status_code == 422
    assert "kind" in invalid.json()["detail"]
    assert invalid.json()["errors"][0]["loc"][-1] == "kind"


# --- Pagination --------------------------------------------------------------------------


def test_pagination_with_limit_offset_and_count(api, coordinator, office):
    PersonFactory.create_batch(7, organisation=office)
    caller = api(coordinator)
    first = caller.get("/people/", limit=3).json()
    assert (first["count"], first["limit"], first["offset"], first["next_offset"]) == (7, 3, 0, 3)
    assert len(first["items"]) == 3
    last = caller.get("/people/", limit=3, offset=6).json()
    assert (last["count"], last["next_offset"], len(last["items"])) == (7, None, 1)
    past_the_end = caller.get("/people/", limit=3, offset=30).json()
    assert (past_the_end["count"], past_the_end["items"]) == (7, [])
    every_id = {
        p["id"]
        for off in (0, 3, 6)
        for p in caller.get("/people/", limit=3, offset=off).json()["items"]
    }
    assert len(every_id) == 7


@pytest.mark.parametrize("params", [{"limit": 201}, {"limit": 0}, {"offset": -1}, {"limit": "x"}])
def test_pagination_limits_are_enforced(api, coordinator, params):
    response = api(coordinator).get("/people/", **params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid request")


# --- Performance -------------------------------------------------------------------------


def _grow(office, district, start, stop):
    for n in range(start, stop):
        org = OrganisationFactory(
            country=office.country, code=f"X-{n}", area=district, parent=office
        )
        PersonFactory.create_batch(2, organisation=org)
        AreaFactory(country=office.country, parent=district, kind="commune", code=f"1701{n:02d}")


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoints_have_bounded_queries(
    api, coordinator, office, district, django_assert_max_num_queries, path
):
    caller = api(coordinator)
    _grow(office, district, 0, 5)
    caller.get(path)  # stamps the token's last use
    # token, memberships, items, count
    with django_assert_max_num_queries(4):
        assert caller.get(path, limit=3).status_code == 200
    _grow(office, district, 5, 25)
    with django_assert_max_num_queries(4):
        response = caller.get(path, limit=200)
    assert len(response.json()["items"]) >= 25


@pytest.mark.parametrize("kind", ["area", "organisation", "person"])
def test_detail_endpoints_have_bounded_queries(
    api, coordinator, office, district, directory, django_assert_max_num_queries, kind
):
    path = {
        "area": f"/areas/{district.code}/",
        "organisation": "/organisations/DOE-1701/",
        "person": f"/people/{directory['keo'].pk}/",
    }[kind]
    caller = api(coordinator)
    caller.get(path)
    with django_assert_max_num_queries(4):
        assert caller.get(path).status_code == 200
