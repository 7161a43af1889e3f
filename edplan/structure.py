"""School structures: levels, their grades and official entry ages.

A structure is read from YAML (or a mapping) of the form::

    name: cambodia
    levels:
      - {id: pre_primary, entry_age: 3, duration: 3, grades: []}
      - {id: primary, entry_age: 6, grades: [1, 2, 3, 4, 5, 6]}
      - {id: lower_secondary, entry_age: 12, grades: [7, 8, 9]}

Grades carry system-wide numbers (Cambodia: 1-12) and any level may have any number of
them; a level without grades (pre-primary, typically) is described by its duration.  The
first graded level takes its new entrants from the population of entry age; each later
graded level takes them by transition from the previous graded level (``intake:
population`` or ``intake: transition`` overrides this).

>>> s = load_structure("cambodia")
>>> [lv.id for lv in s.levels]
['pre_primary', 'primary', 'lower_secondary', 'upper_secondary']
>>> s.level("primary").official_ages
(6, 7, 8, 9, 10, 11)
>>> s.level_of_grade(7).id, s.grade_entry_age(7)
('lower_secondary', 12)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import Problem, StructureError

__all__ = ["BUILTIN_STRUCTURES", "Level", "Structure", "load_structure"]

BUILTIN_STRUCTURES: tuple[str, ...] = ("cambodia",)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")

Intake = Literal["population", "transition"]


@dataclass(frozen=True, slots=True)
class Level:
    """One level of education (``primary``, ``lower_secondary``...)."""

    id: str
    label: str
    entry_age: int
    grades: tuple[int, ...]
    duration: int
    intake: Intake = "population"

    @property
    def official_ages(self) -> tuple[int, ...]:
        """The official school ages of the level (entry age, entry age + 1, ...)."""
        return tuple(range(self.entry_age, self.entry_age + self.duration))

    @property
    def graded(self) -> bool:
        """Whether the level has numbered grades (pre-primary often has none)."""
        return bool(self.grades)

    @property
    def first_grade(self) -> int:
        """The level's first grade number (only for graded levels)."""
        return self.grades[0]

    @property
    def last_grade(self) -> int:
        """The level's last grade number (only for graded levels)."""
        return self.grades[-1]


@dataclass(frozen=True)
class Structure:
    """An ordered list of levels; provides the grade and level axes of datasets."""

    name: str
    label: str
    levels: tuple[Level, ...]
    _by_id: dict[str, Level] = field(init=False, repr=False, compare=False)
    _by_grade: dict[int, Level] = field(init=False, repr=False, compare=False)
    _grades: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _grade_pos: dict[int, int] = field(init=False, repr=False, compare=False)
    _level_pos: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grades = tuple(g for lv in self.levels for g in lv.grades)
        object.__setattr__(self, "_by_id", {lv.id: lv for lv in self.levels})
        object.__setattr__(self, "_by_grade", {g: lv for lv in self.levels for g in lv.grades})
        object.__setattr__(self, "_grades", grades)
        object.__setattr__(self, "_grade_pos", {g: i for i, g in enumerate(grades)})
        object.__setattr__(self, "_level_pos", {lv.id: i for i, lv in enumerate(self.levels)})

    @property
    def level_ids(self) -> tuple[str, ...]:
        """Level ids in order."""
        return tuple(lv.id for lv in self.levels)

    @property
    def grades(self) -> tuple[int, ...]:
        """Every grade number of the structure, in order (the grade axis)."""
        return self._grades

    @property
    def graded_levels(self) -> tuple[Level, ...]:
        """The levels that have grades."""
        return tuple(lv for lv in self.levels if lv.graded)

    @property
    def max_age(self) -> int:
        """The highest official age of any level."""
        return max(lv.entry_age + lv.duration - 1 for lv in self.levels)

    def has_level(self, level_id: str) -> bool:
        """Whether *level_id* names a level of the structure."""
        return level_id in self._by_id

    def level(self, level_id: str) -> Level:
        """The level called *level_id*; ``KeyError`` with the known ids otherwise."""
        try:
            return self._by_id[level_id]
        except KeyError:
            known = ", ".join(self.level_ids)
            raise KeyError(
                f"unknown level {level_id!r} in structure {self.name!r} (levels: {known})"
            ) from None

    def level_index(self, level_id: str) -> int:
        """Position of the level on the level axis."""
        try:
            return self._level_pos[level_id]
        except KeyError:
            raise KeyError(f"unknown level {level_id!r} in structure {self.name!r}") from None

    def grade_index(self, grade: int) -> int:
        """Position of the grade on the grade axis."""
        try:
            return self._grade_pos[grade]
        except KeyError:
            raise ValueError(f"grade {grade} is not in structure {self.name!r}") from None

    def has_grade(self, grade: int) -> bool:
        """Whether *grade* is a grade of the structure."""
        return grade in self._by_grade

    def level_of_grade(self, grade: int) -> Level:
        """The level a grade belongs to."""
        return self._by_grade[grade]

    def grade_entry_age(self, grade: int) -> int:
        """Official (theoretical) age at entry to *grade*."""
        lv = self._by_grade[grade]
        return lv.entry_age + lv.grades.index(grade)

    def previous_graded_level(self, level_id: str) -> Level | None:
        """The graded level just before *level_id*, if any."""
        graded = self.graded_levels
        ids = [lv.id for lv in graded]
        i = ids.index(level_id)
        return graded[i - 1] if i > 0 else None

    def higher_levels(self, level_id: str) -> tuple[Level, ...]:
        """*level_id* and every level after it (for adjusted net enrolment)."""
        i = self.level_index(level_id)
        return self.levels[i:]

    def to_mapping(self) -> dict[str, Any]:
        """The structure as a YAML-ready mapping."""
        return {
            "name": self.name,
            "label": self.label,
            "levels": [
                {
                    "id": lv.id,
                    "label": lv.label,
                    "entry_age": lv.entry_age,
                    "duration": lv.duration,
                    "grades": list(lv.grades),
                    "intake": lv.intake,
                }
                for lv in self.levels
            ],
        }


def load_structure(source: str | Path | Mapping[str, Any] | Structure) -> Structure:
    """Load a school structure.

    *source* is a built-in name (``"cambodia"``), the path of a YAML file, a mapping
    with the same content, or a :class:`Structure` (returned as is).  Raises
    :class:`~edplan.errors.StructureError` listing every problem found.
    """
    if isinstance(source, Structure):
        return source
    if isinstance(source, Mapping):
        return _from_mapping(source, origin="structure")
    text_source = str(source)
    if text_source in BUILTIN_STRUCTURES:
        text = (
            resources.files("edplan.structures")
            .joinpath(f"{text_source}.yaml")
            .read_text(encoding="utf-8")
        )
        origin = text_source
    else:
        path = Path(text_source)
        if not path.is_file():
            known = ", ".join(BUILTIN_STRUCTURES)
            raise StructureError(
                f"structure {text_source!r} is neither a built-in structure ({known}) "
                "nor an existing YAML file; give a built-in name or the path of a file"
            )
        text = path.read_text(encoding="utf-8")
        origin = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StructureError(f"{origin}: not valid YAML ({exc})") from exc
    if not isinstance(data, Mapping):
        raise StructureError(f"{origin}: expected a mapping with 'name' and 'levels'")
    return _from_mapping(data, origin=origin)


def _from_mapping(data: Mapping[str, Any], origin: str) -> Structure:
    problems: list[Problem] = []
    name = str(data.get("name", origin))
    levels_data = data.get("levels")
    if not isinstance(levels_data, list) or not levels_data:
        raise StructureError(
            f"{origin}: 'levels' must be a non-empty list of levels",
            [Problem(None, "levels", "missing or not a list")],
        )
    levels: list[Level] = []
    seen_grades: dict[int, str] = {}
    seen_ids: set[str] = set()
    first_graded = True
    for i, item in enumerate(levels_data):
        where = f"levels[{i}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(None, where, "each level must be a mapping"))
            continue
        level_id = item.get("id")
        if not isinstance(level_id, str) or not _ID.match(level_id):
            problems.append(Problem(None, f"{where}.id", "give a snake_case id such as 'primary'"))
            continue
        if level_id in seen_ids:
            problems.append(Problem(None, f"{where}.id", f"level {level_id!r} appears twice"))
            continue
        seen_ids.add(level_id)
        entry_age = item.get("entry_age")
        if not isinstance(entry_age, int) or isinstance(entry_age, bool) or entry_age < 0:
            problems.append(
                Problem(None, f"{where}.entry_age", "give the official entry age as a whole number")
            )
            continue
        grades_raw = item.get("grades", []) or []
        if not isinstance(grades_raw, list) or not all(
            isinstance(g, int) and not isinstance(g, bool) for g in grades_raw
        ):
            problems.append(
                Problem(None, f"{where}.grades", "give the grades as a list of whole numbers")
            )
            continue
        grades = tuple(grades_raw)
        if list(grades) != sorted(set(grades)):
            problems.append(
                Problem(None, f"{where}.grades", "grades must be increasing and distinct")
            )
            continue
        for g in grades:
            if g in seen_grades:
                problems.append(
                    Problem(
                        None,
                        f"{where}.grades",
                        f"grade {g} already belongs to level {seen_grades[g]!r}",
                    )
                )
            seen_grades[g] = level_id
        duration = item.get("duration", len(grades))
        if not isinstance(duration, int) or duration <= 0:
            problems.append(
                Problem(
                    None,
                    f"{where}.duration",
                    "a level without grades needs a positive 'duration' in years",
                )
            )
            continue
        if grades and duration != len(grades):
            problems.append(
                Problem(None, f"{where}.duration", "duration must equal the number of grades")
            )
            continue
        default_intake: Intake = "population" if first_graded or not grades else "transition"
        intake = item.get("intake", default_intake)
        if intake not in ("population", "transition"):
            problems.append(
                Problem(None, f"{where}.intake", "intake is 'population' or 'transition'")
            )
            continue
        if intake == "transition" and first_graded and grades:
            problems.append(
                Problem(
                    None,
                    f"{where}.intake",
                    "the first graded level has no level to take transitions from",
                )
            )
            continue
        if grades:
            first_graded = False
        levels.append(
            Level(
                id=level_id,
                label=str(item.get("label", level_id.replace("_", " ").capitalize())),
                entry_age=entry_age,
                grades=grades,
                duration=duration,
                intake=intake,
            )
        )
    if problems:
        raise StructureError(f"{origin}: the structure is not valid", problems)
    return Structure(name=name, label=str(data.get("label", name)), levels=tuple(levels))
