"""Training over the REST API: courses, cohorts, enrolments, attendance and marks.

The same rules as the pages (``plancampus.training.access``): another institution's objects
answer 404; an action the caller's role does not allow answers 403; a change that breaks a
rule (double enrolment, over capacity, a session of another cohort, a mark out of range…)
answers 400 with every problem in ``detail`` and saves nothing. List endpoints run a fixed
number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from plancampus.api.auth import member_access
from plancampus.api.errors import NOT_FOUND_RESPONSES, ErrorOut
from plancampus.api.pagination import Page, PageParams, paginate
from plancampus.core.access import people_for_user
from plancampus.core.models import Organisation

from .access import (
    cohorts_for_user,
    courses_for_user,
    enrolments_for_user,
    is_staff_of,
    require_manage,
    require_teach,
)
from .models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    CourseMode,
    EnrolmentStatus,
    LearningOutcome,
    Mark,
    OutcomeCompetency,
    ResultStatus,
)
from .services.attendance import attendance_mark
from .services.enrolment import (
    enrolment_accept,
    enrolment_enrol,
    enrolment_nominate,
    enrolment_reject,
    enrolment_withdraw,
)
from .services.results import MarkEntry, marks_record

router = Router(tags=["training"])
MAX_ID = 2**63 - 1
CHANGE_RESPONSES: dict[int, Any] = {**NOT_FOUND_RESPONSES, 400: ErrorOut}


def _refused(error: ValidationError) -> HttpError:
    if hasattr(error, "error_dict"):
        messages = [f"{k}: {m}" for k, ms in error.message_dict.items() for m in ms]
    else:
        messages = [str(m) for m in error.messages]
    return HttpError(400, " ".join(messages))


# --- Schemas -----------------------------------------------------------------------------


class CompetencyRef(Schema):
    code: str
    name_en: str
    target_level: int

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return obj.competency.code

    @staticmethod
    def resolve_name_en(obj: Any) -> str:
        return obj.competency.name_en


class OutcomeOut(Schema):
    id: int
    order: int
    text_en: str
    text_fr: str
    text_km: str
    competencies: list[CompetencyRef]

    @staticmethod
    def resolve_competencies(obj: Any) -> list[Any]:
        return list(obj.competency_links.all())


class ModuleOut(Schema):
    order: int
    title_en: str
    title_fr: str
    title_km: str
    hours: Decimal
    methods: str


class ModalityOut(Schema):
    id: int
    name_en: str
    name_fr: str
    name_km: str
    weight: Decimal = Field(
        ...,
        # xgettext:no-python-format
        description=_("Weight in % of the final mark."),
    )
    max_mark: Decimal


class CourseOut(Schema):
    id: int
    institution: str
    programme: str | None
    code: str
    version: int
    is_current: bool
    title_en: str
    title_fr: str
    title_km: str
    hours: Decimal
    credits: Decimal | None
    mode: CourseMode
    delivery_languages: list[str]
    min_attendance_percent: Decimal
    pass_mark: Decimal
    is_synthetic: bool

    @staticmethod
    def resolve_institution(obj: Any) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_programme(obj: Any) -> str | None:
        return obj.programme.code if obj.programme_id else None


class CourseDetail(CourseOut):
    description_en: str
    description_fr: str
    description_km: str
    target_audience: str
    outcomes: list[OutcomeOut]
    modules: list[ModuleOut]
    modalities: list[ModalityOut]

    @staticmethod
    def resolve_outcomes(obj: Any) -> list[Any]:
        return list(obj.outcomes.all())

    @staticmethod
    def resolve_modules(obj: Any) -> list[Any]:
        return list(obj.modules.all())

    @staticmethod
    def resolve_modalities(obj: Any) -> list[Any]:
        return list(obj.modalities.all())


class CoursePage(Page):
    items: list[CourseOut]


class CohortOut(Schema):
    id: int
    code: str
    title: str
    course_id: int
    course_code: str
    course_version: int
    start_date: dt.date
    end_date: dt.date
    venue: str
    is_online: bool
    capacity: int
    language: str
    status: CohortStatus
    nomination_opens: dt.date | None
    nomination_closes: dt.date | None
    accepted_count: int
    waiting_count: int
    is_synthetic: bool

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.display_title

    @staticmethod
    def resolve_course_code(obj: Any) -> str:
        return obj.course.code

    @staticmethod
    def resolve_course_version(obj: Any) -> int:
        return obj.course.version


class SessionOut(Schema):
    id: int
    starts_at: dt.datetime
    duration_minutes: int
    place: str
    topic: str
    is_cancelled: bool


class CohortDetail(CohortOut):
    lead_trainer_id: int | None
    co_trainer_ids: list[int]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_co_trainer_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.co_trainers.all()]

    @staticmethod
    def resolve_sessions(obj: Any) -> list[Any]:
        return list(obj.sessions.all())


class CohortPage(Page):
    items: list[CohortOut]


class EnrolmentOut(Schema):
    id: int
    cohort_id: int
    person_id: int
    person_name: str
    status: EnrolmentStatus
    nominated_by_organisation: str | None
    nominated_at: dt.datetime
    enrolled_at: dt.datetime | None
    result_status: ResultStatus
    final_mark: Decimal | None
    attendance_rate: Decimal | None

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name_latin

    @staticmethod
    def resolve_nominated_by_organisation(obj: Any) -> str | None:
        org = obj.nominated_by_organisation
        return org.code if org else None


class EnrolmentPage(Page):
    items: list[EnrolmentOut]


class EnrolIn(Schema):
    person_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        ..., min_length=1, max_length=2000
    )
    status: Literal["nominated", "accepted"] = Field(
        "accepted",
        description=_(
            "nominated: the office's nomination, to be accepted later; accepted: enrolled at "
            "once (refused past the capacity)."
        ),
    )
    organisation_code: str | None = Field(
        None,
        max_length=40,
        description=_(
            "The nominating office: its own staff, and for a provincial office also the staff "
            "of its district offices."
        ),
    )


class AttendanceMarkIn(Schema):
    enrolment_id: int = Field(..., ge=1, le=MAX_ID)
    status: AttendanceStatus
    marked_at: dt.datetime | None = Field(
        None,
        description=_(
            "When the mark was made, for a mark sent late (kept on a device while offline); "
            "empty: now. Of two marks of the same person the newer is kept, whatever the "
            "order in which they arrive; a time in the future counts as now."
        ),
    )


class AttendanceIn(Schema):
    marks: list[AttendanceMarkIn] = Field(..., min_length=1, max_length=2000)


class AttendanceOut(Schema):
    enrolment_id: int
    status: AttendanceStatus
    marked_at: dt.datetime


class MarkIn(Schema):
    enrolment_id: int = Field(..., ge=1, le=MAX_ID)
    modality_id: int = Field(..., ge=1, le=MAX_ID)
    value: Decimal | None = Field(
        ...,
        ge=-1_000_000,
        le=1_000_000,
        decimal_places=2,
        description=_("Between 0 and the modality's maximum; null removes the mark."),
    )


class MarksIn(Schema):
    marks: list[MarkIn] = Field(..., min_length=1, max_length=10000)


class MarkOut(Schema):
    enrolment_id: int
    modality_id: int
    value: Decimal


class ChangeOut(Schema):
    changed: int


# --- Helpers -----------------------------------------------------------------------------


def _cohort(access: Any, cohort_id: int) -> Cohort:
    cohort = (
        cohorts_for_user(access)
        .select_related("course", "institution")
        .prefetch_related("co_trainers")
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None:
        raise Http404(_("No cohort with this id is visible to you."))
    return cohort


def _staff_cohort(access: Any, cohort_id: int) -> Cohort:
    cohort = _cohort(access, cohort_id)
    if not is_staff_of(access, cohort.institution_id):
        raise Http404(_("No cohort with this id is visible to you."))
    return cohort


# --- Courses -----------------------------------------------------------------------------


class CourseFilters(Schema):
    versions: Literal["current", "all"] = "current"
    programme: str | None = Field(None, max_length=60, description=_("Programme code."))
    code: str | None = Field(None, max_length=60)


@router.get(
    "/training/courses/",
    response={200: CoursePage, **NOT_FOUND_RESPONSES},
    url_name="training-course-list",
    operation_id="list_courses",
    summary="List courses",
)
def list_courses(
    request: HttpRequest, filters: Query[CourseFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Courses of the institutions you belong to (current versions unless ``versions=all``)."""
    access = member_access(request)
    courses = courses_for_user(access).select_related("institution", "programme")
    if filters.versions == "current":
        courses = courses.current()
    if filters.programme:
        courses = courses.filter(programme__code=filters.programme)
    if filters.code:
        courses = courses.filter(code=filters.code)
    return paginate(courses.order_by("institution__code", "code", "-version", "id"), page)


@router.get(
    "/training/courses/{course_id}/",
    response={200: CourseDetail, **NOT_FOUND_RESPONSES},
    url_name="training-course-detail",
    operation_id="get_course",
    summary="One course version with its design",
)
def get_course(request: HttpRequest, course_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    """Learning outcomes with the competencies they develop, modules and assessment."""
    access = member_access(request)
    links = OutcomeCompetency.objects.select_related("competency")
    course = (
        courses_for_user(access)
        .select_related("institution", "programme")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=LearningOutcome.objects.prefetch_related(
                    Prefetch("competency_links", queryset=links)
                ),
            ),
            "modules",
            "modalities",
        )
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404(_("No course with this id is visible to you."))
    return course


# --- Cohorts -----------------------------------------------------------------------------


class CohortFilters(Schema):
    status: CohortStatus | None = None
    course: str | None = Field(None, max_length=60, description=_("Course code."))
    year: int | None = Field(None, ge=1900, le=2200, description=_("Year of the start date."))


@router.get(
    "/training/cohorts/",
    response={200: CohortPage, **NOT_FOUND_RESPONSES},
    url_name="training-cohort-list",
    operation_id="list_cohorts",
    summary="List cohorts",
)
def list_cohorts(
    request: HttpRequest, filters: Query[CohortFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Cohorts you can see (participants: the ones they are nominated to), newest first."""
    access = member_access(request)
    cohorts = cohorts_for_user(access).select_related("course").with_counts()
    if filters.status:
        cohorts = cohorts.filter(status=filters.status)
    if filters.course:
        cohorts = cohorts.filter(course__code=filters.course)
    if filters.year:
        cohorts = cohorts.filter(start_date__year=filters.year)
    return paginate(cohorts.order_by("-start_date", "code", "id"), page)


@router.get(
    "/training/cohorts/{cohort_id}/",
    response={200: CohortDetail, **NOT_FOUND_RESPONSES},
    url_name="training-cohort-detail",
    operation_id="get_cohort",
    summary="One cohort with its sessions",
)
def get_cohort(request: HttpRequest, cohort_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    access = member_access(request)
    cohort = (
        cohorts_for_user(access)
        .select_related("course")
        .prefetch_related("co_trainers", "sessions")
        .with_counts()
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None:
        raise Http404(_("No cohort with this id is visible to you."))
    return cohort


# --- Enrolments --------------------------------------------------------------------------


class EnrolmentFilters(Schema):
    cohort: int | None = Field(None, ge=1, le=MAX_ID, description=_("Cohort id."))
    status: EnrolmentStatus | None = None
    person: int | None = Field(None, ge=1, le=MAX_ID, description=_("Person id."))


@router.get(
    "/training/enrolments/",
    response={200: EnrolmentPage, **NOT_FOUND_RESPONSES},
    url_name="training-enrolment-list",
    operation_id="list_enrolments",
    summary="List enrolments",
)
def list_enrolments(
    request: HttpRequest, filters: Query[EnrolmentFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Enrolments you can see: your institutions' cohorts, or (participants) your own."""
    access = member_access(request)
    enrolments = enrolments_for_user(access).select_related("person", "nominated_by_organisation")
    if filters.cohort:
        enrolments = enrolments.filter(cohort_id=filters.cohort)
    if filters.status:
        enrolments = enrolments.filter(status=filters.status)
    if filters.person:
        enrolments = enrolments.filter(person_id=filters.person)
    return paginate(enrolments.order_by("cohort_id", "person__name_latin", "id"), page)


@router.post(
    "/training/cohorts/{cohort_id}/enrolments/",
    response={201: list[EnrolmentOut], **CHANGE_RESPONSES},
    url_name="training-enrol",
    operation_id="enrol_people",
    summary="Nominate or enrol people",
)
def enrol_people(
    request: HttpRequest, body: EnrolIn, cohort_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    """All or nothing: a person already in the cohort, unknown to your directory, or past
    the capacity (``accepted``) makes the whole request fail with 400."""
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    require_manage(access, cohort.institution_id)
    people = {p.pk: p for p in people_for_user(access).filter(pk__in=body.person_ids)}
    unknown = [pk for pk in body.person_ids if pk not in people]
    if unknown:
        raise HttpError(
            400,
            str(
                _("No person with these ids is in your directory: %(ids)s.")
                % {"ids": ", ".join(map(str, unknown))}
            ),
        )
    office = None
    if body.organisation_code:
        office = Organisation.objects.filter(
            code=body.organisation_code, country_id=cohort.institution.country_id
        ).first()
        if office is None:
            raise HttpError(400, str(_("No organisation in your directory has this code.")))
    ordered = [people[pk] for pk in body.person_ids]
    try:
        if body.status == "nominated":
            result = enrolment_nominate(
                cohort=cohort,
                people=ordered,
                organisation=office,
                user=request.user,  # type: ignore[arg-type]
            )
        else:
            result = enrolment_enrol(
                cohort=cohort,
                people=ordered,
                user=request.user,  # type: ignore[arg-type]
                organisations=[office] * len(ordered) if office else None,
            )
    except ValidationError as error:
        raise _refused(error) from None
    return 201, result


@router.post(
    "/training/enrolments/{enrolment_id}/{decision}/",
    response={200: EnrolmentOut, **CHANGE_RESPONSES},
    url_name="training-decide",
    operation_id="decide_enrolment",
    summary="Accept or turn down a nomination, or withdraw a participant",
)
def decide_enrolment(
    request: HttpRequest,
    decision: Literal["accept", "reject", "withdraw"],
    enrolment_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    """``accept``: a seat if one is free, else the waiting list; ``reject``: turn down a
    nomination or a place on the waiting list; ``withdraw``: the first person of the waiting
    list takes the seat."""
    access = member_access(request)
    enrolment = (
        enrolments_for_user(access)
        .select_related("cohort", "person", "nominated_by_organisation")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or not is_staff_of(access, enrolment.cohort.institution_id):
        raise Http404(_("No enrolment with this id is visible to you."))
    require_manage(access, enrolment.cohort.institution_id)
    user = request.user
    try:
        if decision == "accept":
            enrolment_accept(cohort=enrolment.cohort, enrolments=[enrolment], user=user)  # type: ignore[arg-type]
        elif decision == "reject":
            enrolment_reject(enrolment=enrolment, user=user)  # type: ignore[arg-type]
        else:
            enrolment_withdraw(enrolment=enrolment, user=user)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _refused(error) from None
    enrolment.refresh_from_db()
    return enrolment


# --- Attendance --------------------------------------------------------------------------


def _session(access: Any, cohort_id: int, session_id: int):  # type: ignore[no-untyped-def]
    cohort = _staff_cohort(access, cohort_id)
    session = cohort.sessions.filter(pk=session_id).first()
    if session is None:
        raise Http404(_("This cohort has no session with this id."))
    session.cohort = cohort
    return cohort, session


@router.get(
    "/training/cohorts/{cohort_id}/sessions/{session_id}/attendance/",
    response={200: list[AttendanceOut], **NOT_FOUND_RESPONSES},
    url_name="training-attendance",
    operation_id="list_attendance",
    summary="Attendance of a session",
)
def list_attendance(
    request: HttpRequest,
    cohort_id: int = Path(..., ge=1, le=MAX_ID),
    session_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    access = member_access(request)
    session = _session(access, cohort_id, session_id)[1]
    return list(Attendance.objects.filter(session=session).order_by("enrolment_id"))


@router.post(
    "/training/cohorts/{cohort_id}/sessions/{session_id}/attendance/",
    response={200: list[AttendanceOut], **CHANGE_RESPONSES},
    url_name="training-attendance-mark",
    operation_id="mark_attendance",
    summary="Mark attendance (idempotent)",
)
def mark_attendance(
    request: HttpRequest,
    body: AttendanceIn,
    cohort_id: int = Path(..., ge=1, le=MAX_ID),
    session_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    """Set the status of each enrolment for the session. Sending the same marks again changes
    nothing; marks of people not in the request are kept; a mark older than the one stored
    (``marked_at``) leaves it in place. Answers the marks as stored. Trainers: only their
    cohorts."""
    access = member_access(request)
    cohort, session = _session(access, cohort_id, session_id)
    require_teach(access, cohort)
    marks = {m.enrolment_id: m.status for m in body.marks}
    if len(marks) != len(body.marks):
        raise HttpError(400, str(_("An enrolment appears twice in the marks.")))
    # A time without a zone is taken as UTC.
    times = {
        m.enrolment_id: m.marked_at if m.marked_at.tzinfo else m.marked_at.replace(tzinfo=dt.UTC)
        for m in body.marks
        if m.marked_at is not None
    }
    try:
        attendance_mark(session=session, marks=marks, user=request.user, times=times)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _refused(error) from None
    return list(
        Attendance.objects.filter(session=session, enrolment_id__in=list(marks)).order_by(
            "enrolment_id"
        )
    )


# --- Marks -------------------------------------------------------------------------------


@router.get(
    "/training/cohorts/{cohort_id}/marks/",
    response={200: list[MarkOut], **NOT_FOUND_RESPONSES},
    url_name="training-marks",
    operation_id="list_marks",
    summary="Marks of a cohort",
)
def list_marks(request: HttpRequest, cohort_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    return list(
        Mark.objects.filter(enrolment__cohort=cohort).order_by("enrolment_id", "modality_id")
    )


@router.post(
    "/training/cohorts/{cohort_id}/marks/",
    response={200: ChangeOut, **CHANGE_RESPONSES},
    url_name="training-marks-record",
    operation_id="record_marks",
    summary="Record marks",
)
def record_marks(
    request: HttpRequest, body: MarksIn, cohort_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    """All or nothing: a mark out of range, of another course's modality or for someone not
    in the cohort makes the whole request fail with 400."""
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    require_teach(access, cohort)
    entries = [MarkEntry(m.enrolment_id, m.modality_id, m.value) for m in body.marks]
    try:
        changed = marks_record(cohort=cohort, entries=entries, user=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _refused(error) from None
    return {"changed": changed}


# Closing and reopening the results, and the students of degree programmes: on this router,
# in their own modules.
from . import api_programmes, api_results  # noqa: E402, F401
