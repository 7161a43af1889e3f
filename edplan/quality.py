"""Data-quality checks: warnings that name area, year, level, grade and sex.

Unlike validation errors (which stop the loading of data), these are plausibility
problems a planner should look at: the engine still computes what it can.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._types import BoolArray, FloatArray
from .dataset import SEXES, Dataset
from .flows import flow_counts
from .indicators import compute_indicators
from .years import SchoolYear

__all__ = ["CHECKS", "QualityIssue", "quality_checks"]

CHECKS: dict[str, str] = {
    "negative_dropout": "promotion + repetition exceed the enrolment of the previous year",
    "repeaters_above_previous_enrolment": "repeaters of a grade exceed its enrolment the "
    "year before",
    "repeaters_above_enrolment": "repeaters exceed the enrolment of the same grade and year",
    "new_entrants_above_enrolment": "new entrants exceed the enrolment of the first grade",
    "net_rate_above_100": "a net enrolment or intake rate is above 100 %",
    "enrolment_by_age_mismatch": "enrolment by age does not add up to the enrolment of the level",
    "sex_total_mismatch": "the total (T) differs from females + males",
    "level_total_mismatch": "a level total differs from the sum of its grades",
    "missing_grades": "some grades of a level have enrolment and others do not",
    "missing_years": "an area has no enrolment in a year that other areas have, or a year "
    "is missing inside the period",
}


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """One data-quality warning."""

    check: str
    message: str
    area: str | None = None
    year: SchoolYear | None = None
    level: str | None = None
    grade: int | None = None
    sex: str | None = None
    severity: str = "warning"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "check": self.check,
            "severity": self.severity,
            "area": self.area,
            "year": None if self.year is None else str(self.year),
            "level": self.level,
            "grade": self.grade,
            "sex": self.sex,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = [
            f"{k} {v}"
            for k, v in (
                ("area", self.area),
                ("year", self.year),
                ("level", self.level),
                ("grade", self.grade),
                ("sex", self.sex),
            )
            if v is not None
        ]
        return f"[{self.check}] {', '.join(where)}: {self.message}"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def _grade_cells(ds: Dataset, mask: BoolArray) -> Iterator[tuple[int, int, int, int]]:
    for a, y, g, s in zip(*np.nonzero(mask), strict=True):
        yield int(a), int(y), int(g), int(s)


def quality_checks(dataset: Dataset, tolerance: float = 0.5) -> list[QualityIssue]:
    """Every plausibility warning on *dataset*.

    *tolerance* is the absolute difference (pupils) below which sums are considered to
    agree (rounding in source tables).
    """
    ds = dataset
    s = ds.structure
    issues: list[QualityIssue] = []
    grades = ds.grades

    def grade_issue(check: str, a: int, y: int, g: int, sx: int, message: str) -> QualityIssue:
        return QualityIssue(
            check,
            message,
            area=ds.areas[a],
            year=ds.years[y],
            level=s.level_of_grade(grades[g]).id,
            grade=grades[g],
            sex=SEXES[sx],
        )

    enrol = ds.grade_values("enrolment")
    rep = ds.grade_values("repeaters")
    fc = flow_counts(ds)
    with np.errstate(invalid="ignore"):
        neg = fc.dropouts < -tolerance
    for a, y, g, sx in _grade_cells(ds, neg):
        issues.append(
            grade_issue(
                "negative_dropout",
                a,
                y,
                g,
                sx,
                f"dropout is negative ({_fmt(float(fc.dropout_rate[a, y, g, sx]))} %): "
                f"promoted ({_fmt(float(fc.promoted[a, y, g, sx]))}) + repeaters in "
                f"{ds.years[y].next()} ({_fmt(float(fc.repeaters[a, y, g, sx]))}) exceed "
                f"the enrolment of {ds.years[y]} ({_fmt(float(fc.enrolment[a, y, g, sx]))}); "
                "check enrolment and repeaters of both years",
            )
        )
    with np.errstate(invalid="ignore"):
        above_prev = fc.repeaters > fc.enrolment + tolerance
    for a, y, g, sx in _grade_cells(ds, above_prev):
        issues.append(
            grade_issue(
                "repeaters_above_previous_enrolment",
                a,
                y + 1,
                g,
                sx,
                f"{_fmt(float(fc.repeaters[a, y, g, sx]))} repeaters, but only "
                f"{_fmt(float(fc.enrolment[a, y, g, sx]))} pupils were enrolled in the grade "
                f"in {ds.years[y]}",
            )
        )
    with np.errstate(invalid="ignore"):
        above_same = rep > enrol + tolerance
    for a, y, g, sx in _grade_cells(ds, above_same):
        issues.append(
            grade_issue(
                "repeaters_above_enrolment",
                a,
                y,
                g,
                sx,
                f"{_fmt(float(rep[a, y, g, sx]))} repeaters for an enrolment of "
                f"{_fmt(float(enrol[a, y, g, sx]))}",
            )
        )
    given_ne = ds.grade_values("new_entrants")
    with np.errstate(invalid="ignore"):
        ne_above = given_ne > enrol + tolerance
    for a, y, g, sx in _grade_cells(ds, ne_above):
        issues.append(
            grade_issue(
                "new_entrants_above_enrolment",
                a,
                y,
                g,
                sx,
                f"{_fmt(float(given_ne[a, y, g, sx]))} new entrants for an enrolment of "
                f"{_fmt(float(enrol[a, y, g, sx]))}",
            )
        )
    issues.extend(_net_rates(ds))
    issues.extend(_sums(ds, tolerance))
    issues.extend(_missing(ds))
    return issues


def _net_rates(ds: Dataset) -> list[QualityIssue]:
    out = []
    results = compute_indicators(
        ds,
        indicators=["net_enrolment_ratio", "adjusted_net_enrolment_ratio", "net_intake_rate"],
        include_total=False,
    )
    for v in results:
        if v.of is None and v.value > 100.0 + 1e-9:
            out.append(
                QualityIssue(
                    "net_rate_above_100",
                    f"{v.indicator} is {v.value:.1f} %: more pupils of official age than "
                    "children of that age; check enrolment by age and the population",
                    area=v.area,
                    year=v.year,
                    level=v.level,
                    sex=v.sex,
                )
            )
    return out


def _sums(ds: Dataset, tolerance: float) -> list[QualityIssue]:
    out: list[QualityIssue] = []
    s = ds.structure
    levels = ds.level_ids

    def level_cells(mask: BoolArray) -> Iterator[tuple[int, int, int, int]]:
        for a, y, li, sx in zip(*np.nonzero(mask), strict=True):
            yield int(a), int(y), int(li), int(sx)

    enrol_level = ds.level_total("enrolment")
    eba = ds.level_age_values("enrolment_by_age")
    has_age = np.isfinite(eba).any(axis=3)
    by_age = np.nansum(eba, axis=3)
    with np.errstate(invalid="ignore"):
        bad = has_age & (np.abs(by_age - enrol_level) > np.maximum(tolerance, 0.005 * enrol_level))
    for a, y, li, sx in level_cells(bad):
        out.append(
            QualityIssue(
                "enrolment_by_age_mismatch",
                f"enrolment by age adds up to {_fmt(float(by_age[a, y, li, sx]))}, enrolment "
                f"is {_fmt(float(enrol_level[a, y, li, sx]))}",
                area=ds.areas[a],
                year=ds.years[y],
                level=levels[li],
                sex=SEXES[sx],
            )
        )
    # totals given for T that differ from F + M, in every family
    families: list[tuple[str, str, FloatArray]] = [
        ("grade", var, arr) for var, arr in ds.grade.items()
    ] + [("level", var, arr) for var, arr in ds.level.items()]
    for family, var, arr in families:
        with np.errstate(invalid="ignore"):
            diff = np.abs(arr[..., 2] - arr[..., 0] - arr[..., 1]) > tolerance
        for a, y, k in zip(*np.nonzero(diff), strict=True):
            level, grade = (
                (s.level_of_grade(ds.grades[k]).id, ds.grades[k])
                if family == "grade"
                else (levels[k], None)
            )
            out.append(
                QualityIssue(
                    "sex_total_mismatch",
                    f"{var}: total {_fmt(float(arr[a, y, k, 2]))} but F + M = "
                    f"{_fmt(float(arr[a, y, k, 0] + arr[a, y, k, 1]))}",
                    area=ds.areas[int(a)],
                    year=ds.years[int(y)],
                    level=level,
                    grade=grade,
                )
            )
    for var, given in ds.level.items():
        if var not in ds.grade:
            continue
        summed = np.full_like(given, np.nan)
        for li, lv in enumerate(s.levels):
            if lv.graded:
                gi = [s.grade_index(g) for g in lv.grades]
                summed[:, :, li] = ds.grade[var][:, :, gi].sum(axis=2)
        with np.errstate(invalid="ignore"):
            bad = np.abs(given - summed) > tolerance
        for a, y, li, sx in level_cells(bad):
            out.append(
                QualityIssue(
                    "level_total_mismatch",
                    f"{var}: level total {_fmt(float(given[a, y, li, sx]))}, sum of grades "
                    f"{_fmt(float(summed[a, y, li, sx]))}",
                    area=ds.areas[a],
                    year=ds.years[y],
                    level=levels[li],
                    sex=SEXES[sx],
                )
            )
    return out


def _missing(ds: Dataset) -> list[QualityIssue]:
    out: list[QualityIssue] = []
    s = ds.structure
    enrol = ds.grade_values("enrolment")
    present = np.isfinite(enrol[..., 2])  # area × year × grade
    for lv in s.graded_levels:
        gi = [s.grade_index(g) for g in lv.grades]
        block = present[:, :, gi]
        partial = block.any(axis=2) & ~block.all(axis=2)
        for a, y in zip(*np.nonzero(partial), strict=True):
            missing = [lv.grades[k] for k in range(len(gi)) if not block[a, y, k]]
            out.append(
                QualityIssue(
                    "missing_grades",
                    f"no enrolment for grade(s) {', '.join(map(str, missing))} of {lv.id}; "
                    "level totals and flow rates of this level cannot be computed",
                    area=ds.areas[int(a)],
                    year=ds.years[int(y)],
                    level=lv.id,
                )
            )
    any_level = ds.level_total("enrolment")[..., 2]
    has_year = present.any(axis=2) | np.isfinite(any_level).any(axis=2)  # area × year
    year_used = has_year.any(axis=0)
    used = np.nonzero(year_used)[0]
    inside = np.zeros_like(year_used)
    if used.size:
        inside[used[0] : used[-1] + 1] = True
    for y in np.nonzero(~year_used & inside)[0]:
        out.append(
            QualityIssue(
                "missing_years",
                "no enrolment at all in this year, inside the period of the data; flow "
                "rates across it cannot be computed",
                year=ds.years[int(y)],
            )
        )
    for a, y in zip(*np.nonzero(~has_year & year_used[None, :]), strict=True):
        out.append(
            QualityIssue(
                "missing_years",
                "this area has no enrolment in a year that other areas have",
                area=ds.areas[int(a)],
                year=ds.years[int(y)],
            )
        )
    return out
