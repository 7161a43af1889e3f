"""Programmes and courses: lists, design pages, forms and versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import get_or_404

from ..access import (
    can_manage,
    cohorts_for_user,
    courses_for_user,
    institution_to_manage,
    is_staff_of,
    managed_institutions,
    programmes_for_user,
    require_manage,
)
from ..forms import (
    CourseForm,
    ModalityFormSet,
    ModuleFormSet,
    OutcomeForm,
    ProgrammeForm,
    WorkshopForm,
)
from ..models import CourseMode, Enrolment, OutcomeCompetency, ProgrammeKind
from ..services.courses import course_is_locked, course_new_version, outcome_save
from .common import course_or_404, member, paginate, report_error
from .programmes import degree_programme_detail


@login_required
def training_home(request: HttpRequest) -> HttpResponse:
    """Programmes and their current courses."""
    access = member(request)
    programmes = (
        programmes_for_user(access)
        .select_related("institution")
        .annotate(course_count=Count("courses", filter=Q(courses__is_current=True)))
        .order_by("institution__code", "kind", "code")
    )
    return render(
        request,
        "training/home.html",
        {
            "programmes": programmes,
            "can_manage": bool(managed_institutions(access)),
            "kinds": ProgrammeKind.choices,
        },
    )


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme: its courses and its students (people accepted in its cohorts)."""
    access = member(request)
    programme = get_or_404(programmes_for_user(access).select_related("institution"), pk=pk)
    if programme.is_degree:
        # A Master's or a Doctorate: its own students, by intake (views/programmes.py).
        return degree_programme_detail(request, access, programme)
    courses = (
        courses_for_user(access)
        .filter(programme=programme)
        .annotate(cohort_count=Count("cohorts"))
        .order_by("code", "-version")
    )
    students = None
    if is_staff_of(access, programme.institution_id):
        enrolments = (
            Enrolment.objects.filter(cohort__course__programme=programme)
            .accepted()
            .select_related("person", "person__organisation", "cohort", "cohort__course")
            .order_by("person__name_latin", "cohort__start_date", "id")
        )
        students = paginate(request, enrolments)
    return render(
        request,
        "training/programme_detail.html",
        {
            "programme": programme,
            "courses": courses,
            "page": students,
            "student_count": Enrolment.objects.filter(cohort__course__programme=programme)
            .accepted()
            .values("person")
            .distinct()
            .count()
            if students is not None
            else None,
            "can_manage": can_manage(access, programme.institution_id),
        },
    )


@login_required
def programme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access = member(request)
    if pk is None:
        institution = institution_to_manage(access)
        programme = None
    else:
        programme = get_or_404(programmes_for_user(access), pk=pk)
        institution = programme.institution
        require_manage(access, institution.pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    form.instance.institution = institution
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The programme was saved."))
        return redirect("training:home")
    return render(request, "training/programme_form.html", {"form": form, "programme": programme})


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    access = member(request)
    courses = courses_for_user(access).select_related("programme", "institution")
    show_all = request.GET.get("versions") == "all"
    if not show_all:
        courses = courses.current()
    programme = request.GET.get("programme", "")
    if programme.isdigit():
        courses = courses.filter(programme_id=int(programme))
    mode = request.GET.get("mode", "")
    if mode in CourseMode.values:
        courses = courses.filter(mode=mode)
    query = request.GET.get("q", "").strip()
    if query:
        courses = courses.filter(
            Q(code__icontains=query)
            | Q(title_en__icontains=query)
            | Q(title_fr__icontains=query)
            | Q(title_km__icontains=query)
        )
    courses = courses.annotate(cohort_count=Count("cohorts")).order_by(
        "institution__code", "code", "-version"
    )
    return render(
        request,
        "training/course_list.html",
        {
            "page": paginate(request, courses),
            "programmes": programmes_for_user(access).order_by("code"),
            "modes": CourseMode.choices,
            "selected": {"programme": programme, "mode": mode, "q": query, "all": show_all},
            "can_manage": bool(managed_institutions(access)),
        },
    )


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = member(request)
    course = course_or_404(access, pk)
    links = OutcomeCompetency.objects.select_related(
        "competency", "competency__domain", "competency__framework"
    ).order_by("competency__domain__order", "competency__order")
    outcomes = course.outcomes.prefetch_related(Prefetch("competency_links", queryset=links))
    modules = list(course.modules.all())
    modalities = list(course.modalities.all())
    workshops = course.workshops.prefetch_related("organisations")
    versions = (
        courses_for_user(access)
        .filter(institution=course.institution_id, code=course.code)
        .order_by("-version")
    )
    cohorts = cohorts_for_user(access).filter(course=course).order_by("-start_date")[:50]
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "outcomes": outcomes,
            "modules": modules,
            "module_hours": sum((m.hours for m in modules), 0),
            "modalities": modalities,
            "weight_total": sum((m.weight for m in modalities), 0),
            "assessment_problems": course.assessment_problems(),
            "workshops": workshops,
            "versions": versions,
            "cohorts": cohorts,
            "target_roles": course.target_roles.all(),
            "can_manage": can_manage(access, course.institution_id),
            "locked": course_is_locked(course),
        },
    )


@login_required
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access = member(request)
    if pk is None:
        course = None
        institution = institution_to_manage(access)
    else:
        course = course_or_404(access, pk)
        institution = course.institution
        require_manage(access, institution.pk)
        if course_is_locked(course):
            messages.error(request, _("This version has closed cohorts: make a new version."))
            return redirect("training:course-detail", pk=course.pk)
    form = CourseForm(request.POST or None, instance=course, institution=institution)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The course was saved."))
        return redirect("training:course-detail", pk=saved.pk)
    return render(request, "training/course_form.html", {"form": form, "course": course})


@login_required
@require_POST
def course_version(request: HttpRequest, pk: int) -> HttpResponse:
    access = member(request)
    course = course_or_404(access, pk)
    require_manage(access, course.institution_id)
    try:
        new = course_new_version(course=course)
    except ValidationError as error:
        report_error(request, error)
        return redirect("training:course-detail", pk=course.pk)
    messages.success(
        request,
        _("Version %(version)s was made; version %(old)s stays with its cohorts.")
        % {"version": new.version, "old": new.version - 1},
    )
    return redirect("training:course-detail", pk=new.pk)


def _design_course(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    access = member(request)
    course = course_or_404(access, pk)
    require_manage(access, course.institution_id)
    return course


def _locked_redirect(request: HttpRequest, course) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    if course_is_locked(course):
        messages.error(request, _("This version has closed cohorts: make a new version."))
        return redirect("training:course-detail", pk=course.pk)
    return None


@login_required
def outcome_edit(request: HttpRequest, pk: int, outcome_pk: int | None = None) -> HttpResponse:
    course = _design_course(request, pk)
    if locked := _locked_redirect(request, course):
        return locked
    outcome = get_or_404(course.outcomes.all(), pk=outcome_pk) if outcome_pk else None
    form = OutcomeForm(request.POST or None, instance=outcome, course=course)
    if outcome is None and request.method != "POST":
        form.fields["order"].initial = course.outcomes.count() + 1
    if request.method == "POST" and form.is_valid():
        try:
            outcome_save(outcome=form.instance, links=form.links)
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(request, _("The learning outcome was saved."))
            return redirect("training:course-detail", pk=course.pk)
    return render(
        request, "training/outcome_form.html", {"form": form, "course": course, "outcome": outcome}
    )


@login_required
@require_POST
def outcome_delete(request: HttpRequest, pk: int, outcome_pk: int) -> HttpResponse:
    course = _design_course(request, pk)
    if locked := _locked_redirect(request, course):
        return locked
    get_or_404(course.outcomes.all(), pk=outcome_pk).delete()
    messages.success(request, _("The learning outcome was removed."))
    return redirect("training:course-detail", pk=course.pk)


def _formset_page(request: HttpRequest, pk: int, formset_class, title: str):  # type: ignore[no-untyped-def]
    course = _design_course(request, pk)
    if locked := _locked_redirect(request, course):
        return locked
    formset = formset_class(request.POST or None, instance=course)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("The course design was saved."))
        return redirect("training:course-detail", pk=course.pk)
    return render(
        request,
        "training/formset_form.html",
        {"formset": formset, "course": course, "title": title},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def modules_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _formset_page(request, pk, ModuleFormSet, _("Modules and activities"))


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _formset_page(request, pk, ModalityFormSet, _("Assessment"))


@login_required
def workshop_edit(request: HttpRequest, pk: int, workshop_pk: int | None = None) -> HttpResponse:
    course = _design_course(request, pk)
    workshop = get_or_404(course.workshops.all(), pk=workshop_pk) if workshop_pk else None
    form = WorkshopForm(request.POST or None, instance=workshop, course=course)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The design workshop was saved."))
        return redirect("training:course-detail", pk=course.pk)
    return render(
        request,
        "training/workshop_form.html",
        {"form": form, "course": course, "workshop": workshop},
    )
