"""Nominations, acceptance over capacity, the waiting list and bulk enrolment rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from plancampus.core.tests.factories import OrganisationFactory, PersonFactory
from plancampus.training.models import Enrolment, EnrolmentStatus
from plancampus.training.services.enrolment import (
    enrolment_accept,
    enrolment_enrol,
    enrolment_nominate,
    enrolment_reject,
    enrolment_withdraw,
)

from .factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def _staff(office, n):
    return [PersonFactory(organisation=office) for _ in range(n)]


def test_nominations_over_capacity_go_to_the_waiting_list_in_order(cohort, office, coordinator):
    cohort.capacity = 3
    cohort.save()
    people = _staff(office, 5)
    nominated = enrolment_nominate(
        cohort=cohort, people=people, organisation=office, user=coordinator
    )
    assert all(e.status == EnrolmentStatus.NOMINATED for e in nominated)
    assert {e.nominated_by_organisation for e in nominated} == {office}

    accepted, waiting = enrolment_accept(cohort=cohort, enrolments=nominated, user=coordinator)
    assert [e.person for e in accepted] == people[:3]
    assert [e.person for e in waiting] == people[3:]
    assert list(cohort.enrolments.waiting().values_list("person", flat=True)) == [
        p.pk for p in people[3:]
    ]


def test_a_withdrawal_promotes_the_first_of_the_waiting_list(cohort, office, coordinator):
    cohort.capacity = 2
    cohort.save()
    people = _staff(office, 4)
    nominated = enrolment_nominate(
        cohort=cohort, people=people, organisation=office, user=coordinator
    )
    accepted, _waiting = enrolment_accept(cohort=cohort, enrolments=nominated, user=coordinator)

    promoted = enrolment_withdraw(enrolment=accepted[0], user=coordinator)

    assert promoted.person == people[2]
    promoted.refresh_from_db()
    assert promoted.status == EnrolmentStatus.ACCEPTED
    assert promoted.enrolled_at is not None
    assert cohort.enrolments.accepted().count() == 2
    assert [e.person for e in cohort.enrolments.waiting()] == [people[3]]
    accepted[0].refresh_from_db()
    assert accepted[0].status == EnrolmentStatus.WITHDRAWN
    # The withdrawal is in the enrolment's history, with who did it.
    assert accepted[0].history.first().history_user == coordinator


def test_withdrawing_someone_waiting_promotes_nobody(cohort, office, coordinator):
    cohort.capacity = 1
    cohort.save()
    nominated = enrolment_nominate(
        cohort=cohort, people=_staff(office, 3), organisation=office, user=coordinator
    )
    _accepted, waiting = enrolment_accept(cohort=cohort, enrolments=nominated, user=coordinator)
    assert enrolment_withdraw(enrolment=waiting[0], user=coordinator) is None
    assert cohort.enrolments.accepted().count() == 1


def test_double_nomination_is_refused_and_nothing_is_saved(cohort, office, coordinator):
    first, second = _staff(office, 2)
    enrolment_nominate(cohort=cohort, people=[first], organisation=office, user=coordinator)
    with pytest.raises(ValidationError) as error:
        enrolment_nominate(
            cohort=cohort, people=[second, first], organisation=office, user=coordinator
        )
    assert first.name_latin in str(error.value)
    assert "already in this cohort" in str(error.value)
    assert not Enrolment.objects.filter(person=second).exists()


def test_an_office_nominates_only_its_own_staff(cohort, office, coordinator):
    elsewhere = PersonFactory(organisation=OrganisationFactory())
    with pytest.raises(ValidationError, match="does not work in"):
        enrolment_nominate(cohort=cohort, people=[elsewhere], organisation=office, user=coordinator)


def test_nominations_outside_the_window_are_refused(cohort, office, coordinator):
    cohort.nomination_closes = timezone.localdate() - dt.timedelta(days=1)
    cohort.nomination_opens = timezone.localdate() - dt.timedelta(days=5)
    cohort.save()
    with pytest.raises(ValidationError, match="not open"):
        enrolment_nominate(
            cohort=cohort, people=_staff(office, 1), organisation=office, user=coordinator
        )


def test_a_withdrawn_person_can_be_nominated_again(cohort, office, coordinator):
    (person,) = _staff(office, 1)
    (enrolment,) = enrolment_nominate(
        cohort=cohort, people=[person], organisation=office, user=coordinator
    )
    enrolment_reject(enrolment=enrolment, user=coordinator)
    (again,) = enrolment_nominate(
        cohort=cohort, people=[person], organisation=office, user=coordinator
    )
    assert again.pk == enrolment.pk
    assert again.status == EnrolmentStatus.NOMINATED


def test_direct_enrolment_over_capacity_is_refused_whole(cohort, office, coordinator):
    cohort.capacity = 2
    cohort.save()
    EnrolmentFactory(cohort=cohort)
    with pytest.raises(ValidationError, match="1 free seat"):
        enrolment_enrol(cohort=cohort, people=_staff(office, 2), user=coordinator)
    assert cohort.enrolments.count() == 1


def test_double_enrolment_is_refused(cohort, office, coordinator):
    existing = EnrolmentFactory(cohort=cohort)
    with pytest.raises(ValidationError, match="already in this cohort"):
        enrolment_enrol(cohort=cohort, people=[existing.person], user=coordinator)


def test_rejecting_an_accepted_participant_is_refused(cohort, coordinator):
    enrolment = EnrolmentFactory(cohort=cohort)
    with pytest.raises(ValidationError, match="withdraw"):
        enrolment_reject(enrolment=enrolment, user=coordinator)


def test_a_closed_cohort_takes_no_more_participants(cohort, office, coordinator):
    cohort.closed_at = timezone.now()
    cohort.status = "completed"
    cohort.save()
    with pytest.raises(ValidationError, match="can no longer change"):
        enrolment_enrol(cohort=cohort, people=_staff(office, 1), user=coordinator)


def test_a_larger_capacity_gives_seats_to_the_waiting_list(cohort, office, coordinator):
    from plancampus.training.services.cohorts import cohort_save

    cohort.capacity = 1
    cohort.save()
    nominated = enrolment_nominate(
        cohort=cohort, people=_staff(office, 3), organisation=office, user=coordinator
    )
    enrolment_accept(cohort=cohort, enrolments=nominated, user=coordinator)
    cohort.capacity = 2
    cohort_save(cohort=cohort, user=coordinator)
    assert cohort.enrolments.accepted().count() == 2
    assert cohort.enrolments.waiting().count() == 1
    cohort.capacity = 1
    with pytest.raises(ValidationError, match="cannot be lower"):
        cohort_save(cohort=cohort, user=coordinator)


def test_cohort_of_another_institution_cannot_use_the_course(course):
    other = CohortFactory.build(course=course, institution=CohortFactory().institution, code="x")
    with pytest.raises(ValidationError, match="another institution"):
        other.full_clean()
