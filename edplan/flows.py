"""Flow rates by grade and the reconstructed cohort.

Flow rates of year *t* describe what became of the pupils enrolled in year *t* by year
*t + 1* (UIS convention):

* repetition rate ``r(g, t) = R(g, t+1) / E(g, t)``;
* promotion rate ``p(g, t) = (E(g+1, t+1) - R(g+1, t+1)) / E(g, t)`` within a level, and
  for the last grade of a level the graduation rate ``graduates(t) / E(g, t)``;
* dropout rate ``d = 1 - p - r`` (negative values reveal inconsistent data and are
  reported by the quality checks, not hidden).

The **reconstructed cohort** follows 1,000 pupils entering the first grade of a level
with these rates held constant; dropouts never return.  Without a cap on repetitions the
results have closed forms (a pupil reaching grade *k* spends on average ``1 / (1 - r_k)``
years in it).  With ``max_repetitions = N`` a pupil may repeat at most *N* times in the
whole cycle; a pupil who fails once more than that leaves school and is counted with the
dropouts of that grade.

All functions are vectorised: the grade axis is the last but one, and any leading axes
(areas, years, sexes, draws) are carried along.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._types import FloatArray
from .dataset import SEXES, Dataset
from .errors import DataError
from .years import SchoolYear

__all__ = [
    "COHORT_SIZE",
    "CohortArrays",
    "CohortResult",
    "FlowCounts",
    "cohort_arrays",
    "flow_counts",
    "flow_rates",
    "reconstructed_cohort",
]

COHORT_SIZE = 1000.0


@dataclass(frozen=True)
class FlowCounts:
    """Pupil flows of each grade, area × year × grade × sex (year *t* = flows t → t+1).

    ``enrolment`` is the denominator of every flow rate; ``promoted`` are the pupils of
    grade *g* found in grade *g + 1* (or graduating from the last grade of a level),
    ``repeaters`` those found again in grade *g*, ``dropouts`` the remainder.
    """

    enrolment: FloatArray
    promoted: FloatArray
    repeaters: FloatArray
    dropouts: FloatArray

    @property
    def promotion_rate(self) -> FloatArray:
        """Promotion rate, percent."""
        return _pct(self.promoted, self.enrolment)

    @property
    def repetition_rate(self) -> FloatArray:
        """Repetition rate, percent."""
        return _pct(self.repeaters, self.enrolment)

    @property
    def dropout_rate(self) -> FloatArray:
        """Dropout rate, percent (may be negative when data are inconsistent)."""
        return _pct(self.dropouts, self.enrolment)


def _pct(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(100.0 * num / den, dtype=np.float64)
    return np.where(np.isfinite(out), out, np.nan)


def flow_counts(dataset: Dataset) -> FlowCounts:
    """Promoted, repeating and dropping-out pupils for every area, year, grade and sex.

    The last year of the data has no following year: its flows are missing.
    """
    s = dataset.structure
    enrol = dataset.grade_values("enrolment")
    rep = dataset.grade_values("repeaters")
    grad = dataset.grade_values("graduates")
    n_a, _, n_g, n_s = enrol.shape
    nan = np.full((n_a, 1, n_g, n_s), np.nan)
    enrol_next = np.concatenate([enrol[:, 1:], nan], axis=1)
    rep_next = np.concatenate([rep[:, 1:], nan], axis=1)
    new_next = enrol_next - rep_next
    promoted = np.full_like(enrol, np.nan)
    for lv in s.graded_levels:
        gi = [s.grade_index(g) for g in lv.grades]
        if len(gi) > 1:
            promoted[:, :, gi[:-1], :] = new_next[:, :, gi[1:], :]
        promoted[:, :, gi[-1], :] = grad[:, :, gi[-1], :]
    repeaters = rep_next
    dropouts = enrol - promoted - repeaters
    return FlowCounts(enrolment=enrol, promoted=promoted, repeaters=repeaters, dropouts=dropouts)


def flow_rates(
    dataset: Dataset, year: SchoolYear | str, area: str, sex: str = "T", level: str | None = None
) -> dict[str, dict[int, float]]:
    """Promotion, repetition and dropout rates (percent) by grade for one area and year.

    Missing rates are left out of the result.
    """
    fc = flow_counts(dataset)
    ai, yi, si = dataset.area_index(area), dataset.year_index(year), SEXES.index(sex)
    grades = dataset.structure.level(level).grades if level else dataset.grades
    out: dict[str, dict[int, float]] = {}
    for name, arr in (
        ("promotion_rate", fc.promotion_rate),
        ("repetition_rate", fc.repetition_rate),
        ("dropout_rate", fc.dropout_rate),
    ):
        values = {}
        for g in grades:
            v = float(arr[ai, yi, dataset.structure.grade_index(g), si])
            if np.isfinite(v):
                values[g] = v
        out[name] = values
    return out


@dataclass(frozen=True)
class CohortArrays:
    """Reconstructed-cohort results; the grade axis is last (per 1,000 entrants)."""

    survival: FloatArray  # percent of the cohort reaching each grade
    dropouts: FloatArray  # dropouts from each grade
    graduates: FloatArray
    pupil_years: FloatArray
    duration: int

    @property
    def coefficient_of_efficiency(self) -> FloatArray:
        """Ideal pupil-years (graduates × duration) over actual pupil-years, percent."""
        return _pct(self.graduates * self.duration, self.pupil_years)

    @property
    def years_input_per_graduate(self) -> FloatArray:
        """Pupil-years spent by the cohort per graduate."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(self.pupil_years / self.graduates, dtype=np.float64)
        return np.where(np.isfinite(out), out, np.nan)


def cohort_arrays(
    promotion: FloatArray, repetition: FloatArray, max_repetitions: int | None = None
) -> CohortArrays:
    """Follow 1,000 entrants through a level with constant rates.

    *promotion* and *repetition* are percent rates with the level's grades on the last
    axis (the last grade's promotion is its graduation rate).  Any leading axes are kept.
    Missing rates make the results of that cohort missing.

    >>> c = cohort_arrays(np.array([90.0, 85.0]), np.array([5.0, 10.0]))
    >>> [round(float(x), 3) for x in c.survival], round(float(c.graduates), 3)
    ([100.0, 94.737], 894.737)
    """
    p = np.asarray(promotion, dtype=np.float64) / 100.0
    r = np.asarray(repetition, dtype=np.float64) / 100.0
    n = p.shape[-1]
    batch = p.shape[:-1]
    if max_repetitions is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            stay = 1.0 / (1.0 - r)  # expected years in a grade per pupil reaching it
            stay[r >= 1.0] = np.nan
            step = p * stay  # share of those reaching grade k who reach k + 1
        reach = np.ones((*batch, n + 1))
        reach[..., 1:] = np.cumprod(step, axis=-1)
        reach[..., 1:][np.isnan(np.cumsum(step, axis=-1))] = np.nan
        entering = reach[..., :n]
        dropouts = COHORT_SIZE * entering * (1.0 - p - r) * stay
        graduates = COHORT_SIZE * reach[..., n]
        pupil_years = COHORT_SIZE * np.sum(entering * stay, axis=-1)
        survival = 100.0 * entering
    else:
        if max_repetitions < 0:
            raise DataError("max_repetitions must be 0 or more")
        k = max_repetitions
        d = 1.0 - p - r
        incoming = np.zeros((*batch, k + 1))
        incoming[..., 0] = COHORT_SIZE
        survival = np.zeros((*batch, n))
        dropouts = np.zeros((*batch, n))
        pupil_years = np.zeros(batch)
        for g in range(n):
            survival[..., g] = incoming.sum(axis=-1) / COHORT_SIZE * 100.0
            outgoing = np.zeros_like(incoming)
            carry = np.zeros(batch)
            pg, rg, dg = p[..., g], r[..., g], d[..., g]
            for j in range(k + 1):
                present = incoming[..., j] + carry
                pupil_years = pupil_years + present
                outgoing[..., j] = pg * present
                dropouts[..., g] += dg * present
                carry = rg * present
            dropouts[..., g] += carry  # would exceed the cap: they leave school
            incoming = outgoing
        graduates = incoming.sum(axis=-1)
    invalid = np.isnan(p).any(axis=-1) | np.isnan(r).any(axis=-1)
    if invalid.any():
        survival = np.where(invalid[..., None], np.nan, survival)
        dropouts = np.where(invalid[..., None], np.nan, dropouts)
        graduates = np.where(invalid, np.nan, graduates)
        pupil_years = np.where(invalid, np.nan, pupil_years)
    return CohortArrays(
        survival=survival,
        dropouts=dropouts,
        graduates=graduates,
        pupil_years=pupil_years,
        duration=n,
    )


@dataclass(frozen=True)
class CohortResult:
    """The reconstructed cohort of one level, area, year and sex.

    Rates and survival are percentages; ``dropouts``, ``graduates`` and ``pupil_years``
    are per 1,000 entrants.
    """

    level: str
    area: str
    year: SchoolYear
    sex: str
    max_repetitions: int | None
    promotion_rate: dict[int, float]
    repetition_rate: dict[int, float]
    dropout_rate: dict[int, float]
    survival_rate: dict[int, float]
    dropouts: dict[int, float]
    graduates: float
    pupil_years: float
    coefficient_of_efficiency: float
    years_input_per_graduate: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready mapping (grade keys as strings, as JSON requires)."""

        def keyed(d: dict[int, float]) -> dict[str, float]:
            return {str(k): v for k, v in d.items()}

        return {
            "level": self.level,
            "area": self.area,
            "year": str(self.year),
            "sex": self.sex,
            "max_repetitions": self.max_repetitions,
            "cohort_size": COHORT_SIZE,
            "promotion_rate": keyed(self.promotion_rate),
            "repetition_rate": keyed(self.repetition_rate),
            "dropout_rate": keyed(self.dropout_rate),
            "survival_rate": keyed(self.survival_rate),
            "dropouts": keyed(self.dropouts),
            "graduates": self.graduates,
            "pupil_years": self.pupil_years,
            "coefficient_of_efficiency": self.coefficient_of_efficiency,
            "years_input_per_graduate": self.years_input_per_graduate,
        }


def reconstructed_cohort(
    dataset: Dataset,
    *,
    level: str,
    year: SchoolYear | str,
    area: str | None = None,
    sex: str = "T",
    max_repetitions: int | None = None,
) -> CohortResult:
    """Reconstructed cohort of *level* with the flow rates between *year* and the next.

    *area* defaults to the only area of the data, or to the sum of all areas (``all``).
    Raises :class:`~edplan.errors.DataError` naming what is missing when a rate cannot
    be computed.
    """
    y = SchoolYear.parse(year)
    lv = dataset.structure.level(level)
    if not lv.graded:
        raise DataError(f"level {level!r} has no grades: the cohort method needs grades")
    if sex not in SEXES:
        raise DataError(f"sex {sex!r} is not F, M or T")
    if area is None:
        area = dataset.areas[0] if len(dataset.areas) == 1 else "all"
    if area == "all" and "all" not in dataset.areas:
        dataset = dataset.total("all")
    for needed in (y, y.next()):
        if not dataset.has_year(needed):
            raise DataError(
                f"the cohort of {y} needs data for {y} and {y.next()}; {needed} is not in the data"
            )
    fc = flow_counts(dataset)
    ai, yi, si = dataset.area_index(area), dataset.year_index(y), SEXES.index(sex)
    gi = [dataset.structure.grade_index(g) for g in lv.grades]
    p = fc.promotion_rate[ai, yi, gi, si]
    r = fc.repetition_rate[ai, yi, gi, si]
    d = fc.dropout_rate[ai, yi, gi, si]
    missing = [
        g
        for g, pv, rv in zip(lv.grades, p, r, strict=True)
        if not (np.isfinite(pv) and np.isfinite(rv))
    ]
    if missing:
        raise DataError(
            f"flow rates of {level} in area {area!r}, sex {sex}, year {y} cannot be computed "
            f"for grade(s) {', '.join(map(str, missing))}: the cohort needs enrolment by grade "
            f"for {y} and {y.next()}, repeaters by grade for {y.next()} and graduates of the "
            f"last grade for {y}"
        )
    c = cohort_arrays(p, r, max_repetitions)
    grades = lv.grades
    return CohortResult(
        level=level,
        area=area,
        year=y,
        sex=sex,
        max_repetitions=max_repetitions,
        promotion_rate=dict(zip(grades, map(float, p), strict=True)),
        repetition_rate=dict(zip(grades, map(float, r), strict=True)),
        dropout_rate=dict(zip(grades, map(float, d), strict=True)),
        survival_rate=dict(zip(grades, map(float, c.survival), strict=True)),
        dropouts=dict(zip(grades, map(float, c.dropouts), strict=True)),
        graduates=float(c.graduates),
        pupil_years=float(c.pupil_years),
        coefficient_of_efficiency=float(c.coefficient_of_efficiency),
        years_input_per_graduate=float(c.years_input_per_graduate),
    )
