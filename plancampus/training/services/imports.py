"""Bulk enrolment and results from a spreadsheet (CSV in UTF-8, or an Excel workbook).

The file is read by the directory's reader (``plancampus.core.services.people_import``:
encodings, workbooks, ZIP bombs, a PDF renamed .xlsx…), then every row is checked; only
when no row has a problem is anything saved, in one transaction. Problems are located as
the coordinator sees them in the spreadsheet: row number (the header is row 1) and column.

People are recognised by ``person_id`` (the number in PlanCampus) or ``staff_id`` (the
ministry's staff number); the ``name`` column is only there to help the reader.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import Organisation, Person, User
from plancampus.core.services.people_import import (
    SpreadsheetError,
    column_letter,
    read_spreadsheet,
)
from plancampus.core.text import normalize

from ..models import Cohort, EnrolmentStatus
from .enrolment import enrolment_enrol
from .results import MarkEntry, marks_problems, marks_record, modality_by_header

MAX_ROWS = 2_000
ID_COLUMNS = ("person_id", "staff_id")
INFO_COLUMNS = ("name",)


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # spreadsheet row, header = 1; None for the whole file
    column: str
    value: str
    message: str

    @property
    def located(self) -> str:
        if self.row and self.column:
            return str(
                _("Row %(row)s, column %(column)s: %(message)s")
                % {"row": self.row, "column": self.column, "message": self.message}
            )
        if self.row:
            return str(_("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message})
        return self.message


@dataclass
class ImportReport:
    rows: int = 0
    saved: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Table:
    columns: dict[str, int]  # normalised name → index
    names: dict[str, str]  # normalised name → as written
    rows: list[tuple[int, list[str]]]

    def cell(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def _key(header: str) -> str:
    return normalize(header).replace("-", "_")


def _read(
    data: bytes, filename: str, report: ImportReport, known: set[str], required_any: tuple[str, ...]
) -> _Table | None:
    try:
        sheet = read_spreadsheet(data=data, filename=filename)
    except SpreadsheetError as error:
        report.problems.append(ImportProblem(error.problem.row, "", "", error.problem.message))
        return None
    if len(sheet.rows) > MAX_ROWS:
        report.problems.append(
            ImportProblem(
                None,
                "",
                "",
                str(
                    _("The file has %(count)s rows; at most %(limit)s can be imported at once.")
                    % {"count": len(sheet.rows), "limit": MAX_ROWS}
                ),
            )
        )
        return None
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, header in enumerate(sheet.header):
        key = _key(header)
        if not key:
            continue
        if key in columns:
            report.problems.append(
                ImportProblem(
                    1,
                    column_letter(index),
                    header,
                    str(_("The column “%(column)s” appears twice.") % {"column": header}),
                )
            )
        elif key not in known:
            report.problems.append(
                ImportProblem(
                    1,
                    column_letter(index),
                    header,
                    str(
                        _("Unknown column “%(column)s”. Expected: %(expected)s.")
                        % {"column": header, "expected": ", ".join(sorted(known))}
                    ),
                )
            )
        columns[key] = index
        names[key] = header
    if not any(name in columns for name in required_any):
        report.problems.append(
            ImportProblem(
                1,
                "",
                "",
                str(
                    _("The file needs a column %(columns)s to recognise people.")
                    % {"columns": str(_(" or ")).join(required_any)}
                ),
            )
        )
    report.rows = len(sheet.rows)
    if report.problems:
        return None
    return _Table(columns, names, sheet.rows)


def _people(table: _Table, cohort: Cohort, report: ImportReport) -> dict[int, tuple[Person, str]]:
    """The person of each row (by person_id or staff_id), within the institution's country.

    Two queries for the whole file. Rows whose person is unknown get a problem.
    """
    country_id = cohort.institution.country_id
    ids: set[int] = set()
    staff: set[str] = set()
    for _row, cells in table.rows:
        raw_id = table.cell(cells, "person_id")
        if raw_id.isdigit():
            ids.add(int(raw_id))
        elif staff_id := table.cell(cells, "staff_id"):
            staff.add(staff_id)
    directory = Person.objects.filter(organisation__country_id=country_id).select_related(
        "organisation"
    )
    by_id = {p.pk: p for p in directory.filter(pk__in=ids)} if ids else {}
    by_staff = {p.external_id: p for p in directory.filter(external_id__in=staff)} if staff else {}
    found: dict[int, tuple[Person, str]] = {}
    for row, cells in table.rows:
        raw_id = table.cell(cells, "person_id")
        staff_id = table.cell(cells, "staff_id")
        if raw_id:
            person = by_id.get(int(raw_id)) if raw_id.isdigit() else None
            column, value = "person_id", raw_id
        elif staff_id:
            person = by_staff.get(staff_id)
            column, value = "staff_id", staff_id
        else:
            report.problems.append(
                ImportProblem(row, "person_id", "", str(_("Give the person_id or the staff_id.")))
            )
            continue
        if person is None:
            report.problems.append(
                ImportProblem(
                    row,
                    table.names.get(column, column),
                    value,
                    str(
                        _("No person in your country's directory has this %(column)s.")
                        % {"column": column}
                    ),
                )
            )
            continue
        found[row] = (person, column)
    return found


# --- Bulk enrolment -------------------------------------------------------------------------

ENROLMENT_COLUMNS = (*ID_COLUMNS, *INFO_COLUMNS, "organisation_code")


def enrolments_import(
    *, cohort: Cohort, data: bytes, filename: str, user: User | None
) -> ImportReport:
    """Enrol (accepted) every person of the file, or nobody if any row has a problem."""
    report = ImportReport()
    table = _read(data, filename, report, set(ENROLMENT_COLUMNS), ID_COLUMNS)
    if table is None:
        return report
    people = _people(table, cohort, report)
    codes = {table.cell(cells, "organisation_code").upper() for _r, cells in table.rows} - {""}
    offices = {
        o.code.upper(): o
        for o in Organisation.objects.filter(
            country_id=cohort.institution.country_id, code__in=codes
        )
    }
    existing = dict(cohort.enrolments.values_list("person_id", "status"))
    seen: dict[int, int] = {}
    chosen: list[Person] = []
    chosen_offices: list[Organisation | None] = []
    for row, cells in table.rows:
        code = table.cell(cells, "organisation_code")
        office = offices.get(code.upper()) if code else None
        if code and office is None:
            report.problems.append(
                ImportProblem(
                    row,
                    "organisation_code",
                    code,
                    str(_("No organisation in your country's directory has this code.")),
                )
            )
        if row not in people:
            continue
        person, column = people[row]
        if person.pk in seen:
            report.problems.append(
                ImportProblem(
                    row,
                    column,
                    person.name_latin,
                    str(
                        _("%(name)s is already on row %(row)s of this file.")
                        % {"name": person.name_latin, "row": seen[person.pk]}
                    ),
                )
            )
            continue
        seen[person.pk] = row
        status = existing.get(person.pk)
        if status and status not in {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REJECTED}:
            report.problems.append(
                ImportProblem(
                    row,
                    column,
                    person.name_latin,
                    str(
                        _("%(name)s is already in this cohort (%(status)s).")
                        % {
                            "name": person.name_latin,
                            "status": EnrolmentStatus(status).label.lower(),
                        }
                    ),
                )
            )
            continue
        chosen.append(person)
        chosen_offices.append(office)
    if report.problems:
        return report
    try:
        with transaction.atomic():
            enrolment_enrol(cohort=cohort, people=chosen, user=user, organisations=chosen_offices)
    except ValidationError as error:
        report.problems += [ImportProblem(None, "", "", str(m)) for m in error.messages]
        return report
    report.saved = len(chosen)
    return report


def enrolment_template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(ENROLMENT_COLUMNS)
    return out.getvalue().encode("utf-8-sig")


# --- Results --------------------------------------------------------------------------------


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def marks_import(*, cohort: Cohort, data: bytes, filename: str, user: User | None) -> ImportReport:
    """Record the marks of the file (one column per assessment modality, named as in the
    course), or nothing if any cell has a problem. Empty cells leave marks as they are."""
    report = ImportReport()
    modalities = modality_by_header(cohort.course.modalities.all())
    known = {*ID_COLUMNS, *INFO_COLUMNS, *modalities}
    table = _read(data, filename, report, known, ID_COLUMNS)
    if table is None:
        return report
    mark_columns = [key for key in table.columns if key in modalities]
    if not mark_columns:
        report.problems.append(
            ImportProblem(
                1,
                "",
                "",
                str(
                    _("No column is named after an assessment of the course (%(names)s).")
                    % {"names": ", ".join(m.name_en for m in cohort.course.modalities.all())}
                ),
            )
        )
        return report
    people = _people(table, cohort, report)
    enrolments = {
        e.person_id: e
        for e in cohort.enrolments.select_related("person").filter(
            person_id__in=[p.pk for p, _c in people.values()]
        )
    }
    entries: list[MarkEntry] = []
    where: dict[tuple[int, int], tuple[int, str, str]] = {}
    seen: dict[int, int] = {}
    for row, cells in table.rows:
        if row not in people:
            continue
        person, column = people[row]
        enrolment = enrolments.get(person.pk)
        if enrolment is None or enrolment.status != EnrolmentStatus.ACCEPTED:
            report.problems.append(
                ImportProblem(
                    row,
                    column,
                    person.name_latin,
                    str(
                        _("%(name)s is not a participant of cohort %(code)s.")
                        % {"name": person.name_latin, "code": cohort.code}
                    ),
                )
            )
            continue
        if person.pk in seen:
            report.problems.append(
                ImportProblem(
                    row,
                    column,
                    person.name_latin,
                    str(
                        _("%(name)s is already on row %(row)s of this file.")
                        % {"name": person.name_latin, "row": seen[person.pk]}
                    ),
                )
            )
            continue
        seen[person.pk] = row
        for key in mark_columns:
            text = table.cell(cells, key)
            if not text:
                continue
            value = _decimal(text)
            if value is None:
                report.problems.append(
                    ImportProblem(
                        row, table.names[key], text, str(_("A mark must be a number, e.g. 14.5."))
                    )
                )
                continue
            entry = MarkEntry(enrolment.pk, modalities[key].pk, value)
            entries.append(entry)
            where[(enrolment.pk, modalities[key].pk)] = (row, table.names[key], text)
    by_pk = {e.pk: e for e in enrolments.values()}
    for entry, error in marks_problems(cohort=cohort, entries=entries, enrolments=by_pk):
        row, column, text = where[(entry.enrolment_id, entry.modality_id)]
        report.problems += [ImportProblem(row, column, text, str(m)) for m in error.messages]
    if report.problems:
        return report
    try:
        report.saved = marks_record(
            cohort=cohort, entries=entries, user=user, reason=f"Import {filename}"[:100]
        )
    except ValidationError as error:
        report.problems += [ImportProblem(None, "", "", str(m)) for m in error.messages]
    return report


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def marks_template_csv(*, cohort: Cohort) -> bytes:
    """The results sheet of a cohort: one row per participant, one column per modality."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    modalities = list(cohort.course.modalities.all())
    writer.writerow(["person_id", "staff_id", "name", *[m.name_en for m in modalities]])
    marks = {
        (enrolment_id, modality_id): value
        for enrolment_id, modality_id, value in cohort.enrolments.accepted().values_list(
            "pk", "marks__modality_id", "marks__value"
        )
    }
    for enrolment in cohort.enrolments.accepted().select_related("person"):
        person = enrolment.person
        writer.writerow(
            [
                person.pk,
                _safe(person.external_id),
                _safe(person.name_latin),
                *[
                    "" if marks.get((enrolment.pk, m.pk)) is None else marks[(enrolment.pk, m.pk)]
                    for m in modalities
                ],
            ]
        )
    return out.getvalue().encode("utf-8-sig")
