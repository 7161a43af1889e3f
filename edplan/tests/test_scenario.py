from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edplan import ScenarioError, SchoolYear, load_scenario
from edplan.scenario import Uncertain, interpolation_weights

BASE: dict[str, Any] = {"name": "s", "base_year": "2023-24", "final_year": "2030-31"}


def years() -> list[SchoolYear]:
    return SchoolYear.span(SchoolYear("2023-24"), SchoolYear("2030-31"))


def test_issue_example_parses(cambodia, tmp_path: Path) -> None:
    text = """
name: Free lower secondary
base_year: 2023-24
final_year: 2030-31
areas: [all]
parameters:
  gross_intake_ratio: {primary: {2024-25: 97, 2030-31: 100}}
  repetition_rate: {primary: {2030-31: 3}}
  transition_rate: {lower_secondary: 85}
  pupil_teacher_ratio: {primary: 42}
  class_size: {primary: 40}
  classroom_stock: {primary: 2500}
  teacher_salary: {primary: 3000}
  non_salary_share: {primary: 25}
  classroom_unit_cost: {primary: 12000}
  teacher_attrition_rate: {primary: 3}
  resources: {primary: {2024-25: 9000000, 2030-31: 12000000}}
"""
    scn = load_scenario(_write(text, tmp_path), cambodia)
    assert scn.base_year == SchoolYear("2023-24")
    assert scn.areas == ("all",)
    assert scn.parameters["pupil_teacher_ratio"][("primary", None)] == ((None, 42.0),)
    gir = scn.parameters["gross_intake_ratio"][("primary", None)]
    assert [str(y) for y, _ in gir] == ["2024-25", "2030-31"]


def _write(text: str, tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_carry_line_numbers_and_paths(cambodia, tmp_path: Path) -> None:
    text = """name: bad
base_year: 2023-24
final_year: 2030-31
parameters:
  repetition_rate:
    primary: {2030-31: 130}
  class_sise: {primary: 40}
  transition_rate: {primary: 90}
  dropout_rate: {primary: {2031-32: 3}}
"""
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(text, tmp_path), cambodia)
    found = {(p.row, p.column) for p in info.value.problems}
    assert (6, "parameters.repetition_rate.primary.2030-31") in found
    assert (7, "parameters.class_sise") in found
    assert (8, "parameters.transition_rate.primary") in found
    assert (9, "parameters.dropout_rate.primary.2031-32") in found
    assert "row 6" in str(info.value)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"final_year": "2020-21"}, "after base_year"),
        ({"base_year": "2023"}, "school year"),
        ({"areas": ["each", "17"]}, "cannot be combined"),
        ({"extra": 1}, "unknown key"),
        ({"parameters": {"pupil_teacher_ratio": {"primary": 0}}}, "greater than 0"),
        ({"parameters": {"gross_intake_ratio": {"primary": 350}}}, "0 to 300"),
        ({"parameters": {"class_size": {"primary": "forty"}}}, "expected a number"),
        ({"parameters": {"classroom_stock": {"primary": {"2025-26": 3}}}}, "single value"),
        ({"parameters": {"pupil_teacher_ratio": {"primary": {1: 40}}}}, "whole level"),
        ({"parameters": {"repetition_rate": {"primary": {9: 4}}}}, "not a grade of primary"),
        ({"parameters": {"repetition_rate": {"pre_primary": 4}}}, "has no grades"),
        ({"parameters": {"gross_enrolment_ratio": {"primary": 90}}}, "has grades"),
        ({"parameters": {"teacher_salary": {"tertiary": 4}}}, "unknown level"),
        ({"parameters": {"class_size": {"primary": {"uniform": [50, 40]}}}}, "increasing"),
        ({"parameters": {"class_size": {"primary": {"uniform": [40]}}}}, "[low, high]"),
        (
            {"parameters": {"dropout_rate": {"primary": 3}, "promotion_rate": {"primary": 90}}},
            "not both",
        ),
        ({"sensitivity": {"draws": 0}}, "draws"),
    ],
)
def test_invalid_scenarios(cambodia, change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario({**BASE, **change}, cambodia)
    assert fragment in str(info.value)


def test_grade_values_and_uncertain_leaves(cambodia) -> None:
    scn = load_scenario(
        {
            **BASE,
            "parameters": {
                "dropout_rate": {"lower_secondary": {7: 6, 8: {"2030-31": {"uniform": [2, 4]}}}},
                "gdp_growth_rate": {"triangular": [2, 4, 7]},
                "non_salary_share": 25,
            },
            "area_parameters": {"17": {"class_size": {"primary": 45}}},
        },
        cambodia,
    )
    dropout = scn.parameters["dropout_rate"]
    assert dropout[("lower_secondary", 7)] == ((None, 6.0),)
    leaf = dropout[("lower_secondary", 8)][0][1]
    assert isinstance(leaf, Uncertain)
    assert leaf.central == 3.0
    assert scn.parameters["non_salary_share"][(None, None)] == ((None, 25.0),)
    assert [u.path for u in scn.uncertain_leaves()] == [
        "parameters.dropout_rate.lower_secondary.8.2030-31",
        "parameters.gdp_growth_rate",
    ]
    assert scn.values_for("class_size", "17")[("primary", None)] == ((None, 45.0),)
    assert scn.values_for("class_size", "18") == {}


def test_interpolation_from_observed_value() -> None:
    series = ((SchoolYear("2025-26"), 10.0), (SchoolYear("2029-30"), 2.0))
    alpha, beta = interpolation_weights(series, years())
    base = 20.0
    values = alpha * base + beta[0]
    # 2023-24: observed 20; 2025-26 reaches 10; linear to 2 in 2029-30; held after
    assert values.tolist() == pytest.approx([20, 15, 10, 8, 6, 4, 2, 2])


def test_interpolation_without_observed_value_holds_first_target_back() -> None:
    series = ((SchoolYear("2025-26"), 10.0),)
    alpha, beta = interpolation_weights(series, years(), has_base=False)
    assert alpha.tolist() == [0.0] * 8
    assert beta[0].tolist() == [10.0] * 8


def test_interpolation_uses_draws() -> None:
    leaf = Uncertain("uniform", (0.0, 10.0), "p")
    draws = {"p": np.array([0.0, 10.0])}
    series = ((SchoolYear("2030-31"), leaf),)
    alpha, beta = interpolation_weights(series, years(), draws, n_draws=2)
    assert beta[:, -1].tolist() == [0.0, 10.0]
    assert alpha[0] == 1.0


def test_uncertain_draws_stay_in_range() -> None:
    rng = np.random.default_rng(1)
    tri = Uncertain("triangular", (1.0, 2.0, 5.0), "x").draw(rng, 500)
    assert tri.min() >= 1.0
    assert tri.max() <= 5.0
    assert Uncertain("triangular", (3.0, 3.0, 3.0), "y").draw(rng, 3).tolist() == [3.0] * 3
