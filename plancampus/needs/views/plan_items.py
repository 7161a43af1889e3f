"""Deleting the items of a capacity development plan: a page that says what goes with the
item, then the deletion (POST). Coordinators of the plan's institution only; another
institution's plan answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from plancampus.core.access import access_for, get_or_404

from ..access import plan_for_view, require_manage
from ..models import CapacityPlan, Indicator, IndicatorMeasurement, Intervention, Objective
from ..services.plan_items import PlanItem, deletion_of, plan_item_delete


def _managed_plan(request: HttpRequest, pk: int) -> CapacityPlan:
    access = access_for(request)
    plan = plan_for_view(access, pk)
    require_manage(access, plan.institution_id)
    return plan


def _confirm(
    request: HttpRequest, plan: CapacityPlan, item: PlanItem, kind: str, back: str
) -> HttpResponse:
    if request.method == "POST":
        name = str(item)
        plan_item_delete(item=item, user=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Deleted: %(item)s.") % {"item": name})
        return redirect(back)
    return render(
        request,
        "needs/plan_item_delete.html",
        {
            "plan": plan,
            "item": item,
            "kind": kind,
            "deletion": deletion_of(item),
            "back": back,
        },
    )


@login_required
def objective_delete(request: HttpRequest, pk: int, objective: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    item = get_or_404(Objective.objects.filter(plan=plan), pk=objective)
    return _confirm(request, plan, item, "objective", plan.get_absolute_url())


@login_required
def indicator_delete(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    item = get_or_404(Indicator.objects.filter(objective__plan=plan), pk=indicator)
    back = f"{plan.get_absolute_url()}#objective-{item.objective_id}"
    return _confirm(request, plan, item, "indicator", back)


@login_required
def intervention_delete(request: HttpRequest, pk: int, intervention: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    item = get_or_404(Intervention.objects.filter(objective__plan=plan), pk=intervention)
    back = f"{plan.get_absolute_url()}#objective-{item.objective_id}"
    return _confirm(request, plan, item, "intervention", back)


@login_required
def measurement_delete(request: HttpRequest, pk: int, measurement: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    item = get_or_404(
        IndicatorMeasurement.objects.filter(indicator__objective__plan=plan).select_related(
            "indicator"
        ),
        pk=measurement,
    )
    back = f"{plan.get_absolute_url()}#indicator-{item.indicator_id}"
    return _confirm(request, plan, item, "measurement", back)
