"""Needs-assessment formulas: pure functions on numpy arrays (no Django).

Arrays are respondents × competencies; a missing answer is NaN.

Borich's mean weighted discrepancy score (Borich, G. D. 1980, "A needs assessment model for
conducting follow-up studies", Journal of Teacher Education 31(3): 39–42; computed as in
McKim, B. R. & Saucier, P. R. 2011, "An Excel-based mean weighted discrepancy score
calculator", Journal of Extension 49(2), 2TOT8): for each competency *j* and each respondent
*i* who rated both, the discrepancy is importance − current ability; it is weighted by the
mean importance of the competency, and averaged over the *n* respondents:

    MWDS_j = Σ_i (I_ij − A_ij) × Ī_j / n_j  =  Ī_j × mean_i(I_ij − A_ij)

The larger the score, the higher the training priority.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Borich:
    """Per competency (1-D arrays of the same length)."""

    n: IntArray  # respondents who rated both importance and ability
    mean_importance: FloatArray
    mean_ability: FloatArray
    mean_discrepancy: FloatArray
    mwds: FloatArray

    def rank(self) -> IntArray:
        """Column indices from the highest MWDS to the lowest (competencies without answers
        last)."""
        key = np.where(np.isnan(self.mwds), -np.inf, self.mwds)
        return np.argsort(-key, kind="stable")


def borich_mwds(importance: FloatArray, ability: FloatArray) -> Borich:
    """Borich's mean weighted discrepancy score of each column.

    Only respondents who rated both importance and ability of a competency count for it.

    >>> importance = np.array([[5, 3], [4, 3], [5, 2.0]])
    >>> ability = np.array([[2, 3], [3, 2], [1, 2.0]])
    >>> result = borich_mwds(importance, ability)
    >>> result.mwds.round(2).tolist()   # 4.67 × mean(3, 1, 4);  2.67 × mean(0, 1, 0)
    [12.44, 0.89]
    >>> result.rank().tolist()
    [0, 1]
    """
    importance = np.asarray(importance, dtype=float)
    ability = np.asarray(ability, dtype=float)
    both = ~(np.isnan(importance) | np.isnan(ability))
    n = both.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_importance = np.where(both, importance, 0).sum(axis=0) / n
        mean_ability = np.where(both, ability, 0).sum(axis=0) / n
        mean_discrepancy = np.where(both, importance - ability, 0).sum(axis=0) / n
    mwds = mean_importance * mean_discrepancy
    return Borich(n.astype(np.int64), mean_importance, mean_ability, mean_discrepancy, mwds)


def person_gaps(required: FloatArray, current: FloatArray) -> FloatArray:
    """Gap of each person in each competency: required level − current level, floored at 0.

    NaN where the role requires nothing or the person gave no level.

    >>> person_gaps(np.array([[4, np.nan, 3]]), np.array([[2, 5, 4.0]])).tolist()
    [[2.0, nan, 0.0]]
    """
    with np.errstate(invalid="ignore"):
        return np.maximum(np.asarray(required, float) - np.asarray(current, float), 0)


def nan_mean(values: FloatArray, axis: int | None = None) -> FloatArray:
    """Mean ignoring NaN, NaN (without a warning) where there is nothing to average."""
    values = np.asarray(values, dtype=float)
    present = ~np.isnan(values)
    count = present.sum(axis=axis)
    total = np.where(present, values, 0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def group_means(values: FloatArray, groups: IntArray, group_count: int) -> FloatArray:
    """Mean of ``values`` (rows × columns) per group of rows, ignoring NaN.

    ``groups`` gives each row's group index (0 … group_count − 1). Returns groups × columns.

    >>> values = np.array([[1.0, 2], [3, np.nan], [5, 6]])
    >>> group_means(values, np.array([0, 0, 1]), 2).tolist()
    [[2.0, 2.0], [5.0, 6.0]]
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0)
    totals = np.zeros((group_count, values.shape[1]))
    counts = np.zeros((group_count, values.shape[1]))
    if len(groups):
        # Sort the rows by group and sum each run (np.add.at is slow on large arrays).
        order = np.argsort(groups, kind="stable")
        sorted_groups = groups[order]
        starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
        totals[sorted_groups[starts]] = np.add.reduceat(filled[order], starts, axis=0)
        counts[sorted_groups[starts]] = np.add.reduceat(
            present[order].astype(float), starts, axis=0
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals / counts


def level_counts(levels: FloatArray, scale_min: int, scale_max: int) -> IntArray:
    """How many respondents chose each level, per column: (levels on the scale) × columns.

    >>> level_counts(np.array([[1, 2], [1, np.nan], [3, 2]]), 1, 3).tolist()
    [[2, 0], [0, 2], [1, 0]]
    """
    levels = np.asarray(levels, dtype=float)
    width = scale_max - scale_min + 1
    counts = np.zeros((width, levels.shape[1]), dtype=np.int64)
    for column in range(levels.shape[1]):
        values = levels[:, column]
        values = values[~np.isnan(values)].astype(np.int64) - scale_min
        values = values[(values >= 0) & (values < width)]
        counts[:, column] = np.bincount(values, minlength=width)
    return counts


def quadrant(
    importance: float, performance: float, cut_importance: float, cut_performance: float
) -> str:
    """The importance–performance quadrant of a point (Martilla & James, 1977).

    >>> quadrant(4.5, 2.0, 4.0, 3.0)
    'concentrate_here'
    """
    if importance >= cut_importance:
        return "keep_up" if performance >= cut_performance else "concentrate_here"
    return "possible_overkill" if performance >= cut_performance else "low_priority"
