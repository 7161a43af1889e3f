"""Nominations, decisions (accept, turn down, withdraw) and bulk enrolment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import get_or_404
from plancampus.core.models import Organisation, OrganisationKind

from ..forms import NominationForm, SpreadsheetForm
from ..services.enrolment import (
    enrolment_accept,
    enrolment_nominate,
    enrolment_reject,
    enrolment_withdraw,
)
from ..services.imports import ENROLMENT_COLUMNS, enrolment_template_csv, enrolments_import
from .cohorts import _managed_cohort
from .common import report_error

NOMINATING_KINDS = [
    OrganisationKind.PROVINCIAL_OFFICE,
    OrganisationKind.DISTRICT_OFFICE,
    OrganisationKind.MINISTRY_DEPARTMENT,
    OrganisationKind.MINISTRY,
    OrganisationKind.TRAINING_INSTITUTION,
]


@login_required
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """An office nominates its staff: pick the office, then the people."""
    cohort = _managed_cohort(request, pk)
    offices = Organisation.objects.filter(
        country_id=cohort.institution.country_id, kind__in=NOMINATING_KINDS
    ).order_by("kind", "code")
    code = request.GET.get("organisation") or request.POST.get("organisation", "")
    office = get_or_404(offices, code=code) if code else None
    form = None
    if office is not None:
        form = NominationForm(request.POST or None, organisation=office)
        if request.method == "POST" and form.is_valid():
            try:
                nominated = enrolment_nominate(
                    cohort=cohort,
                    people=list(form.cleaned_data["people"]),
                    organisation=office,
                    user=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as error:
                report_error(request, error)
            else:
                messages.success(
                    request,
                    _("%(count)s people of %(office)s were nominated.")
                    % {"count": len(nominated), "office": office.display_name},
                )
                return redirect("training:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "training/nominate.html",
        {
            "cohort": cohort,
            "offices": offices.only("code", "name_en", "name_km", "name_fr", "kind"),
            "office": office,
            "form": form,
            "already": set(cohort.enrolments.active().values_list("person_id", flat=True)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def enrolment_decide(request: HttpRequest, pk: int, enrolment_pk: int, action: str) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    enrolment = get_or_404(cohort.enrolments.select_related("person"), pk=enrolment_pk)
    name = enrolment.person.name_latin
    try:
        if action == "accept":
            accepted, _waiting = enrolment_accept(
                cohort=cohort,
                enrolments=[enrolment],
                user=request.user,  # type: ignore[arg-type]
            )
            if accepted:
                messages.success(request, _("%(name)s was accepted.") % {"name": name})
            else:
                messages.info(
                    request,
                    _("The cohort is full: %(name)s is on the waiting list.") % {"name": name},
                )
        elif action == "reject":
            enrolment_reject(enrolment=enrolment, user=request.user)  # type: ignore[arg-type]
            messages.success(
                request, _("The nomination of %(name)s was turned down.") % {"name": name}
            )
        elif action == "withdraw":
            promoted = enrolment_withdraw(enrolment=enrolment, user=request.user)  # type: ignore[arg-type]
            messages.success(request, _("%(name)s was withdrawn.") % {"name": name})
            if promoted is not None:
                messages.success(
                    request,
                    _("%(name)s moved up from the waiting list.")
                    % {"name": promoted.person.name_latin},
                )
        else:
            return HttpResponse(status=404)
    except ValidationError as error:
        report_error(request, error)
    return redirect("training:cohort-detail", pk=cohort.pk)


@login_required
@require_POST
def accept_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept every pending nomination, first nominated first: the overflow waits."""
    cohort = _managed_cohort(request, pk)
    pending = list(cohort.enrolments.nominated().order_by("nominated_at", "id"))
    try:
        accepted, waiting = enrolment_accept(
            cohort=cohort,
            enrolments=pending,
            user=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("%(accepted)s accepted, %(waiting)s on the waiting list.")
            % {"accepted": len(accepted), "waiting": len(waiting)},
        )
    return redirect("training:cohort-detail", pk=cohort.pk)


@login_required
def enrolment_import(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    form = SpreadsheetForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = enrolments_import(
            cohort=cohort,
            data=upload.read(),
            filename=upload.name or "",
            user=request.user,  # type: ignore[arg-type]
        )
        if report.ok:
            messages.success(
                request, _("%(count)s people were enrolled.") % {"count": report.saved}
            )
            return redirect("training:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "training/import.html",
        {
            "cohort": cohort,
            "form": form,
            "report": report,
            "title": _("Enrol people from a spreadsheet"),
            "columns": ENROLMENT_COLUMNS,
            "template_url": "training:enrolment-template",
        },
        status=400 if report is not None or form.errors else 200,
    )


@login_required
def enrolment_template(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    response = HttpResponse(enrolment_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohort.code}-enrolment.csv"'
    return response
