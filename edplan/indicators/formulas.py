"""Vectorised formulas of the indicators, each declared once with its documentation.

Arrays are area × year × (level or grade) × sex.  Every rate is a ratio of two counts
(or, for cohort-based indicators, a function of such ratios), so an indicator of a
higher area computed on summed data is the ratio of summed numerators and denominators,
never an average of rates.  Flow indicators of year *t* describe movements between *t*
and *t + 1*.
"""

from __future__ import annotations

import numpy as np

from .._types import FloatArray
from ..i18n import N_
from .base import Block, Context, block, parity_indices, ratio
from .registry import indicator, uis

__all__ = ["Block", "Context", "parity_indices", "ratio"]

PERCENT = "%"


# --- participation ------------------------------------------------------------------


@indicator(
    id="gross_enrolment_ratio",
    label=N_("Gross enrolment ratio"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × enrolment in the level, regardless of age / population of the "
    "level's official school ages",
    data=("enrolment", "population"),
    source=uis("gross-enrolment-ratio", "Gross enrolment ratio"),
    description="General level of participation in a level. Can exceed 100 % "
    "because of over- and under-age pupils.",
)
def _ger(ctx: Context) -> list[Block]:
    return [block("level", ctx.enrolment_level, ctx.school_age_population)]


@indicator(
    id="net_enrolment_ratio",
    label=N_("Net enrolment rate"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × pupils of the level's official ages enrolled in the level / "
    "population of those ages",
    data=("enrolment_by_age", "population"),
    source=uis("net-enrolment-rate", "Net enrolment rate"),
    description="Coverage of the official age group by the level; cannot exceed 100 % "
    "with consistent data.",
)
def _ner(ctx: Context) -> list[Block]:
    return [block("level", ctx.net_enrolment_numerator(False), ctx.school_age_population)]


@indicator(
    id="adjusted_net_enrolment_ratio",
    label=N_("Adjusted net enrolment rate"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × pupils of the level's official ages enrolled in the level or any "
    "higher level / population of those ages",
    data=("enrolment_by_age", "population"),
    source=uis("adjusted-net-enrolment-rate", "Adjusted net enrolment rate"),
    description="Like the net enrolment rate, but counts pupils of the official ages "
    "who are already in a higher level.",
)
def _aner(ctx: Context) -> list[Block]:
    return [block("level", ctx.net_enrolment_numerator(True), ctx.school_age_population)]


@indicator(
    id="out_of_school_rate",
    label=N_("Out-of-school rate"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × (population of the level's official ages − those of them enrolled "
    "in the level or a higher level) / population of those ages; equals 100 − the "
    "adjusted net enrolment rate",
    data=("enrolment_by_age", "population"),
    source=uis("out-school-rate", "Out-of-school rate"),
    description="Children of official age for the level who are not enrolled in it or "
    "above (children of primary age in pre-primary count as out of school).",
)
def _oosr(ctx: Context) -> list[Block]:
    pop = ctx.school_age_population
    return [block("level", pop - ctx.net_enrolment_numerator(True), pop)]


# --- access ---------------------------------------------------------------------------


@indicator(
    id="gross_intake_ratio",
    label=N_("Gross intake ratio to the first grade"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × new entrants to the first grade of the level, regardless of age / "
    "population of the official entry age (new entrants = enrolment − repeaters of the "
    "first grade when not given)",
    data=("new_entrants", "enrolment", "repeaters", "population"),
    source=uis(
        "gross-intake-ratio-first-grade-primary",
        "Gross intake ratio to the first grade of primary education",
    ),
    description="General level of access to the level; can exceed 100 %.",
)
def _gir(ctx: Context) -> list[Block]:
    num, den = ctx.empty_levels(), ctx.empty_levels()
    given_level = ctx.ds.level_total("new_entrants")
    for li, lv in enumerate(ctx.structure.levels):
        if lv.graded:
            num[:, :, li] = ctx.grade_slice(ctx.new_entrants, lv.first_grade)
        else:
            num[:, :, li] = given_level[:, :, li]
        den[:, :, li] = ctx.population_at_age(lv.entry_age)
    return [block("level", num, den)]


@indicator(
    id="net_intake_rate",
    label=N_("Net intake rate to the first grade"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × new entrants to the first grade who are of the official entry age / "
    "population of that age",
    data=("new_entrants (by age)", "population"),
    source=uis("net-intake-rate", "Net intake rate"),
    description="Access at the official entry age; needs new entrants by single age.",
)
def _nir(ctx: Context) -> list[Block]:
    ne_age = ctx.ds.level_age_values("new_entrants")
    num, den = ctx.empty_levels(), ctx.empty_levels()
    for li, lv in enumerate(ctx.structure.levels):
        if lv.entry_age in ctx.ds.ages:
            num[:, :, li] = ne_age[:, :, li, ctx.ds.ages.index(lv.entry_age)]
        den[:, :, li] = ctx.population_at_age(lv.entry_age)
    return [block("level", num, den)]


@indicator(
    id="gross_intake_ratio_last_grade",
    label=N_("Gross intake ratio to the last grade"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × (enrolment − repeaters in the last grade of the level) / population "
    "of the theoretical entrance age to the last grade",
    data=("enrolment", "repeaters", "population"),
    source=uis(
        "gross-intake-ratio-last-grade-primary",
        "Gross intake ratio to the last grade of primary education",
    ),
    description="A proxy of completion of the level.",
)
def _girlg(ctx: Context) -> list[Block]:
    num, den = ctx.empty_levels(), ctx.empty_levels()
    for lv in ctx.structure.graded_levels:
        li = ctx.structure.level_index(lv.id)
        last = lv.last_grade
        num[:, :, li] = ctx.grade_slice(ctx.enrolment - ctx.repeaters, last)
        den[:, :, li] = ctx.population_at_age(ctx.structure.grade_entry_age(last))
    return [block("level", num, den)]


# --- internal efficiency --------------------------------------------------------------

_FLOW_NOTE = "Year t describes pupils of year t found in year t + 1."


@indicator(
    id="promotion_rate",
    label=N_("Promotion rate"),
    unit=PERCENT,
    scopes=("grade", "level"),
    by_sex=True,
    formula="100 × (enrolment in grade g + 1 in year t + 1 − repeaters of grade g + 1 in "
    "t + 1) / enrolment in grade g in year t; in the last grade of a level, 100 × "
    "graduates of year t / enrolment in year t. Level value: the same sums over the "
    "level's grades",
    data=("enrolment", "repeaters", "graduates"),
    source=uis("promotion-rate", "Promotion rate"),
    description=_FLOW_NOTE,
)
def _promotion(ctx: Context) -> list[Block]:
    f = ctx.flows
    return [
        block("grade", f.promoted, f.enrolment),
        block("level", ctx.level_sum(f.promoted), ctx.level_sum(f.enrolment)),
    ]


@indicator(
    id="repetition_rate",
    label=N_("Repetition rate"),
    unit=PERCENT,
    scopes=("grade", "level"),
    by_sex=True,
    formula="100 × repeaters of grade g in year t + 1 / enrolment in grade g in year t. "
    "Level value: the same sums over the level's grades",
    data=("enrolment", "repeaters"),
    source=uis("repetition-rate-grade", "Repetition rate by grade"),
    description=_FLOW_NOTE,
)
def _repetition(ctx: Context) -> list[Block]:
    f = ctx.flows
    return [
        block("grade", f.repeaters, f.enrolment),
        block("level", ctx.level_sum(f.repeaters), ctx.level_sum(f.enrolment)),
    ]


@indicator(
    id="dropout_rate",
    label=N_("Dropout rate"),
    unit=PERCENT,
    scopes=("grade", "level"),
    by_sex=True,
    formula="100 − promotion rate − repetition rate (of grade g in year t). Level "
    "value: dropouts summed over the level's grades / their enrolment",
    data=("enrolment", "repeaters", "graduates"),
    source=uis("dropout-rate-grade", "Dropout rate by grade"),
    description=_FLOW_NOTE + " A negative value reveals inconsistent data.",
)
def _dropout(ctx: Context) -> list[Block]:
    f = ctx.flows
    return [
        block("grade", f.dropouts, f.enrolment),
        block("level", ctx.level_sum(f.dropouts), ctx.level_sum(f.enrolment)),
    ]


@indicator(
    id="survival_rate",
    label=N_("Survival rate to grade"),
    unit=PERCENT,
    scopes=("grade",),
    by_sex=True,
    formula="Reconstructed cohort of 1,000 entrants to the first grade of the level with "
    "the flow rates of year t held constant: 100 × pupils reaching grade g, regardless "
    "of repetition / 1,000. In a level of grades 1..n, survival to grade g + 1 = "
    "survival to g × p(g) / (1 − r(g))",
    data=("enrolment", "repeaters", "graduates"),
    source=uis("survival-rate-grade", "Survival rate by grade"),
    description=_FLOW_NOTE + " Survival to the last grade measures retention in the level.",
)
def _survival(ctx: Context) -> list[Block]:
    value = np.full(ctx.grade_shape, np.nan)
    for lv_id, cohort in ctx.cohorts.items():
        gi = [ctx.structure.grade_index(g) for g in ctx.structure.level(lv_id).grades]
        value[:, :, gi, :] = np.moveaxis(cohort.survival, -1, 2)
    return [Block("grade", value)]


@indicator(
    id="coefficient_of_efficiency",
    label=N_("Coefficient of efficiency"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="Reconstructed cohort: 100 × graduates × number of grades of the level / "
    "pupil-years spent by the cohort (by graduates and dropouts alike)",
    data=("enrolment", "repeaters", "graduates"),
    source=uis("coefficient-efficiency", "Coefficient of efficiency"),
    description="Ideal pupil-years needed to produce the graduates, as a percentage of "
    "the pupil-years actually spent. 100 % means no repetition and no dropout.",
)
def _coefficient(ctx: Context) -> list[Block]:
    return [Block("level", ctx.cohort_level("coefficient_of_efficiency"))]


@indicator(
    id="years_input_per_graduate",
    label=N_("Years input per graduate"),
    unit="years",
    scopes=("level",),
    by_sex=True,
    formula="Reconstructed cohort: pupil-years spent by the cohort / its graduates",
    data=("enrolment", "repeaters", "graduates"),
    source=uis("years-input-graduate", "Years input per graduate"),
    description="Equals the number of grades when there is no repetition and no dropout.",
)
def _yipg(ctx: Context) -> list[Block]:
    return [Block("level", ctx.cohort_level("years_input_per_graduate"))]


def _transition_terms(ctx: Context, effective: bool) -> tuple[FloatArray, FloatArray]:
    num, den = ctx.empty_levels(), ctx.empty_levels()
    entrants_next = ctx.next_year(ctx.new_entrants)
    repeaters_next = ctx.next_year(ctx.repeaters)
    for lv in ctx.structure.graded_levels:
        prev = ctx.structure.previous_graded_level(lv.id)
        if prev is None or lv.intake != "transition":
            continue
        li = ctx.structure.level_index(lv.id)
        num[:, :, li] = ctx.grade_slice(entrants_next, lv.first_grade)
        last = ctx.grade_slice(ctx.enrolment, prev.last_grade)
        if effective:
            last = last - ctx.grade_slice(repeaters_next, prev.last_grade)
        den[:, :, li] = last
    return num, den


@indicator(
    id="transition_rate",
    label=N_("Transition rate"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="Given for the receiving level: 100 × new entrants to its first grade in year "
    "t + 1 / enrolment in the last grade of the previous level in year t",
    data=("enrolment", "repeaters", "new_entrants"),
    source=uis("transition-rate", "Transition rate"),
    description=_FLOW_NOTE,
)
def _transition(ctx: Context) -> list[Block]:
    num, den = _transition_terms(ctx, effective=False)
    return [block("level", num, den)]


@indicator(
    id="effective_transition_rate",
    label=N_("Effective transition rate"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="Given for the receiving level: 100 × new entrants to its first grade in year "
    "t + 1 / (enrolment in the last grade of the previous level in year t − repeaters "
    "of that grade in t + 1)",
    data=("enrolment", "repeaters", "new_entrants"),
    source=uis("effective-transition-rate", "Effective transition rate"),
    description="Transition of the pupils who do not repeat the last grade. " + _FLOW_NOTE,
)
def _effective_transition(ctx: Context) -> list[Block]:
    num, den = _transition_terms(ctx, effective=True)
    return [block("level", num, den)]


# --- teachers, classes, finance -------------------------------------------------------


@indicator(
    id="pupil_teacher_ratio",
    label=N_("Pupil-teacher ratio"),
    unit="pupils per teacher",
    scopes=("level",),
    by_sex=False,
    formula="enrolment in the level / teachers of the level (head counts)",
    data=("enrolment", "teachers"),
    source=uis("pupil-teacher-ratio-ptr", "Pupil-teacher ratio"),
)
def _ptr(ctx: Context) -> list[Block]:
    return [
        block("level", ctx.enrolment_level, ctx.ds.level_total("teachers"), 1.0, total_only=True)
    ]


@indicator(
    id="pupil_qualified_teacher_ratio",
    label=N_("Pupil-qualified teacher ratio"),
    unit="pupils per qualified teacher",
    scopes=("level",),
    by_sex=False,
    formula="enrolment in the level / qualified teachers of the level",
    data=("enrolment", "qualified_teachers"),
    source=uis("pupil-qualified-teacher-ratio", "Pupil-qualified teacher ratio"),
)
def _pqtr(ctx: Context) -> list[Block]:
    teachers = ctx.ds.level_total("qualified_teachers")
    return [block("level", ctx.enrolment_level, teachers, 1.0, total_only=True)]


@indicator(
    id="pupil_class_ratio",
    label=N_("Pupil-class ratio (average class size)"),
    unit="pupils per class",
    scopes=("level",),
    by_sex=False,
    formula="enrolment in the level / classes of the level",
    data=("enrolment", "classes"),
    source=uis("pupil-class-ratio", "Pupil-class ratio"),
)
def _pcr(ctx: Context) -> list[Block]:
    classes = ctx.ds.level_total("classes")
    return [block("level", ctx.enrolment_level, classes, 1.0, total_only=True)]


@indicator(
    id="percent_qualified_teachers",
    label=N_("Percentage of qualified teachers"),
    unit=PERCENT,
    scopes=("level",),
    by_sex=True,
    formula="100 × qualified teachers / teachers of the level (by sex of the teachers)",
    data=("teachers", "qualified_teachers"),
    source=uis(
        "percentage-qualified-teachers", "Percentage of qualified teachers by level of education"
    ),
    description="Disaggregated by the sex of the teachers, not of the pupils.",
)
def _pqt(ctx: Context) -> list[Block]:
    return [
        block("level", ctx.ds.level_total("qualified_teachers"), ctx.ds.level_total("teachers"))
    ]


@indicator(
    id="expenditure_per_pupil_pct_gdp_per_capita",
    label=N_("Public expenditure per pupil as a percentage of GDP per capita"),
    unit="% of GDP per capita",
    scopes=("level",),
    by_sex=False,
    formula="100 × (public expenditure on the level / enrolment in the level) / (GDP / "
    "total population)",
    data=("public_expenditure", "enrolment", "gdp", "total_population"),
    source=uis(
        "government-expenditure-student-percentage-gdp-capita",
        "Initial government funding per student as a percentage of GDP per capita",
    ),
    description="Numerator: expenditure per pupil; denominator: GDP per capita.",
)
def _epp(ctx: Context) -> list[Block]:
    per_pupil = ratio(ctx.ds.level_total("public_expenditure"), ctx.enrolment_level, 1.0)
    gdp_pc = ratio(ctx.ds.scalar_values("gdp"), ctx.ds.scalar_values("total_population"), 1.0)
    gdp_pc_levels = np.repeat(gdp_pc[:, :, None, :], len(ctx.ds.level_ids), axis=2)
    return [block("level", per_pupil, gdp_pc_levels, total_only=True)]


# --- parity (declared for the catalogue; computed over the other indicators) ---------


@indicator(
    id="gender_parity_index",
    label=N_("Gender parity index"),
    unit="index",
    scopes=("level", "grade"),
    by_sex=False,
    formula="value of the indicator for females / value for males (F/M); given with "
    "`of`, the id of the indicator it is computed on",
    data=(),
    source=uis("gender-parity-index-gpi", "Gender parity index (GPI)"),
    description="1 means parity; below 1, disparity in favour of males.",
    parity=True,
)
def _gpi(ctx: Context) -> list[Block]:
    return []


@indicator(
    id="adjusted_gender_parity_index",
    label=N_("Adjusted gender parity index"),
    unit="index",
    scopes=("level", "grade"),
    by_sex=False,
    formula="F/M when F/M ≤ 1, otherwise 2 − M/F; given with `of` like the gender parity index",
    data=(),
    source="UIS (2019), SDG 4 metadata, indicator 4.5.1 (adjusted parity index), "
    "https://uis.unesco.org/en/glossary-term/parity-index",
    description="Symmetric around 1 and bounded between 0 and 2, so that disparities "
    "in favour of either sex weigh the same.",
    parity=True,
)
def _agpi(ctx: Context) -> list[Block]:
    return []
