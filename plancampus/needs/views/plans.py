"""The capacity development plan: the plan page, its forms, progress updates (its documents:
``views.exports``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import access_for, get_or_404

from ..access import can_manage, manageable_institution_ids, plan_for_view, require_manage
from ..forms import (
    IndicatorForm,
    InterventionForm,
    InterventionStatusForm,
    MeasurementForm,
    ObjectiveForm,
    PlanForm,
)
from ..models import Indicator, Intervention, InterventionKind, InterventionStatus, Objective
from ..services import plans as plan_services


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    plan = plan_for_view(access, pk)
    view = plan_services.plan_view(plan)
    kinds = dict(InterventionKind.choices)
    return render(
        request,
        "needs/plan_detail.html",
        {
            "plan": plan,
            "view": view,
            "can_manage": can_manage(access, plan.institution_id),
            "measurement_form": MeasurementForm(),
            "costs": [
                (kinds.get(k, k), total) for k, total in plan_services.plan_costs_by_kind(plan)
            ],
            "intervention_statuses": InterventionStatus.choices,
        },
    )


@login_required
@require_POST
def measurement_add(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    access = access_for(request)
    plan = plan_for_view(access, pk)
    require_manage(access, plan.institution_id)
    target = get_or_404(Indicator.objects.filter(objective__plan=plan), pk=indicator)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        plan_services.measurement_add(
            indicator=target,
            user=request.user,  # type: ignore[arg-type]
            **form.cleaned_data,
        )
        messages.success(request, _("Measurement recorded."))
    else:
        messages.error(request, _("The measurement was not recorded: give a date and a value."))
    return redirect(f"{plan.get_absolute_url()}#indicator-{target.pk}")


@login_required
@require_POST
def intervention_update(request: HttpRequest, pk: int, intervention: int) -> HttpResponse:
    access = access_for(request)
    plan = plan_for_view(access, pk)
    require_manage(access, plan.institution_id)
    target = get_or_404(Intervention.objects.filter(objective__plan=plan), pk=intervention)
    form = InterventionStatusForm(request.POST, instance=target)
    if form.is_valid():
        plan_services.intervention_update(
            intervention=target,
            status=form.cleaned_data["status"],
            progress_note=form.cleaned_data["progress_note"],
        )
        messages.success(request, _("Intervention updated."))
    else:
        messages.error(request, _("The intervention was not updated."))
    return redirect(f"{plan.get_absolute_url()}#intervention-{target.pk}")


def _form_page(request: HttpRequest, form, *, title: str, plan=None, back: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(
        request,
        "needs/plan_form.html",
        {"form": form, "title": title, "plan": plan, "back": back},
        status=400 if form.errors else 200,
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    institutions = [
        m.institution
        for m in access.memberships
        if m.institution_id in manageable_institution_ids(access)
    ]
    if not institutions:
        raise PermissionDenied("needs.manage")
    initial = {}
    campaign = request.GET.get("campaign", "")
    if campaign.isdigit():
        initial["campaign"] = int(campaign)
    form = PlanForm(request.POST or None, institution=institutions[0], initial=initial)
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        messages.success(request, _("Plan created: add its objectives."))
        return redirect(plan.get_absolute_url())
    return _form_page(
        request, form, title=_("New capacity development plan"), back=reverse("needs-home")
    )


def _managed_plan(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    access = access_for(request)
    plan = plan_for_view(access, pk)
    require_manage(access, plan.institution_id)
    return plan


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = PlanForm(request.POST or None, instance=plan, institution=plan.institution)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(plan.get_absolute_url())
    return _form_page(
        request, form, title=_("Edit the plan"), plan=plan, back=plan.get_absolute_url()
    )


@login_required
def objective_form(request: HttpRequest, pk: int, objective: int | None = None) -> HttpResponse:
    plan = _managed_plan(request, pk)
    instance = get_or_404(Objective.objects.filter(plan=plan), pk=objective) if objective else None
    form = ObjectiveForm(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        return redirect(f"{plan.get_absolute_url()}#objective-{saved.pk}")
    title = _("Edit the objective") if instance else _("New objective")
    return _form_page(request, form, title=title, plan=plan, back=plan.get_absolute_url())


@login_required
def indicator_form(
    request: HttpRequest, pk: int, objective: int, indicator: int | None = None
) -> HttpResponse:
    plan = _managed_plan(request, pk)
    parent = get_or_404(Objective.objects.filter(plan=plan), pk=objective)
    instance = get_or_404(parent.indicators.all(), pk=indicator) if indicator else None
    form = IndicatorForm(request.POST or None, instance=instance, objective=parent)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        return redirect(f"{plan.get_absolute_url()}#indicator-{saved.pk}")
    title = _("Edit the indicator") if instance else _("New indicator")
    return _form_page(request, form, title=title, plan=plan, back=plan.get_absolute_url())


@login_required
def intervention_form(
    request: HttpRequest, pk: int, objective: int, intervention: int | None = None
) -> HttpResponse:
    plan = _managed_plan(request, pk)
    parent = get_or_404(Objective.objects.filter(plan=plan), pk=objective)
    instance = get_or_404(parent.interventions.all(), pk=intervention) if intervention else None
    form = InterventionForm(request.POST or None, instance=instance, objective=parent)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        return redirect(f"{plan.get_absolute_url()}#intervention-{saved.pk}")
    title = _("Edit the intervention") if instance else _("New intervention")
    return _form_page(request, form, title=title, plan=plan, back=plan.get_absolute_url())
