from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import edplan
from edplan import DataError, Problem, read_dataset, validate
from edplan.examples import example_path

from .conftest import COLUMNS, rows_to_records

GOOD = [
    ["2022-23", "A", "primary", 1, "", "F", "enrolment", 10],
    ["2022-23", "A", "", 1, "", "M", "enrolment", 12],
    ["2022-23", "A", "", "", 6, "F", "population", 20],
]


def problems_of(rows: list[list[Any]], structure: str = "cambodia") -> list[Problem]:
    return validate(rows_to_records(rows), structure)


def test_reads_records_and_completes_totals(cambodia) -> None:
    ds = read_dataset(rows_to_records(GOOD), cambodia)
    enrol = ds.grade_values("enrolment")[0, 0, 0]
    assert enrol.tolist() == [10.0, 12.0, 22.0]
    assert ds.has_sex_breakdown
    assert ds.areas == ("A",)
    assert math.isnan(ds.age_values("population")[0, 0, 6, 2])  # M missing, so T too


def test_total_only_data(cambodia) -> None:
    ds = read_dataset(rows_to_records([["2022-23", "A", "", 1, "", "T", "enrolment", 7]]), cambodia)
    assert not ds.has_sex_breakdown
    assert np.isnan(ds.grade_values("enrolment")[0, 0, 0, :2]).all()


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["2022-23", "A", "", 1, "", "F", "enrolment", -3], "value", "negative"),
        (["2022-23", "A", "", 1, "", "F", "pupils", 3], "variable", "unknown variable"),
        (["2022-23", "A", "", 13, "", "F", "enrolment", 3], "grade", "outside the structure"),
        (["2022-23", "A", "primary", 7, "", "F", "enrolment", 3], "level", "belongs to"),
        (["2022-23", "A", "tertiary", "", "", "F", "teachers", 3], "level", "unknown level"),
        (["2022", "A", "", 1, "", "F", "enrolment", 3], "year", "school year"),
        (["2022-23", "", "", 1, "", "F", "enrolment", 3], "area", "empty"),
        (["2022-23", "A", "", 1, "", "X", "enrolment", 3], "sex", "F (female)"),
        (["2022-23", "A", "", 1, "", "F", "enrolment", "many"], "value", "not a number"),
        (["2022-23", "A", "", 1, "", "F", "enrolment", ""], "value", "empty"),
        (["2022-23", "A", "", 1, "", "F", "enrolment", "inf"], "value", "finite"),
        (["2022-23", "A", "", 1.5, "", "F", "enrolment", 3], "grade", "whole number"),
        (["2022-23", "A", "", "", 120, "F", "population", 3], "age", "single age"),
        (["2022-23", "A", "", 3, "", "F", "teachers", 3], "grade", "not given by grade"),
        (["2022-23", "A", "", 2, "", "F", "new_entrants", 3], "grade", "first grade"),
        (["2022-23", "A", "primary", "", "", "F", "public_expenditure", 3], "sex", "sex T"),
        (["2022-23", "A", "", "", "", "T", "enrolment", 3], "level", "needs"),
        (["2022-23", "A", "primary", "", "", "T", "gdp", 3], "level", "not given by level"),
        (["2022-23", "A", "", "", 6, "T", "enrolment_by_age", 3], "age", "give the level"),
    ],
)
def test_each_problem_is_located(row: list[Any], column: str, fragment: str) -> None:
    problems = problems_of([GOOD[0], row])
    assert problems, "the row should be rejected"
    assert any(p.row == 2 and p.column == column and fragment in p.message for p in problems), (
        problems
    )


def test_duplicates_are_errors() -> None:
    problems = problems_of([GOOD[0], GOOD[1], list(GOOD[0])])
    assert [(p.row, "duplicate of row 1" in p.message) for p in problems] == [(3, True)]


def test_read_dataset_raises_with_every_problem(cambodia) -> None:
    rows = [GOOD[0], ["x", "A", "", 1, "", "F", "enrolment", -1]]
    with pytest.raises(DataError) as info:
        read_dataset(rows_to_records(rows), cambodia)
    assert {p.column for p in info.value.problems} == {"year", "value"}
    assert "row 2" in str(info.value)


def test_csv_with_comments_and_extra_columns(tmp_path: Path, cambodia) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "# a comment line\nyear,area,level,grade,age,sex,variable,value,source\n"
        "2022-23,A,,1,,F,enrolment,10,EMIS\n2022-23,A,,1,,F,enrolment,-1,EMIS\n",
        encoding="utf-8",
    )
    problems = validate(path, cambodia)
    assert [(p.row, p.column) for p in problems] == [(4, "value")]


def test_missing_columns(tmp_path: Path, cambodia) -> None:
    path = tmp_path / "d.csv"
    path.write_text("year,area,variable,value\n2022-23,A,gdp,1\n", encoding="utf-8")
    problems = validate(path, cambodia)
    assert [(p.row, p.column) for p in problems] == [(1, "sex")]


def test_optional_columns_may_be_left_out(tmp_path: Path, cambodia) -> None:
    path = tmp_path / "d.csv"
    path.write_text("year,area,sex,variable,value\n2022-23,A,T,gdp,1000\n", encoding="utf-8")
    ds = read_dataset(path, cambodia)
    assert ds.scalar_values("gdp")[0, 0, 2] == 1000


def test_xlsx_matches_csv(tmp_path: Path, example_data: edplan.Dataset, cambodia) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(COLUMNS))
    with example_path("siem_reap_synthetic.csv").open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or line.startswith("year"):
                continue
            cells: list[Any] = line.rstrip("\n").split(",")
            for i in (3, 4, 7):
                if cells[i]:
                    cells[i] = float(cells[i])
            ws.append([c if c != "" else None for c in cells])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    ds = read_dataset(path, cambodia)
    assert ds.areas == example_data.areas
    assert ds.years == example_data.years
    for var, arr in example_data.grade.items():
        np.testing.assert_array_equal(ds.grade[var], arr)
    for var, arr in example_data.level_age.items():
        np.testing.assert_array_equal(ds.level_age[var], arr)


def test_unsupported_file(tmp_path: Path, cambodia) -> None:
    path = tmp_path / "d.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(DataError, match="unsupported"):
        read_dataset(path, cambodia)


def test_level_rows_for_entrants_and_graduates(cambodia) -> None:
    rows = [
        ["2022-23", "A", "primary", "", "", "T", "new_entrants", 30],
        ["2022-23", "A", "primary", "", "", "T", "graduates", 20],
    ]
    ds = read_dataset(rows_to_records(rows), cambodia)
    assert ds.grade_values("new_entrants")[0, 0, 0, 2] == 30
    assert ds.grade_values("graduates")[0, 0, 5, 2] == 20


def test_level_total_falls_back_on_given_total(cambodia) -> None:
    rows = [
        ["2022-23", "A", "pre_primary", "", "", "T", "enrolment", 50],
        ["2022-23", "A", "primary", "", "", "T", "enrolment", 400],
        ["2022-23", "A", "", 1, "", "T", "enrolment", 80],
    ]
    ds = read_dataset(rows_to_records(rows), cambodia)
    totals = ds.level_total("enrolment")[0, 0, :, 2]
    assert totals[:2].tolist() == [50.0, 400.0]  # grades 2-6 missing: the given total


def test_missing_ages_count_as_zero_in_by_age_tables(cambodia) -> None:
    rows = [
        ["2022-23", "A", "primary", "", 6, "F", "enrolment_by_age", 5],
        ["2022-23", "A", "primary", "", 7, "M", "enrolment_by_age", 4],
    ]
    ds = read_dataset(rows_to_records(rows), cambodia)
    eba = ds.level_age_values("enrolment_by_age")[0, 0, 1]
    assert eba[6].tolist() == [5.0, 0.0, 5.0]
    assert eba[7].tolist() == [0.0, 4.0, 4.0]
    assert np.isnan(ds.level_age_values("enrolment_by_age")[0, 0, 2]).all()


def test_aggregate_and_select(example_data: edplan.Dataset) -> None:
    two = example_data.aggregate({"x": ["17"], "y": ["17"]})
    both = two.total("sum")
    np.testing.assert_allclose(
        both.grade["enrolment"][0], 2 * example_data.grade["enrolment"][0], equal_nan=True
    )
    assert two.select_areas(["y"]).areas == ("y",)
    with pytest.raises(KeyError, match="not in the data"):
        two.area_index("z")
