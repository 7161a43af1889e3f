"""Coverage figures on a small hand-built dataset: exact counts, the N threshold, the province
roll-up, and lists behind the figures that show as many rows as the figures say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from plancampus.core.models import AreaKind, OrganisationKind
from plancampus.core.tests.factories import (
    AreaFactory,
    CountryFactory,
    InstitutionFactory,
    OrganisationFactory,
    PersonFactory,
)
from plancampus.reports.services.coverage import CoverageFilters, coverage_compute
from plancampus.training.models import (
    ExternalParticipation,
    ExternalProgramme,
    ExternalProgrammeKind,
    ResultStatus,
    TrainerProfile,
)
from plancampus.training.tests import builders_trainers as b

D = dt.date


@pytest.fixture
def world(institution, office, province, country):
    """Two provinces (17 and 01), a provincial and a district office in each; five people
    trained by NIE in 2023 and 2024; a trainer who is an ATP alumnus; another institution."""
    p01 = AreaFactory(country=country, code="01", name_en="Banteay Meanchey", name_km="បន្ទាយមានជ័យ")
    d1701 = AreaFactory(
        country=country, code="1701", kind=AreaKind.DISTRICT, parent=province, name_en="Angkor"
    )
    d0101 = AreaFactory(
        country=country, code="0101", kind=AreaKind.DISTRICT, parent=p01, name_en="Mongkol"
    )
    poe01 = OrganisationFactory(country=country, code="POE-01", area=p01)
    doe1701 = OrganisationFactory(
        country=country, code="DOE-1701", area=d1701, kind=OrganisationKind.DISTRICT_OFFICE
    )
    OrganisationFactory(
        country=country, code="DOE-0101", area=d0101, kind=OrganisationKind.DISTRICT_OFFICE
    )
    a = PersonFactory(organisation=office, sex="F", name_latin="A Sok")
    b_ = PersonFactory(organisation=office, sex="F", name_latin="B Sok")
    c = PersonFactory(organisation=office, sex="M", name_latin="C Sok")
    d = PersonFactory(organisation=doe1701, sex="F", name_latin="D Sok")
    x = PersonFactory(organisation=poe01, sex="M", name_latin="X Sok")
    trainer = PersonFactory(organisation=institution, sex="M", name_latin="T Trainer")
    staff = PersonFactory(organisation=institution, sex="F", name_latin="S Staff")
    course = b.course(institution, code="epm-fundamentals")
    c2023 = b.cohort(course, start=D(2023, 3, 1), end=D(2023, 3, 20), lead=trainer)
    b.enrol(c2023, [a, b_, d])
    b.enrol(c2023, [x], result=ResultStatus.NOT_COMPLETED)
    c2024 = b.cohort(course, start=D(2024, 3, 1), end=D(2024, 3, 20), lead=trainer)
    b.enrol(c2024, [a, c, x])
    cancelled = b.cohort(course, start=D(2024, 6, 1), lead=trainer, status="cancelled")
    b.enrol(cancelled, [PersonFactory(organisation=office)])

    # Another institution (same country) and its completers.
    other = InstitutionFactory(country=country, code="OTHER")
    other_person = PersonFactory(organisation=other)
    b.enrol(
        b.cohort(b.course(other), start=D(2024, 1, 1), lead=other_person),
        [PersonFactory(organisation=poe01, sex="F")],
    )

    iiep = OrganisationFactory(country=None, kind="partner", code="IIEP-TEST")
    atp = ExternalProgramme.objects.create(
        provider=iiep, code="atp", kind=ExternalProgrammeKind.ADVANCED_TRAINING, name_en="ATP"
    )
    scp = ExternalProgramme.objects.create(
        provider=iiep, code="scp", kind=ExternalProgrammeKind.SPECIALIZED_COURSES, name_en="SCP"
    )
    TrainerProfile.objects.create(person=trainer, institution=institution)
    ExternalParticipation.objects.create(
        person=trainer, programme=atp, year=2012, result="completed"
    )
    ExternalParticipation.objects.create(person=staff, programme=scp, year=2015, result="attended")
    ExternalParticipation.objects.create(
        person=other_person, programme=atp, year=2014, result="completed"
    )
    return {
        "a": a, "b": b_, "c": c, "d": d, "x": x, "p01": p01, "province": province,
        "poe01": poe01, "atp": atp, "scp": scp, "other": other, "institution": institution,
    }  # fmt: skip


def _compute(world, **filters):
    return coverage_compute(
        institution_ids=frozenset({world["institution"].pk}), filters=CoverageFilters(**filters)
    )


def _bars(bars):
    return {bar.label: bar.count for bar in bars}


def test_people_trained_by_year_sex_kind_and_province(world):
    coverage = _compute(world)
    assert coverage.people == 5
    assert [(bar.label, bar.count, bar.extra["F"], bar.extra["M"]) for bar in coverage.by_year] == [
        ("2023", 3, 3, 0),
        ("2024", 3, 1, 2),
    ]
    assert _bars(coverage.by_sex) == {"Female": 3, "Male": 2}
    kinds = _bars(coverage.by_kind)
    assert kinds["Provincial office of education"] == 4
    assert kinds["District office of education"] == 1
    # The district office's person counts in its province (17).
    assert _bars(coverage.by_province) == {"Siemreap": 4, "Banteay Meanchey": 1}
    assert coverage.trainers == 1
    assert coverage.trainer_profiles == 1
    assert coverage.synthetic_people == 0


def test_offices_covered_depend_on_the_threshold(world):
    def offices(n):
        coverage = _compute(world, threshold=n)
        return {o.kind: (o.covered, o.total, o.people) for o in coverage.offices}

    assert offices(1) == {"provincial_office": (2, 2, 4), "district_office": (1, 2, 1)}
    assert offices(2) == {"provincial_office": (1, 2, 4), "district_office": (0, 2, 1)}
    assert offices(3) == {"provincial_office": (1, 2, 4), "district_office": (0, 2, 1)}
    assert offices(4) == {"provincial_office": (0, 2, 4), "district_office": (0, 2, 1)}
    share = _compute(world).offices[1].share
    assert share is not None
    assert share == 50


def test_filters_narrow_every_figure(world):
    coverage = _compute(world, year=2024)
    assert coverage.people == 3
    assert _bars(coverage.by_province) == {"Siemreap": 2, "Banteay Meanchey": 1}
    coverage = _compute(world, province=world["p01"].pk)
    assert coverage.people == 1
    assert {o.kind: (o.covered, o.total) for o in coverage.offices} == {
        "provincial_office": (1, 1),
        "district_office": (0, 1),
    }
    assert _compute(world, sex="F").people == 3
    assert _compute(world, kind="district_office").people == 1
    assert _compute(world, course="nothing-like-it").people == 0


def test_alumni_are_the_institutions_people(world):
    coverage = _compute(world)
    by_code = {p.programme.code: p for p in coverage.programmes}
    assert (by_code["atp"].participants, by_code["atp"].alumni) == (1, 1)
    assert by_code["atp"].alumni_trainers == 1
    assert (by_code["scp"].participants, by_code["scp"].alumni) == (1, 0)
    everyone = coverage_compute(institution_ids=None, filters=CoverageFilters())
    assert {p.programme.code: p.alumni for p in everyone.programmes}["atp"] == 2


def test_the_specialist_sees_every_institution(world):
    coverage = coverage_compute(institution_ids=None, filters=CoverageFilters())
    assert coverage.people == 6
    assert coverage.trainers == 2


def test_filters_read_leniently():
    filters = CoverageFilters.from_query(
        {"year": "20x4", "sex": "Q", "n": "0", "province": "-3", "kind": "nope", "course": "a b"}
    )
    assert filters == CoverageFilters()
    filters = CoverageFilters.from_query({"year": "2024", "sex": "F", "n": "3"})
    assert filters.query() == "year=2024&sex=F&n=3"
    assert filters.query(sex="M") == "year=2024&sex=M&n=3"


# -- the lists behind the figures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 5),
        ({"year": "2023"}, 3),
        ({"year": "2024", "sex": "M"}, 2),
        ({"kind": "district_office"}, 1),
        ({"province": "P17"}, 4),
        ({"province": "P01"}, 1),
    ],
)
def test_people_list_matches_the_figure(world, coordinator, client_for, query, expected):
    query = dict(query)
    if query.get("province") == "P17":
        query["province"] = str(world["province"].pk)
    elif query.get("province") == "P01":
        query["province"] = str(world["p01"].pk)
    filters = CoverageFilters.from_query(query)
    assert _compute(world, **dict(filters.__dict__.items())).people == expected
    response = client_for(coordinator).get(reverse("reports:people"), query)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == expected


def test_dashboard_links_lead_to_lists_with_the_same_counts(world, coordinator, client_for):
    client = client_for(coordinator)
    response = client.get(reverse("reports:coverage-dashboard"))
    assert response.status_code == 200
    coverage = response.context["coverage"]
    for bar in coverage.by_province + coverage.by_sex + coverage.by_kind:
        listed = client.get(reverse("reports:people") + "?" + bar.query)
        assert listed.context["page"].paginator.count == bar.count, bar
    for office in coverage.offices:
        listed = client.get(reverse("reports:offices") + "?" + office.query + "&covered=yes")
        assert listed.context["page"].paginator.count == office.covered
        listed = client.get(reverse("reports:offices") + "?" + office.query)
        assert listed.context["page"].paginator.count == office.total
    listed = client.get(reverse("reports:trainers"))
    assert listed.context["page"].paginator.count == coverage.trainers
    for item in coverage.programmes:
        listed = client.get(reverse("reports:alumni"), {"programme": item.programme.pk})
        assert listed.context["page"].paginator.count == item.alumni
        listed = client.get(
            reverse("reports:alumni"), {"programme": item.programme.pk, "which": "all"}
        )
        assert listed.context["page"].paginator.count == item.participants
    html = response.content.decode()
    assert 'type="application/json"' in html  # chart specs for vega-embed
    assert "reports:people" not in html


def test_threshold_from_the_query_string(world, coordinator, client_for):
    response = client_for(coordinator).get(reverse("reports:coverage-dashboard"), {"n": "2"})
    offices = {o.kind: o.covered for o in response.context["coverage"].offices}
    assert offices == {"provincial_office": 1, "district_office": 0}


def test_synthetic_records_are_labelled(world, coordinator, client_for):
    world["a"].is_synthetic = True
    world["a"].save()
    response = client_for(coordinator).get(reverse("reports:coverage-dashboard"))
    assert response.context["coverage"].synthetic_people == 1
    assert "synthetic demo records" in response.content.decode()


def test_other_countries_offices_are_not_counted(world):
    elsewhere = CountryFactory(iso_code="LAO", name_en="Elsewhere")
    OrganisationFactory(country=elsewhere, code="POE-LAO")
    coverage = _compute(world)
    assert {o.kind: o.total for o in coverage.offices}["provincial_office"] == 2


def test_charts_carry_their_rows_and_links(world):
    from plancampus.reports.services.charts import coverage_charts

    coverage = _compute(world)
    charts = coverage_charts(coverage, "/reports/coverage/people/")
    year_rows = charts["year"]["data"]["values"]
    assert [(r["year"], r["sex"], r["people"]) for r in year_rows] == [
        ("2023", "Female", 3),
        ("2023", "Male", 0),
        ("2024", "Female", 1),
        ("2024", "Male", 2),
    ]
    assert year_rows[0]["url"] == "/reports/coverage/people/?year=2023&sex=F"
    assert charts["year"]["encoding"]["href"]["field"] == "url"
    provinces = charts["province"]["data"]["values"]
    assert [(r["label"], r["people"]) for r in provinces] == [
        ("Banteay Meanchey", 1),
        ("Siemreap", 4),
    ]
    assert charts["province"]["height"] == 60
    # The cached skeleton is not shared between requests' rows.
    again = coverage_charts(_compute(world, year=2024), "/p/")
    assert again["year"]["data"]["values"][0]["year"] == "2024"
    assert charts["year"]["data"]["values"][0]["year"] == "2023"


def test_cached_figures_follow_closed_cohorts(world, settings, django_assert_max_num_queries):
    from django.core.cache import cache

    from plancampus.reports.services.coverage import coverage_cached

    cache.clear()
    settings.PLANCAMPUS_REPORTS_CACHE_SECONDS = 60
    scope = frozenset({world["institution"].pk})
    first = coverage_cached(institution_ids=scope, filters=CoverageFilters())
    assert first.people == 5
    with django_assert_max_num_queries(3):  # the fingerprint only
        again = coverage_cached(institution_ids=scope, filters=CoverageFilters())
    assert again.people == 5
    # Another filter or language is another entry.
    assert coverage_cached(institution_ids=scope, filters=CoverageFilters(year=2024)).people == 3
    # Closing a new cohort shows at once.
    later = b.cohort(b.course(world["institution"]), start=D(2025, 1, 6))
    b.enrol(later, [PersonFactory(organisation=world["poe01"])])
    assert coverage_cached(institution_ids=scope, filters=CoverageFilters()).people == 6
    cache.clear()
