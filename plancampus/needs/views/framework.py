"""The needs module's home page and the competency framework page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from plancampus.core.access import access_for, get_or_404

from ..access import (
    campaigns_for_user,
    can_view_needs,
    frameworks_for_user,
    manageable_institution_ids,
    own_respondents,
    plans_for_user,
)
from ..models import CapacityLevel, Competency, RoleRequirement


@login_required
def needs_home(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    mine = list(
        own_respondents(access).select_related("campaign", "role").order_by("-campaign__starts_on")
    )
    if not access.is_member and not mine:
        raise PermissionDenied("no membership")
    viewer = can_view_needs(access)
    context = {
        "mine": mine,
        "viewer": viewer,
        "can_create": bool(manageable_institution_ids(access)),
        "frameworks": frameworks_for_user(access).select_related("institution")
        if access.is_member
        else [],
        "campaigns": campaigns_for_user(access).with_counts().select_related("institution")
        if viewer
        else [],
        "plans": plans_for_user(access).select_related("institution", "campaign") if viewer else [],
    }
    return render(request, "needs/home.html", context)


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    framework = get_or_404(frameworks_for_user(access).select_related("institution"), pk=pk)
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("domain")
        .order_by("domain__order", "order", "code")
    )
    roles = list(framework.role_profiles.order_by("code"))
    requirements = {
        (r.profile_id, r.competency_id): r
        for r in RoleRequirement.objects.filter(profile__framework=framework)
    }
    rows = [
        {
            "competency": c,
            "cells": [requirements.get((role.pk, c.pk)) for role in roles],
        }
        for c in competencies
    ]
    levels = [
        (value, label)
        for value, label in CapacityLevel.choices
        if any(c.capacity_level == value for c in competencies)
    ]
    scale = [
        (level, framework.level_label(level, request.LANGUAGE_CODE)) for level in framework.levels
    ]
    return render(
        request,
        "needs/framework_detail.html",
        {
            "framework": framework,
            "rows": rows,
            "roles": roles,
            "levels": levels,
            "scale": scale,
            "domains": framework.domains.order_by("order"),
        },
    )
