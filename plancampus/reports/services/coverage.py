"""Coverage and impact of training: who completed a course, where, and which offices are
covered.

Every figure is computed by the database (grouped counts), in a fixed number of queries
whatever the number of participants, and every figure has a list behind it built from the
same filtered querysets, so that a click-through list always shows as many rows as the
figure says.

Definitions (also in docs/how-to/read-the-coverage-dashboard.md):

- a **person trained** completed at least one course: their result in a cohort of the
  institution was closed as *completed* (the course's attendance and pass-mark rules);
  cancelled cohorts do not count, nor do the courses of degree programmes (a Master's or
  Doctorate student is not counted as trained by a course of the degree; the programme's
  page reports its students and graduates);
- the **year** is the year the cohort ended; a person trained in two years counts once in
  each year, and once in the total;
- **sex, organisation kind and province** are the person's current ones; the province is the
  area of their organisation walked up to the province (a district office's area is a
  district, whose parent is the province);
- an office is **covered** when at least *N* of its current staff completed a course;
- a **trainer** led or co-trained a cohort of the institution;
- **alumni** of an external programme are people of the institution (its staff, or its
  trainers) who completed it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import BigIntegerField, Case, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils import translation

from plancampus.core.models import Area, AreaKind, Organisation, OrganisationKind, Person, Sex
from plancampus.training.models import (
    Cohort,
    CohortStatus,
    Enrolment,
    ExternalParticipation,
    ExternalProgramme,
    ParticipationResult,
    ResultStatus,
    TrainerProfile,
)

OFFICE_KINDS = (OrganisationKind.PROVINCIAL_OFFICE, OrganisationKind.DISTRICT_OFFICE)
MAX_THRESHOLD = 1000

# The province of a person's organisation, from its area (province, district or commune).
PROVINCE_OF_PERSON = Case(
    When(organisation__area__kind=AreaKind.PROVINCE, then=F("organisation__area_id")),
    When(organisation__area__kind=AreaKind.DISTRICT, then=F("organisation__area__parent_id")),
    When(
        organisation__area__kind=AreaKind.COMMUNE,
        then=F("organisation__area__parent__parent_id"),
    ),
    default=Value(None),
    output_field=BigIntegerField(),
)


PROVINCE_OF_ORGANISATION = Case(
    When(area__kind=AreaKind.PROVINCE, then=F("area_id")),
    When(area__kind=AreaKind.DISTRICT, then=F("area__parent_id")),
    When(area__kind=AreaKind.COMMUNE, then=F("area__parent__parent_id")),
    default=Value(None),
    output_field=BigIntegerField(),
)


def _int(value: str | None, *, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


@dataclass(frozen=True)
class CoverageFilters:
    """The filters of the dashboard and of every list behind it (from the query string)."""

    institution: int | None = None
    year: int | None = None
    sex: str = ""
    province: int | None = None
    kind: str = ""
    organisation: int | None = None
    course: str = ""
    threshold: int = 1

    @classmethod
    def from_query(cls, params: QueryDict | dict[str, str]) -> CoverageFilters:
        """Read the filters leniently: a value that makes no sense is ignored."""
        sex = params.get("sex", "")
        kind = params.get("kind", "")
        course = (params.get("course", "") or "")[:60]
        return cls(
            institution=_int(params.get("institution"), low=1, high=2**62),
            year=_int(params.get("year"), low=1900, high=2200),
            sex=sex if sex in Sex.values else "",
            province=_int(params.get("province"), low=1, high=2**62),
            kind=kind if kind in OrganisationKind.values else "",
            organisation=_int(params.get("organisation"), low=1, high=2**62),
            course=course if course.replace("-", "").replace("_", "").isalnum() else "",
            threshold=_int(params.get("n"), low=1, high=MAX_THRESHOLD) or 1,
        )

    def params(self, **changes: object) -> dict[str, str]:
        """The query-string parameters of these filters, with ``changes`` applied."""
        merged = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "institution": merged.institution,
            "year": merged.year,
            "sex": merged.sex,
            "province": merged.province,
            "kind": merged.kind,
            "organisation": merged.organisation,
            "course": merged.course,
            "n": merged.threshold if merged.threshold != 1 else None,
        }
        return {k: str(v) for k, v in pairs.items() if v not in (None, "")}

    def query(self, **changes: object) -> str:
        return urlencode(self.params(**changes))

    @property
    def is_narrowed(self) -> bool:
        """Whether a filter other than the institution and the threshold is set."""
        return bool(
            self.year or self.sex or self.province or self.kind or self.organisation or self.course
        )


# -- querysets behind the figures ----------------------------------------------------------


def _organisations_q(filters: CoverageFilters) -> Q:
    """The organisation filters (kind, province, one organisation) on Organisation."""
    q = Q()
    if filters.kind:
        q &= Q(kind=filters.kind)
    if filters.organisation:
        q &= Q(pk=filters.organisation)
    if filters.province:
        p = filters.province
        q &= Q(area_id=p) | Q(area__parent_id=p) | Q(area__parent__parent_id=p)
    return q


def _person_q(filters: CoverageFilters, prefix: str = "") -> Q:
    """The person filters; the organisation ones become a small subquery on organisations,
    so that the database does not join every person to areas."""
    q = Q()
    if filters.sex:
        q &= Q(**{f"{prefix}sex": filters.sex})
    if filters.kind or filters.organisation or filters.province:
        organisations = Organisation.objects.filter(_organisations_q(filters)).values("pk")
        q &= Q(**{f"{prefix}organisation_id__in": organisations})
    return q


def scope_cohorts(
    institution_ids: frozenset[int] | None, filters: CoverageFilters
) -> QuerySet[Cohort]:
    """The cohorts a report covers: the institutions', not cancelled, of the year and course
    (short courses: the courses of degree programmes are left out)."""
    cohorts = Cohort.objects.exclude(status=CohortStatus.CANCELLED).outside_degree_programmes()
    if institution_ids is not None:
        cohorts = cohorts.filter(institution_id__in=sorted(institution_ids))
    if filters.year:
        cohorts = cohorts.filter(end_date__year=filters.year)
    if filters.course:
        cohorts = cohorts.filter(course__code=filters.course)
    return cohorts


def completions(
    institution_ids: frozenset[int] | None, filters: CoverageFilters
) -> QuerySet[Enrolment]:
    """Completed enrolments matching the filters (short courses only, as the cohorts)."""
    qs = (
        Enrolment.objects.filter(result_status=ResultStatus.COMPLETED)
        .exclude(cohort__status=CohortStatus.CANCELLED)
        .outside_degree_programmes()
    )
    if institution_ids is not None:
        qs = qs.filter(cohort__institution_id__in=sorted(institution_ids))
    if filters.year:
        qs = qs.filter(cohort__end_date__year=filters.year)
    if filters.course:
        qs = qs.filter(cohort__course__code=filters.course)
    return qs.filter(_person_q(filters, "person__"))


def people_trained(
    institution_ids: frozenset[int] | None, filters: CoverageFilters
) -> QuerySet[Person]:
    """People who completed at least one course, matching the filters (the list behind every
    "people trained" figure)."""
    return Person.objects.filter(
        pk__in=completions(institution_ids, filters).values("person_id")
    ).filter(_person_q(filters))


def trainer_ids(institution_ids: frozenset[int] | None, filters: CoverageFilters) -> set[int]:
    """Ids of the people who led or co-trained a cohort in scope (two small queries)."""
    cohorts = scope_cohorts(institution_ids, filters)
    ids = set(cohorts.exclude(lead_trainer=None).values_list("lead_trainer_id", flat=True))
    ids |= set(
        Cohort.co_trainers.through.objects.filter(cohort__in=cohorts).values_list(
            "person_id", flat=True
        )
    )
    return ids


def trainers(institution_ids: frozenset[int] | None, filters: CoverageFilters) -> QuerySet[Person]:
    """People who led or co-trained a cohort in scope."""
    cohorts = scope_cohorts(institution_ids, filters)
    co = Cohort.co_trainers.through.objects.filter(cohort__in=cohorts).values("person_id")
    return Person.objects.filter(Q(pk__in=cohorts.values("lead_trainer_id")) | Q(pk__in=co)).filter(
        _person_q(filters)
    )


def institution_people(institution_ids: frozenset[int] | None) -> QuerySet[Person]:
    """People of the institutions: their staff, and their trainers (profiles)."""
    if institution_ids is None:
        return Person.objects.filter(
            Q(organisation__kind=OrganisationKind.TRAINING_INSTITUTION)
            | Q(pk__in=TrainerProfile.objects.values("person_id"))
        )
    ids = sorted(institution_ids)
    return Person.objects.filter(
        Q(organisation_id__in=ids)
        | Q(pk__in=TrainerProfile.objects.filter(institution_id__in=ids).values("person_id"))
    )


def alumni(
    institution_ids: frozenset[int] | None,
    *,
    programme: int | None = None,
    completed_only: bool = True,
    trainers_only: bool = False,
) -> QuerySet[ExternalParticipation]:
    """Participations of the institutions' people in external programmes."""
    qs = ExternalParticipation.objects.filter(
        person__in=institution_people(institution_ids).values("pk")
    )
    if programme:
        qs = qs.filter(programme_id=programme)
    if completed_only:
        qs = qs.filter(result=ParticipationResult.COMPLETED)
    if trainers_only:
        qs = qs.filter(person__in=_trainer_ids(institution_ids))
    return qs


def _trainer_ids(institution_ids: frozenset[int] | None) -> QuerySet[Person]:
    """Trainers of the institutions: with a profile, or who taught a cohort (any year)."""
    profiles = TrainerProfile.objects.all()
    if institution_ids is not None:
        profiles = profiles.filter(institution_id__in=sorted(institution_ids))
    taught = trainers(institution_ids, CoverageFilters())
    return Person.objects.filter(
        Q(pk__in=profiles.values("person_id")) | Q(pk__in=taught.values("pk"))
    ).values("pk")


def scope_countries(institution_ids: frozenset[int] | None) -> list[int]:
    institutions = Organisation.objects.of_kind(OrganisationKind.TRAINING_INSTITUTION)
    if institution_ids is not None:
        institutions = Organisation.objects.filter(pk__in=sorted(institution_ids))
    return sorted(
        {c for c in institutions.values_list("country_id", flat=True).distinct() if c is not None}
    )


def offices(country_ids: list[int], filters: CoverageFilters, kind: str) -> QuerySet[Organisation]:
    """The offices of a kind in the countries, within the province filter."""
    qs = Organisation.objects.filter(country_id__in=country_ids, kind=kind)
    if filters.province:
        qs = qs.filter(Q(area_id=filters.province) | Q(area__parent_id=filters.province))
    if filters.kind and filters.kind != kind:
        qs = qs.none()
    return qs


def office_counts(
    institution_ids: frozenset[int] | None, filters: CoverageFilters, kind: str
) -> dict[int, int]:
    """People trained per office of ``kind``: ``{organisation id: count}`` (one query)."""
    people = people_trained(institution_ids, filters).filter(organisation__kind=kind)
    return dict(
        people.values_list("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )


# -- the dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One figure of a breakdown, with the filters of the list behind it."""

    key: str
    label: str
    count: int
    query: str
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class OfficeCoverage:
    kind: str
    label: str
    total: int
    covered: int
    people: int
    query: str

    @property
    def share(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100) * self.covered / self.total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True)
class ProgrammeAlumni:
    programme: ExternalProgramme
    participants: int
    alumni: int
    alumni_trainers: int


@dataclass
class Coverage:
    filters: CoverageFilters
    people: int
    synthetic_people: int
    by_year: list[Bar]
    by_sex: list[Bar]
    by_kind: list[Bar]
    by_province: list[Bar]
    offices: list[OfficeCoverage]
    trainers: int
    trainer_profiles: int
    programmes: list[ProgrammeAlumni]
    years: list[int]
    provinces: list[tuple[int, str]]

    @property
    def all_synthetic(self) -> bool:
        return bool(self.people) and self.people == self.synthetic_people


def coverage_compute(
    *, institution_ids: frozenset[int] | None, filters: CoverageFilters
) -> Coverage:
    """Every figure of the coverage dashboard, in a fixed number of queries."""
    country_ids = scope_countries(institution_ids)
    province_rows = list(
        Area.objects.filter(country_id__in=country_ids, kind=AreaKind.PROVINCE)
        .order_by("code")
        .values_list("pk", "name_en", "name_fr", "name_km")
    )
    province_names = {pk: _display(en, fr, km) for pk, en, fr, km in province_rows}

    # People trained, by organisation and sex (each person falls in exactly one group), then
    # the kind and province of those organisations: two light queries rather than a join of
    # every person to organisations and areas.
    by_organisation = list(
        people_trained(institution_ids, filters)
        .values_list("organisation_id", "sex", "is_synthetic")
        .annotate(n=Count("pk"))
        .order_by()
    )
    organisation_ids = sorted({row[0] for row in by_organisation if row[0] is not None})
    where = {
        pk: (kind, province)
        for pk, kind, province in Organisation.objects.filter(pk__in=organisation_ids)
        .annotate(province_id=PROVINCE_OF_ORGANISATION)
        .values_list("pk", "kind", "province_id")
    }
    groups = [
        (sex, *where.get(organisation_id, ("", None)), organisation_id, synthetic, n)
        for organisation_id, sex, synthetic, n in by_organisation
    ]
    total = sum(g[-1] for g in groups)
    synthetic = sum(g[-1] for g in groups if g[4])

    def tally(index: int) -> dict[object, int]:
        counts: dict[object, int] = {}
        for g in groups:
            counts[g[index]] = counts.get(g[index], 0) + g[-1]
        return counts

    by_sex_counts = tally(0)
    by_sex = [
        Bar(code, str(label), by_sex_counts.get(code, 0), filters.query(sex=code))
        for code, label in Sex.choices
    ]
    by_kind_counts = tally(1)
    by_kind = [
        Bar(code, str(label), by_kind_counts.get(code, 0), filters.query(kind=code))
        for code, label in OrganisationKind.choices
        if by_kind_counts.get(code) or code in OFFICE_KINDS
    ]
    by_province_counts = tally(2)
    by_province = [
        Bar(str(pk), province_names[pk], by_province_counts.get(pk, 0), filters.query(province=pk))
        for pk, *_names in province_rows
        if not filters.province or filters.province == pk
    ]

    # By year (a person may count in several years), split by sex; a person has one sex, so
    # the year's total is the sum of its two counts.
    year_rows = (
        completions(institution_ids, filters)
        .annotate(year=ExtractYear("cohort__end_date"))
        .values_list("year", "person__sex")
        .annotate(n=Count("person_id", distinct=True))
        .order_by("year")
    )
    per_year: dict[int, dict[str, int]] = {}
    for year, sex, n in year_rows:
        per_year.setdefault(year, {})[sex] = n
    by_year = [
        Bar(
            str(year),
            str(year),
            sum(sexes.values()),
            filters.query(year=year),
            extra={
                "F": sexes.get("F", 0),
                "M": sexes.get("M", 0),
                "F_query": filters.query(year=year, sex="F"),
                "M_query": filters.query(year=year, sex="M"),
            },
        )
        for year, sexes in sorted(per_year.items())
    ]

    # Offices with at least N staff trained, against all offices of the kind.
    office_totals = dict(
        Organisation.objects.filter(country_id__in=country_ids, kind__in=OFFICE_KINDS)
        .filter(
            Q(area_id=filters.province) | Q(area__parent_id=filters.province)
            if filters.province
            else Q()
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "n")
    )
    per_office: dict[int, tuple[str, int]] = {}
    for _sex, kind, _province, organisation_id, _synthetic, n in groups:
        if kind in OFFICE_KINDS:
            previous = per_office.get(organisation_id, (kind, 0))[1]
            per_office[organisation_id] = (kind, previous + n)
    office_rows = []
    for kind in OFFICE_KINDS:
        counts = [n for k, n in per_office.values() if k == kind]
        total_offices = 0 if filters.kind and filters.kind != kind else office_totals.get(kind, 0)
        office_rows.append(
            OfficeCoverage(
                kind=kind,
                label=str(OrganisationKind(kind).label),
                total=total_offices,
                covered=sum(1 for n in counts if n >= filters.threshold),
                people=sum(counts),
                query=filters.query(kind=kind),
            )
        )

    taught = trainer_ids(institution_ids, filters)
    if filters.sex or filters.kind or filters.organisation or filters.province:
        trainer_count = Person.objects.filter(pk__in=taught).filter(_person_q(filters)).count()
    else:
        trainer_count = len(taught)
    profiles = TrainerProfile.objects.active()
    if institution_ids is not None:
        profiles = profiles.for_institutions(institution_ids)
    profile_count = profiles.count()

    # External programmes: participants, alumni, and alumni among the trainers.
    everyone = alumni(institution_ids, completed_only=False)
    completed = Q(result=ParticipationResult.COMPLETED)
    programme_rows = (
        everyone.values_list("programme_id")
        .annotate(
            participants=Count("person_id", distinct=True),
            alumni=Count("person_id", distinct=True, filter=completed),
            alumni_trainers=Count(
                "person_id",
                distinct=True,
                filter=completed & Q(person__in=_trainer_ids(institution_ids)),
            ),
        )
        .order_by()
    )
    counts_by_programme = {row[0]: row[1:] for row in programme_rows}
    programmes = [
        ProgrammeAlumni(p, *counts_by_programme[p.pk])
        for p in ExternalProgramme.objects.filter(pk__in=list(counts_by_programme)).select_related(
            "provider"
        )
    ]

    years = sorted(
        {
            d.year
            for d in scope_cohorts(institution_ids, replace(filters, year=None)).dates(
                "end_date", "year"
            )
        }
    )
    return Coverage(
        filters=filters,
        people=total,
        synthetic_people=synthetic,
        by_year=by_year,
        by_sex=by_sex,
        by_kind=by_kind,
        by_province=by_province,
        offices=office_rows,
        trainers=trainer_count,
        trainer_profiles=profile_count,
        programmes=programmes,
        years=years,
        provinces=[(pk, province_names[pk]) for pk, *_ in province_rows],
    )


def _display(en: str, fr: str, km: str) -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return {"fr": fr, "km": km}.get(language) or en


# -- a short-lived cache of the figures -----------------------------------------------------


def _fingerprint(institution_ids: frozenset[int] | None) -> tuple[object, ...]:
    """What changes when figures may change: cohorts added or closed, trainer profiles and
    external participations recorded (three small aggregate queries)."""
    cohorts = Cohort.objects.all()
    if institution_ids is not None:
        cohorts = cohorts.filter(institution_id__in=sorted(institution_ids))
    return (
        tuple(
            cohorts.aggregate(
                n=Count("pk"), closed=Max("closed_at"), made=Max("created_at")
            ).values()
        ),
        tuple(TrainerProfile.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(
            ExternalParticipation.objects.aggregate(n=Count("pk"), last=Max("created_at")).values()
        ),
    )


def coverage_cached(
    *, institution_ids: frozenset[int] | None, filters: CoverageFilters
) -> Coverage:
    """:func:`coverage_compute`, kept for ``PLANCAMPUS_REPORTS_CACHE_SECONDS`` (60 s by
    default; 0 turns the cache off) in the process's cache.

    Closing a cohort's results, adding a cohort, a trainer profile or an external
    participation shows at once (they change the fingerprint the cached figures carry);
    other changes to the directory (someone moving to another office) show within the delay.
    """
    seconds = int(getattr(settings, "PLANCAMPUS_REPORTS_CACHE_SECONDS", 60))
    if seconds <= 0:
        return coverage_compute(institution_ids=institution_ids, filters=filters)
    scope = "all" if institution_ids is None else ",".join(map(str, sorted(institution_ids)))
    language = (translation.get_language() or "en").split("-")[0]
    raw = f"{language}|{scope}|{filters.query()}"
    key = "reports:coverage:" + hashlib.sha256(raw.encode()).hexdigest()
    stamp = _fingerprint(institution_ids)
    found = cache.get(key)
    if found is not None and found[0] == stamp:
        return found[1]
    # One thread of the process computes; the others asking for the same figures meanwhile
    # wait for its result instead of running the same heavy queries side by side.
    with _LOCKS[int(key[-8:], 16) % len(_LOCKS)]:
        found = cache.get(key)
        if found is not None and found[0] == stamp:
            return found[1]
        coverage = coverage_compute(institution_ids=institution_ids, filters=filters)
        cache.set(key, (stamp, coverage), seconds)
    return coverage


_LOCKS = [threading.Lock() for _ in range(32)]
