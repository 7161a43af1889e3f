from __future__ import annotations

from typing import Any

import pytest

import edplan
from edplan import quality_checks

from .conftest import rows_to_records

MINI = {
    "name": "mini",
    "levels": [
        {"id": "primary", "entry_age": 6, "grades": [1, 2]},
        {"id": "secondary", "entry_age": 8, "grades": [3]},
    ],
}


def checks(rows: list[list[Any]]) -> list[edplan.QualityIssue]:
    return quality_checks(edplan.read_dataset(rows_to_records(rows), MINI))


def test_clean_data_has_no_warning(example_data: edplan.Dataset) -> None:
    assert quality_checks(example_data) == []


def test_negative_dropout_and_repeaters_above_previous_enrolment() -> None:
    issues = checks(
        [
            ["2022-23", "A", "", 1, "", "T", "enrolment", 100],
            ["2022-23", "A", "", 2, "", "T", "enrolment", 100],
            ["2023-24", "A", "", 1, "", "T", "enrolment", 150],
            ["2023-24", "A", "", 2, "", "T", "enrolment", 130],
            ["2023-24", "A", "", 1, "", "T", "repeaters", 120],
            ["2023-24", "A", "", 2, "", "T", "repeaters", 10],
        ]
    )
    found = {(i.check, i.area, str(i.year), i.grade, i.sex) for i in issues}
    assert ("negative_dropout", "A", "2022-23", 1, "T") in found
    assert ("repeaters_above_previous_enrolment", "A", "2023-24", 1, "T") in found
    message = next(i for i in issues if i.check == "negative_dropout").message
    assert "check enrolment and repeaters" in message


def test_same_year_checks_and_sex_totals() -> None:
    issues = checks(
        [
            ["2022-23", "A", "", 1, "", "F", "enrolment", 50],
            ["2022-23", "A", "", 1, "", "M", "enrolment", 50],
            ["2022-23", "A", "", 1, "", "T", "enrolment", 90],
            ["2022-23", "A", "", 1, "", "F", "repeaters", 60],
            ["2022-23", "A", "", 1, "", "F", "new_entrants", 70],
        ]
    )
    kinds = {i.check for i in issues}
    assert {
        "sex_total_mismatch",
        "repeaters_above_enrolment",
        "new_entrants_above_enrolment",
        "missing_grades",
    } <= kinds


def test_net_rates_and_enrolment_by_age() -> None:
    issues = checks(
        [
            ["2022-23", "A", "", 1, "", "T", "enrolment", 60],
            ["2022-23", "A", "", 2, "", "T", "enrolment", 60],
            ["2022-23", "A", "primary", "", 6, "T", "enrolment_by_age", 60],
            ["2022-23", "A", "primary", "", 7, "T", "enrolment_by_age", 55],
            ["2022-23", "A", "", "", 6, "T", "population", 50],
            ["2022-23", "A", "", "", 7, "T", "population", 50],
        ]
    )
    by_check = {i.check: i for i in issues}
    assert "net_rate_above_100" in by_check
    assert by_check["net_rate_above_100"].level == "primary"
    mismatch = by_check["enrolment_by_age_mismatch"]
    assert "115" in mismatch.message
    assert "120" in mismatch.message


def test_missing_years_and_level_totals() -> None:
    issues = checks(
        [
            ["2021-22", "A", "", 1, "", "T", "enrolment", 10],
            ["2021-22", "A", "", 2, "", "T", "enrolment", 10],
            ["2021-22", "B", "", 1, "", "T", "enrolment", 10],
            ["2021-22", "B", "", 2, "", "T", "enrolment", 10],
            ["2023-24", "A", "", 1, "", "T", "enrolment", 10],
            ["2023-24", "A", "", 2, "", "T", "enrolment", 10],
            ["2023-24", "A", "primary", "", "", "T", "enrolment", 25],
        ]
    )
    missing = {(i.area, str(i.year)) for i in issues if i.check == "missing_years"}
    assert missing == {(None, "2022-23"), ("B", "2023-24")}
    assert any(i.check == "level_total_mismatch" for i in issues)


@pytest.mark.parametrize("check", sorted(edplan.CHECKS))
def test_every_check_is_documented(check: str) -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs/reference/edplan-cli.md").read_text(encoding="utf-8")
    assert f"| `{check}` | {edplan.CHECKS[check]} |" in doc
    assert str(edplan.QualityIssue(check, "m", area="A")) == f"[{check}] area A: m"
