"""factory_boy factories for training."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from plancampus.core.tests.factories import InstitutionFactory, PersonFactory
from plancampus.training.models import (
    AssessmentModality,
    Attendance,
    Cohort,
    CohortStatus,
    Course,
    CourseModule,
    Enrolment,
    EnrolmentStatus,
    LearningOutcome,
    Mark,
    Programme,
    ProgrammeKind,
    Session,
)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    institution = factory.SubFactory(InstitutionFactory)
    code = factory.Sequence(lambda n: f"programme-{n}")
    kind = ProgrammeKind.IN_SERVICE
    name_en = factory.Sequence(lambda n: f"Programme {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(
        ProgrammeFactory, institution=factory.SelfAttribute("..institution")
    )
    code = factory.Sequence(lambda n: f"course-{n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    title_km = "វគ្គសិក្សា"
    hours = Decimal(30)
    delivery_languages = factory.LazyFunction(lambda: ["km"])


class LearningOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningOutcome

    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(int)
    text_en = factory.Sequence(lambda n: f"Outcome {n}")


class CourseModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseModule

    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(int)
    title_en = factory.Sequence(lambda n: f"Module {n}")
    hours = Decimal(10)


class ModalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentModality

    course = factory.SubFactory(CourseFactory)
    name_en = factory.Sequence(lambda n: f"Assessment {n}")
    weight = Decimal(50)
    max_mark = Decimal(20)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    institution = factory.SelfAttribute("course.institution")
    code = factory.Sequence(lambda n: f"cohort-{n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
    capacity = 25
    status = CohortStatus.NOMINATIONS_OPEN
    venue = "NIE, Phnom Penh"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    duration_minutes = 180


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    person = factory.SubFactory(PersonFactory)
    status = EnrolmentStatus.ACCEPTED
    nominated_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    enrolled_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=20))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..session.cohort")
    )
    status = "present"


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mark

    enrolment = factory.SubFactory(EnrolmentFactory)
    modality = factory.SubFactory(
        ModalityFactory, course=factory.SelfAttribute("..enrolment.cohort.course")
    )
    value = Decimal(15)
