import pytest
from django.urls import reverse

from plancampus.core.tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("person-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_people_search_finds_khmer_and_latin_names(client_for, coordinator, office):
    PersonFactory(name_latin="Keo Sreymom", name_km="កែវ ស្រីមុំ", organisation=office)
    PersonFactory(name_latin="Heng Piseth", name_km="ហេង ពិសិដ្ឋ", organisation=office)
    client = client_for(coordinator)
    for query in ["sreymom", "KEO", "ស្រីមុំ", "កែវ ស្រី", "ស្រី\u200bមុំ"]:
        response = client.get(reverse("person-list"), {"q": query})
        assert response.status_code == 200
        content = response.content.decode()
        assert "Keo Sreymom" in content, query
        assert "Heng Piseth" not in content, query


def test_outsider_gets_404_for_our_objects(client_for, outsider, office, province):
    person = PersonFactory(organisation=office)
    client = client_for(outsider)
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("organisation-detail", args=[office.code])).status_code == 404
    assert client.get(reverse("area-detail", args=[province.code])).status_code == 404
    listing = client.get(reverse("person-list")).content.decode()
    assert person.name_latin not in listing


def test_specialist_sees_every_country(client_for, specialist, office):
    person = PersonFactory(organisation=office)
    assert client_for(specialist).get(reverse("person-detail", args=[person.pk])).status_code == 200


def test_user_without_membership_is_forbidden(client_for, db):
    from plancampus.core.tests.factories import UserFactory

    client = client_for(UserFactory(username="nobody"))
    assert client.get(reverse("person-list")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_participant_does_not_see_contacts(client_for, participant, office):
    person = PersonFactory(organisation=office, email="hidden@example.org")
    page = client_for(participant).get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "hidden@example.org" not in page


@pytest.mark.parametrize("url_name", ["person-list", "organisation-list"])
def test_list_pages_have_bounded_queries(
    client_for, coordinator, office, django_assert_max_num_queries, url_name
):
    for n in range(5):
        org = OrganisationFactory(country=office.country, code=f"X-{n}")
        PersonFactory.create_batch(3, organisation=org)
    client = client_for(coordinator)
    client.get(reverse(url_name))  # warm caches (session, content types)
    with django_assert_max_num_queries(8):
        client.get(reverse(url_name))
    for n in range(5, 25):
        org = OrganisationFactory(country=office.country, code=f"X-{n}")
        PersonFactory.create_batch(3, organisation=org)
    with django_assert_max_num_queries(8):
        client.get(reverse(url_name))


def test_unknown_url_is_a_translated_404(client_for, coordinator):
    client = client_for(coordinator)
    client.cookies["plancampus_language"] = "fr"
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'lang="fr"' in response.content.decode()


def test_home_shows_each_role_its_own_things(
    client_for, participant, specialist, institution, office
):
    person = PersonFactory(organisation=office, name_latin="Keo Sreymom")
    participant.person = person
    participant.save()
    page = client_for(participant).get(reverse("home")).content.decode()
    assert office.name_en in page  # "your organisation"
    page = client_for(specialist).get(reverse("home")).content.decode()
    assert institution.name_en in page  # the partner sees the institutions it works with


@pytest.mark.parametrize("persona", ["coordinator", "participant", "specialist", "outsider"])
def test_home_has_bounded_queries(
    client_for, request, persona, office, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("home")).status_code == 200
