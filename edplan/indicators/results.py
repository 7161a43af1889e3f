"""Indicator results: arrays kept whole, records produced on demand."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._types import FloatArray
from ..dataset import SEXES, Dataset
from ..years import SchoolYear
from .formulas import Block
from .registry import INDICATORS

__all__ = ["IndicatorResults", "IndicatorValue"]

RECORD_KEYS = ("indicator", "year", "area", "level", "grade", "sex", "value")


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One value of one indicator.

    ``grade`` is ``None`` for level-wide values; ``sex`` is ``None`` for parity indices,
    which carry in ``of`` the id of the indicator they compare.  ``numerator`` and
    ``denominator`` are given for ratio indicators (``None`` for cohort-based ones).
    """

    indicator: str
    year: SchoolYear
    area: str
    level: str
    grade: int | None
    sex: str | None
    value: float
    of: str | None = None
    numerator: float | None = None
    denominator: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (``of`` only for parity indices)."""
        out: dict[str, Any] = {
            "indicator": self.indicator,
            "year": str(self.year),
            "area": self.area,
            "level": self.level,
            "grade": self.grade,
            "sex": self.sex,
            "value": self.value,
        }
        if self.of is not None:
            out["of"] = self.of
        return out


@dataclass(frozen=True)
class _Entry:
    indicator: str
    of: str | None
    block: Block
    by_sex: bool


class IndicatorResults:
    """Every computed indicator on the dataset axes.

    Iterating yields :class:`IndicatorValue` items (missing values are skipped, never
    reported as zero or NaN); :meth:`records` gives JSON-ready dictionaries;
    :meth:`get` looks up a single value.
    """

    def __init__(
        self,
        dataset: Dataset,
        entries: Sequence[_Entry],
        year_indices: Sequence[int],
        area_indices: Sequence[int],
    ) -> None:
        self.dataset = dataset
        self._entries = tuple(entries)
        self._years = np.asarray(year_indices, dtype=np.intp)
        self._areas = np.asarray(area_indices, dtype=np.intp)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Ids of the indicators present (declaration order)."""
        seen: dict[str, None] = {}
        for e in self._entries:
            seen.setdefault(e.indicator, None)
        return tuple(seen)

    def arrays(self, indicator: str, kind: str = "level", of: str | None = None) -> FloatArray:
        """The full area × year × level-or-grade × sex array of an indicator
        (× level-or-grade only, without sex axis, for parity indices)."""
        for e in self._entries:
            if e.indicator == indicator and e.block.kind == kind and e.of == of:
                return e.block.value
        raise KeyError(f"no {kind} values of {indicator!r}" + (f" of {of!r}" if of else ""))

    def get(
        self,
        indicator: str,
        *,
        area: str,
        year: SchoolYear | str,
        level: str | None = None,
        grade: int | None = None,
        sex: str | None = "T",
        of: str | None = None,
    ) -> float | None:
        """One value, or ``None`` when it cannot be computed from the data."""
        ds = self.dataset
        kind = "grade" if grade is not None else "level"
        try:
            arr = self.arrays(indicator, kind, of)
        except KeyError:
            return None
        k = ds.structure.grade_index(grade) if grade is not None else None
        if k is None:
            if level is None:
                raise ValueError("give a level or a grade")
            k = ds.structure.level_index(level)
        cell = arr[ds.area_index(area), ds.year_index(year), k]
        v = float(cell if of is not None else cell[SEXES.index(sex or "T")])
        return v if np.isfinite(v) else None

    def _iter_entry(self, e: _Entry, with_terms: bool) -> Iterator[IndicatorValue]:
        ds = self.dataset
        value = e.block.value[self._areas][:, self._years]
        parity = e.of is not None
        if not parity and not e.by_sex:
            value = value[..., 2:]
        mask = np.isfinite(value)
        idx = np.nonzero(mask)
        vals = value[idx].tolist()
        areas = [ds.areas[i] for i in self._areas[idx[0]].tolist()]
        years = [ds.years[i] for i in self._years[idx[1]].tolist()]
        ks = idx[2].tolist()
        if parity:
            sexes: list[str | None] = [None] * len(vals)
        else:
            offset = 0 if e.by_sex else 2
            sexes = [SEXES[i + offset] for i in idx[3].tolist()]
        if e.block.kind == "grade":
            grade_ids = ds.grades
            level_of = {g: ds.structure.level_of_grade(g).id for g in grade_ids}
            grades: list[int | None] = [grade_ids[k] for k in ks]
            levels = [level_of[g] for g in grades if g is not None]
        else:
            grades = [None] * len(vals)
            levels = [ds.level_ids[k] for k in ks]
        nums: list[float | None] = [None] * len(vals)
        dens: list[float | None] = [None] * len(vals)
        if with_terms and not parity and e.block.numerator is not None:
            sel = idx if e.by_sex else (*idx[:3], idx[3] + 2)
            num = e.block.numerator[self._areas][:, self._years]
            nums = num[sel].tolist()
            if e.block.denominator is not None:
                dens = e.block.denominator[self._areas][:, self._years][sel].tolist()
        for i, v in enumerate(vals):
            yield IndicatorValue(
                e.indicator,
                years[i],
                areas[i],
                levels[i],
                grades[i],
                sexes[i],
                v,
                e.of,
                nums[i],
                dens[i],
            )

    def values(self, with_terms: bool = False) -> Iterator[IndicatorValue]:
        """Every available value; with *with_terms*, numerators and denominators too."""
        for e in self._entries:
            yield from self._iter_entry(e, with_terms)

    def __iter__(self) -> Iterator[IndicatorValue]:
        return self.values()

    def __len__(self) -> int:
        total = 0
        for e in self._entries:
            value = e.block.value[self._areas][:, self._years]
            if e.of is None and not e.by_sex:
                value = value[..., 2:]
            total += int(np.isfinite(value).sum())
        return total

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready records with keys ``indicator, year, area, level, grade, sex,
        value`` (plus ``of`` for parity indices), ordered by indicator."""
        return [v.to_dict() for v in self.values()]

    def describe(self, indicator: str) -> str:
        """The label of an indicator (for display)."""
        return INDICATORS[indicator].label
