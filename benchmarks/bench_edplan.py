"""Benchmarks of the edplan engine against a straightforward per-area Python loop.

Run: ``.venv/bin/python benchmarks/bench_edplan.py`` (well under a minute).

Three workloads, on synthetic data built in memory:

1. every indicator for 25 provinces × 10 years × 12 grades × 2 sexes (target ≤ 50 ms);
2. a 10-year projection for 210 districts × 12 grades × 2 sexes (target ≤ 50 ms);
3. a 1,000-draw sensitivity run of that projection for 25 provinces (target ≤ 3 s).

Each is timed with ``time.perf_counter`` over repeated runs (median and 95th
percentile), beside a deliberately plain implementation that loops over areas, years,
sexes and grades in pure Python (kept here, not in the package).  The loop versions
compute the same quantities (checked against the engine before timing); the loop
sensitivity run is timed on fewer draws and scaled to 1,000, as noted in the table.
Timings are reported, never asserted.
"""

from __future__ import annotations

import math
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import edplan
from edplan import Dataset, SchoolYear

STRUCTURE = edplan.load_structure("cambodia")
GRADED = [lv for lv in STRUCTURE.levels if lv.graded]
SEX = ("F", "M")


# --------------------------------------------------------------------------------------
# synthetic data
# --------------------------------------------------------------------------------------


def synthetic(n_areas: int, n_years: int, seed: int = 1) -> Dataset:
    """Consistent synthetic data: enrolment, flows, population, teachers, money."""
    rng = np.random.default_rng(seed)
    g, a, y = 12, n_areas, n_years
    shape = (a, y, g, 3)
    enrol = np.full(shape, np.nan)
    rep = np.full(shape, np.nan)
    grad = np.full(shape, np.nan)
    r = rng.uniform(0.01, 0.12, (a, 1, g, 2))
    d = rng.uniform(0.01, 0.08, (a, 1, g, 2))
    e = rng.uniform(800, 3000, (a, g, 2)) * np.linspace(1.2, 0.5, g)[None, :, None]
    pop_age = rng.uniform(1500, 3500, (a, y + 1, 40, 2))
    for t in range(y):
        enrol[:, t, :, :2] = np.round(e)
        if t:
            rep[:, t, :, :2] = np.round(r[:, 0] * enrol[:, t - 1, :, :2])
        nxt = r[:, 0] * e
        nxt[:, 1:] += (1 - r[:, 0] - d[:, 0])[:, :-1] * e[:, :-1]
        for lv in GRADED:
            first = STRUCTURE.grade_index(lv.first_grade)
            nxt[:, first] = r[:, 0, first] * e[:, first] + rng.uniform(0.9, 1.1, (a, 2)) * (
                pop_age[:, t + 1, lv.entry_age] if lv.id == "primary" else 0.85 * e[:, first - 1]
            )
            last = STRUCTURE.grade_index(lv.last_grade)
            grad[:, t, last, :2] = np.round(
                (1 - r[:, 0, last] - d[:, 0, last]) * enrol[:, t, last, :2]
            )
        e = nxt
    level = {
        "teachers": np.concatenate(
            [np.round(rng.uniform(50, 400, (a, y, 4, 2))), np.full((a, y, 4, 1), np.nan)], axis=3
        ),
    }
    level["qualified_teachers"] = np.round(level["teachers"] * 0.9)
    level["classes"] = np.concatenate(
        [np.full((a, y, 4, 2), np.nan), np.round(rng.uniform(200, 900, (a, y, 4, 1)))], axis=3
    )
    level["classrooms"] = np.round(level["classes"] * 0.9)
    level["public_expenditure"] = np.concatenate(
        [np.full((a, y, 4, 2), np.nan), rng.uniform(1e6, 5e6, (a, y, 4, 1))], axis=3
    )
    pre = np.concatenate(
        [np.round(rng.uniform(500, 1500, (a, y, 1, 2))), np.full((a, y, 1, 1), np.nan)], axis=3
    )
    level["enrolment"] = np.concatenate([pre, np.full((a, y, 3, 3), np.nan)], axis=2)
    ages = tuple(range(40))
    eba = np.full((a, y, 4, 40, 3), np.nan)
    for li, lv in enumerate(GRADED, start=1):
        gi = [STRUCTURE.grade_index(x) for x in lv.grades]
        tot = enrol[:, :, gi, :2].sum(axis=2)
        for k, age in enumerate(range(lv.entry_age, lv.entry_age + lv.duration + 2)):
            eba[:, :, li, age, :2] = np.round(tot * (0.25 if k < lv.duration else 0.05))
    pop = np.concatenate([pop_age[:, :y], np.full((a, y, 40, 1), np.nan)], axis=3)
    years = SchoolYear.span(SchoolYear("2014-15"), SchoolYear("2014-15") + (y - 1))
    return Dataset.from_arrays(
        STRUCTURE,
        [f"P{i:03d}" for i in range(a)],
        years,
        ages=ages,
        grade={"enrolment": enrol, "repeaters": rep, "graduates": grad},
        level=level,
        age={"population": pop},
        level_age={"enrolment_by_age": eba},
        scalar={
            "gdp": np.concatenate(
                [np.full((a, y, 2), np.nan), rng.uniform(1e9, 3e9, (a, y, 1))], axis=2
            ),
            "total_population": np.concatenate(
                [np.full((a, y, 2), np.nan), rng.uniform(4e5, 1e6, (a, y, 1))], axis=2
            ),
        },
    )


def extend_population(ds: Dataset, final: SchoolYear) -> Dataset:
    """Population up to *final* (future years), other variables unchanged."""
    extra = final - ds.years[-1]
    years = (*ds.years, *(ds.years[-1] + k for k in range(1, extra + 1)))

    def pad(arr: np.ndarray) -> np.ndarray:
        fill = np.full((arr.shape[0], extra, *arr.shape[2:]), np.nan)
        return np.concatenate([arr, fill], axis=1)

    pop = ds.age["population"]
    grown = np.concatenate(
        [pop, pop[:, -1:] * 1.02 ** np.arange(1, extra + 1)[None, :, None, None]], axis=1
    )
    return Dataset.from_arrays(
        ds.structure,
        ds.areas,
        years,
        ages=ds.ages,
        grade={k: pad(v) for k, v in ds.grade.items()},
        level={k: pad(v) for k, v in ds.level.items()},
        age={"population": grown},
        level_age={k: pad(v) for k, v in ds.level_age.items()},
        scalar={k: pad(v) for k, v in ds.scalar.items()},
    )


# --------------------------------------------------------------------------------------
# the straightforward implementation: plain Python, one area at a time
# --------------------------------------------------------------------------------------


def to_python(ds: Dataset) -> dict[str, Any]:
    """Nested lists, as a plain implementation would hold the data (not timed)."""

    def tolist(arr: np.ndarray) -> Any:
        return np.where(np.isnan(arr), None, arr).tolist()

    return {
        "grade": {k: tolist(v) for k, v in ds.grade.items()},
        "level": {k: tolist(v) for k, v in ds.level.items()},
        "age": {k: tolist(v) for k, v in ds.age.items()},
        "level_age": {k: tolist(v) for k, v in ds.level_age.items()},
        "scalar": {k: tolist(v) for k, v in ds.scalar.items()},
        "n_areas": len(ds.areas),
        "n_years": len(ds.years),
    }


def _div(a: float | None, b: float | None, scale: float = 100.0) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return scale * a / b


def _sum(values: list[float | None]) -> float | None:
    total = 0.0
    for v in values:
        if v is None:
            return None
        total += v
    return total


def loop_indicators(data: dict[str, Any]) -> dict[tuple[Any, ...], float]:
    """Every indicator, area by area, year by year, sex by sex."""
    out: dict[tuple[Any, ...], float | None] = {}
    E, R, G = data["grade"]["enrolment"], data["grade"]["repeaters"], data["grade"]["graduates"]
    P = data["age"]["population"]
    EBA = data["level_age"]["enrolment_by_age"]
    L = data["level"]
    S = data["scalar"]
    levels = STRUCTURE.levels
    for a in range(data["n_areas"]):
        for y in range(data["n_years"]):
            for s in range(3):
                by_level: dict[str, dict[str, float | None]] = {}
                for li, lv in enumerate(levels):
                    gi = [STRUCTURE.grade_index(x) for x in lv.grades]
                    if lv.graded:
                        enr = _sum([E[a][y][k][s] for k in gi])
                    else:
                        enr = L["enrolment"][a][y][li][s]
                    pop = _sum([P[a][y][age][s] for age in lv.official_ages])
                    ner_num = _sum([EBA[a][y][li][age][s] for age in lv.official_ages])
                    higher = 0.0
                    for lj in range(li + 1, len(levels)):
                        for age in lv.official_ages:
                            v = EBA[a][y][lj][age][s]
                            higher += v or 0.0
                    vals: dict[str, float | None] = {
                        "gross_enrolment_ratio": _div(enr, pop),
                        "net_enrolment_ratio": _div(ner_num, pop),
                        "adjusted_net_enrolment_ratio": _div(
                            None if ner_num is None else ner_num + higher, pop
                        ),
                    }
                    aner = vals["adjusted_net_enrolment_ratio"]
                    vals["out_of_school_rate"] = None if aner is None else 100.0 - aner
                    if lv.graded:
                        f, last = gi[0], gi[-1]
                        ne = (
                            None
                            if E[a][y][f][s] is None or R[a][y][f][s] is None
                            else E[a][y][f][s] - R[a][y][f][s]
                        )
                        vals["gross_intake_ratio"] = _div(ne, P[a][y][lv.entry_age][s])
                        nl = (
                            None
                            if E[a][y][last][s] is None or R[a][y][last][s] is None
                            else E[a][y][last][s] - R[a][y][last][s]
                        )
                        vals["gross_intake_ratio_last_grade"] = _div(
                            nl, P[a][y][STRUCTURE.grade_entry_age(lv.last_grade)][s]
                        )
                        # flows and cohort
                        if y + 1 < data["n_years"]:
                            ps, rs = [], []
                            prom_sum = rep_sum = en_sum = 0.0
                            ok = True
                            for j, k in enumerate(gi):
                                e0 = E[a][y][k][s]
                                r1 = R[a][y + 1][k][s]
                                if j + 1 < len(gi):
                                    e1 = E[a][y + 1][gi[j + 1]][s]
                                    r1n = R[a][y + 1][gi[j + 1]][s]
                                    pr = None if e1 is None or r1n is None else e1 - r1n
                                else:
                                    pr = G[a][y][k][s]
                                p = _div(pr, e0)
                                rr = _div(r1, e0)
                                out[("promotion_rate", a, y, lv.id, k, s)] = p
                                out[("repetition_rate", a, y, lv.id, k, s)] = rr
                                if p is None or rr is None:
                                    ok = False
                                    continue
                                out[("dropout_rate", a, y, lv.id, k, s)] = 100 - p - rr
                                ps.append(p / 100)
                                rs.append(rr / 100)
                                prom_sum += pr
                                rep_sum += r1
                                en_sum += e0
                            if ok:
                                vals["promotion_rate"] = _div(prom_sum, en_sum)
                                vals["repetition_rate"] = _div(rep_sum, en_sum)
                                reach, years_spent = 1.0, 0.0
                                for j, k in enumerate(gi):
                                    out[("survival_rate", a, y, lv.id, k, s)] = 100 * reach
                                    stay = 1 / (1 - rs[j])
                                    years_spent += reach * stay
                                    reach = reach * ps[j] * stay
                                grads = 1000 * reach
                                vals["coefficient_of_efficiency"] = _div(
                                    grads * len(gi), 1000 * years_spent
                                )
                                vals["years_input_per_graduate"] = _div(
                                    1000 * years_spent, grads, 1.0
                                )
                            if lv.intake == "transition":
                                prev = STRUCTURE.previous_graded_level(lv.id)
                                assert prev is not None
                                pl = STRUCTURE.grade_index(prev.last_grade)
                                e1 = E[a][y + 1][f][s]
                                r1 = R[a][y + 1][f][s]
                                ne1 = None if e1 is None or r1 is None else e1 - r1
                                vals["transition_rate"] = _div(ne1, E[a][y][pl][s])
                                rl = R[a][y + 1][pl][s]
                                den = (
                                    None
                                    if E[a][y][pl][s] is None or rl is None
                                    else E[a][y][pl][s] - rl
                                )
                                vals["effective_transition_rate"] = _div(ne1, den)
                    if s == 2:
                        vals["pupil_teacher_ratio"] = _div(enr, L["teachers"][a][y][li][2], 1.0)
                        vals["pupil_qualified_teacher_ratio"] = _div(
                            enr, L["qualified_teachers"][a][y][li][2], 1.0
                        )
                        vals["pupil_class_ratio"] = _div(enr, L["classes"][a][y][li][2], 1.0)
                        gdp_pc = _div(S["gdp"][a][y][2], S["total_population"][a][y][2], 1.0)
                        vals["expenditure_per_pupil_pct_gdp_per_capita"] = _div(
                            _div(L["public_expenditure"][a][y][li][2], enr, 1.0), gdp_pc
                        )
                    vals["percent_qualified_teachers"] = _div(
                        L["qualified_teachers"][a][y][li][s], L["teachers"][a][y][li][s]
                    )
                    by_level[lv.id] = vals
                    for key, v in vals.items():
                        if v is not None:
                            out[(key, a, y, lv.id, None, s)] = v
            # parity indices
            for key in [k for k in out if k[1] == a and k[2] == y and k[5] == 0]:
                f, m = out[key], out.get((*key[:5], 1))
                if f is not None and m:
                    gpi = f / m
                    out[("gender_parity_index", key[0], a, y, key[3], key[4])] = gpi
                    out[("adjusted_gender_parity_index", key[0], a, y, key[3], key[4])] = (
                        gpi if gpi <= 1 else 2 - 1 / gpi
                    )
    return {k: v for k, v in out.items() if v is not None}


PROJECTION_PARAMS = {
    "pupil_teacher_ratio": 40.0,
    "class_size": 42.0,
    "teacher_salary": 3000.0,
    "non_salary_share": 25.0,
    "classroom_unit_cost": 12000.0,
    "teacher_attrition_rate": 3.0,
    "resources": 5_000_000.0,
}


def projection_scenario(draws: bool = False) -> dict[str, Any]:
    """The benchmark scenario (targets on repetition and intake, costs, resources)."""
    rep_target: Any = {"uniform": [1, 4]} if draws else 2.5
    salary: Any = {"triangular": [2700, 3000, 3600]} if draws else 3000
    levels = [lv.id for lv in GRADED]
    params: dict[str, Any] = {
        "repetition_rate": {"primary": {"2033-34": rep_target}},
        "gross_intake_ratio": {"primary": {"2033-34": 100}},
        "pupil_teacher_ratio": dict.fromkeys(levels, PROJECTION_PARAMS["pupil_teacher_ratio"]),
        "class_size": dict.fromkeys(levels, PROJECTION_PARAMS["class_size"]),
        "teacher_salary": dict.fromkeys(levels, salary),
        "non_salary_share": PROJECTION_PARAMS["non_salary_share"],
        "classroom_unit_cost": PROJECTION_PARAMS["classroom_unit_cost"],
        "teacher_attrition_rate": PROJECTION_PARAMS["teacher_attrition_rate"],
        "resources": dict.fromkeys(levels, PROJECTION_PARAMS["resources"]),
        "gross_enrolment_ratio": {"pre_primary": 40},
    }
    return {
        "name": "bench",
        "base_year": "2023-24",
        "final_year": "2033-34",
        "areas": ["each"],
        "parameters": params,
    }


def loop_projection(
    data: dict[str, Any], n_years: int, base: int, rep_target: float = 2.5, salary: float = 3000.0
) -> dict[tuple[Any, ...], float]:
    """The same projection, area by area, year by year, grade by grade."""
    E, R, G = data["grade"]["enrolment"], data["grade"]["repeaters"], data["grade"]["graduates"]
    P = data["age"]["population"]
    Lv = data["level"]
    out: dict[tuple[Any, ...], float] = {}
    for a in range(data["n_areas"]):
        # observed rates between base - 1 and base, by grade and sex
        rates: dict[tuple[int, int], tuple[float, float]] = {}
        gir: dict[int, float] = {}
        tr: dict[tuple[str, int], float] = {}
        for s in range(2):
            for lv in GRADED:
                gi = [STRUCTURE.grade_index(x) for x in lv.grades]
                for j, k in enumerate(gi):
                    e0 = E[a][base - 1][k][s]
                    r = R[a][base][k][s] / e0
                    if j + 1 < len(gi):
                        p = (E[a][base][gi[j + 1]][s] - R[a][base][gi[j + 1]][s]) / e0
                    else:
                        p = G[a][base - 1][k][s] / e0
                    rates[(k, s)] = (r, 1 - r - p)
                f = gi[0]
                ne = E[a][base][f][s] - R[a][base][f][s]
                if lv.intake == "population":
                    gir[s] = ne / P[a][base][lv.entry_age][s]
                else:
                    prev = STRUCTURE.previous_graded_level(lv.id)
                    assert prev is not None
                    tr[(lv.id, s)] = ne / E[a][base - 1][STRUCTURE.grade_index(prev.last_grade)][s]
        e = [[E[a][base][k][s] for s in range(2)] for k in range(12)]
        teachers_prev: dict[str, float] = {}
        stock: dict[str, float] = {}
        for t in range(n_years):
            lam = t / (n_years - 1)
            if t > 0:
                new = [[0.0, 0.0] for _ in range(12)]
                for s in range(2):
                    for lv in GRADED:
                        gi = [STRUCTURE.grade_index(x) for x in lv.grades]
                        for j, k in enumerate(gi):
                            r_obs, d = rates[(k, s)]
                            r = (
                                (1 - lam) * r_obs + lam * rep_target / 100
                                if lv.id == "primary"
                                else r_obs
                            )
                            p = min(max(1 - r - d, 0.0), 1 - r)
                            new[k][s] += r * e[k][s]
                            if j + 1 < len(gi):
                                new[gi[j + 1]][s] += p * e[k][s]
                        f = gi[0]
                        if lv.intake == "population":
                            g = (1 - lam) * gir[s] + lam * 1.0
                            new[f][s] += g * P[a][base + t][lv.entry_age][s]
                        else:
                            prev = STRUCTURE.previous_graded_level(lv.id)
                            assert prev is not None
                            new[f][s] += (
                                tr[(lv.id, s)] * e[STRUCTURE.grade_index(prev.last_grade)][s]
                            )
                e = new
            for lv in GRADED:
                gi = [STRUCTURE.grade_index(x) for x in lv.grades]
                enrol = sum(e[k][0] + e[k][1] for k in gi)
                li = STRUCTURE.level_index(lv.id)
                if t == 0:
                    teachers = Lv["teachers"][a][base][li][0] + Lv["teachers"][a][base][li][1]
                else:
                    teachers = math.ceil(enrol / PROJECTION_PARAMS["pupil_teacher_ratio"] - 1e-9)
                classes = sum(
                    math.ceil((e[k][0] + e[k][1]) / PROJECTION_PARAMS["class_size"] - 1e-9)
                    for k in gi
                )
                if t == 0:
                    stock[lv.id] = Lv["classrooms"][a][base][li][2]
                    built = 0.0
                else:
                    built = max(0.0, classes - stock[lv.id])
                    stock[lv.id] += built
                    out[("teacher_recruitment", a, t, lv.id)] = max(
                        0,
                        math.ceil(
                            teachers
                            - teachers_prev[lv.id]
                            * (1 - PROJECTION_PARAMS["teacher_attrition_rate"] / 100)
                            - 1e-9
                        ),
                    )
                teachers_prev[lv.id] = teachers
                recurrent = teachers * salary * (1 + PROJECTION_PARAMS["non_salary_share"] / 100)
                total = recurrent + built * PROJECTION_PARAMS["classroom_unit_cost"]
                out[("enrolment", a, t, lv.id)] = enrol
                out[("teachers", a, t, lv.id)] = teachers
                out[("classes", a, t, lv.id)] = classes
                out[("new_classrooms", a, t, lv.id)] = built
                out[("total_cost", a, t, lv.id)] = total
                out[("financing_gap", a, t, lv.id)] = total - PROJECTION_PARAMS["resources"]
    return out


# --------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------


def timeit(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[float, float]:
    """Median and 95th percentile, in seconds, over *repeat* runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return statistics.median(samples), p95


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms" if seconds < 10 else f"{seconds:9.2f} s "


def main() -> None:
    rows: list[tuple[str, str, float, float, str, float]] = []

    # 1. indicators
    ds = synthetic(25, 10)
    engine = edplan.compute_indicators(ds, include_total=False)
    plain = to_python(ds)
    loop = loop_indicators(plain)
    # the two implementations agree (spot checks on every kind of indicator)
    checks = 0
    for v in engine:
        if v.of is not None or v.area == "all":
            continue
        a, y, s = ds.areas.index(v.area), ds.years.index(v.year), edplan.SEXES.index(v.sex or "T")
        key = (
            v.indicator,
            a,
            y,
            v.level,
            None if v.grade is None else STRUCTURE.grade_index(v.grade),
            s,
        )
        if key in loop:
            assert math.isclose(loop[key], v.value, rel_tol=1e-9, abs_tol=1e-9), (
                key,
                loop[key],
                v.value,
            )
            checks += 1
    assert checks > 10_000, checks
    n_values = len(engine)
    med, p95 = timeit(lambda: edplan.compute_indicators(ds, include_total=False), 20)
    lmed, _ = timeit(lambda: loop_indicators(plain), 3)
    rows.append(
        (
            "indicators, 25 provinces × 10 years × 12 grades × 2 sexes",
            "engine (arrays)",
            med,
            p95,
            "≤ 50 ms",
            lmed,
        )
    )
    rmed, rp95 = timeit(lambda: edplan.compute_indicators(ds, include_total=False).records(), 5)
    rows.append(("", "engine + JSON-ready records", rmed, rp95, "", lmed))

    # 2. projection
    dsp = extend_population(synthetic(210, 10, seed=2), SchoolYear("2033-34"))
    scenario = edplan.load_scenario(projection_scenario(), STRUCTURE)
    base = dsp.year_index("2023-24")
    proj = edplan.project(dsp, scenario)
    plainp = to_python(dsp)
    loopp = loop_projection(plainp, 11, base)
    compared = 0
    for key, value in loopp.items():
        var, a, t, level = key
        got = proj.value(var, year=proj.years[t], area=dsp.areas[a], level=level)
        assert got is not None, key
        assert math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-6), (key, got, value)
        compared += 1
    med, p95 = timeit(lambda: edplan.project(dsp, scenario), 20)
    lmed, _ = timeit(lambda: loop_projection(plainp, 11, base), 3)
    rows.append(
        (
            "projection, 210 districts × 12 grades × 2 sexes, 10 years",
            "engine",
            med,
            p95,
            "≤ 50 ms",
            lmed,
        )
    )

    # 3. sensitivity
    dss = extend_population(synthetic(25, 10, seed=3), SchoolYear("2033-34"))
    uncertain = edplan.load_scenario(projection_scenario(draws=True), STRUCTURE)
    med, p95 = timeit(lambda: edplan.sensitivity(dss, uncertain, draws=1000, seed=1), 5)
    plains = to_python(dss)
    rng = np.random.default_rng(1)
    loop_draws = 40

    def loop_sensitivity() -> None:
        results = []
        for _ in range(loop_draws):
            rep = rng.uniform(1, 4)
            sal = rng.triangular(2700, 3000, 3600)
            run = loop_projection(plains, 11, base, rep_target=rep, salary=sal)
            results.append(sum(v for k, v in run.items() if k[0] == "financing_gap" and k[2] == 10))
        np.percentile(results, [5, 50, 95])

    lmed, _ = timeit(loop_sensitivity, 1, warmup=0)
    rows.append(
        (
            "sensitivity, 1,000 draws, 25 provinces, 10 years",
            "engine",
            med,
            p95,
            "≤ 3 s",
            lmed * 1000 / loop_draws,
        )
    )

    print(
        f"edplan {edplan.__version__} — Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {sys.platform}"
    )
    print(
        f"checked: {checks:,} indicator values and {compared:,} projected values agree with the loop "
        f"implementation; {n_values:,} indicator values per run\n"
    )
    header = f"{'workload':58} {'variant':28} {'median':>12} {'p95':>12} {'target':>8} {'loop median':>13} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, variant, m, p, target, loop_median in rows:
        ratio = loop_median / m
        print(
            f"{name:58} {variant:28} {fmt(m):>12} {fmt(p):>12} {target:>8} {fmt(loop_median):>13} {ratio:7.0f}×"
        )
    print(f"\nloop sensitivity timed on {loop_draws} draws and scaled to 1,000.")


if __name__ == "__main__":
    main()
