"""Shared fixtures: the example dataset and helpers to build small datasets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest

import edplan
from edplan.examples import example_path

COLUMNS = ("year", "area", "level", "grade", "age", "sex", "variable", "value")


def rows_to_records(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Compact rows [year, area, level, grade, age, sex, variable, value] as records."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


@pytest.fixture(scope="session")
def cambodia() -> edplan.Structure:
    return edplan.load_structure("cambodia")


@pytest.fixture(scope="session")
def example_data(cambodia: edplan.Structure) -> edplan.Dataset:
    return edplan.read_dataset(example_path("siem_reap_synthetic.csv"), cambodia)


@pytest.fixture(scope="session")
def example_scenario_path() -> str:
    return str(example_path("scenario_siem_reap.yaml"))
