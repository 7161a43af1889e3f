"""Sensitivity runs and side-by-side comparison of scenarios.

A sensitivity run draws every uncertain value of a scenario (``{uniform: [low, high]}``
or ``{triangular: [low, mode, high]}``) *draws* times, projects all draws at once on the
draw axis of the model, and reports percentiles of enrolment, teachers, total cost and
financing gap by year, area and level (``all`` levels summed draw by draw, so that the
percentiles of the total are not sums of percentiles).  An uncertain value used by
several areas takes the same draw in all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._types import FloatArray
from .dataset import Dataset
from .projection import Projection, project
from .scenario import Scenario, load_scenario
from .years import SchoolYear

__all__ = [
    "SENSITIVITY_VARIABLES",
    "Comparison",
    "SensitivityResult",
    "compare",
    "sensitivity",
]

SENSITIVITY_VARIABLES: tuple[str, ...] = ("enrolment", "teachers", "total_cost", "financing_gap")
COMPARE_VARIABLES: tuple[str, ...] = (
    "enrolment",
    "teachers",
    "teacher_recruitment",
    "classrooms_needed",
    "new_classrooms",
    "total_cost",
    "resources",
    "financing_gap",
)


@dataclass(frozen=True)
class SensitivityResult:
    """Percentiles over the draws: variable → percentiles × years × areas × levels.

    The level axis is the structure's projected levels followed by ``all``.
    """

    scenario: Scenario
    years: tuple[SchoolYear, ...]
    areas: tuple[str, ...]
    levels: tuple[str, ...]
    percentiles: tuple[float, ...]
    draws: int
    uncertain: tuple[str, ...]
    values: Mapping[str, FloatArray]

    def records(self) -> list[dict[str, Any]]:
        """Tidy records ``year, area, level, variable, percentile, value``."""
        out: list[dict[str, Any]] = []
        for var, arr in self.values.items():
            for pi, pct in enumerate(self.percentiles):
                for yi, year in enumerate(self.years):
                    for ai, area in enumerate(self.areas):
                        for li, level in enumerate(self.levels):
                            v = arr[pi, yi, ai, li]
                            if np.isfinite(v):
                                out.append(
                                    {
                                        "year": str(year),
                                        "area": area,
                                        "level": level,
                                        "variable": var,
                                        "percentile": pct,
                                        "value": float(v),
                                    }
                                )
        return out


def _scenario(source: Scenario | Mapping[str, Any] | str | Path) -> Scenario:
    return source if isinstance(source, Scenario) else load_scenario(source)


def sensitivity(
    dataset: Dataset,
    scenario: Scenario | Mapping[str, Any] | str | Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
    percentiles: Sequence[float] | None = None,
) -> SensitivityResult:
    """Draw the uncertain values of *scenario* and report percentiles of the results.

    *draws*, *seed* and *percentiles* override the scenario's ``sensitivity`` settings.
    The run is reproducible for a given seed.
    """
    scn = _scenario(scenario)
    settings = scn.sensitivity
    n = draws if draws is not None else settings.draws
    if n < 1:
        raise ValueError("draws must be at least 1")
    rng = np.random.default_rng(seed if seed is not None else settings.seed)
    leaves = scn.uncertain_leaves()
    leaf_values = {leaf.path: leaf.draw(rng, n) for leaf in leaves}
    proj = project(dataset, scn, draws=n, leaf_values=leaf_values, detail=False)
    pcts = tuple(
        float(p) for p in (percentiles if percentiles is not None else settings.percentiles)
    )
    levels = proj.projected_levels
    li = [proj.structure.level_index(lv) for lv in levels]
    areas = proj.areas if len(proj.areas) == 1 else (*proj.areas, "all")
    values: dict[str, FloatArray] = {}
    for var in SENSITIVITY_VARIABLES:
        if var in proj.level_sex:
            arr = proj.level_sex[var][..., li, :].sum(axis=-1)
        else:
            arr = proj.level[var][..., li]
        arr = np.broadcast_to(arr, (n, *arr.shape[1:]))  # draws × years × areas × levels
        if len(proj.areas) > 1:
            arr = np.concatenate([arr, arr.sum(axis=2, keepdims=True)], axis=2)
        with_all = np.concatenate([arr, arr.sum(axis=-1, keepdims=True)], axis=-1)
        values[var] = np.percentile(with_all, pcts, axis=0)
    return SensitivityResult(
        scenario=scn,
        years=proj.years,
        areas=areas,
        levels=(*levels, "all"),
        percentiles=pcts,
        draws=n,
        uncertain=tuple(leaf.path for leaf in leaves),
        values=values,
    )


@dataclass(frozen=True)
class Comparison:
    """Several projections of the same data, side by side."""

    projections: tuple[Projection, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Scenario names, in the order given."""
        return tuple(p.scenario.name for p in self.projections)

    def records(self, variables: Sequence[str] = COMPARE_VARIABLES) -> list[dict[str, Any]]:
        """Level totals (sex ``T``) of each scenario: ``scenario, year, area, level,
        variable, value``."""
        out: list[dict[str, Any]] = []
        wanted = set(variables)
        for proj in self.projections:
            for rec in proj.records():
                if rec["grade"] is None and rec["sex"] == "T" and rec["variable"] in wanted:
                    out.append(
                        {
                            "scenario": proj.scenario.name,
                            "year": rec["year"],
                            "area": rec["area"],
                            "level": rec["level"],
                            "variable": rec["variable"],
                            "value": rec["value"],
                        }
                    )
        return out

    def table(self, variable: str, *, area: str, level: str) -> list[dict[str, Any]]:
        """One row per year with a column per scenario (missing values are ``None``)."""
        years = sorted({y for p in self.projections for y in p.years})
        rows = []
        for year in years:
            row: dict[str, Any] = {"year": str(year)}
            for proj in self.projections:
                value = None
                if year in proj.years and area in proj.with_total().areas:
                    value = proj.with_total().value(variable, year=year, area=area, level=level)
                row[proj.scenario.name] = value
            rows.append(row)
        return rows


def compare(
    dataset: Dataset, scenarios: Sequence[Scenario | Mapping[str, Any] | str | Path]
) -> Comparison:
    """Project *dataset* under each scenario; names are made unique if they clash."""
    projections = []
    seen: dict[str, int] = {}
    for source in scenarios:
        scn = _scenario(source)
        count = seen.get(scn.name, 0)
        seen[scn.name] = count + 1
        if count:
            scn = replace(scn, name=f"{scn.name} ({count + 1})")
        projections.append(project(dataset, scn))
    return Comparison(tuple(projections))
