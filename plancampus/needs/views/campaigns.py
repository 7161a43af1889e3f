"""Campaign pages: create, see, open/close, respondents, XLSForm, imports of answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import access_for, get_or_404, jobs_for_user
from plancampus.core.models import BackgroundJob

from ..access import campaign_for_view, can_manage, manageable_institution_ids, require_manage
from ..forms import CampaignEditForm, CampaignForm, ImportForm
from ..models import CampaignStatus, RespondentStatus, SubmissionImport
from ..services import campaigns as campaign_services
from ..services import submissions, xlsform
from ..services.questionnaire import campaign_item_count


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    institutions = [
        m.institution
        for m in access.memberships
        if m.institution_id in manageable_institution_ids(access)
    ]
    if not institutions:
        raise PermissionDenied("needs.manage")
    institution = institutions[0]
    form = CampaignForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_services.campaign_create(
                institution=institution,
                framework=data["framework"],
                code=data["code"],
                name_en=data["name_en"],
                name_km=data["name_km"],
                name_fr=data["name_fr"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                target_organisations=form.target_organisations(),
                target_roles=data["target_roles"],
                baseline=data["baseline"],
                description=data["description"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            count = campaign_services.respondents_invite(campaign=campaign)
            messages.success(
                request,
                _("Campaign created as a draft; %(count)s respondents invited.") % {"count": count},
            )
            return redirect("needs-campaign", pk=campaign.pk)
    return render(request, "needs/campaign_form.html", {"form": form, "institution": institution})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    counts = dict(
        campaign.respondents.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    total = sum(counts.values())
    statuses = [(value, label, counts.get(value, 0)) for value, label in RespondentStatus.choices]
    return render(
        request,
        "needs/campaign_detail.html",
        {
            "campaign": campaign,
            "statuses": statuses,
            "total": total,
            "submitted": counts.get(RespondentStatus.SUBMITTED, 0),
            "item_count": campaign_item_count(campaign),
            "organisation_count": campaign.target_organisations.count(),
            "roles": campaign.target_roles.all(),
            "imports": campaign.imports.select_related("uploaded_by")[:10],
            "can_manage": can_manage(access, campaign.institution_id),
            "plans": campaign.plans.all(),
        },
    )


@login_required
@require_POST
def campaign_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    require_manage(access, campaign.institution_id)
    status = request.POST.get("status", "")
    if status not in CampaignStatus.values:
        return HttpResponse(status=400)
    campaign_services.campaign_set_status(campaign=campaign, status=status)
    messages.success(
        request, _("The campaign is now: %(status)s.") % {"status": campaign.get_status_display()}
    )
    return redirect("needs-campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_invite(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    require_manage(access, campaign.institution_id)
    count = campaign_services.respondents_invite(campaign=campaign)
    messages.success(request, _("%(count)s new respondents invited.") % {"count": count})
    return redirect("needs-campaign", pk=campaign.pk)


@login_required
def xlsform_download(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    try:
        content = xlsform.xlsform_export(campaign)
    except xlsform.XLSFormInvalid as error:
        return render(
            request,
            "needs/xlsform_invalid.html",
            {"campaign": campaign, "error": str(error)},
            status=500,
        )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{campaign.xlsform_id}.xlsx"'
    return response


@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    require_manage(access, campaign.institution_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = submissions.submissions_import_enqueue(
            campaign=campaign,
            user=request.user,  # type: ignore[arg-type]
            filename=upload.name or "export.csv",
            data=upload.read(),
            title=_("Import of answers from %(filename)s") % {"filename": upload.name},
        )
        return redirect("needs-import-job", pk=job.pk)
    return render(
        request,
        "needs/import_upload.html",
        {"campaign": campaign, "form": form, "imports": campaign.imports.all()[:20]},
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    record = get_or_404(SubmissionImport.objects.select_related("campaign", "uploaded_by"), pk=pk)
    campaign = campaign_for_view(access, record.campaign_id)
    outcome = request.GET.get("outcome", "")
    file_problems = [submissions.Problem.from_dict(p) for p in record.file_problems]
    rows = [
        {**row, "messages": [p.message for p in submissions.problems_of(row)]}
        for row in record.rows
        if not outcome or row["outcome"] == outcome
    ]
    return render(
        request,
        "needs/import_detail.html",
        {
            "campaign": campaign,
            "record": record,
            "file_messages": [problem.message for problem in file_problems if problem.rejects],
            "file_warnings": [problem.message for problem in file_problems if not problem.rejects],
            "page": Paginator(rows, 100).get_page(request.GET.get("page")),
            "outcome": outcome,
        },
    )


def _import_job(request: HttpRequest, pk: int) -> BackgroundJob:
    job = get_or_404(jobs_for_user(access_for(request)), pk=pk)
    if job.kind != submissions.JOB_KIND:
        raise Http404
    return job


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """While an import runs: its progress (polled); once done, its report."""
    job = _import_job(request, pk)
    record_id = job.result.get("import")
    if job.status == BackgroundJob.Status.SUCCEEDED and record_id:
        return redirect("needs-import", pk=record_id)
    campaign = campaign_for_view(access_for(request), job.result["input"]["campaign"])
    template = (
        "needs/_import_job_status.html"
        if request.headers.get("HX-Request")
        else "needs/import_job.html"
    )
    response = render(request, template, {"job": job, "campaign": campaign})
    if job.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a campaign after its creation; removals with answers ask for a confirmation."""
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    require_manage(access, campaign.institution_id)
    form = CampaignEditForm(request.POST or None, campaign=campaign)
    removal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = campaign_services.campaign_update(
                campaign=campaign,
                name_en=data["name_en"],
                name_km=data["name_km"],
                name_fr=data["name_fr"],
                description=data["description"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                baseline=data["baseline"],
                target_organisations=data["target_organisations"],
                target_roles=data["target_roles"],
                organisational_answers=data["organisational_answers"],
                confirm_removals=data["confirm_removals"],
            )
        except campaign_services.RemovalsNeedConfirmation as error:
            removal = error.removal
            form.add_error("confirm_removals", error.messages)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            gone = result.removal
            messages.success(
                request,
                _(
                    "Campaign saved: %(invited)s respondents invited, %(removed)s removed "
                    "(%(answered)s of them with answers)."
                )
                % {
                    "invited": result.invited,
                    "removed": gone.respondents,
                    "answered": gone.answered,
                },
            )
            return redirect("needs-campaign", pk=campaign.pk)
    if removal is None and form.is_bound and form.is_valid():
        removal = campaign_services.campaign_removal(
            campaign=campaign,
            organisations=form.cleaned_data["target_organisations"],
            roles=form.cleaned_data["target_roles"],
        )
    return render(
        request,
        "needs/campaign_edit.html",
        {"campaign": campaign, "form": form, "removal": removal},
        status=400 if form.errors else 200,
    )
