"""Degree programmes (Master's, Doctorate): the programme page with its students by intake,
a student's record and courses, and enrolling an intake in a course's cohort.

The institution's coordinators and administrators manage students; its other staff and the
partner's programme specialist read them; participants see the programme and its courses
only; another institution's programme answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plancampus.core.access import Access, get_or_404, people_for_user

from ..access import (
    can_manage,
    courses_for_user,
    is_staff_of,
    programme_students_for_user,
    programmes_for_user,
    require_manage,
)
from ..forms_programmes import IntakeEnrolForm, ProgrammeStudentForm
from ..models import Programme, ProgrammeStudent, StudentStatus
from ..services.students import (
    intake_cohorts,
    intake_enrol,
    programme_courses,
    programme_progress,
    student_courses,
    student_save,
)
from .common import member, paginate, report_error

# The statuses counted on the programme page, in this order.
COUNTED = [
    StudentStatus.ENROLLED,
    StudentStatus.ON_LEAVE,
    StudentStatus.GRADUATED,
    StudentStatus.WITHDRAWN,
    StudentStatus.ADMITTED,
]


def _degree_programme(access: Access, pk: int) -> Programme:
    programme = get_or_404(programmes_for_user(access).select_related("institution"), pk=pk)
    if not programme.is_degree:
        raise Http404
    return programme


def _staff_programme(access: Access, pk: int) -> Programme:
    """A degree programme whose students the user may see (404 otherwise)."""
    programme = _degree_programme(access, pk)
    if not is_staff_of(access, programme.institution_id):
        raise Http404
    return programme


def _student(access: Access, programme: Programme, student_pk: int) -> ProgrammeStudent:
    return get_or_404(
        programme_students_for_user(access)
        .filter(programme=programme)
        .select_related(
            "person", "person__organisation", "employer", "supervisor", "programme__institution"
        ),
        pk=student_pk,
    )


def degree_programme_detail(request: HttpRequest, access: Access, programme: Programme):  # type: ignore[no-untyped-def]
    """The page of a degree programme: its courses, and (staff) its students by intake."""
    courses = list(
        courses_for_user(access)
        .filter(programme=programme)
        .annotate(cohort_count=Count("cohorts"))
        .order_by("code", "-version")
    )
    context: dict[str, object] = {
        "programme": programme,
        "courses": courses,
        "can_manage": can_manage(access, programme.institution_id),
        "page": None,
    }
    if is_staff_of(access, programme.institution_id):
        context.update(_students_context(request, programme, courses))
    return render(request, "training/programme_degree.html", context)


def _students_context(request: HttpRequest, programme: Programme, courses: list) -> dict:  # type: ignore[type-arg]
    by_intake = ProgrammeStudent.objects.filter(programme=programme).counts_by_intake()
    totals = dict.fromkeys(StudentStatus.values, 0)
    for counts in by_intake.values():
        for status, n in counts.items():
            totals[status] += n
    status = request.GET.get("status", "")
    status = status if status in StudentStatus.values else ""
    intake_text = request.GET.get("intake", "")
    intake = int(intake_text) if intake_text.isdigit() and int(intake_text) in by_intake else None
    students = (
        ProgrammeStudent.objects.filter(programme=programme)
        .select_related("person", "employer", "supervisor")
        .order_by("-intake", "person__name_latin", "id")
    )
    if status:
        students = students.filter(status=status)
    if intake:
        students = students.filter(intake=intake)
    page = paginate(request, students)
    rows = list(page.object_list)
    current = [c for c in courses if c.is_current]
    progress = programme_progress(programme=programme, students=rows, courses=current)
    for student in rows:
        student.progress = progress.get(student.pk)  # shown beside each student
    labels = dict(StudentStatus.choices)
    return {
        "page": page,
        "students": rows,
        "total": sum(totals.values()),
        "status_cards": [(s.value, labels[s.value], totals[s.value]) for s in COUNTED],
        "intakes": [
            (
                year,
                sum(counts.values()),
                [(s.value, labels[s.value], counts.get(s.value, 0)) for s in COUNTED],
            )
            for year, counts in by_intake.items()
        ],
        "counted": [labels[s.value] for s in COUNTED],
        "statuses": StudentStatus.choices,
        "selected": {"status": status, "intake": intake},
        "required": len({c.code for c in current}),
    }


@login_required
def student_detail(request: HttpRequest, pk: int, student_pk: int) -> HttpResponse:
    access = member(request)
    programme = _staff_programme(access, pk)
    student = _student(access, programme, student_pk)
    results, progress = student_courses(student=student, courses=programme_courses(programme))
    others = (
        ProgrammeStudent.objects.filter(person_id=student.person_id)
        .exclude(pk=student.pk)
        .filter(programme__institution=programme.institution_id)
        .select_related("programme")
        .order_by("-intake")
    )
    return render(
        request,
        "training/student_detail.html",
        {
            "programme": programme,
            "student": student,
            "results": results,
            "progress": progress,
            "others": others,
            "can_manage": can_manage(access, programme.institution_id),
            "history": student.history.select_related("history_user").order_by("-history_date")[
                :20
            ],
        },
    )


@login_required
def student_edit(request: HttpRequest, pk: int, student_pk: int | None = None) -> HttpResponse:
    """Add a student (pick the person in the directory, then the record) or edit one."""
    access = member(request)
    programme = _staff_programme(access, pk)
    require_manage(access, programme.institution_id)
    people = people_for_user(access)
    student = _student(access, programme, student_pk) if student_pk else None
    if student is None and request.method != "POST":
        person_id = request.GET.get("person", "")
        person = (
            people.select_related("organisation").filter(pk=int(person_id)).first()
            if person_id.isdigit()
            else None
        )
        if person is None:
            query = request.GET.get("q", "").strip()
            found = people.search(query).select_related("organisation")[:20] if query else []
            return render(
                request,
                "training/student_pick.html",
                {"programme": programme, "query": query, "found": found},
            )
        initial = {
            "person": person.pk,
            "employer": person.organisation_id,
            "status": StudentStatus.ENROLLED,
        }
        form = ProgrammeStudentForm(initial=initial, programme=programme, people=people)
        return render(
            request,
            "training/student_form.html",
            {"form": form, "programme": programme, "student": None, "person": person},
        )
    form = ProgrammeStudentForm(
        request.POST or None, instance=student, programme=programme, people=people
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = student_save(student=form.instance, user=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The student's record was saved."))
            return redirect("training:student-detail", pk=programme.pk, student_pk=saved.pk)
    person = (
        student.person if student else form.cleaned_data.get("person") if form.is_bound else None
    )
    return render(
        request,
        "training/student_form.html",
        {"form": form, "programme": programme, "student": student, "person": person},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def intake_enrol_page(request: HttpRequest, pk: int, intake: int) -> HttpResponse:
    """Enrol an intake's current students in a cohort of one of the programme's courses."""
    access = member(request)
    programme = _staff_programme(access, pk)
    if not can_manage(access, programme.institution_id):
        raise PermissionDenied("training.manage")
    students = ProgrammeStudent.objects.filter(programme=programme, intake=intake)
    if not students.exists():
        raise Http404
    cohorts = intake_cohorts(programme)
    form = IntakeEnrolForm(request.POST or None, cohorts=cohorts)
    if request.method == "POST" and form.is_valid():
        cohort = form.cleaned_data["cohort"]
        try:
            enrolled = intake_enrol(
                programme=programme,
                intake=intake,
                cohort=cohort,
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s student enrolled in cohort %(code)s.",
                    "%(count)s students enrolled in cohort %(code)s.",
                    len(enrolled),
                )
                % {"count": len(enrolled), "code": cohort.code},
            )
            return redirect("training:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "training/intake_enrol.html",
        {
            "programme": programme,
            "intake": intake,
            "form": form,
            "cohorts": cohorts,
            "current": students.filter(
                status__in=[StudentStatus.ADMITTED, StudentStatus.ENROLLED]
            ).count(),
        },
        status=400 if request.method == "POST" else 200,
    )
