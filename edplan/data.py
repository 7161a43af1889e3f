"""Reading and validating tidy data.

The tidy format has one observation per row and the columns
``year, area, level, grade, age, sex, variable, value`` (see
``docs/reference/data-template.md``).  ``level``, ``grade`` and ``age`` may be left
empty, or left out entirely, where they do not apply; extra columns (``source``,
``note``...) are ignored.  CSV files may contain comment lines starting with ``#``.

Validation never drops a row silently: every problem is reported with its row number and
column, and :func:`read_dataset` raises :class:`~edplan.errors.DataError` carrying all of
them.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._types import FloatArray
from .dataset import SEXES, Dataset, _complete_total
from .errors import DataError, Problem
from .structure import Structure, load_structure
from .years import SchoolYear

__all__ = [
    "COLUMNS",
    "VARIABLES",
    "VariableSpec",
    "read_dataset",
    "read_rows",
    "validate",
]

COLUMNS: tuple[str, ...] = ("year", "area", "level", "grade", "age", "sex", "variable", "value")
REQUIRED_COLUMNS: tuple[str, ...] = ("year", "area", "sex", "variable", "value")
MAX_AGE = 99


@dataclass(frozen=True, slots=True)
class VariableSpec:
    """Which breakdowns a variable accepts, and what it means."""

    name: str
    description: str
    by_grade: bool = False
    by_level: bool = False
    by_age: bool = False
    by_level_age: bool = False
    scalar: bool = False
    total_only: bool = False


VARIABLES: dict[str, VariableSpec] = {
    spec.name: spec
    for spec in (
        VariableSpec(
            "enrolment",
            "Pupils enrolled, by grade (or a level total)",
            by_grade=True,
            by_level=True,
        ),
        VariableSpec(
            "repeaters",
            "Pupils enrolled in the same grade as the previous year, by grade",
            by_grade=True,
            by_level=True,
        ),
        VariableSpec(
            "new_entrants",
            "Pupils entering the first grade of a level for the first time; "
            "by single age for the net intake rate",
            by_grade=True,
            by_level=True,
            by_level_age=True,
        ),
        VariableSpec(
            "graduates",
            "Pupils who completed the last grade of a level successfully",
            by_grade=True,
            by_level=True,
        ),
        VariableSpec(
            "population",
            "Population by single age (level empty), or of a level's official ages",
            by_age=True,
            by_level=True,
        ),
        VariableSpec("teachers", "Teachers (head count) by level", by_level=True),
        VariableSpec(
            "qualified_teachers",
            "Teachers with the qualification required to teach the level",
            by_level=True,
        ),
        VariableSpec(
            "classes", "Classes (pupil groups), by grade or level", by_grade=True, by_level=True
        ),
        VariableSpec("classrooms", "Usable classrooms by level", by_level=True),
        VariableSpec(
            "public_expenditure",
            "Public (current) expenditure on the level, in currency units",
            by_level=True,
            total_only=True,
        ),
        VariableSpec("gdp", "Gross domestic product of the area", scalar=True, total_only=True),
        VariableSpec("total_population", "Total population of the area", scalar=True),
        VariableSpec(
            "enrolment_by_age",
            "Enrolment by single age and level (for net rates)",
            by_level_age=True,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    year: SchoolYear
    area: str
    level: str | None
    grade: int | None
    age: int | None
    sex: str
    variable: str
    value: float


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _whole(value: Any) -> int | None:
    """Parse a whole number (``"7"``, ``7``, ``7.0``); ``None`` if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _read_file(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Header and (line number, cells) of a CSV or XLSX file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        sheet_name = "data" if "data" in names else names[0]
        raw: list[list[Any]] = workbook.get_sheet_by_name(sheet_name).to_python()
        numbered = list(enumerate(raw, start=1))
    elif suffix in (".csv", ".txt", ""):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            numbered = [(reader.line_num, row) for row in reader]
    else:
        raise DataError(f"{path.name}: unsupported file type {suffix!r}; give a .csv or .xlsx file")
    body = [
        (n, cells)
        for n, cells in numbered
        if any(_text(c) for c in cells) and not _text(cells[0]).startswith("#")
    ]
    if not body:
        raise DataError(f"{path.name}: the file is empty; it needs a header row and data rows")
    (_, header), *rows = body
    return [_text(c).lower() for c in header], rows


def _records_from_source(
    source: str | Path | Iterable[Mapping[str, Any]],
) -> tuple[str, list[tuple[int, Mapping[str, Any]]], list[str] | None]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"data file {str(path)!r} does not exist")
        header, rows = _read_file(path)
        records: list[tuple[int, Mapping[str, Any]]] = [
            (n, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h})
            for n, cells in rows
        ]
        return path.name, records, header
    return "records", [(i, rec) for i, rec in enumerate(source, start=1)], None


def read_rows(
    source: str | Path | Iterable[Mapping[str, Any]], structure: Structure
) -> tuple[list[_Row], list[Problem]]:
    """Parse and check rows; return the good rows and every problem found."""
    origin, records, header = _records_from_source(source)
    problems: list[Problem] = []
    if header is not None:
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise DataError(
                f"{origin}: missing column(s) {', '.join(missing)}; the header must be "
                f"{','.join(COLUMNS)}",
                [Problem(1, c, "column missing") for c in missing],
            )
    rows: list[_Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, rec in records:
        row = _parse_row(number, rec, structure, problems)
        if row is None:
            continue
        key = (row.year, row.area, row.level, row.grade, row.age, row.sex, row.variable)
        if key in seen:
            problems.append(
                Problem(
                    number,
                    None,
                    f"duplicate of row {seen[key]} (same year, area, level, grade, age, sex "
                    "and variable); keep one of them or add them up",
                )
            )
            continue
        seen[key] = number
        rows.append(row)
    return rows, problems


def _parse_row(
    number: int, rec: Mapping[str, Any], structure: Structure, problems: list[Problem]
) -> _Row | None:
    start = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    # year
    year: SchoolYear | None = None
    try:
        year = SchoolYear(_text(rec.get("year")))
    except ValueError as exc:
        bad("year", str(exc))
    area = _text(rec.get("area"))
    if not area:
        bad("area", "the area code is empty; give the code of the province, district...")
    variable = _text(rec.get("variable")).lower()
    spec = VARIABLES.get(variable)
    if spec is None:
        known = ", ".join(VARIABLES)
        bad("variable", f"unknown variable {variable!r}; use one of: {known}")
    sex = _text(rec.get("sex")).upper()
    if sex not in SEXES:
        bad("sex", f"sex is {sex!r}; use F (female), M (male) or T (total)")
    # value
    raw_value = rec.get("value")
    value = math.nan
    if _text(raw_value) == "":
        bad("value", "the value is empty; remove the row or give the number (0 if none)")
    else:
        try:
            value = float(str(raw_value).strip())
        except (TypeError, ValueError):
            bad(
                "value",
                f"{raw_value!r} is not a number; write digits only, with '.' as decimal mark",
            )
        else:
            if not math.isfinite(value):
                bad("value", "the value must be a finite number")
            elif value < 0:
                bad("value", f"negative value {value:g}; counts and amounts cannot be negative")
    # level, grade, age
    level = _text(rec.get("level")).lower() or None
    grade_text = _text(rec.get("grade"))
    age_text = _text(rec.get("age"))
    grade: int | None = None
    age: int | None = None
    if grade_text:
        grade = _whole(grade_text)
        if grade is None:
            bad("grade", f"grade {grade_text!r} is not a whole number")
        elif not structure.has_grade(grade):
            grades = structure.grades
            bad(
                "grade",
                f"grade {grade} is outside the structure {structure.name!r} "
                f"(grades {grades[0]} to {grades[-1]})",
            )
            grade = None
    if age_text:
        age = _whole(age_text)
        if age is None or not 0 <= age <= MAX_AGE:
            bad("age", f"age {age_text!r} is not a single age in whole years (0 to {MAX_AGE})")
            age = None
    if level is not None and not structure.has_level(level):
        bad("level", f"unknown level {level!r}; the structure has {', '.join(structure.level_ids)}")
        level = None
    if grade is not None:
        grade_level = structure.level_of_grade(grade).id
        if level is not None and level != grade_level:
            bad("level", f"grade {grade} belongs to {grade_level!r}, not {level!r}")
        level = grade_level
    if spec is not None and len(problems) == start:
        _check_breakdown(spec, level, grade, age, sex, structure, bad)
    if len(problems) > start or year is None or spec is None:
        return None
    return _Row(number, year, area, level, grade, age, sex, variable, value)


def _check_breakdown(
    spec: VariableSpec,
    level: str | None,
    grade: int | None,
    age: int | None,
    sex: str,
    structure: Structure,
    bad: Callable[[str, str], None],
) -> None:
    name = spec.name
    if spec.total_only and sex != "T":
        bad("sex", f"{name} is not broken down by sex; give it with sex T")
    if grade is not None and age is None:
        if not spec.by_grade:
            bad("grade", f"{name} is not given by grade; leave grade empty and give the level")
        elif name == "new_entrants" and grade != structure.level_of_grade(grade).first_grade:
            bad("grade", "new entrants are counted in the first grade of a level only")
        return
    if grade is not None and age is not None:
        if name != "new_entrants":
            bad("age", f"{name} is not given by grade and age; leave age or grade empty")
        elif grade != structure.level_of_grade(grade).first_grade:
            bad("grade", "new entrants are counted in the first grade of a level only")
        return
    if level is not None and age is None:
        if not spec.by_level:
            what = "by single age" if spec.by_age or spec.by_level_age else "for the whole area"
            bad("level", f"{name} is not given by level; give it {what}")
        return
    if level is not None and age is not None:
        if not spec.by_level_age:
            bad("age", f"{name} is not given by level and age")
        return
    if age is not None:
        if not spec.by_age:
            hint = "give the level too" if spec.by_level_age else "leave age empty"
            bad("age", f"{name} is not given by age alone; {hint}")
        return
    if not spec.scalar:
        needs = "a grade or a level" if spec.by_grade else "a level"
        if spec.by_age:
            needs = "an age (or a level)"
        if spec.by_level_age and not spec.by_level:
            needs = "a level and an age"
        bad("level", f"{name} needs {needs}")


def validate(
    source: str | Path | Iterable[Mapping[str, Any]], structure: Structure | str
) -> list[Problem]:
    """Every problem that makes *source* unusable (empty list when the data is valid)."""
    try:
        _, problems = read_rows(source, load_structure(structure))
    except DataError as exc:
        return list(exc.problems) or [Problem(None, None, exc.message)]
    return problems


def read_dataset(
    source: str | Path | Iterable[Mapping[str, Any]], structure: Structure | str
) -> Dataset:
    """Read tidy data into a :class:`~edplan.dataset.Dataset`.

    *source* is the path of a CSV or XLSX file (the sheet called ``data``, or the first
    one) or an iterable of mappings with the tidy columns as keys (numbers or strings
    as values), e.g. database rows.  Raises :class:`~edplan.errors.DataError` listing
    every problem, located by row and column.
    """
    struct = load_structure(structure)
    rows, problems = read_rows(source, struct)
    if problems:
        raise DataError(
            f"the data has {len(problems)} problem(s); nothing was loaded. Fix them and run again",
            problems,
        )
    if not rows:
        raise DataError("the data has no rows")
    return build_dataset(rows, struct)


def build_dataset(rows: list[_Row], structure: Structure) -> Dataset:
    """Arrange parsed rows on the dataset axes."""
    areas: dict[str, int] = {}
    for r in rows:
        areas.setdefault(r.area, len(areas))
    first = min(r.year for r in rows)
    last = max(r.year for r in rows)
    years = SchoolYear.span(first, last)
    max_age = max([structure.max_age, *(r.age for r in rows if r.age is not None)])
    ages = tuple(range(max_age + 1))
    n_a, n_y, n_g, n_l, n_x = (
        len(areas),
        len(years),
        len(structure.grades),
        len(structure.levels),
        len(ages),
    )
    grade_pos = {g: i for i, g in enumerate(structure.grades)}
    level_pos = {lv: i for i, lv in enumerate(structure.level_ids)}
    sex_pos = {s: i for i, s in enumerate(SEXES)}

    families: dict[str, dict[str, FloatArray]] = {
        "grade": {},
        "level": {},
        "age": {},
        "level_age": {},
        "scalar": {},
    }
    shapes = {
        "grade": (n_a, n_y, n_g, 3),
        "level": (n_a, n_y, n_l, 3),
        "age": (n_a, n_y, n_x, 3),
        "level_age": (n_a, n_y, n_l, n_x, 3),
        "scalar": (n_a, n_y, 3),
    }
    buckets: dict[tuple[str, str], tuple[list[tuple[int, ...]], list[float]]] = {}
    for r in rows:
        a, y, s = areas[r.area], r.year - first, sex_pos[r.sex]
        idx: tuple[int, ...]
        if r.grade is not None and r.age is None:
            fam, idx = "grade", (a, y, grade_pos[r.grade], s)
        elif r.age is not None and r.level is not None:
            fam, idx = "level_age", (a, y, level_pos[r.level], r.age, s)
        elif r.level is not None:
            fam, idx = "level", (a, y, level_pos[r.level], s)
        elif r.age is not None:
            fam, idx = "age", (a, y, r.age, s)
        else:
            fam, idx = "scalar", (a, y, s)
        coords, values = buckets.setdefault((fam, r.variable), ([], []))
        coords.append(idx)
        values.append(r.value)
    for (fam, var), (coords, values) in buckets.items():
        arr = np.full(shapes[fam], np.nan)
        index = tuple(np.array(coords, dtype=np.intp).T)
        arr[index] = np.array(values)
        if fam == "level_age":
            # by-age tables list the ages that have pupils: an age not given counts as 0
            # wherever the level has any by-age data for that area, year and sex
            given = np.isfinite(arr).any(axis=3, keepdims=True)
            arr = np.where(given, np.nan_to_num(arr), np.nan)
        families[fam][var] = arr

    # new entrants and graduates given for a level belong to its first / last grade
    for var, pick in (("new_entrants", 0), ("graduates", -1)):
        lvl = families["level"].get(var)
        if lvl is None:
            continue
        grd = families["grade"].setdefault(var, np.full(shapes["grade"], np.nan))
        for li, lv in enumerate(structure.levels):
            if lv.graded:
                gi = grade_pos[lv.grades[pick]]
                grd[:, :, gi, :] = np.where(
                    np.isnan(grd[:, :, gi, :]), lvl[:, :, li, :], grd[:, :, gi, :]
                )
    return Dataset(
        structure=structure,
        areas=tuple(areas),
        years=tuple(years),
        ages=ages,
        grade=_completed(families["grade"]),
        level=_completed(families["level"]),
        age=_completed(families["age"]),
        level_age=_completed(families["level_age"]),
        scalar=_completed(families["scalar"]),
    )


def _completed(family: dict[str, FloatArray]) -> dict[str, FloatArray]:
    return {k: _complete_total(v) for k, v in family.items()}
