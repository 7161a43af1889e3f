"""Analysis pages of a campaign: needs ranking and gaps, people, baseline comparison."""

from __future__ import annotations

import csv
import io
import math

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from plancampus.core.access import access_for
from plancampus.core.models import Person

from ..access import campaign_for_view, campaigns_for_user
from ..services import charts
from ..services.analysis import campaign_analysis, compare
from ..services.recommendations import attach_people, attach_people_to_all, recommendations_for

ORGANISATIONS_SHOWN = 25
PEOPLE_SHOWN = 15


def _baseline(access, campaign):  # type: ignore[no-untyped-def]
    if not campaign.baseline_id:
        return None
    return (
        campaigns_for_user(access)
        .select_related("framework")
        .filter(pk=campaign.baseline_id)
        .first()
    )


@login_required
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    result = campaign_analysis(campaign)
    context: dict[str, object] = {"campaign": campaign, "analysis": result}
    if result.respondent_count:
        context["organisations"] = result.by_organisation[:ORGANISATIONS_SHOWN]
        context["organisation_total"] = len(result.by_organisation)
        baseline = _baseline(access, campaign)
        comparison = None
        if baseline is not None:
            comparison = compare(campaign_analysis(baseline), result)
            context["baseline"] = baseline
            context["comparison"] = comparison
        context["charts"] = charts.analysis_charts(result, comparison)
    return render(request, "needs/analysis.html", context)


@login_required
def analysis_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Gaps per person: everyone who submitted, the largest total gap first."""
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    result = campaign_analysis(campaign)
    data = result.data
    order, total, below = result.person_summary()
    role = request.GET.get("role", "")
    if role:
        role_positions = [i for i, r in enumerate(data.roles) if r.code == role]
        if not role_positions:
            raise Http404
        order = order[data.role_index[order] == role_positions[0]]
    page = Paginator(range(len(order)), settings.PLANCAMPUS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows_shown = [int(order[i]) for i in page.object_list]
    people = Person.objects.in_bulk([int(data.person_ids[r]) for r in rows_shown])
    competencies = result.individual_competencies
    individual = data.individual
    rows = []
    for row in rows_shown:
        gaps = result.gaps[row][individual]
        rows.append(
            {
                "person": people.get(int(data.person_ids[row])),
                "role": data.roles[data.role_index[row]],
                "organisation": data.organisations[data.organisation_index[row]],
                "total": float(total[row]),
                "below": int(below[row]),
                "largest": [
                    (competencies[j], float(gaps[j]))
                    for j in sorted(
                        (j for j in range(len(gaps)) if not math.isnan(gaps[j]) and gaps[j] > 0),
                        key=lambda j: -gaps[j],
                    )[:3]
                ],
            }
        )
    return render(
        request,
        "needs/analysis_people.html",
        {
            "campaign": campaign,
            "analysis": result,
            "page": page,
            "rows": rows,
            "roles": data.roles,
            "role": role,
        },
    )


@login_required
def analysis_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The re-assessment against its baseline: what moved, for which roles, provinces, people."""
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    baseline = _baseline(access, campaign)
    if baseline is None:
        raise Http404
    current = campaign_analysis(campaign)
    comparison = compare(campaign_analysis(baseline), current)
    chart = charts.cached_chart(
        "comparison",
        (comparison.current, comparison.baseline),
        lambda: charts.comparison_chart(comparison),
    )
    rows_now, _rows_before, change = comparison.person_rows
    order = [
        int(i)
        for i in sorted(range(len(change)), key=lambda i: change[i])
        if not math.isnan(change[i])
    ]
    shown = order[:10] + [i for i in order[-10:] if i not in order[:10]]
    people = Person.objects.in_bulk([int(current.data.person_ids[rows_now[i]]) for i in shown])
    movers = [
        {
            "person": people.get(int(current.data.person_ids[rows_now[i]])),
            "role": current.data.roles[current.data.role_index[rows_now[i]]],
            "change": float(change[i]),
        }
        for i in shown
    ]
    return render(
        request,
        "needs/analysis_compare.html",
        {
            "campaign": campaign,
            "baseline": baseline,
            "comparison": comparison,
            "movers": movers,
            "chart": chart,
        },
    )


@login_required
def recommendations(request: HttpRequest, pk: int) -> HttpResponse:
    """Courses that address the top gaps, with who should take them; gaps no course covers."""
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    result = recommendations_for(campaign)
    attach_people_to_all(result.courses, limit=PEOPLE_SHOWN)
    roles = {r.pk: r for r in result.analysis.data.roles}
    return render(
        request,
        "needs/recommendations.html",
        {
            "campaign": campaign,
            "result": result,
            "roles": roles,
            "people_shown": PEOPLE_SHOWN,
        },
    )


@login_required
def recommendation_people_csv(request: HttpRequest, pk: int, course: int) -> HttpResponse:
    """Everyone who should take a recommended course, as a nomination list."""
    access = access_for(request)
    campaign = campaign_for_view(access, pk)
    result = recommendations_for(campaign)
    chosen = next((c for c in result.courses if c.course.pk == course), None)  # type: ignore[attr-defined]
    if chosen is None:
        raise Http404
    attach_people(chosen)
    roles = {r.pk: r for r in result.analysis.data.roles}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name_latin", "name_km", "organisation_code", "organisation", "role", "largest_gap"]
    )
    for candidate in chosen.candidates:
        person = candidate.person
        if person is None:
            continue
        writer.writerow(
            [
                person.name_latin,
                person.name_km,
                person.organisation.code if person.organisation else "",
                person.organisation.name_en if person.organisation else "",
                roles[candidate.role_id].name_en,
                f"{candidate.gap:g}",
            ]
        )
    response = HttpResponse(
        out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="candidates-{campaign.code}-{chosen.course.code}.csv"'  # type: ignore[attr-defined]
    )
    return response
