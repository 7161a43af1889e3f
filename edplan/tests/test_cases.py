"""Every formula against the worked examples in ``cases/*.yaml`` (OpenFisca-style).

Each case gives a structure, a data table, optionally a scenario, and expected values
with explicit tolerances; the same files serve as course exercises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import edplan

from .conftest import rows_to_records

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def load_case(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def case_dataset(case: dict[str, Any]) -> edplan.Dataset:
    structure = edplan.load_structure(case.get("structure", "cambodia"))
    return edplan.read_dataset(rows_to_records(case["data"]), structure)


def expectations(case: dict[str, Any], key: str) -> list[dict[str, Any]]:
    defaults = case.get("defaults", {})
    return [{**defaults, **item} for item in case.get("expect", {}).get(key, [])]


def indicator_params(key: str) -> list[Any]:
    params = []
    for path in CASES:
        case = load_case(path)
        for i, exp in enumerate(expectations(case, key)):
            label = f"{path.stem}-{exp['indicator']}-{i}"
            params.append(pytest.param(path, exp, id=label))
    return params


def lookup(results: edplan.IndicatorResults, exp: dict[str, Any]) -> float | None:
    parity = "of" in exp
    return results.get(
        exp["indicator"],
        area=str(exp["area"]),
        year=str(exp["year"]),
        level=exp.get("level"),
        grade=exp.get("grade"),
        sex=None if parity else exp.get("sex", "T"),
        of=exp.get("of"),
    )


_cache: dict[Path, edplan.IndicatorResults] = {}


def results_for(path: Path) -> edplan.IndicatorResults:
    if path not in _cache:
        _cache[path] = edplan.compute_indicators(case_dataset(load_case(path)))
    return _cache[path]


@pytest.mark.parametrize(("path", "exp"), indicator_params("indicators"))
def test_indicator_values(path: Path, exp: dict[str, Any]) -> None:
    case = load_case(path)
    tolerance = float(exp.get("tolerance", case.get("tolerance", 1e-9)))
    value = lookup(results_for(path), exp)
    assert value is not None, f"{exp['indicator']} is missing"
    assert value == pytest.approx(exp["value"], abs=tolerance, rel=tolerance)


@pytest.mark.parametrize(("path", "exp"), indicator_params("absent"))
def test_indicator_absent(path: Path, exp: dict[str, Any]) -> None:
    assert lookup(results_for(path), exp) is None


def cohort_params() -> list[Any]:
    return [
        pytest.param(path, exp, id=f"{path.stem}-{exp['level']}-{exp.get('max_repetitions')}")
        for path in CASES
        for exp in expectations(load_case(path), "cohort")
    ]


@pytest.mark.parametrize(("path", "exp"), cohort_params())
def test_cohort(path: Path, exp: dict[str, Any]) -> None:
    case = load_case(path)
    tolerance = float(exp.get("tolerance", case.get("tolerance", 1e-9)))
    result = edplan.reconstructed_cohort(
        case_dataset(case),
        level=exp["level"],
        year=str(exp["year"]),
        area=str(exp["area"]),
        sex=exp.get("sex", "T"),
        max_repetitions=exp.get("max_repetitions"),
    )
    for key in ("survival_rate", "dropouts"):
        for grade, expected in exp[key].items():
            assert getattr(result, key)[grade] == pytest.approx(expected, abs=tolerance)
    for key in (
        "graduates",
        "pupil_years",
        "coefficient_of_efficiency",
        "years_input_per_graduate",
    ):
        assert getattr(result, key) == pytest.approx(exp[key], abs=tolerance), key


def projection_params(key: str) -> list[Any]:
    return [
        pytest.param(path, exp, id=f"{path.stem}-{exp['variable']}-{exp['year']}-{i}")
        for path in CASES
        for i, exp in enumerate(expectations(load_case(path), key))
    ]


_projections: dict[Path, edplan.Projection] = {}


def projection_for(path: Path) -> edplan.Projection:
    if path not in _projections:
        case = load_case(path)
        _projections[path] = edplan.project(case_dataset(case), case["scenario"])
    return _projections[path]


@pytest.mark.parametrize(("path", "exp"), projection_params("projection"))
def test_projection_values(path: Path, exp: dict[str, Any]) -> None:
    case = load_case(path)
    tolerance = float(exp.get("tolerance", case.get("tolerance", 1e-9)))
    value = projection_for(path).value(
        exp["variable"],
        year=str(exp["year"]),
        area=str(exp["area"]),
        level=exp["level"],
        grade=exp.get("grade"),
        sex=exp.get("sex", "T"),
    )
    assert value is not None, f"{exp['variable']} is missing"
    assert value == pytest.approx(exp["value"], abs=tolerance)


@pytest.mark.parametrize(("path", "exp"), projection_params("projection_absent"))
def test_projection_absent(path: Path, exp: dict[str, Any]) -> None:
    value = projection_for(path).value(
        exp["variable"], year=str(exp["year"]), area=str(exp["area"]), level=exp["level"]
    )
    assert value is None


def test_every_indicator_has_a_worked_example() -> None:
    covered = set()
    for path in CASES:
        for exp in expectations(load_case(path), "indicators"):
            covered.add(exp["indicator"])
    assert covered == set(edplan.INDICATORS)


def test_every_case_has_an_exercise_text() -> None:
    for path in CASES:
        case = load_case(path)
        assert case.get("title"), path.name
        assert case.get("exercise"), path.name
