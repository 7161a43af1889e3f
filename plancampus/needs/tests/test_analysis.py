"""The analysis of a campaign: gaps, ranking, groups, comparison with a baseline."""

import pytest

from plancampus.needs.services.analysis import analyse, campaign_data_load, compare
from plancampus.needs.tests.factories import fill, make_campaign

pytestmark = pytest.mark.django_db


def test_ranking_and_gaps(answered):
    result = analyse(campaign_data_load(answered))
    assert result.respondent_count == 3
    top = result.needs[0]
    assert top.competency.code == "sector_plan_preparation"
    # Importance 5, 5, 4 (mean 4.67); current 1, 2, 2: discrepancies 4, 3, 2 (mean 3).
    assert top.mwds == pytest.approx(14.0)
    assert top.mean_current == pytest.approx(5 / 3)
    # Planning officers require 4, the director 3: gaps 3, 2, 1 → mean 2, everyone below.
    assert top.mean_gap == pytest.approx(2.0)
    assert top.share_below == pytest.approx(1.0)
    by_role = {g.label_object.code: g for g in result.by_role}
    assert set(by_role) == {"provincial_planning_officer", "provincial_office_director"}
    assert by_role["provincial_planning_officer"].respondents == 2
    # Organisational items are apart from the individual ranking.
    assert {i.competency.code for i in result.organisational} == {
        "planning_unit_staffing",
        "emis_data_system",
        "school_support",
        "planning_mandate",
        "budget_allocation_rules",
    }
    assert all(n.competency.capacity_level == "individual" for n in result.needs)
    assert result.organisational[0].gap == pytest.approx(1.0)  # default desired 4, current 3


def test_drafts_are_left_out(campaign):
    result = analyse(campaign_data_load(campaign))
    assert result.respondent_count == 0
    assert all(n.n == 0 for n in result.needs)


def test_comparison_with_baseline(institution, office, answered):
    again = make_campaign(institution, [office], code="poe-2027", baseline=answered, year=2027)
    by_person = {r.person_id: r for r in again.respondents.all()}
    for old in answered.respondents.filter(status="submitted"):
        fill(by_person[old.person_id], {"sector_plan_preparation": (5, 4)})
    comparison = compare(analyse(campaign_data_load(answered)), analyse(campaign_data_load(again)))
    assert comparison.people_in_both == 3
    moved = {m.competency.code: m for m in comparison.movements}
    assert moved["sector_plan_preparation"].change == pytest.approx(4 - 5 / 3)
    assert comparison.improved >= 2


def test_questionnaires_without_a_packed_copy_are_read_from_their_answers(answered):
    packed = analyse(campaign_data_load(answered))
    answered.respondents.update(answers_packed="")
    unpacked = analyse(campaign_data_load(answered))
    assert [n.mwds for n in unpacked.needs] == [n.mwds for n in packed.needs]
    assert unpacked.respondent_count == 3


def test_a_recent_analysis_is_served_while_answers_keep_arriving(answered, campaign):
    from django.core.cache import cache

    from plancampus.needs.services.analysis import campaign_analysis

    cache.clear()
    first = campaign_analysis(answered)
    assert first.computed_at is not None
    answered.touch_answers()
    assert campaign_analysis(answered) is not None
    assert campaign_analysis(answered).key == first.key  # recent: served as it was
    fresh = campaign_analysis(answered, fresh=True)
    assert fresh.key != first.key
