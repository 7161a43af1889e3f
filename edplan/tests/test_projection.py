from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import edplan
from edplan import ScenarioError, project
from edplan.export import projection_xlsx

from .conftest import rows_to_records
from .test_properties import MINI, flow_data

SCENARIO: dict[str, Any] = {"name": "s", "base_year": "2023-24", "final_year": "2026-27"}


@pytest.fixture(scope="module")
def districts() -> edplan.Dataset:
    rng = np.random.default_rng(7)
    return edplan.read_dataset(rows_to_records(flow_data(rng, ["D1", "D2", "D3"])), MINI)


def test_areas_all_each_and_list(districts: edplan.Dataset) -> None:
    total = project(districts, {**SCENARIO, "areas": ["all"]})
    each = project(districts, {**SCENARIO, "areas": ["each"]})
    some = project(districts, {**SCENARIO, "areas": ["D1", "D3"]})
    assert total.areas == ("all",)
    assert each.areas == ("D1", "D2", "D3")
    assert some.areas == ("D1", "D3")
    assert {r["area"] for r in each.records()} == {"D1", "D2", "D3", "all"}
    assert {r["area"] for r in each.records(include_total=False)} == {"D1", "D2", "D3"}
    # both start from the same observed total; later they differ, because each district
    # keeps its own rates while the sum follows the average rates
    a = each.with_total().value("enrolment", year="2023-24", area="all", level="primary")
    b = total.value("enrolment", year="2023-24", area="all", level="primary")
    assert a == pytest.approx(b)


def test_unknown_area_and_base_year(districts: edplan.Dataset) -> None:
    with pytest.raises(ScenarioError, match="D9"):
        project(districts, {**SCENARIO, "areas": ["D9"]})
    with pytest.raises(ScenarioError, match="base year 2030-31 is not in the data"):
        project(districts, {**SCENARIO, "base_year": "2030-31", "final_year": "2032-33"})


def test_missing_population_is_reported_then_growth_fixes_it(districts: edplan.Dataset) -> None:
    later = {**SCENARIO, "final_year": "2029-30"}
    with pytest.raises(ScenarioError) as info:
        project(districts, later)
    assert "population_growth_rate" in str(info.value)
    assert "2027-28" in str(info.value)
    grown = project(districts, {**later, "parameters": {"population_growth_rate": 2}})
    ne_2029 = grown.value("new_entrants", year="2029-30", area="all", level="primary")
    assert ne_2029 is not None


def test_missing_rates_must_be_given(cambodia) -> None:
    rows = [["2023-24", "A", "", g, "", "T", "enrolment", 100] for g in range(1, 7)]
    rows += [["2023-24", "A", "", "", a, "T", "population", 100] for a in range(6, 12)]
    rows += [["2024-25", "A", "", "", 6, "T", "population", 100]]
    data = edplan.read_dataset(rows_to_records(rows), cambodia)
    scn = {"name": "x", "base_year": "2023-24", "final_year": "2024-25", "areas": ["A"]}
    with pytest.raises(ScenarioError) as info:
        project(data, scn)
    message = str(info.value)
    assert "no observed flow rates for grade(s) 1, 2, 3, 4, 5, 6" in message
    assert "gross_intake_ratio is not observed" in message
    given = {
        **scn,
        "parameters": {
            "repetition_rate": {"primary": 5},
            "dropout_rate": {"primary": 2},
            "gross_intake_ratio": {"primary": 100},
        },
    }
    proj = project(data, given)
    # grade 2 in 2024-25 = 93 % of grade 1 + 5 % of grade 2
    assert proj.value(
        "enrolment", year="2024-25", area="A", level="primary", grade=2
    ) == pytest.approx(98.0)
    assert proj.projected_levels == ("primary",)
    assert any("lower_secondary" in note for note in proj.notes)


def test_targets_and_promotion_rate(districts: edplan.Dataset) -> None:
    scn = {
        **SCENARIO,
        "areas": ["D1"],
        "parameters": {
            "repetition_rate": {"primary": {"2025-26": 0}},
            "promotion_rate": {"primary": {1: 100}},
        },
    }
    proj = project(districts, scn)
    later = proj.value("repeaters", year="2026-27", area="D1", level="primary")
    assert later == pytest.approx(0.0)
    halfway = proj.value("repeaters", year="2024-25", area="D1", level="primary", grade=1)
    assert halfway is not None
    assert halfway > 0
    # all grade-1 pupils promoted once repetition is 0: grade 2 of 2026-27 = grade 1 of 2025-26
    g1 = proj.value("enrolment", year="2025-26", area="D1", level="primary", grade=1)
    g2 = proj.value("enrolment", year="2026-27", area="D1", level="primary", grade=2)
    assert g2 == pytest.approx(g1)


def test_records_are_tidy_and_finite(
    example_data: edplan.Dataset, example_scenario_path: str
) -> None:
    proj = project(example_data, example_scenario_path)
    records = proj.records()
    assert set(records[0]) == {"year", "area", "level", "grade", "sex", "variable", "value"}
    assert all(math.isfinite(r["value"]) for r in records)
    variables = {r["variable"] for r in records}
    assert variables == set(edplan.projection.VARIABLES)
    # level totals add up the grades
    total = proj.value("enrolment", year="2027-28", area="17", level="lower_secondary")
    grades = [
        proj.value("enrolment", year="2027-28", area="17", level="lower_secondary", grade=g)
        for g in (7, 8, 9)
    ]
    assert total == pytest.approx(sum(g for g in grades if g is not None))
    # teachers are whole numbers, so are classes and classrooms
    for r in records:
        if r["variable"] in (
            "teachers",
            "classes",
            "classrooms_needed",
            "new_classrooms",
            "teacher_recruitment",
        ):
            assert r["value"] == int(r["value"])
    assert proj.value("teachers", year="2027-28", area="17", level="primary", sex="F") is None


def test_xlsx_layout(
    tmp_path: Path, example_data: edplan.Dataset, example_scenario_path: str
) -> None:
    import openpyxl

    path = tmp_path / "p.xlsx"
    projection_xlsx(path, project(example_data, example_scenario_path))
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == [
        "Summary",
        "pre_primary",
        "primary",
        "lower_secondary",
        "upper_secondary",
        "Records",
        "Scenario",
    ]
    header = next(wb["primary"].iter_rows(min_row=4, max_row=4, values_only=True))
    assert header[:4] == ("variable", "sex", "2020-21", "2021-22")


def test_sensitivity_is_reproducible_and_ordered(example_data: edplan.Dataset) -> None:
    from edplan.examples import example_path

    path = example_path("scenario_siem_reap_sensitivity.yaml")
    a = edplan.sensitivity(example_data, path, draws=200, seed=3)
    b = edplan.sensitivity(example_data, path, draws=200, seed=3)
    np.testing.assert_array_equal(a.values["total_cost"], b.values["total_cost"])
    assert a.levels[-1] == "all"
    low, mid, high = a.values["financing_gap"][:, -1, 0, -1]
    assert low < mid < high
    first_year = a.values["enrolment"][:, 0, 0, -1]
    assert first_year[0] == pytest.approx(first_year[-1])  # the base year is observed
    records = a.records()
    assert {r["percentile"] for r in records} == {5.0, 50.0, 95.0}


def test_sensitivity_without_uncertainty(districts: edplan.Dataset) -> None:
    result = edplan.sensitivity(districts, {**SCENARIO, "areas": ["each"]}, draws=5)
    assert result.uncertain == ()
    enrol = result.values["enrolment"]
    np.testing.assert_allclose(enrol[0], enrol[-1])
    assert result.areas[-1] == "all"


def test_compare_side_by_side(districts: edplan.Dataset) -> None:
    a = {**SCENARIO, "name": "same"}
    b = {**SCENARIO, "name": "same", "parameters": {"repetition_rate": {"primary": 0}}}
    comparison = edplan.compare(districts, [a, b])
    assert comparison.names == ("same", "same (2)")
    table = comparison.table("enrolment", area="all", level="primary")
    assert [row["year"] for row in table] == ["2023-24", "2024-25", "2025-26", "2026-27"]
    assert table[0]["same"] == table[0]["same (2)"]
    assert table[-1]["same (2)"] < table[-1]["same"]
    records = comparison.records()
    assert {r["scenario"] for r in records} == {"same", "same (2)"}
