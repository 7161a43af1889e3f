"""Building blocks of the indicator formulas: the ``Block`` of results, ``ratio``, the
shared ``Context`` of derived arrays, and the parity indices."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from .._types import FloatArray
from ..dataset import Dataset
from ..flows import CohortArrays, FlowCounts, cohort_arrays, flow_counts

__all__ = ["Block", "Context", "block", "parity_indices", "ratio"]


@dataclass(frozen=True)
class Block:
    """Values of one indicator on the level axis or the grade axis.

    ``value``, ``numerator`` and ``denominator`` are area × year × level-or-grade × sex;
    the terms are ``None`` for cohort-based indicators, which are not simple ratios.
    """

    kind: Literal["level", "grade"]
    value: FloatArray
    numerator: FloatArray | None = None
    denominator: FloatArray | None = None


def ratio(num: FloatArray, den: FloatArray, scale: float = 100.0) -> FloatArray:
    """``scale × num / den`` with missing (``NaN``) results where it is undefined.

    >>> ratio(np.array([1.0, 1.0, np.nan]), np.array([4.0, 0.0, 2.0])).tolist()
    [25.0, nan, nan]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(scale * num / den, dtype=np.float64)
    return np.where(np.isfinite(out), out, np.nan)


def block(
    kind: Literal["level", "grade"],
    num: FloatArray,
    den: FloatArray,
    scale: float = 100.0,
    total_only: bool = False,
) -> Block:
    if total_only:
        num = num.copy()
        den = den.copy()
        num[..., :2] = np.nan
        den[..., :2] = np.nan
    return Block(kind, ratio(num, den, scale), num, den)


class Context:
    """Derived arrays shared by the formulas, each computed once per dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.ds = dataset
        self.structure = dataset.structure
        n_a, n_y = len(dataset.areas), len(dataset.years)
        self.level_shape = (n_a, n_y, len(dataset.level_ids), 3)
        self.grade_shape = (n_a, n_y, len(dataset.grades), 3)

    def empty_levels(self) -> FloatArray:
        """An all-missing area × year × level × sex array."""
        return np.full(self.level_shape, np.nan)

    def next_year(self, arr: FloatArray) -> FloatArray:
        """Values of year *t + 1* placed at year *t* (the last year becomes missing)."""
        out = np.full_like(arr, np.nan)
        out[:, :-1] = arr[:, 1:]
        return out

    @cached_property
    def enrolment(self) -> FloatArray:
        """Enrolment by grade."""
        return self.ds.grade_values("enrolment")

    @cached_property
    def repeaters(self) -> FloatArray:
        """Repeaters by grade."""
        return self.ds.grade_values("repeaters")

    @cached_property
    def enrolment_level(self) -> FloatArray:
        """Enrolment by level."""
        return self.ds.level_total("enrolment")

    @cached_property
    def school_age_population(self) -> FloatArray:
        """Population of each level's official ages."""
        return self.ds.school_age_population()

    @cached_property
    def flows(self) -> FlowCounts:
        """Flow counts by grade."""
        return flow_counts(self.ds)

    @cached_property
    def new_entrants(self) -> FloatArray:
        """New entrants by grade: given, or enrolment minus repeaters of the same year."""
        given = self.ds.grade_values("new_entrants")
        return np.where(np.isnan(given), self.enrolment - self.repeaters, given)

    def population_at_age(self, age: int) -> FloatArray:
        """area × year × sex population of a single age."""
        return self.ds.population_for_ages([age])

    def grade_slice(self, arr: FloatArray, grade: int) -> FloatArray:
        """area × year × sex values of one grade."""
        return arr[:, :, self.structure.grade_index(grade), :]

    def level_sum(self, arr: FloatArray) -> FloatArray:
        """Sum a by-grade array over the grades of each level (missing if any is)."""
        out = self.empty_levels()
        for li, lv in enumerate(self.structure.levels):
            if lv.graded:
                gi = [self.structure.grade_index(g) for g in lv.grades]
                out[:, :, li, :] = arr[:, :, gi, :].sum(axis=2)
        return out

    @cached_property
    def enrolment_by_age(self) -> FloatArray:
        """area × year × level × age × sex (ages not given count as 0 where a level has
        any by-age data, see :mod:`edplan.data`)."""
        return self.ds.level_age_values("enrolment_by_age")

    def net_enrolment_numerator(self, adjusted: bool) -> FloatArray:
        """Pupils of each level's official ages enrolled in it (or, adjusted, in it or
        a higher level)."""
        eba = self.enrolment_by_age
        ages = self.ds.ages
        out = self.empty_levels()
        for li, lv in enumerate(self.structure.levels):
            ai = [ages.index(a) for a in lv.official_ages if a in ages]
            own = eba[:, :, li][:, :, ai].sum(axis=2)
            if adjusted and li + 1 < eba.shape[2]:
                higher = np.nansum(eba[:, :, li + 1 :][:, :, :, ai], axis=(2, 3))
                own = own + higher
            out[:, :, li, :] = own
        return out

    @cached_property
    def cohorts(self) -> dict[str, CohortArrays]:
        """Reconstructed cohorts (no repetition cap) per graded level; batch axes are
        area × year × sex and the level's grades are last."""
        rates_p = self.flows.promotion_rate
        rates_r = self.flows.repetition_rate
        out = {}
        for lv in self.structure.graded_levels:
            gi = [self.structure.grade_index(g) for g in lv.grades]
            p = np.moveaxis(rates_p[:, :, gi, :], 2, -1)
            r = np.moveaxis(rates_r[:, :, gi, :], 2, -1)
            out[lv.id] = cohort_arrays(p, r)
        return out

    def cohort_level(self, pick: str) -> FloatArray:
        """A per-level cohort result (``coefficient_of_efficiency`` or
        ``years_input_per_graduate``) on the level axis."""
        out = self.empty_levels()
        for lv_id, cohort in self.cohorts.items():
            out[:, :, self.structure.level_index(lv_id), :] = getattr(cohort, pick)
        return out


def parity_indices(value: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Gender parity index and adjusted index from an array whose last axis is sex.

    >>> gpi, agpi = parity_indices(np.array([[0.8, 1.0, 0.0], [1.25, 1.0, 0.0]]))
    >>> gpi.tolist(), agpi.tolist()
    ([0.8, 1.25], [0.8, 1.2])
    """
    gpi = ratio(value[..., 0], value[..., 1], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        adjusted = np.where(gpi > 1.0, 2.0 - 1.0 / gpi, gpi)
    return gpi, adjusted
