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

from .model import project
from .result import GRADE_VARIABLES, LEVEL_SEX_VARIABLES, LEVEL_VARIABLES, VARIABLES, Projection

__all__ = [
    "GRADE_VARIABLES",
    "LEVEL_SEX_VARIABLES",
    "LEVEL_VARIABLES",
    "VARIABLES",
    "Projection",
    "project",
]
