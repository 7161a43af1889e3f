"""Writing results as CSV, JSON or XLSX.

JSON never contains ``NaN``: missing values are left out of record lists, and a missing
value inside a fixed structure (a cohort of a level without graduates) is ``null``.
The XLSX of a projection is laid out as planners read simulation models: a summary
sheet, one sheet per level with the years across, a sheet of tidy records and a sheet
describing the scenario.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from . import __version__
from .projection import LEVEL_SEX_VARIABLES, LEVEL_VARIABLES, Projection

__all__ = ["clean", "projection_xlsx", "records_xlsx", "to_csv", "to_json"]


def clean(value: Any) -> Any:
    """Replace non-finite floats by ``None`` recursively (JSON has no NaN).

    >>> clean({"a": float("nan"), "b": [1.0, float("inf")]})
    {'a': None, 'b': [1.0, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def to_json(data: Any) -> str:
    """JSON text (UTF-8, indented, no NaN)."""
    return json.dumps(clean(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def to_csv(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV text with *columns*; ``None`` becomes an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for rec in records:
        writer.writerow(["" if rec.get(c) is None else _cell(rec.get(c)) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(round(value, 10)) if not value.is_integer() else str(int(value))
    return value


def _workbook(target: str | Path | BinaryIO) -> Any:
    import xlsxwriter  # type: ignore[import-untyped]  # xlsxwriter ships no type information

    return xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_numbers": False})


def records_xlsx(
    target: str | Path | BinaryIO, records: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> None:
    """A one-sheet workbook of tidy records."""
    wb = _workbook(target)
    ws = wb.add_worksheet("data")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, list(columns), bold)
    for r, rec in enumerate(records, start=1):
        ws.write_row(r, 0, ["" if rec.get(c) is None else rec.get(c) for c in columns])
    ws.freeze_panes(1, 0)
    wb.close()


_LABELS = {
    "enrolment": "Enrolment",
    "new_entrants": "New entrants (first grade)",
    "repeaters": "Repeaters",
    "graduates": "Graduates",
    "teachers": "Teachers",
    "teacher_recruitment": "Teacher recruitment",
    "classes": "Classes",
    "classrooms_needed": "Classrooms needed",
    "new_classrooms": "New classrooms",
    "salary_cost": "Salary cost",
    "recurrent_cost": "Recurrent cost",
    "capital_cost": "Capital cost",
    "total_cost": "Total cost",
    "resources": "Resources",
    "financing_gap": "Financing gap",
}


RECORDS_SHEET_LIMIT = 100_000


def _cells(values: Any) -> list[float | None]:
    """A row of numbers with ``None`` for missing values."""
    return [float(v) if math.isfinite(v) else None for v in values.tolist()]


def projection_xlsx(target: str | Path | BinaryIO, projection: Projection) -> None:
    """Write a projection as a planner's workbook.

    Sheets: ``Summary`` (every level of the total area, years across), one sheet per
    level (for each area: level totals by sex, the other variables, enrolment by grade),
    ``Records`` (tidy; left out above 100,000 records — use the CSV output) and
    ``Scenario`` (name, years, areas, notes, engine version).
    """
    proj = projection.with_total()
    s = proj.structure
    wb = _workbook(target)
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    number = wb.add_format({"num_format": "#,##0"})
    title = wb.add_format({"bold": True, "font_size": 14})
    years = [str(y) for y in proj.years]
    focus = len(proj.areas) - 1 if "all" in proj.areas else 0
    sex_labels = ["T"] if proj.sexes == ("T",) else [*proj.sexes, "T"]

    def by_sex(arr: Any) -> Any:
        """years × sexes values with the T column added."""
        if proj.sexes == ("T",):
            return arr
        return np.concatenate([arr, arr.sum(axis=-1, keepdims=True)], axis=-1)

    def write_values(ws: Any, row: int, label: str, sex: str, values: list[float | None]) -> bool:
        if all(v is None for v in values):
            return False
        ws.write(row, 0, label)
        ws.write(row, 1, sex)
        for c, v in enumerate(values, start=2):
            if v is not None:
                ws.write_number(row, c, v, number)
        return True

    def header(ws: Any, row: int, first: str) -> None:
        ws.write_row(row, 0, [first, "sex", *years], head)

    # Summary
    ws = wb.add_worksheet("Summary")
    ws.write(0, 0, f"{proj.scenario.name} — area {proj.areas[focus]}", title)
    ws.write(1, 0, f"Base year {proj.scenario.base_year}, final year {proj.scenario.final_year}")
    row = 3
    header(ws, row, "level / variable")
    row += 1
    for lv_id in proj.projected_levels:
        li = s.level_index(lv_id)
        ws.write(row, 0, s.level(lv_id).label, bold)
        row += 1
        for var in ("enrolment", "teachers", "total_cost", "resources", "financing_gap"):
            if var in proj.level_sex:
                values = proj.level_sex[var][0, :, focus, li].sum(axis=-1)
            else:
                values = proj.level[var][0, :, focus, li]
            if write_values(ws, row, _LABELS[var], "T", _cells(values)):
                row += 1
    ws.set_column(0, 0, 34)
    ws.set_column(2, 1 + len(years), 13)
    ws.freeze_panes(4, 2)

    # one sheet per level
    for lv_id in proj.projected_levels:
        lv = s.level(lv_id)
        li = s.level_index(lv_id)
        ws = wb.add_worksheet(lv_id[:31])
        ws.write(0, 0, f"{lv.label} — {proj.scenario.name}", title)
        row = 2
        for ai, area in enumerate(proj.areas):
            ws.write(row, 0, f"Area {area}", bold)
            row += 1
            header(ws, row, "variable")
            row += 1
            for var in LEVEL_SEX_VARIABLES:
                table = by_sex(proj.level_sex[var][0, :, ai, li])
                for si, sex in enumerate(sex_labels):
                    if write_values(ws, row, _LABELS[var], sex, _cells(table[:, si])):
                        row += 1
            for var in LEVEL_VARIABLES:
                if write_values(ws, row, _LABELS[var], "T", _cells(proj.level[var][0, :, ai, li])):
                    row += 1
            if proj.grade:
                enrol = proj.grade["enrolment"][0, :, ai].sum(axis=-1)
                for g in lv.grades:
                    cells = _cells(enrol[:, s.grade_index(g)])
                    if write_values(ws, row, f"Enrolment, grade {g}", "T", cells):
                        row += 1
            row += 1
        ws.set_column(0, 0, 30)
        ws.set_column(2, 1 + len(years), 13)
        ws.freeze_panes(0, 2)

    # tidy records
    records = proj.records(include_total=False)
    ws = wb.add_worksheet("Records")
    cols = ["year", "area", "level", "grade", "sex", "variable", "value"]
    ws.write_row(0, 0, cols, head)
    if len(records) <= RECORDS_SHEET_LIMIT:
        for r, rec in enumerate(records, start=1):
            ws.write_row(r, 0, ["" if rec[c] is None else rec[c] for c in cols])
    else:
        ws.write(1, 0, f"{len(records):,} records: too many for this sheet, use --format csv")
    ws.freeze_panes(1, 0)

    # scenario
    ws = wb.add_worksheet("Scenario")
    lines = [
        ("Scenario", proj.scenario.name),
        ("Description", proj.scenario.description),
        ("Base year", str(proj.scenario.base_year)),
        ("Final year", str(proj.scenario.final_year)),
        ("Areas", ", ".join(proj.areas)),
        ("Engine", f"edplan {__version__}"),
    ]
    for r, (key, text) in enumerate(lines):
        ws.write(r, 0, key, bold)
        ws.write(r, 1, text)
    r = len(lines) + 1
    ws.write(r, 0, "Notes", bold)
    for i, note in enumerate(proj.notes or ("none",), start=r + 1):
        ws.write(i, 0, note)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 80)
    wb.close()
