from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import access_for, organisations_for_user, people_for_user
from ..models import BackgroundJob, OrganisationKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A dashboard that shows each role what it works on."""
    access = access_for(request)
    context: dict[str, object] = {"roles": sorted(access.roles)}
    if access.is_member:
        organisations = organisations_for_user(access)
        by_kind = dict(organisations.values_list("kind").annotate(n=Count("id")).order_by())
        context["organisation_counts"] = [
            (value, label, by_kind.get(value, 0)) for value, label in OrganisationKind.choices
        ]
        people = people_for_user(access)
        context["people_count"] = people.count()
        context["synthetic_people_count"] = people.filter(is_synthetic=True).count()
        context["can_import"] = access.can("people.import")
        context["recent_jobs"] = BackgroundJob.objects.filter(created_by=request.user)[:5]
        me = getattr(request.user, "person", None)
        context["me"] = me
        if me is not None and me.organisation_id:
            context["my_organisation"] = me.organisation
            context["colleague_count"] = people.filter(organisation_id=me.organisation_id).count()
        if access.is_global:
            # The partner's view: every institution it works with, in every country.
            context["institutions"] = (
                organisations.institutions()
                .select_related("country")
                .annotate(members=Count("memberships", distinct=True))
                .order_by("country__name_en", "code")
            )
    return render(request, "core/home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask every site for /favicon.ico: send them to the icon among the static files
    (its address carries the file's hash, so it is resolved per request, not at import)."""
    from django.http import HttpResponseRedirect
    from django.templatetags.static import static

    response = HttpResponseRedirect(static("img/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
