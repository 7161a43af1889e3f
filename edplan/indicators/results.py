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

    def _columns(self, e: _Entry, with_terms: bool) -> dict[str, list[Any]]:
        """Column lists of the available values of one entry (vectorised lookup)."""
        ds = self.dataset
        value = e.block.value[self._areas][:, self._years]
        parity = e.of is not None
        offset = 0 if parity or e.by_sex else 2
        if not parity and not e.by_sex:
            value = value[..., 2:]
        idx = np.nonzero(np.isfinite(value))
        n = len(idx[0])
        area_names = [ds.areas[i] for i in self._areas.tolist()]
        year_names = [ds.years[i] for i in self._years.tolist()]
        cols: dict[str, list[Any]] = {
            "value": value[idx].tolist(),
            "area": [area_names[i] for i in idx[0].tolist()],
            "year": [year_names[i] for i in idx[1].tolist()],
        }
        ks = idx[2].tolist()
        if parity:
            cols["sex"] = [None] * n
        else:
            cols["sex"] = [SEXES[i + offset] for i in idx[3].tolist()]
        if e.block.kind == "grade":
            grade_ids = ds.grades
            level_of = [ds.structure.level_of_grade(g).id for g in grade_ids]
            cols["grade"] = [grade_ids[k] for k in ks]
            cols["level"] = [level_of[k] for k in ks]
        else:
            cols["grade"] = [None] * n
            cols["level"] = [ds.level_ids[k] for k in ks]
        cols["numerator"] = [None] * n
        cols["denominator"] = [None] * n
        if with_terms and not parity and e.block.numerator is not None:
            sel = idx if e.by_sex else (*idx[:3], idx[3] + 2)
            cols["numerator"] = e.block.numerator[self._areas][:, self._years][sel].tolist()
            if e.block.denominator is not None:
                cols["denominator"] = e.block.denominator[self._areas][:, self._years][sel].tolist()
        return cols

    def _iter_entry(self, e: _Entry, with_terms: bool) -> Iterator[IndicatorValue]:
        c = self._columns(e, with_terms)
        for row in zip(
            c["year"],
            c["area"],
            c["level"],
            c["grade"],
            c["sex"],
            c["value"],
            c["numerator"],
            c["denominator"],
            strict=True,
        ):
            year, area, level, grade, sex, value, num, den = row
            yield IndicatorValue(e.indicator, year, area, level, grade, sex, value, e.of, num, den)

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
        out: list[dict[str, Any]] = []
        for e in self._entries:
            c = self._columns(e, with_terms=False)
            years = {y: str(y) for y in set(c["year"])}
            ind = e.indicator
            if e.of is None:
                out.extend(
                    {
                        "indicator": ind,
                        "year": years[y],
                        "area": a,
                        "level": lv,
                        "grade": g,
                        "sex": sx,
                        "value": v,
                    }
                    for y, a, lv, g, sx, v in zip(
                        c["year"],
                        c["area"],
                        c["level"],
                        c["grade"],
                        c["sex"],
                        c["value"],
                        strict=True,
                    )
                )
            else:
                out.extend(
                    {
                        "indicator": ind,
                        "year": years[y],
                        "area": a,
                        "level": lv,
                        "grade": g,
                        "sex": None,
                        "value": v,
                        "of": e.of,
                    }
                    for y, a, lv, g, v in zip(
                        c["year"], c["area"], c["level"], c["grade"], c["value"], strict=True
                    )
                )
        return out

    def describe(self, indicator: str) -> str:
        """The label of an indicator (for display)."""
        return INDICATORS[indicator].label
