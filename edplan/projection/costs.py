"""Teachers, classrooms, costs, resources and the financing gap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._types import FloatArray
from ..indicators.formulas import ratio
from ..structure import Level
from .params import param
from .result import LEVEL_VARIABLES, ceil

if TYPE_CHECKING:
    from .model import Model

__all__ = ["resources_and_costs"]


def resources_and_costs(
    model: Model,
    projected: list[Level],
    enrol_grade_t: FloatArray,
    level_sex: dict[str, FloatArray],
) -> dict[str, FloatArray]:
    ds, s = model.ds, model.s
    out = {v: np.full(model.shape_l, np.nan) for v in LEVEL_VARIABLES}
    enrol_t = level_sex["enrolment"].sum(axis=-1)  # D × Y × A × L
    level_mask = np.zeros(len(s.levels), dtype=bool)
    level_mask[[s.level_index(lv.id) for lv in projected]] = True

    def total(var: str) -> FloatArray:
        return ds.level_total(var, model.b)[..., 2]

    teachers_obs = total("teachers")
    classes_obs = total("classes")
    rooms_obs = total("classrooms")
    enrol_obs = model.enrol_level_base_all[..., 2]

    # classes: Σ over grades of enrolment / class size, rounded up
    class_size = model.series(model.level_param("class_size", ratio(enrol_obs, classes_obs, 1.0)))
    classes = np.full(model.shape_l, np.nan)
    for lv in projected:
        li = s.level_index(lv.id)
        size = class_size[..., li]
        if lv.graded:
            gi = [s.grade_index(g) for g in lv.grades]
            classes[..., li] = ceil(enrol_grade_t[..., gi] / size[..., None]).sum(axis=-1)
        else:
            classes[..., li] = ceil(enrol_t[..., li] / size)
    out["classes"] = classes

    # teachers
    ptr = model.series(
        model.level_param("pupil_teacher_ratio", ratio(enrol_obs, teachers_obs, 1.0))
    )
    teachers = ceil(enrol_t / ptr)
    hours = model.level_param("teaching_hours", None)
    curriculum = model.level_param("curriculum_hours", None)
    by_hours = hours.given & curriculum.given  # A1 × L
    if by_hours.any():
        from_hours = ceil(classes * model.series(curriculum) / model.series(hours))
        teachers = np.where(by_hours[None, None], from_hours, teachers)
    observed_base = np.where(np.isnan(teachers_obs), teachers[:, 0], teachers_obs)
    teachers[:, 0] = np.where(by_hours[None], teachers[:, 0], observed_base)
    teachers[..., ~level_mask] = np.nan
    out["teachers"] = teachers
    attrition = model.series(
        model.level_param("teacher_attrition_rate", np.zeros_like(teachers_obs))
    )
    recruitment = np.full(model.shape_l, np.nan)
    recruitment[:, 1:] = np.maximum(
        0.0, ceil(teachers[:, 1:] - teachers[:, :-1] * (1.0 - attrition[:, 1:] / 100.0))
    )
    out["teacher_recruitment"] = recruitment

    # classrooms
    shift = model.series(model.level_param("double_shift_share", np.zeros_like(rooms_obs)))
    needed = ceil(classes * (1.0 - shift / 200.0))
    out["classrooms_needed"] = needed
    stock_par = model.level_param("classroom_stock", None)
    stock0 = np.where(
        stock_par.given[None],
        stock_par.at(0),
        np.where(np.isnan(rooms_obs), needed[:, 0], rooms_obs),
    )
    stock = np.broadcast_to(stock0, needed[:, 0].shape).copy()
    new_rooms = np.full(model.shape_l, np.nan)
    new_rooms[:, 0] = np.where(np.isnan(needed[:, 0]), np.nan, 0.0)
    for t in range(1, model.n):
        built = np.maximum(0.0, needed[:, t] - stock)
        new_rooms[:, t] = built
        stock = stock + np.nan_to_num(built)
    out["new_classrooms"] = new_rooms
    if not (stock_par.given.any() or np.isfinite(rooms_obs).any()):
        model.notes.append(
            "no classroom stock in the data or scenario: the base-year need is assumed to be met"
        )

    # costs
    salary = model.series(model.level_param("teacher_salary", None))
    non_salary = model.series(model.level_param("non_salary_share", np.zeros_like(teachers_obs)))
    unit_cost = model.series(model.level_param("classroom_unit_cost", None))
    out["salary_cost"] = teachers * salary
    out["recurrent_cost"] = out["salary_cost"] * (1.0 + non_salary / 100.0)
    out["capital_cost"] = new_rooms * unit_cost
    out["total_cost"] = out["recurrent_cost"] + np.where(
        np.isnan(out["capital_cost"]), 0.0, out["capital_cost"]
    )
    if np.isnan(salary[..., level_mask]).all():
        model.notes.append("teacher_salary is not given: costs are not computed")
    if np.isnan(unit_cost[..., level_mask]).all():
        model.notes.append(
            "classroom_unit_cost is not given: capital cost is not computed and the "
            "total cost is the recurrent cost"
        )

    # resources
    given = model.series(model.level_param("resources", None))
    gdp = _gdp(model)  # D1 × Y × A
    shares = [
        param(model.res, pid, [(None, None)], None) for pid in ("revenue_share", "education_share")
    ]
    rev, edu = (model.series(p)[..., 0] for p in shares)
    level_share = model.series(model.level_param("level_share", None))
    aid = model.series(model.level_param("external_aid", np.zeros_like(teachers_obs)))
    derived = (gdp * rev / 100.0 * edu / 100.0)[..., None] * level_share / 100.0 + aid
    resources = np.where(np.isnan(given), derived, given)
    resources = np.broadcast_to(resources, model.shape_l).copy()
    resources[..., ~level_mask] = np.nan
    out["resources"] = resources
    out["financing_gap"] = out["total_cost"] - resources
    for var in LEVEL_VARIABLES:
        out[var] = np.broadcast_to(out[var], model.shape_l).copy()
        out[var][..., ~level_mask] = np.nan
    return out


def _gdp(model: Model) -> FloatArray:
    """D1 × years × A GDP: scenario values, else data extended by growth."""
    ds = model.ds
    par = param(model.res, "gdp", [(None, None)], None)
    scen = model.series(par)[..., 0]
    data = ds.scalar_values("gdp")[..., 2]  # A × Ydata
    series = np.full((model.n, len(ds.areas)), np.nan)
    for t, year in enumerate(model.years):
        if ds.has_year(year):
            series[t] = data[:, ds.year_index(year)]
    # years before the base year may hold the last known GDP
    last_known = np.full(len(ds.areas), np.nan)
    for yi in range(min(model.b, data.shape[1] - 1) + 1):
        last_known = np.where(np.isnan(data[:, yi]), last_known, data[:, yi])
    series[0] = np.where(np.isnan(series[0]), last_known, series[0])
    growth = model.series(param(model.res, "gdp_growth_rate", [(None, None)], np.zeros((1, 1))))[
        ..., 0
    ]
    result = np.repeat(series[None], growth.shape[0], axis=0)
    for t in range(1, model.n):
        grown = result[:, t - 1] * (1.0 + growth[:, t] / 100.0)
        result[:, t] = np.where(np.isnan(result[:, t]), grown, result[:, t])
    return np.where(np.isnan(scen), result, scen)
