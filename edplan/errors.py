"""Exceptions raised by the engine.

Every error that comes from data or a scenario carries a list of located
:class:`Problem` items, so that a planner can fix all of them at once instead of one
per run.  Messages say what is wrong, why, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DataError", "EdplanError", "Problem", "ScenarioError", "StructureError"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in an input.

    ``row`` is the 1-based line number in the file (the header is line 1) or the 1-based
    position of a record given in memory; ``None`` when the problem is not tied to a row.
    ``column`` names the column or, for YAML inputs, the dotted path of the key.

    >>> str(Problem(3, "value", "is negative"))
    'row 3, column value: is negative'
    """

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class EdplanError(Exception):
    """Base class of every error raised on purpose by the engine."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  - {p}" for p in self.problems[:200])]
        if len(self.problems) > 200:
            lines.append(f"  ... and {len(self.problems) - 200} more problems")
        return "\n".join(lines)


class DataError(EdplanError):
    """The tidy data cannot be used as it is (wrong columns, values, duplicates...)."""


class ScenarioError(EdplanError):
    """A scenario file is malformed or inconsistent with the data and structure."""


class StructureError(EdplanError):
    """A school-structure description is malformed."""
