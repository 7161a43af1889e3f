"""Datasets as labelled numpy arrays.

A :class:`Dataset` holds every observed variable on fixed axes:

* ``areas`` (any strings, in the order first met), ``years`` (a contiguous run of
  :class:`~edplan.years.SchoolYear`; a year without data is all missing), ``sexes``
  (``F``, ``M``, ``T``), and, depending on the variable, ``grades`` (the structure's
  grade numbers), ``levels`` (its level ids) or single ``ages``;
* missing values are ``NaN``.  ``T`` is completed as ``F + M`` where only the two sexes
  were given; if only totals were given, ``F`` and ``M`` stay missing.

Variables live in five families of arrays, chosen by which of level, grade and age a
row gives:

============ ============================= =======================================
family        shape                          typical variables
============ ============================= =======================================
``grade``     area × year × grade × sex      enrolment, repeaters, new_entrants
``level``     area × year × level × sex      teachers, classes, level totals
``age``       area × year × age × sex        population by single age
``level_age`` area × year × level × age × sex enrolment_by_age, new entrants by age
``scalar``    area × year × sex              gdp, total_population
============ ============================= =======================================

For a variable given by grade, :meth:`Dataset.level_total` sums the grades of the level
(missing if any grade is missing) and falls back on a level total given directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ._types import FloatArray
from .structure import Structure
from .years import SchoolYear

__all__ = ["SEXES", "Dataset"]

SEXES: tuple[str, ...] = ("F", "M", "T")
F, M, T = 0, 1, 2


def _complete_total(array: FloatArray) -> FloatArray:
    """Fill ``T`` (last axis, index 2) with ``F + M`` where it is missing."""
    out = array.copy()
    total = out[..., F] + out[..., M]
    missing = np.isnan(out[..., T])
    out[..., T] = np.where(missing, total, out[..., T])
    return out


@dataclass(frozen=True, eq=False)
class Dataset:
    """Observed data on labelled axes (see the module documentation)."""

    structure: Structure
    areas: tuple[str, ...]
    years: tuple[SchoolYear, ...]
    ages: tuple[int, ...]
    grade: Mapping[str, FloatArray] = field(default_factory=dict)
    level: Mapping[str, FloatArray] = field(default_factory=dict)
    age: Mapping[str, FloatArray] = field(default_factory=dict)
    level_age: Mapping[str, FloatArray] = field(default_factory=dict)
    scalar: Mapping[str, FloatArray] = field(default_factory=dict)

    # -- axes -------------------------------------------------------------------------
    @property
    def grades(self) -> tuple[int, ...]:
        """The grade axis (the structure's grades)."""
        return self.structure.grades

    @property
    def level_ids(self) -> tuple[str, ...]:
        """The level axis (the structure's level ids)."""
        return self.structure.level_ids

    def area_index(self, area: str) -> int:
        """Position of *area* on the area axis (``KeyError`` listing known areas)."""
        try:
            return self.areas.index(area)
        except ValueError:
            known = ", ".join(self.areas[:20])
            raise KeyError(f"area {area!r} is not in the data (areas: {known})") from None

    def year_index(self, year: SchoolYear | str) -> int:
        """Position of *year* on the year axis (``KeyError`` if outside the data)."""
        y = SchoolYear.parse(year)
        if not self.years or y < self.years[0] or y > self.years[-1]:
            span = f"{self.years[0]} to {self.years[-1]}" if self.years else "no years"
            raise KeyError(f"year {y} is not in the data (years: {span})")
        return y - self.years[0]

    def has_year(self, year: SchoolYear | str) -> bool:
        """Whether *year* lies on the year axis."""
        y = SchoolYear.parse(year)
        return bool(self.years) and self.years[0] <= y <= self.years[-1]

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the variables present in any family."""
        names: set[str] = set()
        for family in (self.grade, self.level, self.age, self.level_age, self.scalar):
            names.update(family)
        return tuple(sorted(names))

    @property
    def has_sex_breakdown(self) -> bool:
        """Whether enrolment is available for girls and boys separately."""
        enrol = self.grade.get("enrolment")
        if enrol is None:
            enrol = self.level.get("enrolment")
        return enrol is not None and bool(np.isfinite(enrol[..., F]).any())

    # -- accessors --------------------------------------------------------------------
    def _empty(self, *middle: int) -> FloatArray:
        return np.full((len(self.areas), len(self.years), *middle, 3), np.nan)

    def grade_values(self, variable: str) -> FloatArray:
        """area × year × grade × sex values of *variable* (all missing if absent)."""
        arr = self.grade.get(variable)
        return arr if arr is not None else self._empty(len(self.grades))

    def level_total(self, variable: str, year_index: int | None = None) -> FloatArray:
        """area × year × level × sex totals of *variable* (area × level × sex for the
        one year *year_index* when given).

        For a variable given by grade, the sum over the level's grades when every grade
        is present; otherwise a total given directly for the level; otherwise missing.
        """
        given = self.level.get(variable)
        by_grade = self.grade.get(variable)
        if year_index is not None:
            given = None if given is None else given[:, year_index]
            by_grade = None if by_grade is None else by_grade[:, year_index]
            shape: tuple[int, ...] = (len(self.areas), len(self.level_ids), 3)
        else:
            shape = (len(self.areas), len(self.years), len(self.level_ids), 3)
        out = given.copy() if given is not None else np.full(shape, np.nan)
        if by_grade is not None:
            axis = by_grade.ndim - 2
            for li, lv in enumerate(self.structure.levels):
                if not lv.graded:
                    continue
                first = self.structure.grade_index(lv.first_grade)
                block = np.take(by_grade, range(first, first + len(lv.grades)), axis=axis)
                summed = block.sum(axis=axis)
                target = out[..., li, :]
                out[..., li, :] = np.where(np.isnan(summed), target, summed)
        return out

    def age_values(self, variable: str) -> FloatArray:
        """area × year × age × sex values of *variable* (all missing if absent)."""
        arr = self.age.get(variable)
        return arr if arr is not None else self._empty(len(self.ages))

    def level_age_values(self, variable: str) -> FloatArray:
        """area × year × level × age × sex values of *variable*."""
        arr = self.level_age.get(variable)
        return arr if arr is not None else self._empty(len(self.level_ids), len(self.ages))

    def scalar_values(self, variable: str) -> FloatArray:
        """area × year × sex values of *variable* (all missing if absent)."""
        arr = self.scalar.get(variable)
        return arr if arr is not None else self._empty()

    def population_for_ages(self, ages: Iterable[int]) -> FloatArray:
        """area × year × sex population summed over *ages* (missing if any is)."""
        pop = self.age_values("population")
        idx = [a for a in ages if a in self.ages]
        wanted = list(ages)
        if len(idx) != len(wanted):
            return self._empty()
        ai = [self.ages.index(a) for a in wanted]
        return pop[:, :, ai, :].sum(axis=2)

    def school_age_population(self) -> FloatArray:
        """area × year × level × sex population of each level's official ages.

        Summed from single ages when available, else a level total given directly
        (``population`` rows with a level and no age).
        """
        out = self.level.get("population")
        out = out.copy() if out is not None else self._empty(len(self.level_ids))
        for li, lv in enumerate(self.structure.levels):
            summed = self.population_for_ages(lv.official_ages)
            out[:, :, li, :] = np.where(np.isnan(summed), out[:, :, li, :], summed)
        return out

    # -- transformations --------------------------------------------------------------
    def _mapped(self, fn: Callable[[FloatArray], FloatArray], areas: tuple[str, ...]) -> Dataset:
        """A copy with *fn* applied to every array and a new area axis."""

        def each(family: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
            return {k: fn(v) for k, v in family.items()}

        return replace(
            self,
            areas=areas,
            grade=each(self.grade),
            level=each(self.level),
            age=each(self.age),
            level_age=each(self.level_age),
            scalar=each(self.scalar),
        )

    def select_areas(self, areas: Sequence[str]) -> Dataset:
        """A dataset restricted to *areas* (in that order)."""
        idx = [self.area_index(a) for a in areas]
        return self._mapped(lambda arr: arr[idx], tuple(areas))

    def select_years(self, start: int, stop: int) -> Dataset:
        """The years of positions *start* to *stop* − 1 (views, not copies)."""
        years = self.years[start:stop]

        def window(arr: FloatArray) -> FloatArray:
            return arr[:, start:stop]

        return replace(
            self._mapped(window, self.areas),
            years=years,
        )

    def aggregate(self, groups: Mapping[str, Sequence[str]], keep: bool = False) -> Dataset:
        """Sum areas into higher areas.

        *groups* maps each new area code to the codes it is made of.  Counts are summed
        (a missing value in any member makes the sum missing), so that every indicator
        of a higher area is a ratio of summed numerators and denominators, never an
        average of rates.  With ``keep=True`` the original areas are kept and the groups
        are appended.

        >>> from edplan.structure import load_structure
        >>> ds = Dataset.from_arrays(load_structure("cambodia"), ["a", "b"],
        ...     [SchoolYear("2023-24")], grade={"enrolment": np.ones((2, 1, 12, 3))})
        >>> float(ds.aggregate({"all": ["a", "b"]}).grade["enrolment"][0, 0, 0, 2])
        2.0
        """
        members = {name: [self.area_index(a) for a in codes] for name, codes in groups.items()}

        def agg(arr: FloatArray) -> FloatArray:
            rows = [arr[idx].sum(axis=0) for idx in members.values()]
            stacked = np.stack(rows) if rows else arr[:0]
            return np.concatenate([arr, stacked]) if keep else stacked

        new_areas = tuple(members)
        areas = (*self.areas, *new_areas) if keep else new_areas
        return self._mapped(agg, areas)

    def total(self, name: str = "all") -> Dataset:
        """A one-area dataset summing every area (called *name*)."""
        return self.aggregate({name: list(self.areas)})

    def with_total(self, name: str = "all") -> Dataset:
        """The dataset with an extra area *name* summing every area."""
        if len(self.areas) <= 1:
            return self
        return self.aggregate({name: list(self.areas)}, keep=True)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        structure: Structure,
        areas: Sequence[str],
        years: Sequence[SchoolYear],
        *,
        ages: Sequence[int] | None = None,
        grade: Mapping[str, FloatArray] | None = None,
        level: Mapping[str, FloatArray] | None = None,
        age: Mapping[str, FloatArray] | None = None,
        level_age: Mapping[str, FloatArray] | None = None,
        scalar: Mapping[str, FloatArray] | None = None,
    ) -> Dataset:
        """Build a dataset from arrays already on the documented axes.

        Years must be contiguous; ``T`` is completed from ``F + M`` where missing.
        Intended for synthetic data, benchmarks and the web layer's caches.
        """
        ys = tuple(years)
        for a, b in itertools.pairwise(ys):
            if b != a.next():
                raise ValueError("years must be contiguous and increasing")
        age_axis = tuple(ages) if ages is not None else tuple(range(structure.max_age + 1))

        def prep(fam: Mapping[str, FloatArray] | None) -> dict[str, FloatArray]:
            return {
                k: _complete_total(np.asarray(v, dtype=np.float64)) for k, v in (fam or {}).items()
            }

        return cls(
            structure=structure,
            areas=tuple(areas),
            years=ys,
            ages=age_axis,
            grade=prep(grade),
            level=prep(level),
            age=prep(age),
            level_age=prep(level_age),
            scalar=prep(scalar),
        )
