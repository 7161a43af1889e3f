"""Parsed scenarios, uncertain values and the interpolation of targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .._types import FloatArray
from ..years import SchoolYear

__all__ = [
    "Leaf",
    "ParamValues",
    "Scenario",
    "SensitivitySettings",
    "Series",
    "Uncertain",
    "interpolation_weights",
]

_DISTRIBUTIONS = {"uniform": 2, "triangular": 3}


@dataclass(frozen=True)
class Uncertain:
    """An uncertain value drawn in sensitivity runs (``uniform`` or ``triangular``)."""

    distribution: str
    args: tuple[float, ...]
    path: str

    @property
    def central(self) -> float:
        """The value used by a deterministic run (mid-point or mode)."""
        if self.distribution == "uniform":
            return (self.args[0] + self.args[1]) / 2.0
        return self.args[1]

    def draw(self, rng: np.random.Generator, n: int) -> FloatArray:
        """*n* random draws."""
        if self.distribution == "uniform":
            return rng.uniform(self.args[0], self.args[1], n)
        low, mode, high = self.args
        if low == high:
            return np.full(n, low)
        return rng.triangular(low, mode, high, n)


Leaf = float | Uncertain
# a series: ((None, leaf),) for a constant, ((year, leaf), ...) for targets
Series = tuple[tuple[SchoolYear | None, Leaf], ...]
# parameter values keyed by (level or None, grade or None)
ParamValues = dict[tuple[str | None, int | None], Series]


@dataclass(frozen=True)
class SensitivitySettings:
    """Number of draws and random seed of a sensitivity run."""

    draws: int = 1000
    seed: int = 20240101
    percentiles: tuple[float, ...] = (5.0, 50.0, 95.0)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (see the module documentation)."""

    name: str
    base_year: SchoolYear
    final_year: SchoolYear
    areas: tuple[str, ...] = ("all",)
    parameters: Mapping[str, ParamValues] = field(default_factory=dict)
    area_parameters: Mapping[str, Mapping[str, ParamValues]] = field(default_factory=dict)
    sensitivity: SensitivitySettings = field(default_factory=SensitivitySettings)
    description: str = ""
    origin: str = "scenario"

    @property
    def years(self) -> list[SchoolYear]:
        """Base year to final year, both included."""
        return SchoolYear.span(self.base_year, self.final_year)

    def values_for(self, parameter: str, area: str) -> ParamValues:
        """Values of *parameter* for *area*: the area's own, over the general ones."""
        merged = dict(self.parameters.get(parameter, {}))
        merged.update(self.area_parameters.get(area, {}).get(parameter, {}))
        return merged

    def uncertain_leaves(self) -> list[Uncertain]:
        """Every uncertain value of the scenario, in a stable order."""
        found: dict[str, Uncertain] = {}
        groups = [self.parameters, *self.area_parameters.values()]
        for group in groups:
            for values in group.values():
                for series in values.values():
                    for _, leaf in series:
                        if isinstance(leaf, Uncertain):
                            found.setdefault(leaf.path, leaf)
        return [found[k] for k in sorted(found)]


def interpolation_weights(
    series: Series,
    years: list[SchoolYear],
    leaf_values: Mapping[str, FloatArray] | None = None,
    n_draws: int = 1,
    has_base: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """Weights ``(alpha, beta)`` such that the value in year *t* is
    ``alpha[t] × base_value + beta[:, t]``.

    *years* runs from the base year to the final year.  ``alpha`` (years) is the weight
    of the observed base-year value, non-zero only before the first target; ``beta``
    (draws × years) carries the targets.  *leaf_values* gives, for uncertain values, the
    draws to use (keyed by path); otherwise their central value is used.

    >>> ys = SchoolYear.span(SchoolYear("2023-24"), SchoolYear("2027-28"))
    >>> a, b = interpolation_weights(((SchoolYear("2025-26"), 10.0),), ys)
    >>> a.tolist(), b[0].tolist()
    ([1.0, 0.5, 0.0, 0.0, 0.0], [0.0, 5.0, 10.0, 10.0, 10.0])
    """
    n = len(years)
    alpha = np.zeros(n)
    beta = np.zeros((n_draws, n))

    def leaf_value(leaf: Leaf) -> FloatArray:
        if isinstance(leaf, Uncertain):
            if leaf_values is not None and leaf.path in leaf_values:
                return leaf_values[leaf.path]
            return np.full(n_draws, leaf.central)
        return np.full(n_draws, float(leaf))

    if series[0][0] is None:
        beta[:] = leaf_value(series[0][1])[:, None]
        return alpha, beta
    base = years[0]
    points = [(y, leaf_value(v)) for y, v in series if y is not None]
    offsets = [y - base for y, _ in points]
    for t in range(n):
        if t >= offsets[-1]:
            beta[:, t] = points[-1][1]
            continue
        k = next(i for i, off in enumerate(offsets) if off > t)
        right_off, right = offsets[k], points[k][1]
        if k == 0:
            lam = t / right_off if right_off and has_base else 1.0
            alpha[t] = 1.0 - lam
            beta[:, t] = lam * right
        else:
            left_off, left = offsets[k - 1], points[k - 1][1]
            lam = (t - left_off) / (right_off - left_off)
            beta[:, t] = (1.0 - lam) * left + lam * right
    return alpha, beta
