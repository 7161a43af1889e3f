"""Data for the certificate tests: a closed cohort whose results are already stored.

The results are written directly on the enrolments (``result_status``, ``final_mark``,
``attendance_rate``), as closing a cohort stores them: the certificates only read that
snapshot, and the closing itself is tested with the results.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from plancampus.core.models import Organisation, Person, User
from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import (
    Cohort,
    CohortStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    ResultStatus,
)

COURSE_KM = "គ្រឹះនៃការរៀបចំផែនការ និងការគ្រប់គ្រងអប់រំ"
COURSE_EN = "Fundamentals of educational planning and management"
COURSE_FR = "Fondamentaux de la planification et de la gestion de l'éducation"
HOLDER_KM = "ជា សុខា"
HOLDER_LATIN = "Chea Sokha"


def make_course(institution: Organisation, **fields: object) -> Course:
    values: dict[str, object] = {
        "institution": institution,
        "code": "epm-fundamentals",
        "title_en": COURSE_EN,
        "title_fr": COURSE_FR,
        "title_km": COURSE_KM,
        "description_en": "Planning and management of provincial education systems.",
        "hours": Decimal("36.0"),
        **fields,
    }
    return Course.objects.create(**values)


def make_closed_cohort(
    institution: Organisation,
    *,
    completed: int = 3,
    not_completed: int = 1,
    language: str = "km",
    course: Course | None = None,
    code: str = "epm-2025-1",
) -> Cohort:
    """A closed cohort: the first participant is Chea Sokha (ជា សុខា), then others."""
    course = course or make_course(institution)
    cohort = Cohort.objects.create(
        institution=institution,
        course=course,
        code=code,
        start_date=dt.date(2025, 3, 3),
        end_date=dt.date(2025, 3, 14),
        capacity=max(1, completed + not_completed + 5),
        language=language,
        status=CohortStatus.COMPLETED,
        closed_at=timezone.now(),
    )
    people = [
        PersonFactory(name_latin=HOLDER_LATIN, name_km=HOLDER_KM),
        *[
            PersonFactory(name_latin=f"Participant {n:03d}", name_km="សុខ សុភា")
            for n in range(1, completed + not_completed)
        ],
    ]
    now = timezone.now()
    for number, person in enumerate(people):
        done = number < completed
        Enrolment.objects.create(
            cohort=cohort,
            person=person,
            status=EnrolmentStatus.ACCEPTED,
            enrolled_at=now - dt.timedelta(days=30),
            result_status=ResultStatus.COMPLETED if done else ResultStatus.NOT_COMPLETED,
            attendance_rate=Decimal(95) if done else Decimal(60),
            final_mark=Decimal(72) if done else Decimal(41),
            result_computed_at=now,
        )
    return cohort


def holder_enrolment(cohort: Cohort) -> Enrolment:
    return cohort.enrolments.get(person__name_latin=HOLDER_LATIN)


def non_completer(cohort: Cohort) -> Enrolment:
    return cohort.enrolments.exclude(result_status=ResultStatus.COMPLETED).first()


def give_account(person: Person, user: User, language: str = "") -> None:
    user.person = person
    user.language = language
    user.save()
