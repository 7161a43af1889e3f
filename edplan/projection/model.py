"""The projection model: enrolment flows, by area × grade × sex, year after year."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._types import FloatArray, IntArray
from ..dataset import Dataset
from ..errors import Problem, ScenarioError
from ..flows import flow_counts
from ..indicators.formulas import ratio
from ..scenario import (
    Scenario,
    check_scenario,
    load_scenario,
)
from ..structure import Level
from .costs import resources_and_costs
from .params import Param, Resolver, param
from .result import GRADE_VARIABLES, LEVEL_SEX_VARIABLES, Projection

__all__ = ["Model", "project"]


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
    model = Model(ds, scn, draws, leaf_values, detail)
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


class Model:
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
        self.res = Resolver(scn, ds.areas, self.years, draws, leaf_values)
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
        growth = param(self.res, "population_growth_rate", [(None, None)], None)
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
        rep = param(self.res, "repetition_rate", self.grade_keys, r_obs)
        drop = param(self.res, "dropout_rate", self.grade_keys, d_obs)
        prom = param(self.res, "promotion_rate", self.grade_keys, p_obs)
        level_intake: dict[str, Param] = {}
        pop_entry: dict[str, FloatArray] = {}
        pop_level: dict[str, FloatArray] = {}
        for lv in projected:
            li = s.level_index(lv.id)
            if not lv.graded:
                pop_level[lv.id] = self.population(lv.official_ages)
                ger_obs = ratio(self.enrol_level_base[:, [li]], pop_level[lv.id][0, 0][:, None, :])
                level_intake[lv.id] = param(
                    self.res, "gross_enrolment_ratio", [(lv.id, None)], ger_obs
                )
            elif lv.intake == "population":
                first = s.grade_index(lv.first_grade)
                pop = self.population([lv.entry_age])
                pop_entry[lv.id] = pop
                gir_obs = ratio(ne_base[:, [first]], pop[0, 0][:, None, :])
                level_intake[lv.id] = param(
                    self.res, "gross_intake_ratio", [(lv.id, None)], gir_obs
                )
            else:
                before = s.previous_graded_level(lv.id)
                assert before is not None  # noqa: S101 - structure guarantees it
                first = s.grade_index(lv.first_grade)
                last_prev = s.grade_index(before.last_grade)
                tr_obs = ratio(ne_base[:, [first]], self.observed(enrol, prev)[:, [last_prev]])
                level_intake[lv.id] = param(self.res, "transition_rate", [(lv.id, None)], tr_obs)
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
        level_out = resources_and_costs(self, projected, enrol_total, level_sex)
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
        rep: Param,
        drop: Param,
        prom: Param,
        intake: dict[str, Param],
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
        rep: Param,
        drop: Param,
        prom: Param,
        intake: dict[str, Param],
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

    def level_param(self, pid: str, base: FloatArray | None) -> Param:
        return param(self.res, pid, self.level_keys, base)

    def series(self, par: Param) -> FloatArray:
        """D × years × A × L values of a level parameter (no sex axis)."""
        values = [par.at(t) for t in range(self.n)]
        stacked = np.stack(np.broadcast_arrays(*values), axis=1)
        return np.broadcast_to(
            stacked, (stacked.shape[0], self.n, len(self.ds.areas), stacked.shape[-1])
        )
