"""Students of degree programmes: saving their record, their courses and progress, and
enrolling an intake in a course's cohort.

A degree student takes the programme's courses in cohorts (one per course and intake), with
the attendance, marks and results every cohort keeps. Which of a person's enrolments belong
to which student record: the enrolments in cohorts of the programme's courses that start in
or after the record's intake year, and before the intake of the same person's next record in
the programme (someone who withdrew and came back in a later intake has two records).

Progress counts the courses of the programme (their current versions, by course code): a
course is done when the student completed a cohort of any version of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import User

from ..models import (
    AssessmentModality,
    Cohort,
    CohortStatus,
    Course,
    Enrolment,
    EnrolmentStatus,
    Mark,
    Programme,
    ProgrammeStudent,
    ResultStatus,
    StudentStatus,
)
from .attendance import attendance_rates
from .enrolment import REOPENABLE, enrolment_enrol

# What a student's course shows, from the enrolment and its cohort.
COMPLETED = "completed"
NOT_COMPLETED = "not_completed"
IN_PROGRESS = "in_progress"
PLANNED = "planned"
WITHDRAWN = "withdrawn"
NOT_TAKEN = "not_taken"
COURSE_STATES = {
    COMPLETED: _("Completed"),
    NOT_COMPLETED: _("Not completed"),
    IN_PROGRESS: _("In progress"),
    PLANNED: _("Planned"),
    WITHDRAWN: _("Withdrawn"),
    NOT_TAKEN: _("Not taken yet"),
}
# Which enrolment stands for a course when a student has several (a course taken again).
PREFERENCE = [COMPLETED, IN_PROGRESS, PLANNED, NOT_COMPLETED, WITHDRAWN]


@dataclass(frozen=True)
class Progress:
    """Courses (and credits) completed against those the programme requires."""

    completed: int
    required: int
    credits_earned: Decimal
    credits_required: Decimal

    @property
    def percent(self) -> int:
        if not self.required:
            return 0
        return round(100 * min(self.completed, self.required) / self.required)


@dataclass(frozen=True)
class CourseResult:
    """One course of the programme as a student took it (or not yet)."""

    course: Course
    enrolment: Enrolment | None
    state: str
    provisional_mark: Decimal | None = None
    provisional_attendance: Decimal | None = None

    @property
    def state_label(self) -> str:
        return str(COURSE_STATES[self.state])

    @property
    def cohort(self) -> Cohort | None:
        return self.enrolment.cohort if self.enrolment else None


def programme_courses(programme: Programme) -> list[Course]:
    """The courses a student of the programme must complete: their current versions."""
    return list(Course.objects.filter(programme=programme, is_current=True).order_by("code", "id"))


def _required(courses: Sequence[Course]) -> tuple[set[str], Decimal]:
    codes = {c.code for c in courses}
    credits = sum((c.credits or Decimal(0) for c in courses), Decimal(0))
    return codes, credits


def _windows(
    records: Iterable[tuple[int, int, int]],
) -> dict[int, tuple[dt.date, dt.date | None]]:
    """``{record id: (first day, day after the last)}`` from ``(id, person id, intake)``:
    a record's cohorts start in its intake year or later, and before the person's next
    intake in the same programme."""
    by_person: dict[int, list[tuple[int, int]]] = {}
    for pk, person_id, intake in records:
        by_person.setdefault(person_id, []).append((intake, pk))
    windows: dict[int, tuple[dt.date, dt.date | None]] = {}
    for rows in by_person.values():
        rows.sort()
        for index, (intake, pk) in enumerate(rows):
            following = rows[index + 1][0] if index + 1 < len(rows) else None
            later = following if following is not None and following > intake else None
            windows[pk] = (dt.date(intake, 1, 1), dt.date(later, 1, 1) if later else None)
    return windows


def _inside(day: dt.date, window: tuple[dt.date, dt.date | None]) -> bool:
    start, end = window
    return day >= start and (end is None or day < end)


def programme_progress(
    *, programme: Programme, students: Sequence[ProgrammeStudent], courses: Sequence[Course]
) -> dict[int, Progress]:
    """The progress of each student (``{student id: Progress}``) in two queries, whatever
    the number of students; ``courses`` are :func:`programme_courses`."""
    required, credits_required = _required(courses)
    person_ids = sorted({s.person_id for s in students})
    if not person_ids:
        return {}
    records = (
        ProgrammeStudent.objects.filter(programme=programme, person_id__in=person_ids)
        .order_by()
        .values_list("pk", "person_id", "intake")
    )
    windows = _windows(records)
    credits_of = {c.code: c.credits or Decimal(0) for c in courses}
    done = (
        Enrolment.objects.filter(
            person_id__in=person_ids,
            cohort__course__programme=programme,
            result_status=ResultStatus.COMPLETED,
        )
        .exclude(cohort__status=CohortStatus.CANCELLED)
        .values_list("person_id", "cohort__start_date", "cohort__course__code")
    )
    codes: dict[int, set[str]] = {s.pk: set() for s in students}
    by_person: dict[int, list[ProgrammeStudent]] = {}
    for student in students:
        by_person.setdefault(student.person_id, []).append(student)
    for person_id, start, code in done:
        if code not in required:
            continue
        for student in by_person.get(person_id, []):
            if _inside(start, windows[student.pk]):
                codes[student.pk].add(code)
    return {
        pk: Progress(
            completed=len(found),
            required=len(required),
            credits_earned=sum((credits_of[c] for c in found), Decimal(0)),
            credits_required=credits_required,
        )
        for pk, found in codes.items()
    }


def _state(enrolment: Enrolment) -> str:
    cohort = enrolment.cohort
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return WITHDRAWN
    if enrolment.result_status == ResultStatus.COMPLETED:
        return COMPLETED
    if enrolment.result_status == ResultStatus.NOT_COMPLETED:
        return NOT_COMPLETED
    if cohort.start_date > timezone.localdate() or cohort.status == CohortStatus.PLANNED:
        return PLANNED
    return IN_PROGRESS


def student_courses(
    *, student: ProgrammeStudent, courses: Sequence[Course]
) -> tuple[list[CourseResult], Progress]:
    """Each course of the programme as the student took it, with the results so far (the
    closed results, or a provisional weighted mark from the marks entered), and the
    student's progress. Four queries, and two per course running now (its attendance so
    far)."""
    programme = student.programme
    records = (
        ProgrammeStudent.objects.filter(programme=programme, person_id=student.person_id)
        .order_by()
        .values_list("pk", "person_id", "intake")
    )
    window = _windows(records)[student.pk]
    modalities = AssessmentModality.objects.order_by("order", "id")
    enrolments = [
        e
        for e in Enrolment.objects.filter(
            person_id=student.person_id, cohort__course__programme=programme
        )
        .exclude(status__in=[EnrolmentStatus.REJECTED, EnrolmentStatus.NOMINATED])
        .exclude(cohort__status=CohortStatus.CANCELLED)
        .select_related("cohort", "cohort__course")
        .prefetch_related(Prefetch("cohort__course__modalities", queryset=modalities))
        .order_by("cohort__start_date", "id")
        if _inside(e.cohort.start_date, window)
    ]
    marks: dict[int, dict[int, Decimal]] = {}
    open_ids = [e.pk for e in enrolments if e.result_status == ResultStatus.PENDING]
    for enrolment_id, modality_id, value in Mark.objects.filter(
        enrolment_id__in=open_ids
    ).values_list("enrolment_id", "modality_id", "value"):
        marks.setdefault(enrolment_id, {})[modality_id] = value
    best: dict[str, tuple[Enrolment, str]] = {}
    for enrolment in enrolments:
        code = enrolment.cohort.course.code
        state = _state(enrolment)
        found = best.get(code)
        # The best state wins; between equals, the later cohort (a course taken again).
        if found is None or PREFERENCE.index(state) <= PREFERENCE.index(found[1]):
            best[code] = (enrolment, state)
    results = []
    for course in courses:
        if course.code not in best:
            results.append(CourseResult(course, None, NOT_TAKEN))
            continue
        enrolment, state = best[course.code]
        provisional = attendance = None
        if state == IN_PROGRESS:
            taken = enrolment.cohort.course
            provisional = taken.final_mark(
                marks.get(enrolment.pk, {}), list(taken.modalities.all())
            )
            # Two queries per running course (a student follows one or two at a time).
            rates, _total = attendance_rates(cohort=enrolment.cohort, enrolments=[enrolment])
            rate = rates.get(enrolment.pk)
            attendance = rate.percent if rate else None
        results.append(CourseResult(course, enrolment, state, provisional, attendance))
    # In the order they were taught; courses not taken yet last.
    results.sort(key=lambda r: (r.cohort is None, r.cohort.start_date if r.cohort else None))
    required, credits_required = _required(courses)
    done = [r for r in results if r.state == COMPLETED]
    progress = Progress(
        completed=len(done),
        required=len(required),
        credits_earned=sum((r.course.credits or Decimal(0) for r in done), Decimal(0)),
        credits_required=credits_required,
    )
    return results, progress


def _history_user(student: ProgrammeStudent, user: User | None) -> None:
    if user is not None and user.is_authenticated:
        student._history_user = user  # type: ignore[attr-defined]


@transaction.atomic
def student_save(*, student: ProgrammeStudent, user: User | None) -> ProgrammeStudent:
    """Check and save a student's record (audited, with the acting user in its history).

    When the status changes and no new "status since" day is given, the change is dated
    today; a graduate's status dates from the day the degree was awarded.
    """
    previous = (
        ProgrammeStudent.objects.filter(pk=student.pk).values("status", "status_since").first()
        if student.pk
        else None
    )
    status_changed = previous is None or previous["status"] != student.status
    since_untouched = previous is None or previous["status_since"] == student.status_since
    if status_changed and since_untouched:
        if student.status == StudentStatus.GRADUATED and student.completed_on:
            student.status_since = student.completed_on
        elif student.status in {StudentStatus.ON_LEAVE, StudentStatus.WITHDRAWN} or previous:
            student.status_since = timezone.localdate()
    student.full_clean()
    _history_user(student, user)
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError:
        # Someone recorded the same student at the same moment.
        raise ValidationError(
            {"intake": _("This person is already a student of the programme in this intake.")}
        ) from None
    return student


def intake_cohorts(programme: Programme) -> list[Cohort]:
    """Cohorts of the programme's courses in which an intake may still be enrolled."""
    return list(
        Cohort.objects.filter(course__programme=programme, closed_at__isnull=True)
        .exclude(status__in=[CohortStatus.COMPLETED, CohortStatus.CANCELLED])
        .select_related("course")
        .order_by("start_date", "code")
    )


@transaction.atomic
def intake_enrol(
    *, programme: Programme, intake: int, cohort: Cohort, user: User | None
) -> list[Enrolment]:
    """Enrol the current students of an intake (admitted or enrolled; not those on leave)
    who are not in ``cohort`` yet. All or nothing (the cohort's capacity applies)."""
    if cohort.course.programme_id != programme.pk:
        raise ValidationError(
            _("Cohort %(code)s is not a cohort of this programme's courses.")
            % {"code": cohort.code},
            code="other_programme",
        )
    students = list(
        ProgrammeStudent.objects.filter(
            programme=programme,
            intake=intake,
            status__in=[StudentStatus.ADMITTED, StudentStatus.ENROLLED],
        )
        .select_related("person")
        .order_by("person__name_latin", "id")
    )
    if not students:
        raise ValidationError(
            _("The %(intake)s intake has no admitted or enrolled student.") % {"intake": intake},
            code="empty",
        )
    present = set(
        cohort.enrolments.exclude(status__in=REOPENABLE).values_list("person_id", flat=True)
    )
    people = [s.person for s in students if s.person_id not in present]
    if not people:
        raise ValidationError(
            _("Every current student of the %(intake)s intake is already in cohort %(code)s.")
            % {"intake": intake, "code": cohort.code},
            code="nothing_to_do",
        )
    return enrolment_enrol(cohort=cohort, people=people, user=user)
