"""The report and the plan documents: ask for one, follow its job, download it.

Asking (POST) starts a background job, or joins the one already making the same document, or
reuses a finished copy of unchanged data (``services.exports``); then the export's page
follows the job (htmx polls its status fragment; no inline script) and offers the file. The
file is served only here, to whoever may see the campaign or the plan (404 for anyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from plancampus.core.access import access_for

from ..access import campaign_for_view, export_for_view, plan_for_view
from ..models import Campaign, CapacityPlan, DocumentExport, DocumentFormat
from ..services import documents, exports


def _ask(
    request: HttpRequest, *, campaign: Campaign | None = None, plan: CapacityPlan | None = None
) -> HttpResponse:
    target = plan if plan is not None else campaign
    try:
        asked = exports.export_request(
            user=request.user,  # type: ignore[arg-type]
            language=request.POST.get("language", "en"),
            file_format=request.POST.get("format", DocumentFormat.PDF),
            campaign=campaign,
            plan=plan,
            force=request.POST.get("force") == "1",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if plan is not None:
            return redirect(plan.get_absolute_url())
        return redirect("needs-campaign", pk=target.pk)  # type: ignore[union-attr]
    export = asked.export
    if asked.outcome == "joined":
        messages.info(request, _("The same document is already being made: this page follows it."))
    elif asked.outcome == "reused" and export.generated_at:
        messages.info(
            request,
            _(
                "This document was made on %(date)s from the same data: here it is. Make a "
                "fresh copy if you need one."
            )
            % {"date": date_filter(timezone.localtime(export.generated_at), "DATETIME_FORMAT")},
        )
    return redirect(export.get_absolute_url())


def _list(
    request: HttpRequest,
    target: Campaign | CapacityPlan,
    *,
    campaign: Campaign | None = None,
    plan: CapacityPlan | None = None,
) -> HttpResponse:
    latest = exports.exports_latest(campaign=campaign, plan=plan)
    version = exports.data_version(campaign=campaign, plan=plan) if latest else ""
    template = (
        "needs/_export_list.html" if request.headers.get("HX-Request") else "needs/export_list.html"
    )
    return render(
        request,
        template,
        {"target": target, "exports": _rows(latest, version), "campaign": campaign, "plan": plan},
    )


def _rows(latest: list[DocumentExport], version: str) -> list[dict[str, object]]:
    return [
        {"export": e, "current": e.is_ready and exports.export_is_current(e, version)}
        for e in latest
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: ask for the needs-assessment report (``language``, ``force``); GET: the copies
    already made (a fragment for the campaign page, or a page)."""
    campaign = campaign_for_view(access_for(request), pk)
    if request.method == "POST":
        return _ask(request, campaign=campaign)
    return _list(request, campaign, campaign=campaign)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: ask for the plan as PDF or Word (``format``, ``language``, ``force``); GET: the
    copies already made."""
    plan = plan_for_view(access_for(request), pk)
    if request.method == "POST":
        return _ask(request, plan=plan)
    return _list(request, plan, plan=plan)


@login_required
@require_safe
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's page: its job's progress (the status fragment, polled while it runs), the
    failure, or the file to download and when it was made."""
    export, target = export_for_view(access_for(request), pk)
    polled = bool(request.headers.get("HX-Request"))
    context: dict[str, object] = {
        "export": export,
        "target": target,
        "job": export.job,
        # Watched until the end on this page: the file downloads by itself (needs/exports.js).
        "auto_download": polled and export.is_ready,
        "current": True,
    }
    if export.is_ready:
        version = exports.data_version(
            campaign=target if isinstance(target, Campaign) else None,
            plan=target if isinstance(target, CapacityPlan) else None,
        )
        context["current"] = exports.export_is_current(export, version)
    template = "needs/_export_status.html" if polled else "needs/export_detail.html"
    return render(request, template, context)


@login_required
@require_safe
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export, _target = export_for_view(access_for(request), pk)
    if not export.is_ready:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = documents.DOCX if export.file_format == DocumentFormat.DOCX else documents.PDF
    response = FileResponse(
        handle, as_attachment=True, filename=export.filename, content_type=content_type
    )
    # Institution documents: kept by no shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
