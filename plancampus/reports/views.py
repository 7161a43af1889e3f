"""Coverage dashboard, the lists behind its figures, and its exports. Thin: the figures come
from ``services.coverage``, the scope from ``access.report_scope``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from plancampus.core.access import access_for
from plancampus.core.models import Area, Organisation, OrganisationKind, Person, Sex
from plancampus.training.models import ExternalProgramme

from .access import ReportScope, report_scope
from .services.charts import coverage_charts
from .services.coverage import (
    OFFICE_KINDS,
    PROVINCE_OF_PERSON,
    CoverageFilters,
    alumni,
    completions,
    coverage_cached,
    coverage_compute,
    office_counts,
    offices,
    people_trained,
    scope_cohorts,
    scope_countries,
    trainers,
)
from .services.exports import coverage_pdf, coverage_xlsx, synthetic_note


def _scope_and_filters(request: HttpRequest) -> tuple[ReportScope, CoverageFilters]:
    scope = report_scope(access_for(request), request.GET.get("institution") or None)
    filters = CoverageFilters.from_query(request.GET)
    return scope, filters


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, settings.PLANCAMPUS_PAGE_SIZE).get_page(request.GET.get("page"))


def _filter_labels(scope: ReportScope, filters: CoverageFilters) -> dict[str, str]:
    """What the active filters stand for, in words (one query at most per filter)."""
    labels: dict[str, str] = {}
    if filters.sex:
        labels["sex"] = str(Sex(filters.sex).label)
    if filters.kind:
        labels["kind"] = str(OrganisationKind(filters.kind).label)
    if filters.province:
        area = Area.objects.filter(pk=filters.province).first()
        labels["province"] = area.display_name if area else str(filters.province)
    if filters.organisation:
        organisation = Organisation.objects.filter(pk=filters.organisation).first()
        labels["organisation"] = (
            organisation.display_name if organisation else str(filters.organisation)
        )
    if filters.year:
        labels["year"] = str(filters.year)
    if filters.course:
        labels["course"] = filters.course
    return labels


def _context(scope: ReportScope, filters: CoverageFilters) -> dict[str, object]:
    return {
        "scope": scope,
        "filters": filters,
        "labels": _filter_labels(scope, filters),
        "people_url": reverse("reports:people"),
    }


@login_required
def coverage_dashboard(request: HttpRequest) -> HttpResponse:
    scope, filters = _scope_and_filters(request)
    coverage = coverage_cached(institution_ids=scope.institution_ids, filters=filters)
    people_url = reverse("reports:people")
    context = _context(scope, filters) | {
        "coverage": coverage,
        "charts": coverage_charts(coverage, people_url),
        "synthetic_note": synthetic_note(coverage),
        "sexes": Sex.choices,
        "kinds": OrganisationKind.choices,
        "thresholds": [1, 2, 3, 5, 8, 10],
    }
    return render(request, "reports/coverage.html", context)


@login_required
def coverage_people(request: HttpRequest) -> HttpResponse:
    """The people behind a "people trained" figure."""
    scope, filters = _scope_and_filters(request)
    people = (
        people_trained(scope.institution_ids, filters)
        .select_related("organisation")
        .annotate(province_id=PROVINCE_OF_PERSON)
        .order_by("name_latin", "pk")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=completions(scope.institution_ids, filters)
                .select_related("cohort", "cohort__course")
                .order_by("cohort__end_date"),
                to_attr="completed",
            )
        )
    )
    page = _page(request, people)
    province_ids = {p.province_id for p in page if p.province_id}
    provinces = {a.pk: a for a in Area.objects.filter(pk__in=province_ids)} if province_ids else {}
    for person in page:
        person.province = provinces.get(person.province_id)
    return render(
        request, "reports/coverage_people.html", _context(scope, filters) | {"page": page}
    )


@login_required
def coverage_offices(request: HttpRequest) -> HttpResponse:
    """Offices of a kind, with their staff trained and whether they are covered."""
    scope, filters = _scope_and_filters(request)
    kind = request.GET.get("kind", "")
    if kind not in OFFICE_KINDS:
        raise Http404
    counts = office_counts(scope.institution_ids, filters, kind)
    covered = request.GET.get("covered", "")
    qs = (
        offices(scope_countries(scope.institution_ids), filters, kind)
        .select_related("area", "area__parent")
        .order_by("code")
    )
    if covered in {"yes", "no"}:
        reached = [pk for pk, n in counts.items() if n >= filters.threshold]
        qs = qs.filter(pk__in=reached) if covered == "yes" else qs.exclude(pk__in=reached)
    page = _page(request, qs)
    for office in page:
        office.trained = counts.get(office.pk, 0)
        office.is_covered = office.trained >= filters.threshold
    return render(
        request,
        "reports/coverage_offices.html",
        _context(scope, filters)
        | {
            "page": page,
            "kind": kind,
            "kind_label": OrganisationKind(kind).label,
            "covered": covered,
        },
    )


@login_required
def coverage_trainers(request: HttpRequest) -> HttpResponse:
    """The trainers behind the trainers figure, with the cohorts they delivered."""
    scope, filters = _scope_and_filters(request)
    cohorts = scope_cohorts(scope.institution_ids, filters)
    people = (
        trainers(scope.institution_ids, filters)
        .select_related("organisation")
        .annotate(
            led=Count("cohorts_led", filter=_in(cohorts, "cohorts_led"), distinct=True),
            co_trained=Count(
                "cohorts_co_trained", filter=_in(cohorts, "cohorts_co_trained"), distinct=True
            ),
        )
        .order_by("name_latin", "pk")
    )
    return render(
        request,
        "reports/coverage_trainers.html",
        _context(scope, filters) | {"page": _page(request, people)},
    )


def _in(cohorts: QuerySet, relation: str) -> Q:
    return Q(**{f"{relation}__in": cohorts.values("pk")})


@login_required
def coverage_alumni(request: HttpRequest) -> HttpResponse:
    """The participations behind an alumni figure."""
    scope, filters = _scope_and_filters(request)
    programme_id = request.GET.get("programme", "")
    programme = None
    if programme_id.isdigit():
        programme = ExternalProgramme.objects.filter(pk=int(programme_id)).first()
        if programme is None:
            raise Http404
    which = request.GET.get("which", "alumni")
    participations = alumni(
        scope.institution_ids,
        programme=programme.pk if programme else None,
        completed_only=which in {"alumni", "trainers"},
        trainers_only=which == "trainers",
    )
    # One row per person, as the figure counts people.
    people = (
        Person.objects.filter(pk__in=participations.values("person_id"))
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "external_participations",
                queryset=participations.select_related("programme").order_by("-year"),
                to_attr="listed",
            )
        )
        .order_by("name_latin", "pk")
    )
    return render(
        request,
        "reports/coverage_alumni.html",
        _context(scope, filters)
        | {"page": _page(request, people), "programme": programme, "which": which},
    )


@login_required
def coverage_export(request: HttpRequest, fmt: str) -> HttpResponse:
    scope, filters = _scope_and_filters(request)
    coverage = coverage_compute(institution_ids=scope.institution_ids, filters=filters)
    labels = _filter_labels(scope, filters)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        content = coverage_xlsx(
            coverage,
            institution_ids=scope.institution_ids,
            institution=scope.selected,
            labels=labels,
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        content = coverage_pdf(
            coverage,
            institution=scope.selected,
            labels=labels,
            people_url=request.build_absolute_uri(reverse("reports:people")),
        )
        response = HttpResponse(content, content_type="application/pdf")
    else:
        raise Http404
    filename = f"coverage-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
