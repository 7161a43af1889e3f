"""The directory over the REST API: areas, organisations and people.

Thin like the pages: access goes through ``plancampus.core.access`` (another country's
objects answer 404, a user without a role 403) and each list endpoint runs a fixed number of
queries whatever the number of rows (``select_related``; see the tests).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from plancampus.api.auth import member_access
from plancampus.api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSES, ErrorOut
from plancampus.api.pagination import Page, PageParams, paginate

from .access import access_for, areas_for_user, organisations_for_user, people_for_user
from .models import AreaKind, OrganisationKind, Position, Sex

router = Router(tags=["directory"])

# Codes are short identifiers; the pattern keeps path segments and NUL bytes out.
CODE_PATTERN = r"^[^/\x00]+$"
MAX_PERSON_ID = 2**63 - 1  # the database's big integer


def _text(value: str | None) -> str:
    """A query parameter as the database can take it (PostgreSQL refuses NUL bytes)."""
    return (value or "").replace("\x00", "").strip()


# --- Schemas -----------------------------------------------------------------------------


class AreaRef(Schema):
    code: str = Field(..., description=_("Official code, unique within a country."))
    kind: AreaKind
    name_en: str
    name_fr: str
    name_km: str


class AreaOut(AreaRef):
    country: str = Field(..., description=_("ISO 3166 code of the country."))
    parent_code: str | None = Field(..., description=_("Code of the area above, if any."))

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return obj.country.iso_code

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class AreaDetail(AreaOut):
    ancestors: list[AreaRef] = Field(..., description=_("From the province down."))
    children_count: int

    @staticmethod
    def resolve_ancestors(obj: Any) -> list[Any]:
        return obj.ancestors()


class AreaPage(Page):
    items: list[AreaOut]


class OrganisationRef(Schema):
    code: str
    kind: OrganisationKind
    acronym: str
    name_en: str
    name_fr: str
    name_km: str
    is_synthetic: bool = Field(..., description=_("A made-up demonstration record."))


class OrganisationOut(OrganisationRef):
    country: str | None = Field(
        ..., description=_("ISO 3166 code; null for international organisations.")
    )
    parent_code: str | None
    area_code: str | None
    website: str

    @staticmethod
    def resolve_country(obj: Any) -> str | None:
        return obj.country.iso_code if obj.country_id else None

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_area_code(obj: Any) -> str | None:
        return obj.area.code if obj.area_id else None


class OrganisationDetail(OrganisationOut):
    area: AreaRef | None
    parent: OrganisationRef | None


class OrganisationPage(Page):
    items: list[OrganisationOut]


def _show_contacts(context: Any) -> bool:
    request = (context or {}).get("request")
    return request is not None and access_for(request).can("directory.view_contacts")


class PersonOut(Schema):
    id: int
    name_latin: str
    name_km: str
    sex: Sex
    position: str
    staff_id: str = Field(..., description=_("The ministry's staff number, if any."))
    organisation: OrganisationRef | None
    email: str | None = Field(
        ..., description=_("Null when your role may not see contact details.")
    )
    phone: str | None = Field(
        ..., description=_("Null when your role may not see contact details.")
    )
    is_synthetic: bool = Field(..., description=_("A made-up demonstration record."))

    @staticmethod
    def resolve_staff_id(obj: Any) -> str:
        return obj.external_id

    @staticmethod
    def resolve_email(obj: Any, context: Any) -> str | None:
        return obj.email if _show_contacts(context) else None

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str | None:
        return obj.phone if _show_contacts(context) else None


class PositionOut(Schema):
    title: str
    organisation: OrganisationRef
    start_date: date | None
    end_date: date | None = Field(..., description=_("Null for the current position."))


class PersonDetail(PersonOut):
    positions: list[PositionOut]


class PersonPage(Page):
    items: list[PersonOut]


# --- Filters -----------------------------------------------------------------------------


class AreaFilters(Schema):
    kind: AreaKind | None = None
    parent: str | None = Field(None, max_length=40, description=_("Code of the parent area."))
    country: str | None = Field(None, max_length=3, description=_("ISO 3166 code."))
    q: str | None = Field(
        None, max_length=200, description=_("Words of the name (any language) or the code.")
    )


class OrganisationFilters(Schema):
    kind: OrganisationKind | None = None
    province: str | None = Field(
        None, max_length=40, description=_("Code of a province: organisations in it or below.")
    )
    country: str | None = Field(None, max_length=3, description=_("ISO 3166 code."))
    q: str | None = Field(
        None, max_length=200, description=_("Words of the name (any language), acronym or code.")
    )


class PersonFilters(Schema):
    q: str | None = Field(
        None,
        max_length=200,
        description=_("Words of the name in Latin or Khmer script, position or staff number."),
    )
    organisation: str | None = Field(
        None, max_length=40, description=_("Code of the person's current organisation.")
    )
    sex: Sex | None = None
    order: Literal["latin", "khmer"] = Field(
        "latin", description=_("Sort by the Latin name, or by the Khmer name (Khmer collation).")
    )


# --- Areas -------------------------------------------------------------------------------


@router.get(
    "/areas/",
    response={200: AreaPage, **ERROR_RESPONSES},
    url_name="area-list",
    operation_id="list_areas",
    summary="List administrative areas",
)
def list_areas(
    request: HttpRequest, filters: Query[AreaFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Provinces, districts and communes you can see, ordered by code."""
    access = member_access(request)
    areas = areas_for_user(access).select_related("country", "parent")
    if filters.kind:
        areas = areas.filter(kind=filters.kind)
    if parent := _text(filters.parent):
        areas = areas.filter(parent__code=parent)
    if country := _text(filters.country):
        areas = areas.filter(country__iso_code=country.upper())
    if query := _text(filters.q):
        areas = areas.search(query)
    return paginate(areas.order_by("country__iso_code", "code", "id"), page)


@router.get(
    "/areas/{code}/",
    response={200: AreaDetail, 400: ErrorOut, **NOT_FOUND_RESPONSES},
    url_name="area-detail",
    operation_id="get_area",
    summary="One administrative area",
)
def get_area(
    request: HttpRequest,
    code: str = Path(..., max_length=40, pattern=CODE_PATTERN, example="17"),
    country: str | None = Query(
        None, max_length=3, description=_("ISO 3166 code, when several countries use the code.")
    ),
) -> Any:
    """An area by its official code, with its ancestors and its number of sub-areas."""
    access = member_access(request)
    areas = (
        areas_for_user(access)
        .filter(code=_text(code))
        .select_related("country", "parent", "parent__parent")
        .annotate(children_count=Count("children"))
        .order_by("country__iso_code")
    )
    if iso := _text(country):
        areas = areas.filter(country__iso_code=iso.upper())
    found = list(areas[:2])
    if not found:
        raise Http404(_("No area with this code is visible to you."))
    if len(found) > 1:
        raise HttpError(
            400,
            str(_("Several countries use this area code: add ?country=<ISO code> to choose.")),
        )
    return found[0]


# --- Organisations -----------------------------------------------------------------------


@router.get(
    "/organisations/",
    response={200: OrganisationPage, **ERROR_RESPONSES},
    url_name="organisation-list",
    operation_id="list_organisations",
    summary="List organisations",
)
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Ministries, offices of education, training institutions and partners you can see."""
    access = member_access(request)
    organisations = organisations_for_user(access).select_related("country", "parent", "area")
    if filters.kind:
        organisations = organisations.filter(kind=filters.kind)
    if province := _text(filters.province):
        provinces = areas_for_user(access).provinces().filter(code=province)
        organisations = organisations.filter(
            Q(area__in=provinces)
            | Q(area__parent__in=provinces)
            | Q(area__parent__parent__in=provinces)
        )
    if country := _text(filters.country):
        organisations = organisations.filter(country__iso_code=country.upper())
    if query := _text(filters.q):
        organisations = organisations.search(query)
    return paginate(organisations.order_by("kind", "code"), page)


@router.get(
    "/organisations/{code}/",
    response={200: OrganisationDetail, **NOT_FOUND_RESPONSES},
    url_name="organisation-detail",
    operation_id="get_organisation",
    summary="One organisation",
)
def get_organisation(
    request: HttpRequest,
    code: str = Path(..., max_length=40, pattern=CODE_PATTERN, example="POE-17"),
) -> Any:
    """An organisation by its code (e.g. ``POE-17``), with its area and parent organisation."""
    access = member_access(request)
    organisation = (
        organisations_for_user(access)
        .select_related("country", "parent", "parent__country", "area", "area__country")
        .filter(code=_text(code))
        .first()
    )
    if organisation is None:
        raise Http404(_("No organisation with this code is visible to you."))
    return organisation


# --- People ------------------------------------------------------------------------------


@router.get(
    "/people/",
    response={200: PersonPage, **ERROR_RESPONSES},
    url_name="person-list",
    operation_id="list_people",
    summary="List people",
)
def list_people(
    request: HttpRequest, filters: Query[PersonFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """People of the education administration you can see. E-mail and phone are null unless
    your role may see contact details."""
    access = member_access(request)
    people = people_for_user(access).select_related("organisation")
    if query := _text(filters.q):
        people = people.search(query)
    if organisation := _text(filters.organisation):
        people = people.filter(organisation__code=organisation)
    if filters.sex:
        people = people.filter(sex=filters.sex)
    ordering = ("sort_km", "id") if filters.order == "khmer" else ("name_latin", "id")
    return paginate(people.order_by(*ordering), page)


@router.get(
    "/people/{person_id}/",
    response={200: PersonDetail, **NOT_FOUND_RESPONSES},
    url_name="person-detail",
    operation_id="get_person",
    summary="One person",
)
def get_person(request: HttpRequest, person_id: int = Path(..., ge=1, le=MAX_PERSON_ID)) -> Any:
    """A person by id, with the positions they held (the current one has no end date)."""
    access = member_access(request)
    positions = Position.objects.select_related("organisation").order_by("-start_date", "-id")
    person = (
        people_for_user(access)
        .select_related("organisation")
        .prefetch_related(Prefetch("positions", queryset=positions))
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404(_("No person with this id is visible to you."))
    return person
