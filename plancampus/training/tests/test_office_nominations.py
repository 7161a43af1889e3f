"""Nominations made by an education office's training focal point: the rules (own staff,
district offices of a provincial office, the window, the status), the pages, and who sees
what (404 for everything outside the office's reach, 403 without the role)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from plancampus.core.tests.factories import (
    CountryFactory,
    InstitutionFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from plancampus.training.access_offices import office_cohorts, office_of
from plancampus.training.models import CohortStatus, Enrolment, EnrolmentStatus
from plancampus.training.services.enrolment import (
    enrolment_accept,
    enrolment_nominate,
    enrolment_reject,
)
from plancampus.training.services.nominations import (
    office_nominable_people,
    office_nominate,
    office_withdraw,
)

from .factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


@pytest.fixture
def district(office):
    return OrganisationFactory(
        country=office.country,
        kind="district_office",
        code="DOE-1701",
        parent=office,
        name_en="Angkor Chum District Office",
    )


@pytest.fixture
def other_office(country):
    return OrganisationFactory(country=country, code="POE-02", name_en="Battambang PoE")


@pytest.fixture
def focal_person(office):
    return PersonFactory(organisation=office, name_latin="Pich Sovann")


@pytest.fixture
def focal_point(institution, focal_person):
    user = UserFactory(username="focalpoint", person=focal_person)
    MembershipFactory(user=user, institution=institution, role="office_focal_point")
    return user


@pytest.fixture
def staff(office):
    return [PersonFactory(organisation=office, name_latin=f"Staff {n}") for n in range(4)]


def _url(name, *args):
    return reverse(f"training:{name}", args=args)


# --- The service -------------------------------------------------------------------------


def test_an_office_nominates_its_staff_and_the_institution_decides(
    cohort, office, staff, focal_point, coordinator
):
    cohort.capacity = 2
    cohort.save()
    nominated = office_nominate(cohort=cohort, people=staff[:3], office=office, user=focal_point)
    assert [e.status for e in nominated] == [EnrolmentStatus.NOMINATED] * 3
    assert {e.nominated_by_organisation for e in nominated} == {office}
    assert {e.nominated_by for e in nominated} == {focal_point}
    # The coordinator accepts: over the capacity, the last one waits.
    accepted, waiting = enrolment_accept(cohort=cohort, enrolments=nominated, user=coordinator)
    assert [e.person for e in accepted] == staff[:2]
    assert [e.person for e in waiting] == [staff[2]]
    # The office withdraws an accepted person: the waiting one takes the seat.
    promoted = office_withdraw(enrolment=accepted[0], office=office, user=focal_point)
    assert promoted.person == staff[2]
    assert cohort.enrolments.accepted().count() == 2
    accepted[0].refresh_from_db()
    assert accepted[0].status == EnrolmentStatus.WITHDRAWN
    assert accepted[0].history.first().history_user == focal_point


def test_a_provincial_office_also_nominates_its_district_offices_staff(
    cohort, office, district, focal_point
):
    district_person = PersonFactory(organisation=district)
    (enrolment,) = office_nominate(
        cohort=cohort, people=[district_person], office=office, user=focal_point
    )
    assert enrolment.nominated_by_organisation == office
    people = list(office_nominable_people(office))
    assert district_person in people


def test_a_district_office_nominates_only_its_own_staff(cohort, office, district, focal_point):
    colleague = PersonFactory(organisation=district)
    provincial = PersonFactory(organisation=office, name_latin="Chan Dara")
    with pytest.raises(ValidationError) as error:
        office_nominate(
            cohort=cohort, people=[colleague, provincial], office=district, user=focal_point
        )
    assert "Chan Dara does not work in Angkor Chum District Office" in str(error.value)
    assert not Enrolment.objects.exists()
    assert list(office_nominable_people(district)) == [colleague]


def test_nominating_someone_of_another_office_is_refused_with_the_name(
    cohort, office, other_office, staff, focal_point
):
    stranger = PersonFactory(organisation=other_office, name_latin="Sok Stranger")
    with pytest.raises(ValidationError) as error:
        office_nominate(cohort=cohort, people=[staff[0], stranger], office=office, user=focal_point)
    message = " ".join(error.value.messages)
    assert "Sok Stranger does not work in" in message
    assert "or in one of its district offices" in message
    assert not Enrolment.objects.exists()  # all or nothing


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(1, 10), (-10, -1)],
    ids=["not yet open", "already closed"],
)
def test_outside_the_window_nothing_is_nominated(cohort, office, staff, focal_point, opens, closes):
    cohort.nomination_opens = TODAY() + dt.timedelta(days=opens)
    cohort.nomination_closes = TODAY() + dt.timedelta(days=closes)
    cohort.save()
    with pytest.raises(ValidationError) as error:
        office_nominate(cohort=cohort, people=staff[:1], office=office, user=focal_point)
    assert "are not open (window:" in str(error.value)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("status", [CohortStatus.PLANNED, CohortStatus.RUNNING])
def test_only_cohorts_announced_to_the_offices_take_their_nominations(
    cohort, office, staff, focal_point, status
):
    cohort.status = status
    cohort.save()
    with pytest.raises(ValidationError) as error:
        office_nominate(cohort=cohort, people=staff[:1], office=office, user=focal_point)
    assert "does not take nominations from the offices" in str(error.value)


def test_an_institution_is_not_an_office(cohort, institution, focal_point):
    person = PersonFactory(organisation=institution)
    with pytest.raises(ValidationError, match="provincial or district office"):
        office_nominate(cohort=cohort, people=[person], office=institution, user=focal_point)


def test_an_office_withdraws_only_its_own_nominations(
    cohort, office, other_office, staff, focal_point, coordinator
):
    theirs = enrolment_nominate(
        cohort=cohort,
        people=[PersonFactory(organisation=other_office)],
        organisation=other_office,
        user=coordinator,
    )[0]
    with pytest.raises(ValidationError, match="did not nominate"):
        office_withdraw(enrolment=theirs, office=office, user=focal_point)
    theirs.refresh_from_db()
    assert theirs.status == EnrolmentStatus.NOMINATED


def test_a_declined_person_may_be_nominated_again(cohort, office, staff, focal_point, coordinator):
    (enrolment,) = office_nominate(cohort=cohort, people=staff[:1], office=office, user=focal_point)
    enrolment_reject(enrolment=enrolment, user=coordinator)
    (again,) = office_nominate(cohort=cohort, people=staff[:1], office=office, user=focal_point)
    assert again.pk == enrolment.pk
    assert again.status == EnrolmentStatus.NOMINATED


# --- Access ------------------------------------------------------------------------------


def test_the_office_is_the_focal_points_own(focal_point, office):
    from plancampus.core.access import access_for

    assert office_of(access_for(focal_point)) == office


def test_a_focal_point_sees_announced_cohorts_and_those_with_its_nominations(
    course, cohort, office, staff, focal_point, coordinator
):
    from plancampus.core.access import access_for

    planned = CohortFactory(course=course, status=CohortStatus.PLANNED)
    running = CohortFactory(course=course, status=CohortStatus.RUNNING)
    enrolment_nominate(
        cohort=running, people=staff[:1], organisation=office, user=coordinator, check_window=False
    )
    elsewhere = CohortFactory(
        course__institution=InstitutionFactory(country=CountryFactory(iso_code="LAO"))
    )
    visible = set(office_cohorts(access_for(focal_point), office))
    assert cohort in visible
    assert running in visible
    assert planned not in visible
    assert elsewhere not in visible


# --- Pages -------------------------------------------------------------------------------


def test_the_focal_point_nominates_through_the_pages(
    client_for, cohort, office, district, staff, focal_point
):
    client = client_for(focal_point)
    district_person = PersonFactory(organisation=district, name_latin="Nhem Rotha")
    home = client.get(_url("office-nominations"))
    assert home.status_code == 200
    html = home.content.decode()
    assert cohort.code in html
    assert "Siemreap Provincial Office of Education" in html

    page = client.get(_url("office-cohort", cohort.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nhem Rotha" in html  # a district office's staff, under their office
    assert "Angkor Chum District Office" in html

    response = client.post(
        _url("office-cohort", cohort.pk), {"people": [staff[0].pk, district_person.pk]}
    )
    assert response.status_code == 302
    assert set(cohort.enrolments.values_list("person_id", "status")) == {
        (staff[0].pk, EnrolmentStatus.NOMINATED),
        (district_person.pk, EnrolmentStatus.NOMINATED),
    }
    html = client.get(_url("office-cohort", cohort.pk)).content.decode()
    assert "Withdraw Nhem Rotha" in html
    # Already nominated: no checkbox, the status instead.
    assert f'value="{staff[0].pk}"' not in html


def test_the_focal_point_follows_and_withdraws_its_nominations(
    client_for, cohort, office, staff, focal_point, coordinator
):
    cohort.capacity = 1
    cohort.save()
    nominated = office_nominate(cohort=cohort, people=staff[:3], office=office, user=focal_point)
    enrolment_accept(cohort=cohort, enrolments=nominated[:2], user=coordinator)
    enrolment_reject(enrolment=nominated[2], user=coordinator)
    client = client_for(focal_point)
    html = client.get(_url("office-nominations")).content.decode()
    for label in ("Accepted", "Waiting list", "Not accepted"):
        assert f'">{label}</span>' in html, label
    waiting_only = client.get(_url("office-nominations"), {"status": "waiting"}).content.decode()
    assert staff[1].name_latin in waiting_only
    assert staff[0].name_latin not in waiting_only

    response = client.post(_url("office-withdraw", cohort.pk, nominated[0].pk), follow=True)
    assert "The seat went to the first person on the waiting list." in response.content.decode()
    assert dict(cohort.enrolments.values_list("person_id", "status")) == {
        staff[0].pk: EnrolmentStatus.WITHDRAWN,
        staff[1].pk: EnrolmentStatus.ACCEPTED,
        staff[2].pk: EnrolmentStatus.REJECTED,
    }


def test_nominating_another_offices_staff_through_the_page_is_refused(
    client_for, cohort, other_office, staff, focal_point
):
    stranger = PersonFactory(organisation=other_office)
    response = client_for(focal_point).post(
        _url("office-cohort", cohort.pk), {"people": [staff[0].pk, stranger.pk]}
    )
    # Not one of the choices offered: the form refuses it, nothing is saved.
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_outside_the_window_the_page_says_so_and_refuses(client_for, cohort, staff, focal_point):
    cohort.nomination_opens = TODAY() - dt.timedelta(days=20)
    cohort.nomination_closes = TODAY() - dt.timedelta(days=1)
    cohort.save()
    client = client_for(focal_point)
    page = client.get(_url("office-cohort", cohort.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nominations to this cohort are not open" in html
    assert 'id="nominate-form"' not in html
    response = client.post(_url("office-cohort", cohort.pk), {"people": [staff[0].pk]})
    assert response.status_code == 400
    assert "are not open (window:" in response.content.decode()
    assert not Enrolment.objects.exists()
    # Closed windows are not listed among the open cohorts.
    home = client.get(_url("office-nominations")).content.decode()
    assert "No cohort is open to nominations at the moment." in home


def test_other_cohorts_and_enrolments_answer_404(
    client_for, course, cohort, office, other_office, staff, focal_point, coordinator
):
    client = client_for(focal_point)
    elsewhere = CohortFactory(
        course__institution=InstitutionFactory(country=CountryFactory(iso_code="LAO"))
    )
    planned = CohortFactory(course=course, status=CohortStatus.PLANNED)
    theirs = enrolment_nominate(
        cohort=cohort,
        people=[PersonFactory(organisation=other_office)],
        organisation=other_office,
        user=coordinator,
    )[0]
    for target in (elsewhere, planned):
        assert client.get(_url("office-cohort", target.pk)).status_code == 404
        assert (
            client.post(_url("office-cohort", target.pk), {"people": [staff[0].pk]}).status_code
            == 404
        )
    assert client.post(_url("office-withdraw", cohort.pk, theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == EnrolmentStatus.NOMINATED
    # The institution's own pages stay closed: the participants, the coordinator's nominations.
    assert client.get(_url("cohort-detail", cohort.pk)).status_code == 404
    assert client.get(_url("nominate", cohort.pk)).status_code == 404
    # The other office's nominations are not shown.
    html = client.get(_url("office-cohort", cohort.pk)).content.decode()
    assert theirs.person.name_latin not in html


def test_pages_answer_403_without_the_role(
    client_for, coordinator, participant, trainer, cohort, specialist
):
    for user in (coordinator, participant, trainer, specialist):
        client = client_for(user)
        assert client.get(_url("office-nominations")).status_code == 403, user
        assert client.get(_url("office-cohort", cohort.pk)).status_code == 403, user


def test_a_focal_point_sees_no_reports_trainers_or_contacts(client_for, focal_point, cohort):
    client = client_for(focal_point)
    assert client.get(reverse("reports:coverage-dashboard")).status_code == 403
    assert client.get(_url("trainer-list")).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert reverse("reports:coverage-dashboard") not in home  # no Reports in the menu
    assert _url("office-nominations") in home


def test_an_account_without_an_office_is_told_why(client_for, institution, cohort):
    user = UserFactory(username="unlinked")
    MembershipFactory(user=user, institution=institution, role="office_focal_point")
    client = client_for(user)
    response = client.get(_url("office-nominations"))
    assert response.status_code == 200
    assert "is not linked to a person who works in a provincial or district office" in (
        response.content.decode()
    )
    assert client.get(_url("office-cohort", cohort.pk)).status_code == 403


def test_query_counts_do_not_grow_with_nominations(
    client_for, course, cohort, office, focal_point, coordinator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(focal_point)

    def grow(n):
        extra = CohortFactory(course=course)
        people = [PersonFactory(organisation=office) for _ in range(n)]
        for target in (cohort, extra):
            enrolment_nominate(cohort=target, people=people, organisation=office, user=coordinator)

    grow(2)
    pages = [_url("office-nominations"), _url("office-cohort", cohort.pk)]
    counts = {}
    for url in pages:
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    grow(20)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
        assert counts[url] <= 15, (url, counts[url])


def test_the_coordinator_sees_the_offices_nominations_to_decide(
    client_for, cohort, office, staff, focal_point, coordinator
):
    office_nominate(cohort=cohort, people=staff[:2], office=office, user=focal_point)
    html = client_for(coordinator).get(_url("cohort-detail", cohort.pk)).content.decode()
    assert "Nominations to decide (2)" in html
    assert office.display_name in html


def test_enrolments_not_made_in_the_offices_name_are_not_listed(cohort, office, focal_point):
    # Enrolled directly by the institution without an office: not in the office's list.
    EnrolmentFactory(cohort=cohort, person=PersonFactory(organisation=office))
    from plancampus.core.access import access_for
    from plancampus.training.access_offices import office_enrolments

    assert not office_enrolments(access_for(focal_point), office).exists()


def test_a_cohort_announced_later_is_listed_with_its_opening_day(client_for, cohort, focal_point):
    cohort.nomination_opens = timezone.localdate() + dt.timedelta(days=3)
    cohort.save()
    html = client_for(focal_point).get(_url("office-nominations")).content.decode()
    assert f"open on {date_format(cohort.nomination_opens)}" in html


def test_degree_programme_courses_are_not_the_offices_nominations(
    course, office, staff, focal_point
):
    # A Master's course open for registration, with a student employed by the office: the
    # institution admits degree students, offices do not nominate them.
    from plancampus.core.access import access_for
    from plancampus.training.access_offices import office_enrolments
    from plancampus.training.models import ProgrammeKind

    masters = CohortFactory(
        course__institution=course.institution,
        course__programme__institution=course.institution,
        course__programme__kind=ProgrammeKind.MASTERS,
        status=CohortStatus.NOMINATIONS_OPEN,
    )
    EnrolmentFactory(cohort=masters, person=staff[0], nominated_by_organisation=office)
    access = access_for(focal_point)
    assert masters not in set(office_cohorts(access, office))
    assert not office_enrolments(access, office).exists()
