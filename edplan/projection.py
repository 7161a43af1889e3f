"""The projection model: enrolment, teachers, classrooms, costs and financing.

From the base year (the last observed year) to the final year, by area × grade × sex:

1. **Enrolment.** New entrants to the first grade of a level are ``gross_intake_ratio ×
   population of the entry age`` (first level) or ``transition_rate × enrolment in the
   last grade of the previous level the year before``.  In each grade ``E(g, t) =
   p(g − 1) × E(g − 1, t − 1) + r(g) × E(g, t − 1)`` (+ new entrants in a first grade),
   where promotion ``p = 100 − r − dropout``.  Rates default to those observed between
   the year before the base year and the base year, so that unchanged rates reproduce
   the observed flow identities; targets are interpolated.  Levels without grades
   follow ``gross_enrolment_ratio × population of their official ages``.
   Graduates of year t are ``p(last grade) × E(last grade, t)``.
2. **Teachers** = enrolment / pupil-teacher ratio, rounded up; or, where
   ``teaching_hours`` and ``curriculum_hours`` are given for a level, ``classes ×
   curriculum_hours / teaching_hours``, rounded up.  Recruitment = ``max(0, teachers(t)
   − teachers(t − 1) × (1 − attrition))``, rounded up.  The base year keeps the observed
   teachers when the data has them.
3. **Classes** = Σ over grades of enrolment / class size, each rounded up; classrooms
   needed = classes × (1 − double-shift share / 2), rounded up; new classrooms =
   ``max(0, needed − stock)``, and the stock grows with what is built.
4. **Costs**: salary cost = teachers × salary; recurrent cost = salary cost × (1 +
   non-salary share); capital cost = new classrooms × unit cost; total = recurrent +
   capital (recurrent only when no unit cost is given).
5. **Financing**: resources given per year, or ``GDP × revenue share × education share ×
   level share + external aid``; financing gap = total cost − resources.

Everything is vectorised over draws × areas × grades × sexes; the only Python loops run
over years and levels.  The draw axis carries the sensitivity runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._types import BoolArray, FloatArray, IntArray
from .dataset import Dataset
from .errors import Problem, ScenarioError
from .flows import flow_counts
from .indicators.formulas import ratio
from .scenario import (
    ParamValues,
    Scenario,
    Series,
    check_scenario,
    interpolation_weights,
    load_scenario,
)
from .structure import Level, Structure
from .years import SchoolYear

__all__ = ["GRADE_VARIABLES", "LEVEL_VARIABLES", "Projection", "project"]

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


def _ceil(x: FloatArray) -> FloatArray:
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


# --- parameter resolution -------------------------------------------------------------


@dataclass
class _Resolver:
    scenario: Scenario
    areas: tuple[str, ...]
    years: list[SchoolYear]
    n_draws: int
    leaf_values: Mapping[str, FloatArray] | None

    def lookup(self, pid: str, area: str, level: str | None, grade: int | None) -> Series | None:
        """Most specific value: the area's own before the general ones."""
        keys = (
            [(level, grade), (level, None), (None, None)]
            if grade is not None
            else [
                (level, None),
                (None, None),
            ]
        )
        own: ParamValues = self.scenario.area_parameters.get(area, {}).get(pid, {})
        general: ParamValues = self.scenario.parameters.get(pid, {})
        for values in (own, general):
            for key in keys:
                if key in values:
                    return values[key]
        return None

    def _draws_of(self, pid: str) -> int:
        groups = [self.scenario.parameters, *self.scenario.area_parameters.values()]
        uncertain = any(
            not isinstance(leaf, float)
            for group in groups
            for series in group.get(pid, {}).values()
            for _, leaf in series
        )
        return self.n_draws if uncertain and self.leaf_values is not None else 1

    def weights(
        self, pid: str, keys: Sequence[tuple[str | None, int | None]], has_base: bool
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """``alpha`` (A1 × K × years), ``beta`` (D1 × A1 × K × years) and ``given``
        (A1 × K) for parameter *pid* on axis *keys*; A1 is 1 when no area overrides it."""
        per_area = any(pid in p for p in self.scenario.area_parameters.values())
        areas = self.areas if per_area else self.areas[:1]
        d1 = self._draws_of(pid)
        n = len(self.years)
        alpha = np.ones((len(areas), len(keys), n))
        beta = np.zeros((d1, len(areas), len(keys), n))
        given = np.zeros((len(areas), len(keys)), dtype=bool)
        cache: dict[int, tuple[FloatArray, FloatArray]] = {}
        for ai, area in enumerate(areas):
            for k, (level, grade) in enumerate(keys):
                series = self.lookup(pid, area, level, grade)
                if series is None:
                    continue
                key = id(series)
                if key not in cache:
                    cache[key] = interpolation_weights(
                        series, self.years, self.leaf_values, d1, has_base
                    )
                a, b = cache[key]
                alpha[ai, k] = a
                beta[:, ai, k] = b
                given[ai, k] = True
        return alpha, beta, given


@dataclass
class _Param:
    """A resolved parameter: value(t) = alpha[..., t] × base + beta[..., t]."""

    alpha: FloatArray  # A1 × K × years
    beta: FloatArray  # D1 × A1 × K × years
    given: BoolArray  # A1 × K
    base: FloatArray | None  # A × K × S or A × K (observed), None when there is none

    def at(self, t: int) -> FloatArray:
        """Values in year index *t*: D × A × K (× S when the base has a sex axis)."""
        beta = self.beta[..., t]
        if self.base is None:
            return beta
        alpha = self.alpha[..., t]
        # a missing observed value does not matter where its weight is 0
        if self.base.ndim == 3:
            a = alpha[None, :, :, None]
            return np.where(a == 0.0, 0.0, a * self.base[None]) + beta[..., None]
        a = alpha[None]
        return np.where(a == 0.0, 0.0, a * self.base[None]) + beta


def _param(
    res: _Resolver,
    pid: str,
    keys: Sequence[tuple[str | None, int | None]],
    base: FloatArray | None,
) -> _Param:
    alpha, beta, given = res.weights(pid, keys, has_base=base is not None)
    if base is None:
        alpha = np.zeros_like(alpha)
        beta = np.where(given[None, :, :, None], beta, np.nan)
    return _Param(alpha, beta, given, base)


# --- the model ----------------------------------------------------------------------------


def project(
    dataset: Dataset,
    scenario: Scenario | Mapping[str, Any] | str | Path,
    *,
    draws: int = 1,
    leaf_values: Mapping[str, FloatArray] | None = None,
    detail: bool = True,
) -> Projection:
    """Project *dataset* under *scenario* (a :class:`Scenario`, a mapping or a path).

    *leaf_values* gives, for a sensitivity run, the *draws* values of each uncertain
    parameter (keyed by the parameter's path, see :meth:`Scenario.uncertain_leaves`).
    Without *detail*, values by grade are not kept (level totals only), which saves
    memory and time in sensitivity runs.
    Raises :class:`~edplan.errors.ScenarioError` listing what is missing or
    inconsistent.
    """
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    s = dataset.structure
    problems = check_scenario(scn, s)
    if problems:
        raise ScenarioError(f"{scn.origin}: the scenario does not fit the structure", problems)
    ds = _select_areas(dataset, scn)
    base = scn.base_year
    if not ds.has_year(base):
        raise ScenarioError(
            f"the base year {base} is not in the data ({ds.years[0]} to {ds.years[-1]}); "
            "set base_year to the last observed year"
        )
    model = _Model(ds, scn, draws, leaf_values, detail)
    return model.run()


def _level_sums(arr: FloatArray, firsts: IntArray) -> FloatArray:
    """Sums of D × A × G × S values over the grades of each graded level (whose grades
    are contiguous on the grade axis, starting at *firsts*): levels × D × A × S."""
    return np.moveaxis(np.add.reduceat(arr, firsts, axis=2), 2, 0)


def _select_areas(dataset: Dataset, scn: Scenario) -> Dataset:
    if scn.areas == ("all",):
        return dataset.total("all")
    if scn.areas == ("each",):
        return dataset
    unknown = [a for a in scn.areas if a not in dataset.areas]
    if unknown:
        raise ScenarioError(
            f"{scn.origin}: area(s) {', '.join(unknown)} are not in the data",
            [Problem(None, "areas", f"unknown area {a!r}") for a in unknown],
        )
    return dataset.select_areas(list(scn.areas))


class _Model:
    def __init__(
        self,
        ds: Dataset,
        scn: Scenario,
        draws: int,
        leaf_values: Mapping[str, FloatArray] | None,
        detail: bool = True,
    ) -> None:
        self.ds = ds
        self.detail = detail
        self.scn = scn
        self.s = ds.structure
        self.years = scn.years
        self.n = len(self.years)
        self.draws = draws
        self.res = _Resolver(scn, ds.areas, self.years, draws, leaf_values)
        self.sex_idx = [0, 1] if ds.has_sex_breakdown else [2]
        self.sexes = ("F", "M") if ds.has_sex_breakdown else ("T",)
        self.b = ds.year_index(scn.base_year)
        self.enrol_level_base_all = ds.level_total("enrolment", self.b)  # A × L × 3
        self.enrol_level_base = self.enrol_level_base_all[..., self.sex_idx]
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.level_keys = [(lv.id, None) for lv in self.s.levels]
        self.grade_keys = [(self.s.level_of_grade(g).id, g) for g in self.s.grades]
        n_a, n_g, n_l, n_s = len(ds.areas), len(self.s.grades), len(self.s.levels), len(self.sexes)
        self.shape_g = (draws, self.n, n_a, n_g, n_s)
        self.shape_ls = (draws, self.n, n_a, n_l, n_s)
        self.shape_l = (draws, self.n, n_a, n_l)

    # -- observed inputs ---------------------------------------------------------------
    def observed(self, arr: FloatArray, year_index: int) -> FloatArray:
        """A × K × S slice of an area × year × K × sex array (missing if out of range)."""
        if not 0 <= year_index < arr.shape[1]:
            return np.full((arr.shape[0], arr.shape[2], len(self.sex_idx)), np.nan)
        return arr[:, year_index][..., self.sex_idx]

    def population(self, ages: Sequence[int]) -> FloatArray:
        """D1 × years × A × S population of *ages*, extended with the growth rate."""
        ds = self.ds
        pop = ds.population_for_ages(ages)  # A × Ydata × 3
        if not np.isfinite(pop).any():
            pop = np.full_like(pop, np.nan)
        out = np.full((self.n, len(ds.areas), len(self.sex_idx)), np.nan)
        for t, year in enumerate(self.years):
            if ds.has_year(year):
                out[t] = pop[:, ds.year_index(year)][..., self.sex_idx]
        growth = _param(self.res, "population_growth_rate", [(None, None)], None)
        result = np.repeat(out[None], growth.beta.shape[0], axis=0)
        for t in range(1, self.n):
            g = growth.at(t)[:, :, 0]  # D1 × A1
            grown = result[:, t - 1] * (1.0 + g[..., None] / 100.0)
            result[:, t] = np.where(np.isnan(result[:, t]), grown, result[:, t])
        return result

    # -- run ---------------------------------------------------------------------------
    def run(self) -> Projection:
        ds, s = self.ds, self.s
        prev = self.b - 1
        # flows between the year before the base year and the base year only
        first = max(prev, 0)
        fc = flow_counts(ds.select_years(first, self.b + 1))
        r_obs = self.observed(fc.repetition_rate, prev - first)
        p_obs = self.observed(fc.promotion_rate, prev - first)
        d_obs = self.observed(fc.dropout_rate, prev - first)
        enrol = ds.grade_values("enrolment")
        repeaters = ds.grade_values("repeaters")
        given_ne = ds.grade_values("new_entrants")
        new_entrants = np.where(np.isnan(given_ne), enrol - repeaters, given_ne)
        e_base = self.observed(enrol, self.b)
        rep_base = self.observed(repeaters, self.b)
        ne_base = self.observed(new_entrants, self.b)

        projected: list[Level] = []
        for lv in s.levels:
            if lv.graded:
                gi = [s.grade_index(g) for g in lv.grades]
                block = e_base[:, gi]
            else:
                block = self.enrol_level_base[:, [s.level_index(lv.id)]]
            if np.isnan(block).all():
                self.notes.append(
                    f"{lv.id}: no enrolment in the base year {self.scn.base_year}; "
                    "the level is not projected"
                )
                continue
            if np.isnan(block).any():
                missing = sorted(
                    {ds.areas[a] for a in np.nonzero(np.isnan(block).any(axis=(1, 2)))[0]}
                )
                self.problems.append(
                    Problem(
                        None,
                        "data",
                        f"{lv.id}: base-year enrolment is incomplete for area(s) "
                        f"{', '.join(missing)}; give it for every grade and sex",
                    )
                )
                continue
            projected.append(lv)

        # flow-rate parameters on the grade axis
        rep = _param(self.res, "repetition_rate", self.grade_keys, r_obs)
        drop = _param(self.res, "dropout_rate", self.grade_keys, d_obs)
        prom = _param(self.res, "promotion_rate", self.grade_keys, p_obs)
        level_intake: dict[str, _Param] = {}
        pop_entry: dict[str, FloatArray] = {}
        pop_level: dict[str, FloatArray] = {}
        for lv in projected:
            li = s.level_index(lv.id)
            if not lv.graded:
                pop_level[lv.id] = self.population(lv.official_ages)
                ger_obs = ratio(self.enrol_level_base[:, [li]], pop_level[lv.id][0, 0][:, None, :])
                level_intake[lv.id] = _param(
                    self.res, "gross_enrolment_ratio", [(lv.id, None)], ger_obs
                )
            elif lv.intake == "population":
                first = s.grade_index(lv.first_grade)
                pop = self.population([lv.entry_age])
                pop_entry[lv.id] = pop
                gir_obs = ratio(ne_base[:, [first]], pop[0, 0][:, None, :])
                level_intake[lv.id] = _param(
                    self.res, "gross_intake_ratio", [(lv.id, None)], gir_obs
                )
            else:
                before = s.previous_graded_level(lv.id)
                assert before is not None  # noqa: S101 - structure guarantees it
                first = s.grade_index(lv.first_grade)
                last_prev = s.grade_index(before.last_grade)
                tr_obs = ratio(ne_base[:, [first]], self.observed(enrol, prev)[:, [last_prev]])
                level_intake[lv.id] = _param(self.res, "transition_rate", [(lv.id, None)], tr_obs)
        self._check_inputs(projected, rep, drop, prom, level_intake, pop_entry, pop_level)
        if self.problems:
            raise ScenarioError(
                f"{self.scn.origin}: the projection cannot be run with this data and scenario",
                self.problems,
            )

        grade_out = (
            {v: np.full(self.shape_g, np.nan) for v in GRADE_VARIABLES} if self.detail else {}
        )
        level_sex = {v: np.full(self.shape_ls, np.nan) for v in LEVEL_SEX_VARIABLES}
        enrol_total = self._enrolment(
            projected,
            e_base,
            rep_base,
            ne_base,
            rep,
            drop,
            prom,
            level_intake,
            pop_entry,
            pop_level,
            grade_out,
            level_sex,
        )
        level_out = self._resources_and_costs(projected, enrol_total, level_sex)
        return Projection(
            scenario=self.scn,
            structure=s,
            years=tuple(self.years),
            areas=ds.areas,
            sexes=self.sexes,
            grade=grade_out,
            level_sex=level_sex,
            level=level_out,
            notes=tuple(self.notes),
            projected_levels=tuple(lv.id for lv in projected),
        )

    def _check_inputs(
        self,
        projected: list[Level],
        rep: _Param,
        drop: _Param,
        prom: _Param,
        intake: dict[str, _Param],
        pop_entry: dict[str, FloatArray],
        pop_level: dict[str, FloatArray],
    ) -> None:
        s, ds = self.s, self.ds
        prev_year = self.scn.base_year.previous()
        for lv in projected:
            if lv.graded:
                gi = [s.grade_index(g) for g in lv.grades]
                r0 = rep.at(1)[:, :, gi]
                d0 = np.where(
                    prom.given[None, :, gi, None], prom.at(1)[:, :, gi], drop.at(1)[:, :, gi]
                )
                bad_grades = sorted(
                    {lv.grades[k] for k in np.nonzero(np.isnan(r0 + d0).any(axis=(0, 1, 3)))[0]}
                )
                if bad_grades:
                    self.problems.append(
                        Problem(
                            None,
                            f"parameters.repetition_rate.{lv.id}",
                            f"{lv.id}: no observed flow rates for grade(s) "
                            f"{', '.join(map(str, bad_grades))} (they need enrolment and "
                            f"repeaters by grade for {prev_year} and {self.scn.base_year}); "
                            "give repetition_rate and dropout_rate for them in the scenario",
                        )
                    )
            kind = (
                "gross_enrolment_ratio"
                if not lv.graded
                else "gross_intake_ratio"
                if lv.intake == "population"
                else "transition_rate"
            )
            value = intake[lv.id].at(min(1, self.n - 1))
            if np.isnan(value).any():
                self.problems.append(
                    Problem(
                        None,
                        f"parameters.{kind}.{lv.id}",
                        f"{lv.id}: {kind} is not observed in the base year (data missing); "
                        "give it in the scenario",
                    )
                )
            pops = pop_level.get(lv.id, pop_entry.get(lv.id))
            if pops is not None and np.isnan(pops).any():
                t_missing = sorted(set(np.nonzero(np.isnan(pops).any(axis=(0, 2, 3)))[0].tolist()))
                years = ", ".join(str(self.years[t]) for t in t_missing[:5])
                self.problems.append(
                    Problem(
                        None,
                        "data",
                        f"{lv.id}: population of the official ages"
                        + (" (by sex, F and M, as enrolment is)" if self.sexes != ("T",) else "")
                        + f" is missing for {years}"
                        + (" ..." if len(t_missing) > 5 else "")
                        + " in some area; add population rows for those years or set "
                        "population_growth_rate in the scenario",
                    )
                )
        del ds

    def _enrolment(
        self,
        projected: list[Level],
        e_base: FloatArray,
        rep_base: FloatArray,
        ne_base: FloatArray,
        rep: _Param,
        drop: _Param,
        prom: _Param,
        intake: dict[str, _Param],
        pop_entry: dict[str, FloatArray],
        pop_level: dict[str, FloatArray],
        grade_out: dict[str, FloatArray],
        level_sex: dict[str, FloatArray],
    ) -> FloatArray:
        """Fill the level totals (and, with detail, the grade arrays); return the
        enrolment by grade of both sexes together, D × years × A × G."""
        s, ds = self.s, self.ds
        graded = [lv for lv in projected if lv.graded]
        gmask = np.zeros(len(s.grades), dtype=bool)
        for lv in graded:
            gmask[[s.grade_index(g) for g in lv.grades]] = True
        src = np.array([s.grade_index(g) for lv in graded for g in lv.grades[:-1]], dtype=np.intp)
        firsts = np.array([s.grade_index(lv.first_grade) for lv in graded], dtype=np.intp)
        # level sums run over every graded level of the structure, then keep the projected
        all_firsts = np.array(
            [s.grade_index(lv.first_grade) for lv in s.graded_levels], dtype=np.intp
        )
        keep = [k for k, lv in enumerate(s.graded_levels) if lv in graded]
        lasts = np.array([s.grade_index(lv.last_grade) for lv in graded], dtype=np.intp)
        graded_li = [s.level_index(lv.id) for lv in graded]
        previous_last = [
            s.grade_index(before.last_grade)
            if (before := s.previous_graded_level(lv.id)) is not None
            else -1
            for lv in graded
        ]
        enrol_total = np.full((self.draws, self.n, len(ds.areas), len(s.grades)), np.nan)

        def record(t: int, e: FloatArray, repeaters: FloatArray, entrants: FloatArray) -> None:
            enrol_total[:, t] = e.sum(axis=-1)
            if graded:
                level_sex["enrolment"][:, t, :, graded_li] = _level_sums(e, all_firsts)[keep]
                level_sex["repeaters"][:, t, :, graded_li] = _level_sums(repeaters, all_firsts)[
                    keep
                ]
                level_sex["new_entrants"][:, t, :, graded_li] = np.moveaxis(
                    entrants[:, :, firsts], 2, 0
                )
            if self.detail:
                grade_out["enrolment"][:, t] = e
                grade_out["repeaters"][:, t] = repeaters
                grade_out["new_entrants"][:, t] = np.where(
                    first_mask[None, :, None], entrants, np.nan
                )

        first_mask = np.zeros(len(s.grades), dtype=bool)
        first_mask[firsts] = True
        e = np.broadcast_to(
            np.where(gmask[None, :, None], e_base, np.nan), (self.draws, *e_base.shape)
        )
        record(0, e, np.broadcast_to(rep_base, e.shape), np.broadcast_to(ne_base, e.shape))
        graduates = np.full(
            (self.draws, self.n, len(ds.areas), len(lasts), len(self.sexes)), np.nan
        )

        any_promotion = bool(prom.given.any())

        def promotion(t: int) -> tuple[FloatArray, FloatArray]:
            r_pct = rep.at(t)
            r = np.clip(r_pct, 0.0, 100.0) / 100.0
            p_pct = 100.0 - r_pct - drop.at(t)
            if any_promotion:
                p_pct = np.where(prom.given[None, :, :, None], prom.at(t), p_pct)
            return r, np.clip(p_pct / 100.0, 0.0, 1.0 - r)

        for t in range(1, self.n):
            r, p = promotion(t)
            repeaters = r * e
            promoted = p * e
            new = repeaters.copy()
            new[:, :, src + 1] += promoted[:, :, src]
            graduates[:, t - 1] = promoted[:, :, lasts]
            entrants = np.zeros_like(e)
            for k, lv in enumerate(graded):
                fi = firsts[k]
                rate = intake[lv.id].at(t)[:, :, 0] / 100.0  # D × A × S
                if lv.intake == "population":
                    entrants[:, :, fi] = rate * pop_entry[lv.id][:, t]
                else:
                    entrants[:, :, fi] = rate * e[:, :, previous_last[k]]
            new += entrants
            e = new
            record(t, e, repeaters, entrants)
        # graduates of the final year, with the final year's rates held
        _, p = promotion(self.n - 1)
        graduates[:, self.n - 1] = (p * e)[:, :, lasts]
        observed_grads = self.observed(ds.grade_values("graduates"), self.b)[:, lasts]
        graduates[:, 0] = np.where(np.isnan(observed_grads), graduates[:, 0], observed_grads)
        if graded:
            level_sex["graduates"][:, :, :, graded_li] = graduates

        for lv in projected:
            if not lv.graded:
                li = s.level_index(lv.id)
                pops = pop_level[lv.id]
                for t in range(self.n):
                    ger = intake[lv.id].at(t)[:, :, 0] / 100.0
                    level_sex["enrolment"][:, t, :, li] = ger * pops[:, t]
                level_sex["enrolment"][:, 0, :, li] = self.enrol_level_base[:, li]
        return enrol_total

    def _level_param(self, pid: str, base: FloatArray | None) -> _Param:
        return _param(self.res, pid, self.level_keys, base)

    def _series(self, par: _Param) -> FloatArray:
        """D × years × A × L values of a level parameter (no sex axis)."""
        values = [par.at(t) for t in range(self.n)]
        stacked = np.stack(np.broadcast_arrays(*values), axis=1)
        return np.broadcast_to(
            stacked, (stacked.shape[0], self.n, len(self.ds.areas), stacked.shape[-1])
        )

    def _resources_and_costs(
        self,
        projected: list[Level],
        enrol_grade_t: FloatArray,
        level_sex: dict[str, FloatArray],
    ) -> dict[str, FloatArray]:
        ds, s = self.ds, self.s
        out = {v: np.full(self.shape_l, np.nan) for v in LEVEL_VARIABLES}
        enrol_t = level_sex["enrolment"].sum(axis=-1)  # D × Y × A × L
        level_mask = np.zeros(len(s.levels), dtype=bool)
        level_mask[[s.level_index(lv.id) for lv in projected]] = True

        def total(var: str) -> FloatArray:
            return ds.level_total(var, self.b)[..., 2]

        teachers_obs = total("teachers")
        classes_obs = total("classes")
        rooms_obs = total("classrooms")
        enrol_obs = self.enrol_level_base_all[..., 2]

        # classes: Σ over grades of enrolment / class size, rounded up
        class_size = self._series(
            self._level_param("class_size", ratio(enrol_obs, classes_obs, 1.0))
        )
        classes = np.full(self.shape_l, np.nan)
        for lv in projected:
            li = s.level_index(lv.id)
            size = class_size[..., li]
            if lv.graded:
                gi = [s.grade_index(g) for g in lv.grades]
                classes[..., li] = _ceil(enrol_grade_t[..., gi] / size[..., None]).sum(axis=-1)
            else:
                classes[..., li] = _ceil(enrol_t[..., li] / size)
        out["classes"] = classes

        # teachers
        ptr = self._series(
            self._level_param("pupil_teacher_ratio", ratio(enrol_obs, teachers_obs, 1.0))
        )
        teachers = _ceil(enrol_t / ptr)
        hours = self._level_param("teaching_hours", None)
        curriculum = self._level_param("curriculum_hours", None)
        by_hours = hours.given & curriculum.given  # A1 × L
        if by_hours.any():
            from_hours = _ceil(classes * self._series(curriculum) / self._series(hours))
            teachers = np.where(by_hours[None, None], from_hours, teachers)
        observed_base = np.where(np.isnan(teachers_obs), teachers[:, 0], teachers_obs)
        teachers[:, 0] = np.where(by_hours[None], teachers[:, 0], observed_base)
        teachers[..., ~level_mask] = np.nan
        out["teachers"] = teachers
        attrition = self._series(
            self._level_param("teacher_attrition_rate", np.zeros_like(teachers_obs))
        )
        recruitment = np.full(self.shape_l, np.nan)
        recruitment[:, 1:] = np.maximum(
            0.0, _ceil(teachers[:, 1:] - teachers[:, :-1] * (1.0 - attrition[:, 1:] / 100.0))
        )
        out["teacher_recruitment"] = recruitment

        # classrooms
        shift = self._series(self._level_param("double_shift_share", np.zeros_like(rooms_obs)))
        needed = _ceil(classes * (1.0 - shift / 200.0))
        out["classrooms_needed"] = needed
        stock_par = self._level_param("classroom_stock", None)
        stock0 = np.where(
            stock_par.given[None],
            stock_par.at(0),
            np.where(np.isnan(rooms_obs), needed[:, 0], rooms_obs),
        )
        stock = np.broadcast_to(stock0, needed[:, 0].shape).copy()
        new_rooms = np.full(self.shape_l, np.nan)
        new_rooms[:, 0] = np.where(np.isnan(needed[:, 0]), np.nan, 0.0)
        for t in range(1, self.n):
            built = np.maximum(0.0, needed[:, t] - stock)
            new_rooms[:, t] = built
            stock = stock + np.nan_to_num(built)
        out["new_classrooms"] = new_rooms
        if not (stock_par.given.any() or np.isfinite(rooms_obs).any()):
            self.notes.append(
                "no classroom stock in the data or scenario: the base-year need is "
                "assumed to be met"
            )

        # costs
        salary = self._series(self._level_param("teacher_salary", None))
        non_salary = self._series(
            self._level_param("non_salary_share", np.zeros_like(teachers_obs))
        )
        unit_cost = self._series(self._level_param("classroom_unit_cost", None))
        out["salary_cost"] = teachers * salary
        out["recurrent_cost"] = out["salary_cost"] * (1.0 + non_salary / 100.0)
        out["capital_cost"] = new_rooms * unit_cost
        out["total_cost"] = out["recurrent_cost"] + np.where(
            np.isnan(out["capital_cost"]), 0.0, out["capital_cost"]
        )
        if np.isnan(salary[..., level_mask]).all():
            self.notes.append("teacher_salary is not given: costs are not computed")
        if np.isnan(unit_cost[..., level_mask]).all():
            self.notes.append(
                "classroom_unit_cost is not given: capital cost is not computed and the "
                "total cost is the recurrent cost"
            )

        # resources
        given = self._series(self._level_param("resources", None))
        gdp = self._gdp()  # D1 × Y × A
        shares = [
            _param(self.res, pid, [(None, None)], None)
            for pid in ("revenue_share", "education_share")
        ]
        rev, edu = (self._series(p)[..., 0] for p in shares)
        level_share = self._series(self._level_param("level_share", None))
        aid = self._series(self._level_param("external_aid", np.zeros_like(teachers_obs)))
        derived = (gdp * rev / 100.0 * edu / 100.0)[..., None] * level_share / 100.0 + aid
        resources = np.where(np.isnan(given), derived, given)
        resources = np.broadcast_to(resources, self.shape_l).copy()
        resources[..., ~level_mask] = np.nan
        out["resources"] = resources
        out["financing_gap"] = out["total_cost"] - resources
        for var in LEVEL_VARIABLES:
            out[var] = np.broadcast_to(out[var], self.shape_l).copy()
            out[var][..., ~level_mask] = np.nan
        return out

    def _gdp(self) -> FloatArray:
        """D1 × years × A GDP: scenario values, else data extended by growth."""
        ds = self.ds
        par = _param(self.res, "gdp", [(None, None)], None)
        scen = self._series(par)[..., 0]
        data = ds.scalar_values("gdp")[..., 2]  # A × Ydata
        series = np.full((self.n, len(ds.areas)), np.nan)
        for t, year in enumerate(self.years):
            if ds.has_year(year):
                series[t] = data[:, ds.year_index(year)]
        # years before the base year may hold the last known GDP
        last_known = np.full(len(ds.areas), np.nan)
        for yi in range(min(self.b, data.shape[1] - 1) + 1):
            last_known = np.where(np.isnan(data[:, yi]), last_known, data[:, yi])
        series[0] = np.where(np.isnan(series[0]), last_known, series[0])
        growth = self._series(
            _param(self.res, "gdp_growth_rate", [(None, None)], np.zeros((1, 1)))
        )[..., 0]
        result = np.repeat(series[None], growth.shape[0], axis=0)
        for t in range(1, self.n):
            grown = result[:, t - 1] * (1.0 + growth[:, t] / 100.0)
            result[:, t] = np.where(np.isnan(result[:, t]), grown, result[:, t])
        return np.where(np.isnan(scen), result, scen)
