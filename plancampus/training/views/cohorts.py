"""Cohorts: list, page, forms, sessions, calendar and closing the results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import get_or_404

from ..access import (
    can_manage,
    can_teach,
    cohorts_for_user,
    courses_for_user,
    institution_to_manage,
    is_staff_of,
    managed_institutions,
    require_manage,
)
from ..forms import CloseForm, CohortForm, ReopenForm, SessionForm, SessionPlanForm
from ..models import Certificate, Cohort, CohortStatus, EnrolmentStatus, ResultStatus
from ..services.attendance import attendance_rates
from ..services.calendar import calendar_for_cohort
from ..services.cohorts import cohort_save, sessions_plan
from ..services.results import (
    cohort_close,
    final_marks,
    results_compute,
    results_reopen,
    valid_certificates_count,
)
from .common import cohort_or_404, member, paginate, report_error

# The reopening page names this many valid certificates at most (and counts the rest).
CERTIFICATES_SHOWN = 50


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    access = member(request)
    cohorts = cohorts_for_user(access).select_related("course", "institution").with_counts()
    status = request.GET.get("status", "")
    if status in CohortStatus.values:
        cohorts = cohorts.filter(status=status)
    course = request.GET.get("course", "")
    if course:
        cohorts = cohorts.filter(course__code=course)
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        cohorts = cohorts.filter(start_date__year=int(year))
    years = cohorts_for_user(access).dates("start_date", "year", order="DESC")
    course_codes = (
        courses_for_user(access).current().order_by("code").values_list("code", "title_en")
    )
    return render(
        request,
        "training/cohort_list.html",
        {
            "page": paginate(request, cohorts.order_by("-start_date", "code")),
            "statuses": CohortStatus.choices,
            "years": [d.year for d in years],
            "courses": list(course_codes),
            "selected": {"status": status, "course": course, "year": year},
            "can_manage": bool(managed_institutions(access)),
        },
    )


# The columns the cohort page reads from each enrolment and its person and organisations.
COHORT_PAGE_ENROLMENT_FIELDS = (
    "cohort_id",
    "person",
    "nominated_by_organisation",
    "status",
    "result_status",
    "nominated_at",
    "enrolled_at",
    "waiting_since",
    "person__name_latin",
    "person__name_km",
    "person__organisation",
    "person__organisation__code",
    "nominated_by_organisation__code",
    "nominated_by_organisation__name_en",
    "nominated_by_organisation__name_fr",
    "nominated_by_organisation__name_km",
)


@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = member(request)
    cohort = cohort_or_404(access, pk)
    sessions = list(cohort.sessions.select_related("module").order_by("starts_at"))
    context: dict[str, object] = {
        "cohort": cohort,
        "sessions": sessions,
        "now": timezone.now(),
        "can_manage": can_manage(access, cohort.institution_id),
        "can_teach": can_teach(access, cohort),
        "is_staff": is_staff_of(access, cohort.institution_id),
        "statuses": [c for c in CohortStatus.choices if c[0] != CohortStatus.COMPLETED],
    }
    if not context["is_staff"]:
        # A participant sees the cohort's public facts and their own enrolment only.
        context["own"] = cohort.enrolments.filter(person_id=request.user.person_id).first()
        return render(request, "training/cohort_detail.html", context)
    enrolments = list(
        cohort.enrolments.select_related(
            "person", "person__organisation", "nominated_by_organisation"
        )
        # Only what the page shows: at 250 participants, building the full person and
        # organisation rows (names in every language, contacts…) costs more than the SQL.
        .only(*COHORT_PAGE_ENROLMENT_FIELDS)
        .order_by("person__name_latin", "id")
    )
    accepted = [e for e in enrolments if e.status == EnrolmentStatus.ACCEPTED]
    rates, total = attendance_rates(cohort=cohort, enrolments=accepted)
    prefetch_related_objects([cohort.course], "modalities")  # read here and by final_marks
    modalities = list(cohort.course.modalities.all())
    finals = final_marks(cohort=cohort, enrolment_ids=[e.pk for e in accepted])
    result_labels = {value: str(label) for value, label in ResultStatus.choices}
    for enrolment in accepted:
        enrolment.rate = rates[enrolment.pk]
        enrolment.final = finals.get(enrolment.pk)
        enrolment.result_label = result_labels.get(enrolment.result_status, "")
    waiting = sorted(
        (e for e in enrolments if e.status == EnrolmentStatus.WAITING),
        key=lambda e: (e.waiting_since or e.nominated_at, e.pk),
    )
    context.update(
        accepted=accepted,
        waiting=waiting,
        nominated=[e for e in enrolments if e.status == EnrolmentStatus.NOMINATED],
        others=[
            e
            for e in enrolments
            if e.status in {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REJECTED}
        ],
        cohort_rate=total,
        free_seats=max(cohort.capacity - len(accepted), 0),
        modalities=modalities,
    )
    return render(request, "training/cohort_detail.html", context)


@login_required
def cohort_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access = member(request)
    if pk is None:
        cohort = None
        institution = institution_to_manage(access)
    else:
        cohort = cohort_or_404(access, pk)
        institution = cohort.institution
        require_manage(access, institution.pk)
    form = CohortForm(request.POST or None, instance=cohort, institution=institution)
    if cohort is None and request.method != "POST":
        course_pk = request.GET.get("course", "")
        if course_pk.isdigit():
            form.fields["course"].initial = int(course_pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = cohort_save(
                cohort=form.save(commit=False),
                co_trainers=form.cleaned_data.get("co_trainers") or [],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The cohort was saved."))
            return redirect("training:cohort-detail", pk=saved.pk)
    return render(
        request,
        "training/cohort_form.html",
        {"form": form, "cohort": cohort},
        status=400 if request.method == "POST" else 200,
    )


def _managed_cohort(request: HttpRequest, pk: int) -> Cohort:
    access = member(request)
    cohort = cohort_or_404(access, pk)
    require_manage(access, cohort.institution_id)
    return cohort


@login_required
def session_edit(request: HttpRequest, pk: int, session_pk: int | None = None) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    session = get_or_404(cohort.sessions.all(), pk=session_pk) if session_pk else None
    form = SessionForm(request.POST or None, instance=session, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The session was saved."))
        return redirect("training:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "cohort": cohort, "session": session},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def session_plan(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    form = SessionPlanForm(
        request.POST or None,
        initial={
            "first_day": cohort.start_date,
            "last_day": cohort.end_date,
            "place": cohort.venue,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = sessions_plan(cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(request, _("%(count)s sessions were added.") % {"count": len(created)})
            return redirect("training:cohort-detail", pk=cohort.pk)
    return render(request, "training/session_plan.html", {"form": form, "cohort": cohort})


@login_required
def cohort_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_or_404(member(request), pk)
    response = HttpResponse(
        calendar_for_cohort(cohort), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{cohort.code}.ics"'
    return response


@login_required
def cohort_close_page(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing = cohort_close(
                cohort=cohort,
                user=request.user,  # type: ignore[arg-type]
                allow_missing_marks=form.cleaned_data["allow_missing_marks"],
            )
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(
                request,
                _("Results closed: %(completed)s of %(total)s participants completed the course.")
                % {"completed": closing.completed_count, "total": len(closing.outcomes)},
            )
            if closing.revoked:
                messages.warning(
                    request,
                    _(
                        "Certificates revoked because their holder no longer completes the "
                        "course: %(numbers)s."
                    )
                    % {"numbers": ", ".join(c.number for c in closing.revoked)},
                )
            return redirect("training:cohort-detail", pk=cohort.pk)
    rows = []
    if not cohort.is_closed:
        # After a reopening, say which certificate each result keeps or revokes.
        certificates = (
            {c.enrolment_id: c for c in Certificate.objects.for_cohort(cohort.pk).valid()}
            if cohort.is_reopened
            else {}
        )
        rows = [
            {"outcome": o, "certificate": certificates.get(o.enrolment.pk)}
            for o in results_compute(cohort=cohort)
        ]
    return render(
        request,
        "training/cohort_close.html",
        {
            "cohort": cohort,
            "form": form,
            "rows": rows,
            "course": cohort.course,
            "weight_problems": cohort.course.assessment_problems(),
            "can_reopen": cohort.is_closed,
        },
    )


@login_required
def cohort_reopen_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen closed results for corrections: a reason, and a confirmation when
    certificates were issued from them (closing again revokes the outdated ones)."""
    cohort = _managed_cohort(request, pk)
    if not cohort.is_closed:
        messages.info(request, _("The results of this cohort are not closed."))
        return redirect("training:cohort-detail", pk=cohort.pk)
    count = valid_certificates_count(cohort)
    certificates = list(
        Certificate.objects.for_cohort(cohort.pk).valid().order_by("number")[:CERTIFICATES_SHOWN]
    )
    form = ReopenForm(request.POST or None, certificates=count)
    if request.method == "POST" and form.is_valid():
        try:
            results_reopen(
                cohort=cohort,
                user=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                confirm_certificates=form.cleaned_data.get("confirm_certificates", False),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The results are reopened: correct the attendance and the marks, then "
                    "close the results again."
                ),
            )
            return redirect("training:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "training/cohort_reopen.html",
        {
            "cohort": cohort,
            "form": form,
            "certificates": certificates,
            "certificates_count": count,
        },
        status=400 if form.errors else 200,
    )


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors on the form: on their field if the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error)


@login_required
@require_POST
def cohort_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a cohort along: open nominations, start, cancel."""
    cohort = _managed_cohort(request, pk)
    status = request.POST.get("status", "")
    allowed = {
        CohortStatus.PLANNED,
        CohortStatus.NOMINATIONS_OPEN,
        CohortStatus.RUNNING,
        CohortStatus.CANCELLED,
    }
    if status not in allowed or cohort.participants_are_locked:
        messages.error(request, _("This change of status is not possible."))
    else:
        cohort.status = status
        cohort.save(update_fields=["status"])
        messages.success(
            request, _("The cohort is now: %(status)s.") % {"status": cohort.get_status_display()}
        )
    return redirect("training:cohort-detail", pk=cohort.pk)
