"""Training fixtures on top of the shared personas (conftest.py at the root)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plancampus.core.tests.factories import PersonFactory

from .factories import CohortFactory, CourseFactory, ModalityFactory, SessionFactory


@pytest.fixture
def course(institution):
    course = CourseFactory(institution=institution, code="epm-fundamentals")
    ModalityFactory(course=course, name_en="Exercises", weight=Decimal(40), max_mark=Decimal(20))
    ModalityFactory(
        course=course, name_en="Written test", weight=Decimal(60), max_mark=Decimal(100)
    )
    return course


@pytest.fixture
def trainer_person(trainer, institution):
    """The trainer persona's person record (a member of the institution's staff)."""
    person = PersonFactory(organisation=institution, name_latin="Heng Piseth")
    trainer.person = person
    trainer.save()
    return person


@pytest.fixture
def cohort(course, trainer_person):
    return CohortFactory(course=course, code="epm-2026-1", lead_trainer=trainer_person)


@pytest.fixture
def session(cohort):
    return SessionFactory(cohort=cohort)


@pytest.fixture
def participant_person(participant, office):
    person = PersonFactory(organisation=office, name_latin="Keo Sreymom")
    participant.person = person
    participant.save()
    return person
