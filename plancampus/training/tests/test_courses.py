"""Course versions, the design rules and the reference courses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plancampus.needs.services.framework import framework_seed_epm
from plancampus.training.models import Course, OutcomeCompetency
from plancampus.training.services.courses import course_new_version, outcome_save
from plancampus.training.services.reference_courses import courses_seed_reference

from .factories import CohortFactory, CourseFactory, LearningOutcomeFactory, ModalityFactory

pytestmark = pytest.mark.django_db


def test_reference_courses_with_their_design(institution):
    courses = courses_seed_reference(institution=institution)
    assert [c.code for c in courses] == [
        "epm-fundamentals",
        "teacher-management",
        "education-financing",
    ]
    fundamentals = courses[0]
    assert fundamentals.title_km
    assert fundamentals.title_fr.startswith("Fondamentaux")
    assert fundamentals.assessment_problems() == []
    assert sum(m.hours for m in fundamentals.modules.all()) == fundamentals.hours
    codes = set(
        OutcomeCompetency.objects.filter(outcome__course=fundamentals).values_list(
            "competency__code", flat=True
        )
    )
    assert {"sector_plan_preparation", "projection_simulation"} <= codes
    financing = courses[2]
    assert list(financing.target_roles.values_list("code", flat=True)) == ["finance_officer"]
    workshop = fundamentals.workshops.get()
    assert workshop.organisations.filter(pk=institution.pk).exists()
    # Idempotent.
    again = courses_seed_reference(institution=institution)
    assert [c.pk for c in again] == [c.pk for c in courses]
    assert Course.objects.count() == 3


def test_a_new_version_copies_the_design_and_keeps_the_old(institution):
    (course, *_rest) = courses_seed_reference(institution=institution)
    cohort = CohortFactory(course=course)
    new = course_new_version(course=course)
    course.refresh_from_db()
    assert (course.is_current, new.is_current) == (False, True)
    assert new.version == 2
    assert new.supersedes == course
    assert new.outcomes.count() == course.outcomes.count()
    assert (
        OutcomeCompetency.objects.filter(outcome__course=new).count()
        == OutcomeCompetency.objects.filter(outcome__course=course).count()
    )
    assert new.modalities.count() == course.modalities.count()
    assert set(new.target_roles.all()) == set(course.target_roles.all())
    cohort.refresh_from_db()
    assert cohort.course == course  # the cohort keeps the version it ran
    with pytest.raises(ValidationError, match="not the current version"):
        course_new_version(course=course)


def test_only_one_current_version_per_code(institution):
    CourseFactory(institution=institution, code="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(institution=institution, code="x", version=2)


def test_assessment_weights_must_sum_to_100(course):
    assert course.assessment_problems() == []
    ModalityFactory(course=course, weight=Decimal("12.5"))
    assert "112.5" in course.assessment_problems()[0]


def test_outcome_links_competencies_of_the_institution_only(institution, outsider, course):
    framework = framework_seed_epm(institution=institution)
    competency = framework.competencies.get(code="sector_analysis")
    outcome = LearningOutcomeFactory.build(course=course, text_en="Analyse the sector")
    outcome_save(outcome=outcome, links={competency.pk: 3})
    assert outcome.competency_links.get().target_level == 3
    with pytest.raises(ValidationError, match="between 1 and 5"):
        outcome_save(outcome=outcome, links={competency.pk: 9})
    foreign = framework_seed_epm(institution=outsider.memberships.get().institution)
    with pytest.raises(ValidationError, match="another institution"):
        outcome_save(outcome=outcome, links={foreign.competencies.first().pk: 3})


def test_design_pages_are_locked_once_a_cohort_is_closed(client_for, coordinator, course):
    from django.urls import reverse
    from django.utils import timezone

    CohortFactory(course=course, closed_at=timezone.now(), status="completed")
    response = client_for(coordinator).get(reverse("training:modules-edit", args=[course.pk]))
    assert response.status_code == 302
    response = client_for(coordinator).get(reverse("training:course-detail", args=[course.pk]))
    assert "Make a new version" in response.content.decode()
