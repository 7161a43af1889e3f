"""The school year as a type.

A school year straddles two calendar years and is written ``"2023-24"``.  It orders,
steps forward and back, and is never handled as a bare string inside the engine.

>>> y = SchoolYear("2023-24")
>>> y.next()
SchoolYear('2024-25')
>>> y < SchoolYear("2030-31"), str(y.previous()), y.start
(True, '2022-23', 2023)
>>> [str(x) for x in SchoolYear.span(SchoolYear("2023-24"), SchoolYear("2025-26"))]
['2023-24', '2024-25', '2025-26']
>>> SchoolYear("2023-2024") == SchoolYear("2023-24")
True
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import Any

__all__ = ["SchoolYear"]

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$")


@total_ordering
class SchoolYear:
    """A school year such as ``2023-24`` (starting in calendar year 2023).

    Accepted spellings: ``2023-24``, ``2023-2024`` and ``2023/24``; the second part must be
    the year after the first.  ``str()`` always gives the canonical ``2023-24``.
    """

    __slots__ = ("_start",)

    def __init__(self, value: str | SchoolYear) -> None:
        if isinstance(value, SchoolYear):
            self._start: int = value.start
            return
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a school year: write it as text such as '2023-24'")
        match = _PATTERN.match(value)
        if match is None:
            raise ValueError(
                f"{value!r} is not a school year: write the starting calendar year, "
                "a dash and the last two digits of the next year, such as '2023-24'"
            )
        start = int(match.group(1))
        end_text = match.group(2)
        expected = start + 1 if len(end_text) == 4 else (start + 1) % 100
        if int(end_text) != expected:
            raise ValueError(
                f"{value!r} is not a school year: the second year must follow the first "
                f"(did you mean '{start}-{(start + 1) % 100:02d}'?)"
            )
        self._start = start

    @classmethod
    def from_start(cls, start: int) -> SchoolYear:
        """The school year that starts in calendar year *start*."""
        year = cls.__new__(cls)
        year._start = int(start)
        return year

    @classmethod
    def parse(cls, value: Any) -> SchoolYear:
        """Like the constructor, but also accepts a ``SchoolYear``."""
        if isinstance(value, SchoolYear):
            return value
        return cls(value)

    @staticmethod
    def span(first: SchoolYear, last: SchoolYear) -> list[SchoolYear]:
        """Every school year from *first* to *last*, both included."""
        return [SchoolYear.from_start(s) for s in range(first.start, last.start + 1)]

    @property
    def start(self) -> int:
        """The calendar year in which the school year starts."""
        return self._start

    def next(self) -> SchoolYear:
        """The following school year."""
        return SchoolYear.from_start(self._start + 1)

    def previous(self) -> SchoolYear:
        """The preceding school year."""
        return SchoolYear.from_start(self._start - 1)

    def __add__(self, years: int) -> SchoolYear:
        return SchoolYear.from_start(self._start + years)

    def __sub__(self, other: SchoolYear) -> int:
        """Number of years between two school years.

        >>> SchoolYear("2030-31") - SchoolYear("2023-24")
        7
        """
        return self._start - other.start

    def __str__(self) -> str:
        return f"{self._start}-{(self._start + 1) % 100:02d}"

    def __repr__(self) -> str:
        return f"SchoolYear('{self}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SchoolYear):
            return self._start == other._start
        return NotImplemented

    def __lt__(self, other: SchoolYear) -> bool:
        if isinstance(other, SchoolYear):
            return self._start < other._start
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("SchoolYear", self._start))
