"""Declarations of indicators: one :class:`Indicator` per id, next to its formula.

Each indicator is declared once with the :func:`indicator` decorator placed on the
function that computes it, OpenFisca-style.  The declaration carries the stable snake_case
id (also the URL slug, YAML key and docs anchor), a translatable label (marked with
:func:`edplan.i18n.N_`), the unit, the formula in words, the data it needs and its
official source.  The catalogue in ``docs/reference/indicators.md`` is generated from
these declarations by ``python -m edplan.docs``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .formulas import Block, Context

__all__ = ["INDICATORS", "Indicator", "indicator", "uis"]

Scope = Literal["level", "grade"]
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

UIS_GLOSSARY = "https://uis.unesco.org/en/glossary-term/"


def uis(slug: str, name: str) -> str:
    """Citation of a UIS glossary entry.

    >>> uis("gross-enrolment-ratio", "Gross enrolment ratio")
    'UIS Glossary, "Gross enrolment ratio", https://uis.unesco.org/en/glossary-term/gross-enrolment-ratio'
    """
    return f'UIS Glossary, "{name}", {UIS_GLOSSARY}{slug}'


@dataclass(frozen=True)
class Indicator:
    """The declaration of one indicator."""

    id: str
    label: str
    unit: str
    scopes: tuple[Scope, ...]
    by_sex: bool
    formula: str
    data: tuple[str, ...]
    source: str
    description: str = ""
    parity: bool = False  # parity indices are computed over other indicators
    compute: Callable[[Context], list[Block]] | None = None

    @property
    def has_parity_indices(self) -> bool:
        """Whether gender parity indices are derived from this indicator."""
        return self.by_sex and not self.parity


INDICATORS: dict[str, Indicator] = {}


def indicator(
    *,
    id: str,
    label: str,
    unit: str,
    scopes: tuple[Scope, ...],
    by_sex: bool,
    formula: str,
    data: tuple[str, ...],
    source: str,
    description: str = "",
    parity: bool = False,
) -> Callable[[Callable[[Context], list[Block]]], Callable[[Context], list[Block]]]:
    """Declare the decorated function as the formula of indicator *id*."""
    if not _ID.match(id):
        raise ValueError(f"indicator id {id!r} is not snake_case")
    if id in INDICATORS:
        raise ValueError(f"indicator {id!r} is declared twice")

    def register(fn: Callable[[Context], list[Block]]) -> Callable[[Context], list[Block]]:
        INDICATORS[id] = Indicator(
            id=id,
            label=label,
            unit=unit,
            scopes=scopes,
            by_sex=by_sex,
            formula=formula,
            data=data,
            source=source,
            description=description,
            parity=parity,
            compute=fn,
        )
        return fn

    return register
