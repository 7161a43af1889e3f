"""Projection scenarios: YAML parsing, validation with located errors, interpolation.

A scenario names a base year (the last observed year), a final year, the areas to
project and parameters.  Every parameter value is one of:

* a number — constant over the projection;
* a ``{year: value}`` map — targets, interpolated linearly between the given years
  (from the base-year observed value when there is one) and held after the last one;
* an uncertain value ``{uniform: [low, high]}`` or ``{triangular: [low, mode, high]}``
  anywhere a number is accepted — the deterministic run uses the centre (mid-point or
  mode), a sensitivity run draws it.

Parameters are keyed by level (``{primary: 42}``), by grade inside a level for the flow
rates (``{primary: {1: 8, 2: 5}}``), or not keyed for area-wide ones (``gdp_growth_rate:
5``); a bare number for a level parameter applies to every level.  See
``docs/reference/scenario-format.md``.
"""

from __future__ import annotations

from .model import (
    Leaf,
    ParamValues,
    Scenario,
    SensitivitySettings,
    Series,
    Uncertain,
    interpolation_weights,
)
from .parameters import PARAMETERS, ParameterSpec
from .reading import check_scenario, load_scenario

__all__ = [
    "PARAMETERS",
    "Leaf",
    "ParamValues",
    "ParameterSpec",
    "Scenario",
    "SensitivitySettings",
    "Series",
    "Uncertain",
    "check_scenario",
    "interpolation_weights",
    "load_scenario",
]
