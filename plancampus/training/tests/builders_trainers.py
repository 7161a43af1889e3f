"""Small builders of training records for the trainer, cascade, coverage and demo tests.

Plain functions (not factories) so that a test reads as the story it builds: a programme, a
course, a cohort taught by these trainers and completed by those people.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from plancampus.core.models import Organisation, Person
from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import (
    Cohort,
    CohortStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeKind,
    ResultStatus,
)

_numbers = itertools.count(1)


def programme(institution: Organisation, kind: str = ProgrammeKind.IN_SERVICE) -> Programme:
    programme, _ = Programme.objects.get_or_create(
        institution=institution,
        code=f"prog-{kind}",
        defaults={"kind": kind, "name_en": f"Programme {kind}"},
    )
    return programme


def course(
    institution: Organisation, *, kind: str = ProgrammeKind.IN_SERVICE, code: str = ""
) -> Course:
    code = code or f"course-{next(_numbers)}"
    return Course.objects.create(
        institution=institution,
        programme=programme(institution, kind),
        code=code,
        title_en=f"Course {code}",
        hours=Decimal(30),
    )


def cohort(
    course: Course,
    *,
    start: dt.date,
    end: dt.date | None = None,
    lead: Person | None = None,
    co: list[Person] | tuple[Person, ...] = (),
    status: str = CohortStatus.COMPLETED,
    code: str = "",
) -> Cohort:
    cohort = Cohort.objects.create(
        institution=course.institution,
        course=course,
        code=code or f"c-{next(_numbers)}",
        start_date=start,
        end_date=end or start + dt.timedelta(days=5),
        capacity=100,
        lead_trainer=lead,
        status=status,
        closed_at=timezone.now() if status == CohortStatus.COMPLETED else None,
    )
    if co:
        cohort.co_trainers.set(co)
    return cohort


def enrol(
    cohort: Cohort, people: list[Person], *, result: str = ResultStatus.COMPLETED
) -> list[Enrolment]:
    return [
        Enrolment.objects.create(
            cohort=cohort,
            person=person,
            status=EnrolmentStatus.ACCEPTED,
            enrolled_at=timezone.now(),
            result_status=result,
        )
        for person in people
    ]


def people(organisation: Organisation, count: int, **fields: object) -> list[Person]:
    return [PersonFactory(organisation=organisation, **fields) for _ in range(count)]
