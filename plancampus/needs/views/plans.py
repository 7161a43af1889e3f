"""The capacity development plan: the plan page, progress updates, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import access_for, get_or_404

from ..access import can_manage, plan_for_view, require_manage
from ..forms import InterventionStatusForm, MeasurementForm
from ..models import Indicator, Intervention, InterventionKind, InterventionStatus
from ..services import documents
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


@login_required
def plan_export(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    """The plan as PDF or DOCX, in English or Khmer (``?language=km``)."""
    plan = plan_for_view(access_for(request), pk)
    language = request.GET.get("language", "en")
    if language not in documents.LANGUAGES:
        language = "en"
    if extension == "pdf":
        document = documents.plan_pdf(plan=plan, language=language)
    elif extension == "docx":
        document = documents.plan_docx(plan=plan, language=language)
    else:
        raise Http404
    return _download(document)


def _download(document: documents.Document) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response
