"""A campaign's respondents: the list, who rates each organisation, and changes to one
respondent (designation, role)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import access_for, get_or_404
from plancampus.core.models import Person

from ..access import campaign_for_view, can_manage, require_manage
from ..forms import RespondentForm
from ..models import Campaign, RespondentStatus
from ..services import campaigns as campaign_services


def _managed_campaign(request: HttpRequest, pk: int) -> Campaign:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    require_manage(access, campaign.institution_id)
    return campaign


def _back(request: HttpRequest, campaign: Campaign) -> str:
    """Where to go after an action: the page it was posted from, if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("needs-respondents", args=[campaign.pk])


@login_required
def respondent_list(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    respondents = campaign.respondents.with_relations().order_by("code")
    status = request.GET.get("status", "")
    if status in RespondentStatus.values:
        respondents = respondents.filter(status=status)
    designated = request.GET.get("designated", "")
    if designated == "1":
        respondents = respondents.designated()
    organisation = request.GET.get("organisation", "")
    if organisation.isdigit():
        respondents = respondents.filter(organisation_id=int(organisation))
    query = request.GET.get("q", "").strip()
    if query:
        respondents = respondents.filter(
            Q(code__iexact=query) | Q(person__in=Person.objects.search(query))
        )
    page = Paginator(respondents, settings.PLANCAMPUS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "needs/respondent_list.html",
        {
            "campaign": campaign,
            "page": page,
            "status": status,
            "statuses": RespondentStatus.choices,
            "query": query,
            "designated": designated,
            "organisation": organisation,
            "overview": campaign_services.designation_overview(campaign),
            "can_manage": can_manage(access, campaign.institution_id),
        },
    )


@login_required
@require_POST
def respondent_designate(request: HttpRequest, pk: int, respondent: int) -> HttpResponse:
    """Designate a respondent to rate their organisation, or withdraw the designation."""
    campaign = _managed_campaign(request, pk)
    target = get_or_404(
        campaign.respondents.select_related("person", "organisation"), pk=respondent
    )
    target.campaign = campaign
    designated = request.POST.get("designated") == "1"
    try:
        campaign_services.respondent_designate(
            respondent=target,
            designated=designated,
            user=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        values = {
            "person": target.person.display_name,
            "organisation": target.organisation.display_name,
        }
        if designated:
            messages.success(request, _("%(person)s now rates %(organisation)s.") % values)
        else:
            messages.success(
                request,
                _("%(person)s no longer rates %(organisation)s; their ratings no longer count.")
                % values,
            )
    return redirect(_back(request, campaign))


@login_required
@require_POST
def designate_heads(request: HttpRequest, pk: int) -> HttpResponse:
    """Designate the heads of the organisations nobody rates yet (by their position)."""
    campaign = _managed_campaign(request, pk)
    count = campaign_services.respondents_designate_heads(
        campaign=campaign,
        user=request.user,  # type: ignore[arg-type]
    )
    messages.success(
        request,
        _("%(count)s heads of organisations designated to rate their organisation.")
        % {"count": count},
    )
    return redirect(_back(request, campaign))


@login_required
def respondent_edit(request: HttpRequest, pk: int, respondent: int) -> HttpResponse:
    """Change a respondent's role (their gaps are measured against it) and designation."""
    campaign = _managed_campaign(request, pk)
    target = get_or_404(
        campaign.respondents.select_related("person", "organisation", "role"), pk=respondent
    )
    target.campaign = campaign
    form = RespondentForm(request.POST or None, respondent=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            with transaction.atomic():
                campaign_services.respondent_change_role(
                    respondent=target,
                    role=data["role"],
                    user=user,  # type: ignore[arg-type]
                )
                campaign_services.respondent_designate(
                    respondent=target,
                    designated=data["rates_organisation"],
                    user=user,  # type: ignore[arg-type]
                )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(person)s: saved.") % {"person": target.person.display_name},
            )
            return redirect(reverse("needs-respondents", args=[campaign.pk]) + f"?q={target.code}")
    return render(
        request,
        "needs/respondent_form.html",
        {"campaign": campaign, "respondent": target, "form": form},
        status=400 if form.errors else 200,
    )
