"""Directory pages: organisations, people, areas. Thin: access and querysets live elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import (
    access_for,
    areas_for_user,
    get_or_404,
    organisations_for_user,
    people_for_user,
)
from ..models import AreaKind, OrganisationKind
from ..pagination import KeysFirstPaginator


def _page(request: HttpRequest, queryset, *, keys_first: bool = False):  # type: ignore[no-untyped-def]
    """A page of ``queryset``; ``keys_first`` for long lists of people (see KeysFirstPaginator)."""
    paginator_class = KeysFirstPaginator if keys_first else Paginator
    paginator = paginator_class(queryset, settings.PLANCAMPUS_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _member(request: HttpRequest):  # type: ignore[no-untyped-def]
    access = access_for(request)
    if not access.is_member:
        raise PermissionDenied("no membership")
    return access


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    access = _member(request)
    organisations = organisations_for_user(access).select_related("area", "parent")
    kind = request.GET.get("kind", "")
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    provinces = areas_for_user(access).filter(kind=AreaKind.PROVINCE).order_by("code")
    province = request.GET.get("province", "")
    if province:
        area = provinces.filter(code=province).first()
        organisations = organisations.in_area(area) if area else organisations.none()
    query = request.GET.get("q", "").strip()
    if query:
        organisations = organisations.search(query)
    organisations = organisations.annotate(staff_count=Count("staff")).order_by("kind", "code")
    context = {
        "page": _page(request, organisations),
        "kinds": OrganisationKind.choices,
        "provinces": provinces,
        "selected_kind": kind,
        "selected_province": province,
        "query": query,
    }
    template = (
        "core/_organisation_rows.html"
        if request.headers.get("HX-Request")
        else "core/organisation_list.html"
    )
    return render(request, template, context)


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = _member(request)
    organisation = get_or_404(
        organisations_for_user(access).select_related("area", "area__parent", "parent", "country"),
        code=code,
    )
    staff = organisation.staff.order_by("name_latin", "id")
    units = organisations_for_user(access).filter(parent=organisation).select_related("area")
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "page": _page(request, staff, keys_first=True),
            "units": units.order_by("code")[:300],
            "unit_count": units.count(),
            "show_contacts": access.can("directory.view_contacts"),
        },
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    access = _member(request)
    people = people_for_user(access).with_directory_relations()
    query = request.GET.get("q", "").strip()
    if query:
        people = people.search(query)
    organisation_code = request.GET.get("organisation", "")
    if organisation_code:
        people = people.filter(organisation__code=organisation_code)
    sex = request.GET.get("sex", "")
    if sex in {"F", "M"}:
        people = people.filter(sex=sex)
    order = request.GET.get("order", "latin")
    people = (
        people.order_by("sort_km", "id")
        if order == "khmer"
        else people.order_by("name_latin", "id")
    )
    context = {
        "page": _page(request, people, keys_first=True),
        "query": query,
        "order": order,
        "sex": sex,
        "organisation_code": organisation_code,
        "show_contacts": access.can("directory.view_contacts"),
    }
    template = (
        "core/_person_rows.html" if request.headers.get("HX-Request") else "core/person_list.html"
    )
    return render(request, template, context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = _member(request)
    person = get_or_404(people_for_user(access).with_directory_relations(), pk=pk)
    positions = person.positions.select_related("organisation").order_by("-start_date", "-id")
    history = None
    if access.can("audit.view"):
        history = person.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "positions": positions,
            "history": history,
            "show_contacts": access.can("directory.view_contacts"),
        },
    )


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    access = _member(request)
    areas = areas_for_user(access)
    query = request.GET.get("q", "").strip()
    if query:
        results = (
            areas.search(query).select_related("parent", "parent__parent").order_by("code")[:100]
        )
        provinces = None
    else:
        results = None
        provinces = (
            areas.filter(kind=AreaKind.PROVINCE)
            .annotate(
                districts=Count("children", distinct=True),
            )
            .order_by("code")
        )
    return render(
        request,
        "core/area_list.html",
        {
            "provinces": provinces,
            "results": results,
            "query": query,
        },
    )


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = _member(request)
    area = get_or_404(
        areas_for_user(access).select_related("parent", "parent__parent", "country"), code=code
    )
    children = area.children.annotate(
        sub_count=Count("children", distinct=True),
    ).order_by("code")
    organisations = (
        organisations_for_user(access)
        .filter(Q(area=area) | Q(area__parent=area))
        .select_related("area")
        .order_by("kind", "code")[:200]
    )
    return render(
        request,
        "core/area_detail.html",
        {
            "area": area,
            "ancestors": area.ancestors(),
            "children": children,
            "organisations": organisations,
        },
    )
