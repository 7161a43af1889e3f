"""Course versions: a new version copies the design and keeps the old one for the cohorts
that ran it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import (
    AssessmentModality,
    Course,
    CourseModule,
    LearningOutcome,
    OutcomeCompetency,
)


@transaction.atomic
def course_new_version(*, course: Course) -> Course:
    """Copy ``course`` (its design: outcomes and their competencies, modules, assessment,
    target roles) as the next version, which becomes the current one."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.is_current:
        raise ValidationError(
            _(
                "Version %(version)s is not the current version; make the new version from the "
                "current one."
            )
            % {"version": course.version},
            code="not_current",
        )
    latest = (
        Course.objects.filter(institution=course.institution_id, code=course.code)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    outcomes = list(course.outcomes.prefetch_related("competency_links"))
    modules = list(course.modules.all())
    modalities = list(course.modalities.all())
    roles = list(course.target_roles.all())
    Course.objects.filter(pk=course.pk).update(is_current=False)
    previous_pk = course.pk
    new = course
    new.pk = new.id = None
    new._state.adding = True
    new.version = (latest or course.version) + 1
    new.is_current = True
    new.supersedes_id = previous_pk
    new.full_clean(validate_constraints=False, validate_unique=False)
    new.save()
    new.target_roles.set(roles)
    for outcome in outcomes:
        links = list(outcome.competency_links.all())
        outcome.pk = outcome.id = None
        outcome._state.adding = True
        outcome.course = new
        outcome.save()
        OutcomeCompetency.objects.bulk_create(
            OutcomeCompetency(
                outcome=outcome, competency_id=link.competency_id, target_level=link.target_level
            )
            for link in links
        )
    CourseModule.objects.bulk_create(
        CourseModule(
            course=new,
            order=m.order,
            title_en=m.title_en,
            title_fr=m.title_fr,
            title_km=m.title_km,
            hours=m.hours,
            methods=m.methods,
        )
        for m in modules
    )
    AssessmentModality.objects.bulk_create(
        AssessmentModality(
            course=new,
            order=m.order,
            name_en=m.name_en,
            name_fr=m.name_fr,
            name_km=m.name_km,
            weight=m.weight,
            max_mark=m.max_mark,
        )
        for m in modalities
    )
    return new


@transaction.atomic
def outcome_save(*, outcome: LearningOutcome, links: dict[int, int]) -> LearningOutcome:
    """Save an outcome and set the competencies it develops (``{competency_id: level}``)."""
    outcome.full_clean()
    outcome.save()
    outcome.competency_links.exclude(competency_id__in=list(links)).delete()
    for competency_id, level in links.items():
        link = OutcomeCompetency.objects.filter(
            outcome=outcome, competency_id=competency_id
        ).first() or OutcomeCompetency(outcome=outcome, competency_id=competency_id)
        link.target_level = level
        link.full_clean(validate_constraints=False, validate_unique=False)
        link.save()
    return outcome


def course_is_locked(course: Course) -> bool:
    """A version with a cohort whose results are closed (or were, and are reopened for
    corrections) keeps its design (certificates cite it): changes go into a new version."""
    return course.cohorts.filter(Q(closed_at__isnull=False) | Q(reopened_at__isnull=False)).exists()
