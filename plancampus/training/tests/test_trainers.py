"""Trainer pages and the cascade pages: who sees and changes what, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plancampus.core.tests.factories import OrganisationFactory, PersonFactory
from plancampus.training.models import (
    ExternalParticipation,
    ExternalProgramme,
    ProgrammeKind,
    TrainerProfile,
)

from . import builders_trainers as b

D = dt.date


@pytest.fixture
def iiep():
    return OrganisationFactory(
        country=None, kind="partner", code="IIEP-PROVIDER", name_en="IIEP-UNESCO"
    )


@pytest.fixture
def atp(iiep):
    return ExternalProgramme.objects.create(
        provider=iiep, code="iiep-atp", kind="advanced_training", name_en="ATP", acronym="ATP"
    )


@pytest.fixture
def story(institution, office, trainer_person, atp):
    """A senior trainer trains the trainer persona in a ToT (2015); the persona then trains
    three people of the provincial office (2016)."""
    senior = PersonFactory(organisation=institution, name_latin="Sok Senior")
    tot = b.course(institution, kind=ProgrammeKind.TRAINING_OF_TRAINERS)
    b.enrol(b.cohort(tot, start=D(2015, 1, 5), lead=senior, code="tot-2015"), [trainer_person])
    basic = b.course(institution, code="epm-fundamentals")
    b.enrol(
        b.cohort(basic, start=D(2016, 1, 4), lead=trainer_person, code="fund-2016"),
        b.people(office, 3),
    )
    senior_profile = TrainerProfile.objects.create(person=senior, institution=institution)
    own = TrainerProfile.objects.create(person=trainer_person, institution=institution)
    own.courses.set([basic])
    ExternalParticipation.objects.create(
        person=trainer_person, programme=atp, year=2012, result="completed"
    )
    return {"senior": senior, "senior_profile": senior_profile, "own": own, "course": basic}


# -- access ----------------------------------------------------------------------------------


def _pages(story):
    own = story["own"]
    return [
        reverse("training:trainer-list"),
        reverse("training:trainer-detail", args=[own.pk]),
        reverse("training:trainer-edit", args=[own.pk]),
        reverse("training:cascade"),
        reverse("training:cascade-person", args=[own.person_id]),
    ]


def test_anonymous_goes_to_the_login(client, story):
    for url in _pages(story):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


def test_participant_sees_no_trainer_page(participant, client_for, story):
    client = client_for(participant)
    for url in _pages(story):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("training:trainer-create")).status_code == 403


def test_outsider_gets_404_for_our_trainers(outsider, client_for, story, institution):
    client = client_for(outsider)
    own = story["own"]
    for url in [
        reverse("training:trainer-detail", args=[own.pk]),
        reverse("training:trainer-edit", args=[own.pk]),
        reverse("training:cascade-person", args=[own.person_id]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.get(reverse("training:cascade"), {"institution": institution.pk}).status_code == 404
    )
    for name in ("participation-add",):
        response = client.post(reverse(f"training:{name}", args=[own.pk]), {})
        assert response.status_code == 404
    participation = ExternalParticipation.objects.get(person_id=own.person_id)
    response = client.post(
        reverse("training:participation-delete", args=[own.pk, participation.pk])
    )
    assert response.status_code == 404
    assert ExternalParticipation.objects.filter(pk=participation.pk).exists()


def test_outsider_lists_nothing_of_ours(outsider, client_for, story):
    client = client_for(outsider)
    response = client.get(reverse("training:trainer-list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("training:cascade"))
    assert response.context["cascade"].roots == []


def test_staff_and_specialist_see_the_trainers(coordinator, trainer, specialist, client_for, story):
    for user in (coordinator, trainer, specialist):
        client = client_for(user)
        response = client.get(reverse("training:trainer-list"))
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 2
        response = client.get(reverse("training:trainer-detail", args=[story["own"].pk]))
        assert response.status_code == 200
        client.logout()


# -- pages -----------------------------------------------------------------------------------


def test_trainer_page_shows_the_cascade(coordinator, client_for, story, trainer_person):
    response = client_for(coordinator).get(
        reverse("training:trainer-detail", args=[story["own"].pk])
    )
    assert [p.pk for p in response.context["trained_by"]] == [story["senior"].pk]
    cascade = response.context["cascade"]
    assert [(lv.level, lv.people) for lv in cascade.levels] == [(0, 0), (1, 3)]
    html = response.content.decode()
    assert "Sok Senior" in html
    assert "ATP" in html
    assert response.context["cohort_count"] == 1


def test_list_filters(coordinator, client_for, story, atp):
    client = client_for(coordinator)
    url = reverse("training:trainer-list")
    assert client.get(url, {"course": "epm-fundamentals"}).context["page"].paginator.count == 1
    assert client.get(url, {"programme": atp.pk}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "Senior"}).context["page"].paginator.count == 1
    rows = {p.person_id: p.cohort_count for p in client.get(url).context["page"]}
    assert rows == {story["senior"].pk: 1, story["own"].person_id: 1}


def test_cascade_page(coordinator, client_for, story):
    response = client_for(coordinator).get(reverse("training:cascade"))
    assert response.status_code == 200
    cascade = response.context["cascade"]
    assert [r.person.pk for r in cascade.roots] == [story["senior"].pk]
    assert cascade.depth == 2
    assert cascade.people_reached == 4
    html = response.content.decode()
    assert 'class="cascade"' in html


def test_cascade_of_someone_who_never_taught_is_404(coordinator, client_for, story, office):
    learner = b.people(office, 1)[0]
    response = client_for(coordinator).get(reverse("training:cascade-person", args=[learner.pk]))
    assert response.status_code == 404


def test_specialist_picks_an_institution(specialist, client_for, story, institution):
    client = client_for(specialist)
    response = client.get(reverse("training:cascade"))
    assert response.context["scope"].institution_ids is None
    response = client.get(reverse("training:cascade"), {"institution": institution.pk})
    assert response.context["scope"].selected == institution
    assert response.context["cascade"].people_reached == 4


# -- changes ---------------------------------------------------------------------------------


def test_coordinator_adds_a_trainer(coordinator, client_for, institution, office, story):
    client = client_for(coordinator)
    newcomer = PersonFactory(organisation=office, name_latin="Keo Newcomer")
    response = client.get(reverse("training:trainer-create"), {"q": "Newcomer"})
    assert list(response.context["found"]) == [newcomer]
    response = client.post(
        reverse("training:trainer-create"),
        {
            "person": newcomer.pk,
            "qualifications": "Chief of planning",
            "courses": [story["course"].pk],
            "is_active": "on",
        },
    )
    profile = TrainerProfile.objects.get(person=newcomer)
    assert response.status_code == 302
    assert profile.institution == institution
    assert list(profile.courses.all()) == [story["course"]]
    assert profile.may_teach(story["course"])
    # A second time leads to the existing profile.
    response = client.get(reverse("training:trainer-create"), {"person": newcomer.pk})
    assert response["Location"] == reverse("training:trainer-edit", args=[profile.pk])


def test_trainer_cannot_add_trainers(trainer, client_for, story):
    assert client_for(trainer).get(reverse("training:trainer-create")).status_code == 403


def test_outsider_cannot_make_our_people_trainers(outsider, client_for, office):
    person = PersonFactory(organisation=office)
    response = client_for(outsider).post(
        reverse("training:trainer-create"), {"person": person.pk, "is_active": "on"}
    )
    assert response.status_code == 200  # back to the search: the person is not theirs
    assert not TrainerProfile.objects.filter(person=person).exists()


def test_trainer_edits_their_own_profile_but_not_their_courses(trainer, client_for, story):
    client = client_for(trainer)
    url = reverse("training:trainer-edit", args=[story["own"].pk])
    response = client.get(url)
    assert "courses" not in response.context["form"].fields
    response = client.post(url, {"qualifications": "ATP alumnus", "expertise": "projections"})
    assert response.status_code == 302
    story["own"].refresh_from_db()
    assert story["own"].qualifications == "ATP alumnus"
    assert story["own"].courses.count() == 1
    other = reverse("training:trainer-edit", args=[story["senior_profile"].pk])
    assert client.get(other).status_code == 403


def test_participations_added_and_removed(trainer, coordinator, client_for, story, atp):
    client = client_for(trainer)
    own = story["own"]
    response = client.post(
        reverse("training:participation-add", args=[own.pk]),
        {"programme": atp.pk, "year": 2019, "result": "attended", "course_title": "Costing"},
    )
    assert response.status_code == 302
    added = ExternalParticipation.objects.get(person_id=own.person_id, year=2019)
    client.post(
        reverse("training:participation-add", args=[own.pk]),
        {"programme": atp.pk, "year": 2999, "result": "attended"},
    )
    assert not ExternalParticipation.objects.filter(year=2999).exists()
    # Not on someone else's profile.
    senior = story["senior_profile"]
    response = client.post(
        reverse("training:participation-add", args=[senior.pk]),
        {"programme": atp.pk, "year": 2019, "result": "attended"},
    )
    assert response.status_code == 403
    response = client.post(reverse("training:participation-delete", args=[own.pk, added.pk]))
    assert response.status_code == 302
    assert not ExternalParticipation.objects.filter(pk=added.pk).exists()
    # The coordinator may change any profile of the institution.
    response = client_for(coordinator).post(
        reverse("training:participation-add", args=[senior.pk]),
        {"programme": atp.pk, "year": 2010, "result": "completed"},
    )
    assert response.status_code == 302


def test_pages_refuse_get_for_changes(coordinator, client_for, story):
    response = client_for(coordinator).get(
        reverse("training:participation-add", args=[story["own"].pk])
    )
    assert response.status_code == 405


# -- bounded queries -------------------------------------------------------------------------


def _grow(institution, office, atp, count):
    lead = PersonFactory(organisation=institution)
    cohort = b.cohort(b.course(institution), start=D(2020, 1, 6), lead=lead)
    people = b.people(office, count)
    b.enrol(cohort, people)
    for person in people[:count]:
        profile = TrainerProfile.objects.create(person=person, institution=institution)
        profile.courses.set([cohort.course])
        ExternalParticipation.objects.create(
            person=person, programme=atp, year=2015, result="completed"
        )
    later = b.cohort(b.course(institution), start=D(2021, 1, 4), lead=people[0], co=people[1:3])
    b.enrol(later, b.people(office, count))


@pytest.mark.parametrize(
    "name", ["training:trainer-list", "training:cascade", "training:trainer-detail"]
)
def test_queries_do_not_grow(name, coordinator, client_for, institution, office, atp, story):
    client = client_for(coordinator)
    url = (
        reverse(name, args=[story["own"].pk])
        if name == "training:trainer-detail"
        else reverse(name)
    )
    _grow(institution, office, atp, 5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(institution, office, atp, 45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 25
