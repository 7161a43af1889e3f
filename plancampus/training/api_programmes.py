"""The students of degree programmes over the REST API (read only, on the training router).

Same rules as the pages: the staff of the programme's institution and the partner's
programme specialist read them; participants, and everyone outside the institution, get
404 (the programme's students "do not exist" for them). Lists run a fixed number of queries
whatever the number of students.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Schema

from plancampus.api.auth import member_access
from plancampus.api.errors import NOT_FOUND_RESPONSES
from plancampus.api.pagination import Page, PageParams, paginate

from .access import is_staff_of, programme_students_for_user, programmes_for_user
from .api import MAX_ID, router
from .models import Programme, ResultStatus, StudentStatus
from .services.students import COURSE_STATES, programme_courses, programme_progress, student_courses


class StudentOut(Schema):
    id: int
    programme: str = Field(..., description=_("Programme code."))
    person_id: int
    person_name: str
    person_name_km: str
    intake: int
    status: StudentStatus
    enrolled_on: dt.date | None
    status_since: dt.date | None
    expected_completion: dt.date | None
    completed_on: dt.date | None
    employer: str | None = Field(..., description=_("Code of the employer at intake."))
    thesis_title: str
    supervisor_id: int | None
    supervisor_name: str | None
    courses_completed: int
    courses_required: int
    is_synthetic: bool

    @staticmethod
    def resolve_programme(obj: Any) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name_latin

    @staticmethod
    def resolve_person_name_km(obj: Any) -> str:
        return obj.person.name_km

    @staticmethod
    def resolve_employer(obj: Any) -> str | None:
        return obj.employer.code if obj.employer_id else None

    @staticmethod
    def resolve_supervisor_name(obj: Any) -> str | None:
        return obj.supervisor.name_latin if obj.supervisor_id else None

    @staticmethod
    def resolve_courses_completed(obj: Any) -> int:
        return obj.progress.completed

    @staticmethod
    def resolve_courses_required(obj: Any) -> int:
        return obj.progress.required


class StudentPage(Page):
    items: list[StudentOut]


class StudentCourseOut(Schema):
    course_id: int
    course_code: str
    title_en: str
    credits: Decimal | None
    state: str = Field(..., description=", ".join(COURSE_STATES))
    cohort_id: int | None
    cohort_code: str | None
    attendance_rate: Decimal | None
    final_mark: Decimal | None
    provisional_mark: Decimal | None = Field(
        ..., description=_("While the cohort runs: the weighted mark, once every mark is in.")
    )
    provisional_attendance: Decimal | None = Field(
        ..., description=_("While the cohort runs: attendance (%) of the sessions held so far.")
    )
    result_status: ResultStatus | None


class StudentDetail(StudentOut):
    credits_earned: Decimal
    credits_required: Decimal
    courses: list[StudentCourseOut]


class StudentFilters(Schema):
    intake: int | None = Field(None, ge=1950, le=2200)
    status: StudentStatus | None = None


def _programme(access: Any, programme_id: int) -> Programme:
    programme = (
        programmes_for_user(access).select_related("institution").filter(pk=programme_id).first()
    )
    if (
        programme is None
        or not programme.is_degree
        or not is_staff_of(access, programme.institution_id)
    ):
        raise Http404(_("No degree programme with this id is visible to you."))
    return programme


@router.get(
    "/training/programmes/{programme_id}/students/",
    response={200: StudentPage, **NOT_FOUND_RESPONSES},
    url_name="training-student-list",
    operation_id="list_programme_students",
    summary="Students of a degree programme",
)
def list_students(
    request: HttpRequest,
    filters: Query[StudentFilters],
    page: Query[PageParams],
    programme_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """The students of a Master's or Doctorate, newest intake first, with the number of the
    programme's courses each completed."""
    access = member_access(request)
    programme = _programme(access, programme_id)
    students = (
        programme_students_for_user(access)
        .filter(programme=programme)
        .select_related("programme", "person", "employer", "supervisor")
    )
    if filters.intake:
        students = students.filter(intake=filters.intake)
    if filters.status:
        students = students.filter(status=filters.status)
    result = paginate(students.order_by("-intake", "person__name_latin", "id"), page)
    progress = programme_progress(
        programme=programme, students=result["items"], courses=programme_courses(programme)
    )
    for student in result["items"]:
        student.progress = progress[student.pk]
    return result


@router.get(
    "/training/programmes/{programme_id}/students/{student_id}/",
    response={200: StudentDetail, **NOT_FOUND_RESPONSES},
    url_name="training-student-detail",
    operation_id="get_programme_student",
    summary="One student with their courses and results",
)
def get_student(
    request: HttpRequest,
    programme_id: int = Path(..., ge=1, le=MAX_ID),
    student_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    """The programme's courses as the student took them: cohort, attendance, final mark
    (closed results) or provisional mark (a running cohort), and the result."""
    access = member_access(request)
    programme = _programme(access, programme_id)
    student = (
        programme_students_for_user(access)
        .filter(programme=programme, pk=student_id)
        .select_related("programme", "person", "employer", "supervisor")
        .first()
    )
    if student is None:
        raise Http404(_("No student with this id is visible to you."))
    results, progress = student_courses(student=student, courses=programme_courses(programme))
    student.progress = progress
    student.credits_earned = progress.credits_earned
    student.credits_required = progress.credits_required
    student.courses = [
        {
            "course_id": r.course.pk,
            "course_code": r.course.code,
            "title_en": r.course.title_en,
            "credits": r.course.credits,
            "state": r.state,
            "cohort_id": r.cohort.pk if r.cohort else None,
            "cohort_code": r.cohort.code if r.cohort else None,
            "attendance_rate": r.enrolment.attendance_rate if r.enrolment else None,
            "final_mark": r.enrolment.final_mark if r.enrolment else None,
            "provisional_mark": r.provisional_mark,
            "provisional_attendance": r.provisional_attendance,
            "result_status": r.enrolment.result_status if r.enrolment else None,
        }
        for r in results
    ]
    return student
