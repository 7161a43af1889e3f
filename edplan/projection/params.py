"""Resolving scenario parameters into per-year arrays (with a draw axis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._types import BoolArray, FloatArray
from ..scenario import (
    ParamValues,
    Scenario,
    Series,
    interpolation_weights,
)
from ..years import SchoolYear

__all__ = ["Param", "Resolver", "param"]


@dataclass
class Resolver:
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
class Param:
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


def param(
    res: Resolver,
    pid: str,
    keys: Sequence[tuple[str | None, int | None]],
    base: FloatArray | None,
) -> Param:
    alpha, beta, given = res.weights(pid, keys, has_base=base is not None)
    if base is None:
        alpha = np.zeros_like(alpha)
        beta = np.where(given[None, :, :, None], beta, np.nan)
    return Param(alpha, beta, given, base)
