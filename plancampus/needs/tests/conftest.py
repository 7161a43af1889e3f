import datetime as dt
from decimal import Decimal

import pytest

from plancampus.needs.models import (
    CapacityPlan,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    InterventionKind,
    Objective,
)
from plancampus.needs.tests.factories import fill, make_campaign


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the analysis is cached per campaign id (and a
    recent one served for 10 s), and the database gives the same ids again from one test to
    the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def campaign(institution, office):
    """An open campaign over the Siemreap office: four staff invited, one not (an inspector)."""
    return make_campaign(
        institution,
        [office],
        people=[
            ("Sok Dara", "Planning officer"),
            ("Chan Thida", "Planning officer"),
            ("Keo Vannak", "Director"),
            ("Ly Malis", "Finance officer"),
            ("Meas Rithy", "Inspector"),
        ],
    )


@pytest.fixture
def answered(campaign):
    """The campaign with three questionnaires submitted and one left untouched."""
    by_name = {r.person.name_latin: r for r in campaign.respondents.select_related("person")}
    fill(by_name["Sok Dara"], {"sector_plan_preparation": (5, 1), "teacher_management": (4, 2)})
    fill(by_name["Chan Thida"], {"sector_plan_preparation": (5, 2), "teacher_management": (5, 1)})
    fill(by_name["Keo Vannak"], {"sector_plan_preparation": (4, 2)})
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def participant_respondent(campaign, participant):
    """The participant persona is one of the invited people (the finance officer)."""
    respondent = campaign.respondents.get(person__name_latin="Ly Malis")
    participant.person = respondent.person
    participant.save()
    return respondent


@pytest.fixture
def plan(answered, institution):
    """A plan answering the campaign: one objective, indicator (20 → 60 → 100) and course."""
    plan = CapacityPlan.objects.create(
        institution=institution,
        campaign=answered,
        name_en="Capacity plan 2026-2028",
        name_km="ផែនការអភិវឌ្ឍសមត្ថភាព",
        start_year=2026,
        end_year=2028,
    )
    objective = Objective.objects.create(
        plan=plan, name_en="Offices prepare their plans", name_km="មន្ទីររៀបចំផែនការដោយខ្លួនឯង"
    )
    objective.gaps.set([answered.framework.competencies.get(code="sector_plan_preparation")])
    indicator = Indicator.objects.create(
        objective=objective,
        name_en="Offices with a plan",
        unit="%",
        baseline_value=Decimal(20),
        baseline_year=2026,
        target_value=Decimal(100),
        target_year=2028,
    )
    IndicatorMeasurement.objects.create(
        indicator=indicator, measured_on=dt.date(2027, 1, 1), value=Decimal(60)
    )
    Intervention.objects.create(
        objective=objective,
        kind=InterventionKind.TRAINING,
        name_en="Planning course",
        name_km="វគ្គរៀបចំផែនការ",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 9, 1),
        cost=Decimal(12000),
    )
    return plan
