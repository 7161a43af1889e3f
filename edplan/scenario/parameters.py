"""Declarations of the scenario parameters (documented in the scenario format)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..i18n import N_

__all__ = ["PARAMETERS", "Kind", "ParameterSpec", "Scope"]

Scope = Literal["level", "grade", "area"]
Kind = Literal["percent", "ratio", "positive", "amount"]


@dataclass(frozen=True)
class ParameterSpec:
    """Declaration of a scenario parameter."""

    id: str
    label: str
    unit: str
    scope: Scope
    kind: Kind
    default: str
    description: str
    targets: bool = True  # may be given as {year: value} targets


PARAMETERS: dict[str, ParameterSpec] = {
    p.id: p
    for p in (
        ParameterSpec(
            "gross_intake_ratio",
            N_("Gross intake ratio to the first grade"),
            "%",
            "level",
            "ratio",
            "observed in the base year",
            "New entrants to the first grade = ratio × population of the entry age "
            "(levels taking their entrants from the population).",
        ),
        ParameterSpec(
            "transition_rate",
            N_("Transition rate"),
            "%",
            "level",
            "percent",
            "observed between the year before the base year and the base year",
            "New entrants to the first grade of the level = rate × enrolment in the last "
            "grade of the previous level the year before.",
        ),
        ParameterSpec(
            "gross_enrolment_ratio",
            N_("Gross enrolment ratio"),
            "%",
            "level",
            "ratio",
            "observed in the base year",
            "Levels without grades (pre-primary): enrolment = ratio × population of the "
            "level's official ages.",
        ),
        ParameterSpec(
            "repetition_rate",
            N_("Repetition rate"),
            "%",
            "grade",
            "percent",
            "observed by grade",
            "Repeaters of a grade in year t = rate × enrolment of the grade in t − 1.",
        ),
        ParameterSpec(
            "dropout_rate",
            N_("Dropout rate"),
            "%",
            "grade",
            "percent",
            "observed by grade",
            "Held at its observed value unless given; promotion = 100 − repetition − "
            "dropout (give either dropout_rate or promotion_rate for a grade).",
        ),
        ParameterSpec(
            "promotion_rate",
            N_("Promotion rate"),
            "%",
            "grade",
            "percent",
            "100 − repetition − dropout",
            "Alternative to dropout_rate; in the last grade of a level it is the graduation rate.",
        ),
        ParameterSpec(
            "pupil_teacher_ratio",
            N_("Pupil-teacher ratio"),
            "pupils per teacher",
            "level",
            "positive",
            "observed in the base year",
            "Teachers = enrolment / ratio, rounded up (unless teaching hours are given).",
        ),
        ParameterSpec(
            "class_size",
            N_("Class size"),
            "pupils per class",
            "level",
            "positive",
            "observed pupil-class ratio in the base year",
            "Classes = Σ over grades of enrolment / class size, each rounded up.",
        ),
        ParameterSpec(
            "curriculum_hours",
            N_("Weekly hours of instruction per class"),
            "hours per week",
            "level",
            "positive",
            "none",
            "With teaching_hours: teachers = classes × curriculum_hours / teaching_hours, "
            "rounded up (instead of the pupil-teacher ratio).",
        ),
        ParameterSpec(
            "teaching_hours",
            N_("Weekly teaching hours per teacher"),
            "hours per week",
            "level",
            "positive",
            "none",
            "See curriculum_hours.",
        ),
        ParameterSpec(
            "double_shift_share",
            N_("Share of classes in double shift"),
            "%",
            "level",
            "percent",
            "0",
            "Two double-shift classes share a classroom: classrooms needed = classes × "
            "(1 − share / 200), rounded up.",
        ),
        ParameterSpec(
            "classroom_stock",
            N_("Classrooms available in the base year"),
            "classrooms",
            "level",
            "positive",
            "observed classrooms in the base year; otherwise the base-year need is assumed met",
            "New classrooms = max(0, classrooms needed − stock); built classrooms join the stock.",
            targets=False,
        ),
        ParameterSpec(
            "teacher_salary",
            N_("Average annual teacher salary"),
            "currency per teacher per year",
            "level",
            "amount",
            "none (costs are then not computed)",
            "Salary cost = teachers × salary.",
        ),
        ParameterSpec(
            "non_salary_share",
            N_("Non-salary recurrent spending"),
            "% of the salary cost",
            "level",
            "percent",
            "0",
            "Recurrent cost = salary cost × (1 + share / 100).",
        ),
        ParameterSpec(
            "classroom_unit_cost",
            N_("Cost of building one classroom"),
            "currency per classroom",
            "level",
            "amount",
            "none (capital cost is then not computed)",
            "Capital cost = new classrooms × unit cost.",
        ),
        ParameterSpec(
            "teacher_attrition_rate",
            N_("Teacher attrition rate"),
            "% of last year's teachers",
            "level",
            "percent",
            "0",
            "Recruitment = max(0, teachers(t) − teachers(t − 1) × (1 − rate / 100)), rounded up.",
        ),
        ParameterSpec(
            "resources",
            N_("Resources available"),
            "currency per year",
            "level",
            "amount",
            "derived from GDP and shares when those are given",
            "Financing gap = total cost − resources.",
        ),
        ParameterSpec(
            "level_share",
            N_("Share of the education budget for the level"),
            "% of the education budget",
            "level",
            "percent",
            "none",
            "Resources = GDP × revenue_share × education_share × level_share + external aid.",
        ),
        ParameterSpec(
            "external_aid",
            N_("External aid"),
            "currency per year",
            "level",
            "amount",
            "0",
            "Added to the resources derived from GDP.",
        ),
        ParameterSpec(
            "revenue_share",
            N_("Government revenue"),
            "% of GDP",
            "area",
            "percent",
            "none",
            "Domestic government revenue as a share of GDP.",
        ),
        ParameterSpec(
            "education_share",
            N_("Education share of government revenue"),
            "% of revenue",
            "area",
            "percent",
            "none",
            "Share of government revenue spent on education.",
        ),
        ParameterSpec(
            "gdp",
            N_("Gross domestic product"),
            "currency per year",
            "area",
            "amount",
            "from the data (gdp), extended with gdp_growth_rate",
            "GDP of the projected area.",
        ),
        ParameterSpec(
            "gdp_growth_rate",
            N_("GDP growth rate"),
            "% per year",
            "area",
            "amount",
            "0",
            "Extends GDP beyond the last year given.",
        ),
        ParameterSpec(
            "population_growth_rate",
            N_("Population growth rate"),
            "% per year",
            "area",
            "amount",
            "none (population must be in the data for every projected year)",
            "Extends the population by age beyond the last year of the data.",
        ),
    )
}
