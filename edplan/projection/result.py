"""Projection results and their tidy records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._types import FloatArray
from ..scenario import (
    Scenario,
)
from ..structure import Structure
from ..years import SchoolYear

__all__ = [
    "GRADE_VARIABLES",
    "LEVEL_SEX_VARIABLES",
    "LEVEL_VARIABLES",
    "VARIABLES",
    "Projection",
    "ceil",
]

GRADE_VARIABLES: tuple[str, ...] = ("enrolment", "new_entrants", "repeaters")
LEVEL_SEX_VARIABLES: tuple[str, ...] = ("enrolment", "new_entrants", "repeaters", "graduates")
LEVEL_VARIABLES: tuple[str, ...] = (
    "teachers",
    "teacher_recruitment",
    "classes",
    "classrooms_needed",
    "new_classrooms",
    "salary_cost",
    "recurrent_cost",
    "capital_cost",
    "total_cost",
    "resources",
    "financing_gap",
)
VARIABLES: tuple[str, ...] = (*LEVEL_SEX_VARIABLES, *LEVEL_VARIABLES)
_EPS = 1e-9


def ceil(x: FloatArray) -> FloatArray:
    """Round up, forgiving floating-point noise (4200 / 42 is 100, not 101)."""
    return np.ceil(x - _EPS)


@dataclass(frozen=True)
class Projection:
    """Results of a projection; arrays have a leading draw axis (1 for a plain run).

    * ``grade``: variable → draws × years × areas × grades × sexes;
    * ``level_sex``: variable → draws × years × areas × levels × sexes;
    * ``level``: variable → draws × years × areas × levels (all sexes together).

    Missing values (``NaN``) are quantities the scenario and data do not allow to
    compute; :meth:`records` leaves them out.  ``notes`` explain why.
    """

    scenario: Scenario
    structure: Structure
    years: tuple[SchoolYear, ...]
    areas: tuple[str, ...]
    sexes: tuple[str, ...]
    grade: Mapping[str, FloatArray]
    level_sex: Mapping[str, FloatArray]
    level: Mapping[str, FloatArray]
    notes: tuple[str, ...] = ()
    projected_levels: tuple[str, ...] = field(default=())

    @property
    def draws(self) -> int:
        """Number of draws (1 for a deterministic projection)."""
        return int(next(iter(self.level.values())).shape[0])

    def with_total(self, name: str = "all") -> Projection:
        """Add an area *name* summing every area (when there are several)."""
        if len(self.areas) <= 1 or name in self.areas:
            return self

        def add(arr: FloatArray) -> FloatArray:
            return np.concatenate([arr, arr.sum(axis=2, keepdims=True)], axis=2)

        return Projection(
            scenario=self.scenario,
            structure=self.structure,
            years=self.years,
            areas=(*self.areas, name),
            sexes=self.sexes,
            grade={k: add(v) for k, v in self.grade.items()},
            level_sex={k: add(v) for k, v in self.level_sex.items()},
            level={k: add(v) for k, v in self.level.items()},
            notes=self.notes,
            projected_levels=self.projected_levels,
        )

    def _sex_values(self, arr: FloatArray) -> tuple[list[str], FloatArray]:
        """Sex labels and the array with a T column added when F and M are projected."""
        if self.sexes == ("T",):
            return ["T"], arr
        total = arr.sum(axis=-1, keepdims=True)
        return [*self.sexes, "T"], np.concatenate([arr, total], axis=-1)

    def value(
        self,
        variable: str,
        *,
        year: SchoolYear | str,
        area: str,
        level: str,
        grade: int | None = None,
        sex: str = "T",
        draw: int = 0,
    ) -> float | None:
        """One projected value (``None`` when it cannot be computed)."""
        yi = self.years.index(SchoolYear.parse(year))
        ai = self.areas.index(area)
        if grade is not None:
            if variable not in self.grade:
                raise ValueError("this projection was run without detail by grade")
            labels, arr = self._sex_values(self.grade[variable][draw, yi, ai])
            v = arr[self.structure.grade_index(grade), labels.index(sex)]
        elif variable in self.level_sex:
            labels, arr = self._sex_values(self.level_sex[variable][draw, yi, ai])
            v = arr[self.structure.level_index(level), labels.index(sex)]
        else:
            if sex != "T":
                return None
            v = self.level[variable][draw, yi, ai, self.structure.level_index(level)]
        return float(v) if np.isfinite(v) else None

    def records(self, draw: int = 0, include_total: bool = True) -> list[dict[str, Any]]:
        """Tidy records ``year, area, level, grade, sex, variable, value``.

        Ordered by year, area and level; each level gives its totals (``grade``
        ``None``; by sex for enrolment, new entrants, repeaters and graduates, ``T`` for
        the others), then enrolment, new entrants (first grade) and repeaters of each
        grade by sex.  With *include_total* and several areas, an area ``all`` sums them.
        """
        proj = self.with_total() if include_total else self
        blocks, meta = proj._slots(draw)
        if not blocks:
            return []
        big = np.concatenate(blocks, axis=2)  # years × areas × slots
        idx = np.nonzero(np.isfinite(big))
        values = big[idx].tolist()
        years = [str(y) for y in proj.years]
        return [
            {
                "year": years[y],
                "area": proj.areas[a],
                "level": meta[k][0],
                "grade": meta[k][1],
                "sex": meta[k][2],
                "variable": meta[k][3],
                "value": v,
            }
            for y, a, k, v in zip(
                idx[0].tolist(), idx[1].tolist(), idx[2].tolist(), values, strict=True
            )
        ]

    def _slots(self, draw: int) -> tuple[list[FloatArray], list[tuple[str, int | None, str, str]]]:
        """years × areas × n arrays of every output, and (level, grade, sex, variable) of
        each of their columns, in record order."""
        s = self.structure
        labels = ["T"] if self.sexes == ("T",) else [*self.sexes, "T"]

        def with_total_sex(arr: FloatArray) -> FloatArray:
            if self.sexes == ("T",):
                return arr
            return np.concatenate([arr, arr.sum(axis=-1, keepdims=True)], axis=-1)

        level_sex = {v: with_total_sex(self.level_sex[v][draw]) for v in LEVEL_SEX_VARIABLES}
        grade = {v: with_total_sex(a[draw]) for v, a in self.grade.items()}
        blocks: list[FloatArray] = []
        meta: list[tuple[str, int | None, str, str]] = []
        for lv in s.levels:
            if lv.id not in self.projected_levels:
                continue
            li = s.level_index(lv.id)
            for var in LEVEL_SEX_VARIABLES:
                blocks.append(level_sex[var][:, :, li, :])
                meta += [(lv.id, None, sex, var) for sex in labels]
            for var in LEVEL_VARIABLES:
                blocks.append(self.level[var][draw][:, :, li, None])
                meta.append((lv.id, None, "T", var))
            for g in lv.grades if grade else ():
                gi = s.grade_index(g)
                for var in GRADE_VARIABLES:
                    blocks.append(grade[var][:, :, gi, :])
                    meta += [(lv.id, g, sex, var) for sex in labels]
        return blocks, meta
