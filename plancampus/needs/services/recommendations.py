"""Recommendations: which courses address a campaign's top gaps, and who should take them.

The link is the competency: a course's learning outcomes develop competencies
(``training.OutcomeCompetency``, with the level each aims at), and the needs analysis gives,
per competency, the Borich ranking and who is below the level their role requires. A
recommended course is a current course of the campaign's institution with an outcome on a gap
competency; the people who should take it are the respondents below the required level in one
of its gap competencies (in its target roles, if the course names any), the largest gaps
first. Among them, those already on the course (any version, matched on its code) are not
listed as people who should take it but shown apart:

- **already completed**: a result "completed" in a cohort of the course;
- **already enrolled**: nominated, accepted or on the waiting list of a cohort of the course
  that is not cancelled, with no result yet. Someone whose result was "not completed", or who
  withdrew or was not accepted, should take it (again) and is listed.

The enrolments are read through the training module's public querysets (one query whatever the
number of courses). Gap competencies that no course develops are listed apart, as input to
course design.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.apps import apps

from plancampus.core.models import Person

from ..models import Campaign
from .analysis import Analysis, Need, campaign_analysis

TOP_GAPS = 8


@dataclass
class Candidate:
    person_id: int
    role_id: int
    organisation_id: int
    gap: float  # largest gap among the course's gap competencies
    person: Person | None = None
    cohort_code: str = ""  # already enrolled or completed: in which cohort
    enrolment_status: str = ""  # already enrolled: nominated, accepted, waiting

    @property
    def enrolment_status_label(self) -> str:
        from plancampus.training.models import EnrolmentStatus

        if self.enrolment_status in EnrolmentStatus.values:
            return str(EnrolmentStatus(self.enrolment_status).label)
        return self.enrolment_status


@dataclass
class CourseRecommendation:
    course: object  # training.Course
    needs: list[Need]  # the gaps it addresses, by Borich rank
    target_levels: dict[int, int]  # competency id → level the course aims at
    candidates: list[Candidate] = field(default_factory=list)  # should take it
    already_enrolled: list[Candidate] = field(default_factory=list)
    already_completed: list[Candidate] = field(default_factory=list)

    @property
    def everyone(self) -> list[Candidate]:
        return [*self.candidates, *self.already_enrolled, *self.already_completed]


@dataclass(frozen=True)
class OnCourse:
    """A person already on a course: completed it, or enrolled in a running cohort."""

    completed: bool
    cohort_code: str
    status: str  # the enrolment's status (for the enrolled)


def people_on_courses(
    *, institution_id: int, course_codes: set[str]
) -> dict[str, dict[int, OnCourse]]:
    """Per course code, the people who completed it or are enrolled in it (one query).

    Completion wins over an enrolment in another cohort of the same course.
    """
    if not course_codes:
        return {}
    from plancampus.training.models import CohortStatus, Enrolment, ResultStatus

    running = (
        Enrolment.objects.active()
        .filter(result_status=ResultStatus.PENDING)
        .exclude(cohort__status=CohortStatus.CANCELLED)
    )
    rows = (
        (Enrolment.objects.completed() | running)
        .filter(cohort__course__code__in=course_codes, cohort__institution_id=institution_id)
        .order_by("cohort__start_date", "pk")
        .values_list("cohort__course__code", "person_id", "result_status", "status", "cohort__code")
    )
    found: dict[str, dict[int, OnCourse]] = {}
    for code, person_id, result, status, cohort in rows:
        people = found.setdefault(code, {})
        completed = result == ResultStatus.COMPLETED
        current = people.get(person_id)
        if current is None or (completed and not current.completed):
            people[person_id] = OnCourse(completed, cohort, status)
    return found


@dataclass
class Recommendations:
    analysis: Analysis
    top_needs: list[Need]
    courses: list[CourseRecommendation]
    uncovered: list[Need]  # top gaps no course addresses
    training_available: bool


def _training_installed() -> bool:
    return apps.is_installed("plancampus.training")


def recommendations_for(campaign: Campaign, *, top: int = TOP_GAPS) -> Recommendations:
    analysis = campaign_analysis(campaign)
    top_needs = [n for n in analysis.needs if n.n and n.mwds == n.mwds and n.mwds > 0][:top]
    if not _training_installed():
        return Recommendations(analysis, top_needs, [], top_needs, training_available=False)
    from plancampus.training.models import Course, OutcomeCompetency

    gap_ids = [n.competency.pk for n in top_needs]
    links = list(
        OutcomeCompetency.objects.filter(
            competency_id__in=gap_ids,
            outcome__course__institution_id=campaign.institution_id,
            outcome__course__is_current=True,
        ).values_list("outcome__course_id", "competency_id", "target_level")
    )
    by_course: dict[int, dict[int, int]] = {}
    for course_id, competency_id, level in links:
        levels = by_course.setdefault(course_id, {})
        levels[competency_id] = max(level, levels.get(competency_id, 0))
    courses = Course.objects.in_bulk(list(by_course))
    target_roles: dict[int, set[int]] = {}
    for course_id, role_id in Course.target_roles.through.objects.filter(
        course_id__in=list(by_course)
    ).values_list("course_id", "roleprofile_id"):
        target_roles.setdefault(course_id, set()).add(role_id)
    on_courses = people_on_courses(
        institution_id=campaign.institution_id,
        course_codes={course.code for course in courses.values()},
    )

    data = analysis.data
    column = {c.pk: j for j, c in enumerate(data.competencies)}
    role_ids = np.array([data.roles[i].pk for i in data.role_index], dtype=np.int64)
    need_by_id = {n.competency.pk: n for n in top_needs}
    result: list[CourseRecommendation] = []
    for course_id, levels in by_course.items():
        course = courses[course_id]
        columns = [column[c] for c in levels if c in column]
        gaps = data.required[:, columns] - data.current[:, columns]
        gaps = np.where(np.isnan(gaps), 0, np.maximum(gaps, 0)).max(axis=1) if columns else None
        recommendation = CourseRecommendation(
            course=course,
            needs=sorted((need_by_id[c] for c in levels), key=lambda n: n.rank),
            target_levels=levels,
        )
        if gaps is not None:
            mask = gaps > 0
            roles = target_roles.get(course_id)
            if roles:
                mask &= np.isin(role_ids, list(roles))
            on_course = on_courses.get(course.code, {})
            rows = np.flatnonzero(mask)
            rows = rows[np.argsort(-gaps[rows], kind="stable")]
            for r in rows:
                person_id = int(data.person_ids[r])
                candidate = Candidate(
                    person_id=person_id,
                    role_id=int(data.roles[data.role_index[r]].pk),
                    organisation_id=int(data.organisations[data.organisation_index[r]].pk),
                    gap=float(gaps[r]),
                )
                state = on_course.get(person_id)
                if state is None:
                    recommendation.candidates.append(candidate)
                    continue
                candidate.cohort_code = state.cohort_code
                if state.completed:
                    recommendation.already_completed.append(candidate)
                else:
                    candidate.enrolment_status = state.status
                    recommendation.already_enrolled.append(candidate)
        result.append(recommendation)
    result.sort(key=lambda r: (min(n.rank for n in r.needs), -len(r.candidates)))
    covered = {c for levels in by_course.values() for c in levels}
    uncovered = [n for n in top_needs if n.competency.pk not in covered]
    return Recommendations(analysis, top_needs, result, uncovered, training_available=True)


def attach_people(recommendation: CourseRecommendation, limit: int | None = None) -> None:
    """Load the Person of the first ``limit`` candidates of one course (one query)."""
    chosen = recommendation.candidates[:limit] if limit else recommendation.candidates
    _attach(chosen)


def attach_people_to_all(recommendations: list[CourseRecommendation], limit: int) -> None:
    """Load the Person of the first ``limit`` people of each list (should take it, already
    enrolled, already completed) of every course: one query for the page."""
    chosen = [
        candidate
        for r in recommendations
        for group in (r.candidates, r.already_enrolled, r.already_completed)
        for candidate in group[:limit]
    ]
    _attach(chosen)


def _attach(chosen: list[Candidate]) -> None:
    if not chosen:
        return
    people = Person.objects.select_related("organisation").in_bulk(
        list({c.person_id for c in chosen})
    )
    for candidate in chosen:
        candidate.person = people.get(candidate.person_id)
