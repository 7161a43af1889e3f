"""Pages of an education office's training focal point: the cohorts open to nominations,
nominating the office's staff, following and withdrawing the office's nominations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import Access, get_or_404
from plancampus.core.models import Organisation

from ..access_offices import office_cohorts, office_enrolments, office_of, require_focal_point
from ..forms_offices import OfficeNominationForm
from ..models import Cohort, EnrolmentStatus
from ..services.enrolment import office_reach
from ..services.nominations import office_nominable_people, office_nominate, office_withdraw
from .common import member, paginate, report_error

ACTIVE = [EnrolmentStatus.NOMINATED, EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITING]


def _focal_point(request: HttpRequest) -> tuple[Access, Organisation | None]:
    access = member(request)
    require_focal_point(access)
    return access, office_of(access)


def _office_or_403(request: HttpRequest) -> tuple[Access, Organisation]:
    access, office = _focal_point(request)
    if office is None:
        raise PermissionDenied("training.nominate: no office")
    return access, office


@login_required
def office_home(request: HttpRequest) -> HttpResponse:
    """The cohorts announced to the offices, and the office's nominations with their status."""
    access, office = _focal_point(request)
    context: dict[str, object] = {"office": office, "statuses": EnrolmentStatus.choices}
    if office is not None:
        cohorts = (
            office_cohorts(access, office)
            .announced_to_offices()
            .select_related("course")
            .with_counts()
            .annotate(
                ours=Count(
                    "enrolments",
                    filter=Q(
                        enrolments__nominated_by_organisation=office,
                        enrolments__status__in=ACTIVE,
                    ),
                )
            )
            .order_by("nomination_closes", "start_date", "code")
        )
        nominations = office_enrolments(access, office).select_related(
            "person", "person__organisation", "cohort", "cohort__course"
        )
        status = request.GET.get("status", "")
        if status in EnrolmentStatus.values:
            nominations = nominations.filter(status=status)
        context.update(
            cohorts=cohorts,
            today=timezone.localdate(),
            page=paginate(request, nominations.order_by("-nominated_at", "-id")),
            selected_status=status,
        )
    return render(request, "training/office_home.html", context)


def _office_cohort(access: Access, office: Organisation, pk: int) -> Cohort:
    return get_or_404(
        office_cohorts(access, office).select_related("course", "institution", "lead_trainer"),
        pk=pk,
    )


@login_required
def office_cohort(request: HttpRequest, pk: int) -> HttpResponse:
    """One cohort as an office sees it: its public facts, the nomination form while the
    window is open, and the office's nominations to it."""
    access, office = _office_or_403(request)
    cohort = _office_cohort(access, office, pk)
    people = office_nominable_people(office)
    form = OfficeNominationForm(request.POST or None, office=office, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            nominated = office_nominate(
                cohort=cohort,
                people=list(form.cleaned_data["people"]),
                office=office,
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(
                request,
                _("%(count)s people nominated to %(code)s. The institution will decide.")
                % {"count": len(nominated), "code": cohort.code},
            )
            return redirect("training:office-cohort", pk=cohort.pk)
    ours = list(
        cohort.enrolments.filter(nominated_by_organisation=office)
        .select_related("person", "person__organisation")
        .order_by("person__name_latin", "id")
    )
    # The people of the office's reach already in the cohort (nominated by anyone).
    taken = dict(
        cohort.enrolments.filter(
            status__in=ACTIVE, person__organisation_id__in=office_reach(office)
        ).values_list("person_id", "status")
    )
    counts = cohort.enrolments.aggregate(
        accepted=Count("id", filter=Q(status=EnrolmentStatus.ACCEPTED)),
        waiting=Count("id", filter=Q(status=EnrolmentStatus.WAITING)),
    )
    return render(
        request,
        "training/office_cohort.html",
        {
            "cohort": cohort,
            "office": office,
            "form": form,
            "is_open": cohort.is_open_to_offices(),
            "ours": ours,
            "choices": _choices(form, taken),
            "free_seats": max(cohort.capacity - counts["accepted"], 0),
            "waiting_count": counts["waiting"],
        },
        status=400 if request.method == "POST" else 200,
    )


def _choices(form: OfficeNominationForm, taken: dict[int, str]) -> list[dict[str, object]]:
    """The form's checkboxes with their person, and the status of those already in the
    cohort (shown instead of a checkbox)."""
    labels = dict(EnrolmentStatus.choices)
    rows = []
    for widget in form["people"]:
        value = widget.data["value"]
        status = taken.get(value.value)
        rows.append(
            {
                "widget": widget,
                "person": value.instance,
                "taken": labels[status] if status else "",
            }
        )
    return rows


@login_required
@require_POST
def office_withdraw_view(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    access, office = _office_or_403(request)
    enrolment = get_or_404(
        office_enrolments(access, office).filter(cohort_id=pk).select_related("person", "cohort"),
        pk=enrolment_pk,
    )
    try:
        promoted = office_withdraw(
            enrolment=enrolment,
            office=office,
            user=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("The nomination of %(name)s was withdrawn.") % {"name": enrolment.person.name_latin},
        )
        if promoted is not None:
            messages.info(request, _("The seat went to the first person on the waiting list."))
    return redirect("training:office-cohort", pk=pk)
