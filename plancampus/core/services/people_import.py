"""Import of people from a spreadsheet (CSV in UTF-8, or an Excel workbook).

The import is all or nothing: the file is read, every row is checked against the rules and
against the directory, and only when no row has a problem are the people saved, in one
transaction. Problems are reported per cell, with the row number the planner sees in the
spreadsheet (the header is row 1).

Problems are stored as a message code plus parameters (not as translated text), so that
the report is shown in the language of whoever reads it, not of the worker that made it.

Entry points:
- ``read_spreadsheet(data=..., filename=...)``: bytes → ``Sheet``, or ``SpreadsheetError``;
- ``check_header(header)``: the problems with the column names;
- ``people_import_check(...)``: the plan (people to create and update) and the problems;
- ``people_import_save(...)``: save a plan without problems (atomic, with history);
- ``people_import_enqueue(...)`` / ``people_import_run(...)``: the background job around them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import BackgroundJob, Country, Organisation, Person, Position, Sex, User
from ..text import clean, normalize

logger = logging.getLogger(__name__)

JOB_KIND = "people_import"
MAX_ROWS = 20_000
# A workbook is a ZIP of XML files: refuse one that expands to far more than any sheet of
# MAX_ROWS people could (a "ZIP bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# Problems kept in a report: enough to see every pattern, small enough for one JSON field.
MAX_PROBLEMS = 5_000
PROGRESS_EVERY = 250
MIN_BIRTH_YEAR = 1930
MIN_AGE = 15
BATCH_SIZE = 500


# --- The template ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: Promise
    example: str
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "name_latin",
        True,
        _("Full name in Latin script, family name first for Khmer names."),
        "Chea Sokha",
        200,
    ),
    Column("name_km", False, _("Full name in Khmer script."), "ជា សុខា", 200),
    Column(
        "sex",
        True,
        _("F (female) or M (male). ស្រី / ប្រុស and Femme / Homme are accepted too."),
        "F",
    ),
    Column(
        "organisation_code",
        True,
        _(
            "Code of the organisation the person works in, as shown on the Organisations "
            "page, e.g. POE-17 for a provincial office."
        ),
        "POE-17",
        40,
    ),
    Column("position", True, _("Current position (job title)."), "Planning officer", 200),
    Column("email", False, _("Work e-mail address."), "chea.sokha@example.org", 254),
    Column(
        "phone",
        False,
        _("Phone number; format the column as text in Excel to keep a leading zero."),
        "012 345 678",
        40,
    ),
    Column("birth_year", False, _("Year of birth, four digits."), "1985"),
    Column(
        "staff_id",
        False,
        _(
            "The ministry's staff number. Used to recognise people already in the "
            "directory; leave empty if unknown."
        ),
        "MOEYS-012345",
        60,
    ),
)
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED_COLUMNS = [c.name for c in COLUMNS if c.required]
COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}

SEX_VALUES = {
    **dict.fromkeys(["f", "female", "femme", "féminin", "feminin", "ស្រី", "នារី"], Sex.FEMALE),
    **dict.fromkeys(["m", "male", "homme", "masculin", "ប្រុស", "បុរស"], Sex.MALE),
}


def template_csv() -> bytes:
    """The import template as a CSV file: the header row, UTF-8 with a BOM (Excel needs it)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMN_NAMES)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The import template as a workbook: a "people" sheet and an "instructions" sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DCE6F0", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet("people")
    for index, column in enumerate(COLUMNS):
        # Every column is text, so that phone numbers and staff numbers keep leading zeros.
        sheet.set_column(index, index, 24, text)
        sheet.write_string(0, index, column.name, bold)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet("instructions")
    notes.set_column(0, 0, 20)
    notes.set_column(1, 1, 12)
    notes.set_column(2, 2, 70)
    notes.set_column(3, 3, 24)
    for index, heading in enumerate([_("Column"), _("Required"), _("What to write"), _("Example")]):
        notes.write_string(0, index, str(heading), bold)
    for row, column in enumerate(COLUMNS, start=1):
        notes.write_string(row, 0, column.name)
        notes.write_string(row, 1, str(_("required") if column.required else _("optional")))
        notes.write_string(row, 2, str(column.description))
        notes.write_string(row, 3, column.example)
    notes.write_string(
        len(COLUMNS) + 2,
        0,
        str(
            _(
                "Fill in the “people” sheet, one person per row, from row 2. If any row has a "
                "problem, nothing is imported and a report says which cell to correct."
            )
        ),
    )
    workbook.close()
    return buffer.getvalue()


# --- Problems -------------------------------------------------------------------------------

MESSAGES: dict[str, Promise] = {
    "file_empty": _("The file is empty."),
    "not_spreadsheet": _(
        "This file is %(kind)s, not a spreadsheet. Upload a CSV file saved as UTF-8, or an "
        "Excel workbook (.xlsx)."
    ),
    "unreadable_workbook": _(
        "This workbook could not be read (%(detail)s). Open it in Excel or LibreOffice, save "
        "it again as an Excel workbook (.xlsx) and upload it again."
    ),
    "workbook_too_large": _(
        "This workbook expands to more than %(limit)s MB when opened, far more than a list of "
        "people needs. Copy the people into the template and upload that instead."
    ),
    "encoding_utf16": _(
        "This CSV file is saved as UTF-16 (“Unicode text”); PlanCampus expects UTF-8. In "
        "Excel choose Save As → “CSV UTF-8 (Comma delimited) (*.csv)”; in LibreOffice choose "
        "the character set “Unicode (UTF-8)”. Then upload the file again."
    ),
    "encoding_invalid": _(
        "This CSV file is not in UTF-8, the encoding PlanCampus expects: line %(line)s "
        "contains a byte (%(byte)s) that UTF-8 does not allow, so the file was probably "
        "saved in a Windows encoding. In Excel choose Save As → “CSV UTF-8 (Comma delimited) "
        "(*.csv)”; in LibreOffice choose the character set “Unicode (UTF-8)”. Then upload "
        "the file again."
    ),
    "unreadable_csv": _("The CSV file could not be read: %(detail)s."),
    "no_header": _("The first row is empty: it must hold the column names of the template."),
    "no_rows": _("The file has the column names but no people below them."),
    "too_many_rows": _(
        "The file has %(count)s rows of people; at most %(limit)s can be imported at once. "
        "Split it into several files."
    ),
    "column_missing": _(
        "The required column “%(column)s” is missing. Expected columns: %(expected)s."
    ),
    "column_unknown": _(
        "The column “%(column)s” is not one of the template's. Rename or remove it. "
        "Expected columns: %(expected)s."
    ),
    "column_duplicate": _("The column “%(column)s” appears twice; keep only one."),
    "column_unnamed": _(
        "This column has values but no name in row 1. Give it one of the template's names "
        "or remove it."
    ),
    "required": _("This cell is required and is empty."),
    "too_long": _("This value has %(length)s characters; at most %(limit)s are allowed."),
    "invalid_sex": _("Write F (female) or M (male); ស្រី / ប្រុស and Femme / Homme are accepted too."),
    "invalid_email": _("This is not a valid e-mail address."),
    "invalid_year": _("Write the year of birth as four digits, e.g. 1985."),
    "year_out_of_range": _("A year of birth must be between %(min)s and %(max)s."),
    "unknown_organisation": _(
        "No organisation in your country's directory has this code. Check it on the "
        "Organisations page."
    ),
    "duplicate_staff_id_in_file": _("Row %(row)s of this file has the same staff identifier."),
    "duplicate_person_in_file": _(
        "Row %(row)s of this file has the same name in the same organisation. Remove one of "
        "the two rows, or give each person their staff identifier."
    ),
    "staff_id_exists": _(
        "%(name)s already has this staff identifier in the directory. Tick “Update people "
        "already in the directory” to update them, or remove this row."
    ),
    "staff_id_unavailable": _(
        "This staff identifier cannot be used in your directory. Check it, or leave it empty."
    ),
    "probable_duplicate": _(
        "Probably already in the directory: %(name)s has the same name in the same "
        "organisation. Remove this row, add the staff identifier to both, or tick “Import "
        "probable duplicates anyway”."
    ),
    "invalid_value": _("%(detail)s"),
}

# Names of file types recognised by their first bytes, for a clear "this is not a spreadsheet".
MAGIC_NUMBERS: tuple[tuple[bytes, Promise], ...] = (
    (b"%PDF", _("a PDF document")),
    (b"\x89PNG", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF8", _("a GIF image")),
    (b"Rar!", _("a RAR archive")),
    (b"\x1f\x8b", _("a compressed (gzip) file")),
    (b"7z\xbc\xaf", _("a 7-Zip archive")),
    (b"{\\rtf", _("a rich-text (RTF) document")),
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Excel (.xls), Word (.doc)…
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One problem, located as the planner sees it in the spreadsheet."""

    code: str
    row: int | None = None  # spreadsheet row number, header = 1; None: the whole file
    column: str = ""
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(
            code=data["code"],
            row=data.get("row"),
            column=data.get("column", ""),
            value=data.get("value", ""),
            params=data.get("params") or {},
        )


class SpreadsheetError(Exception):
    """The file as a whole cannot be read as a list of people."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


# --- Reading --------------------------------------------------------------------------------


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), blank rows left out
    file_type: str = "csv"


def _cell_text(value: object) -> str:
    """A workbook cell as the text a planner typed (1985.0 → "1985")."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return clean(str(value))


def _sheet_from_rows(rows: Iterable[Sequence[object]], file_type: str) -> Sheet:
    iterator = iter(rows)
    try:
        header_cells = next(iterator)
    except StopIteration:
        raise SpreadsheetError(Problem("file_empty")) from None
    header = [_cell_text(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise SpreadsheetError(Problem("no_header", row=1))
    data: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(iterator, start=2):
        texts = [_cell_text(c) for c in cells]
        if any(texts):
            data.append((number, texts))
            if len(data) > MAX_ROWS:
                break
    if len(data) > MAX_ROWS:
        raise SpreadsheetError(
            Problem(
                "too_many_rows",
                params={"count": f"{MAX_ROWS:,}+", "limit": f"{MAX_ROWS:,}"},
            )
        )
    if not data:
        raise SpreadsheetError(Problem("no_rows", row=2))
    return Sheet(header=header, rows=data, file_type=file_type)


def _read_workbook(data: bytes) -> Sheet:
    from python_calamine import CalamineError, CalamineWorkbook

    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                unzipped = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise SpreadsheetError(
                Problem("unreadable_workbook", params={"detail": "ZIP"})
            ) from None
        if "xl/workbook.xml" not in names and "content.xml" not in names:
            raise SpreadsheetError(
                Problem("not_spreadsheet", params={"kind": str(_("a ZIP archive"))})
            )
        if unzipped > MAX_UNZIPPED_BYTES:
            raise SpreadsheetError(
                Problem("workbook_too_large", params={"limit": MAX_UNZIPPED_BYTES // 2**20})
            )
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible")
        ] or workbook.sheet_names
        name = "people" if "people" in workbook.sheet_names else visible[0]
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, IndexError, ValueError) as error:
        if data.startswith(OLE_MAGIC) and "detect" in str(error).lower():
            raise SpreadsheetError(
                Problem("not_spreadsheet", params={"kind": str(_("an Office document"))})
            ) from None
        raise SpreadsheetError(
            Problem("unreadable_workbook", params={"detail": str(error)[:200]})
        ) from None
    return _sheet_from_rows(rows, "xlsx")


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise SpreadsheetError(Problem("encoding_utf16"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = f"0x{data[error.start]:02X}"
        raise SpreadsheetError(
            Problem("encoding_invalid", row=line, params={"line": line, "byte": byte})
        ) from None


def _read_csv(data: bytes) -> Sheet:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" instead of "," in locales with a decimal comma (French, for one).
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as error:
        raise SpreadsheetError(Problem("unreadable_csv", params={"detail": str(error)})) from None
    return _sheet_from_rows(rows, "csv")


def read_spreadsheet(*, data: bytes, filename: str = "") -> Sheet:
    """Read a CSV file (UTF-8, with or without BOM) or a workbook (.xlsx, .xls, .ods).

    The content decides, not the file name: a PDF renamed ``.xlsx`` is reported as a PDF.
    Raises ``SpreadsheetError`` with a problem a planner can act on.
    """
    if not data.strip():
        raise SpreadsheetError(Problem("file_empty"))
    for magic, kind in MAGIC_NUMBERS:
        if data.startswith(magic):
            raise SpreadsheetError(Problem("not_spreadsheet", params={"kind": str(kind)}))
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return _read_workbook(data)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise SpreadsheetError(
            Problem("not_spreadsheet", params={"kind": str(_("not an Excel workbook"))})
        )
    return _read_csv(data)


def _column_key(header: str) -> str:
    return normalize(header).replace(" ", "_").replace("-", "_")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_header(header: Sequence[str]) -> list[Problem]:
    """Problems with the column names: missing, unknown, duplicated or unnamed columns."""
    expected = ", ".join(COLUMN_NAMES)
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        key = _column_key(name)
        if not key:
            continue  # an empty header cell: fine unless the column holds values (see rows)
        if key in seen:
            problems.append(
                Problem("column_duplicate", row=1, column=name, value=name, params={"column": name})
            )
        elif key not in COLUMNS_BY_NAME:
            problems.append(
                Problem(
                    "column_unknown",
                    row=1,
                    column=column_letter(index),
                    value=name,
                    params={"column": name, "expected": expected},
                )
            )
        seen.add(key)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(
                Problem(
                    "column_missing",
                    row=1,
                    column=name,
                    params={"column": name, "expected": expected},
                )
            )
    return problems


# --- Checking -------------------------------------------------------------------------------


@dataclass
class PlannedUpdate:
    person: Person
    fields: list[str]
    new_position: bool


@dataclass
class ImportPlan:
    creates: list[Person] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


ProgressCallback = Callable[[int, int], None]


@dataclass
class _RowProblems:
    row: int
    items: list[Problem] = field(default_factory=list)

    def add(self, code: str, column: str, value: str = "", **params: Any) -> None:
        self.items.append(Problem(code, row=self.row, column=column, value=value, params=params))


def _chunks(values: Sequence[Any], size: int = 2000) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _parse_birth_year(raw: str) -> tuple[int | None, str | None]:
    if not raw:
        return None, None
    value = raw.strip()
    if value.endswith(".0"):
        value = value[:-2]
    try:
        year = int(value)  # int() reads Khmer digits too: "១៩៨៥" → 1985
    except ValueError:
        return None, "invalid_year"
    if not MIN_BIRTH_YEAR <= year <= timezone.localdate().year - MIN_AGE:
        return year, "year_out_of_range"
    return year, None


def people_import_check(
    *,
    sheet: Sheet,
    country: Country | None,
    update_existing: bool = False,
    allow_probable_duplicates: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Check every row against the rules and the directory of ``country``.

    Queries are per file, not per row: organisations, people with the file's staff
    identifiers and people of the file's organisations are each loaded once. Without a
    country (an international partner's institution) there is no directory to import into:
    every organisation code is unknown.
    """
    plan = ImportPlan(rows=len(sheet.rows))
    plan.problems = check_header(sheet.header)
    if plan.problems:
        return plan
    index = {_column_key(name): i for i, name in enumerate(sheet.header) if name}
    width = len(sheet.header)

    def cell(cells: list[str], name: str) -> str:
        position = index.get(name)
        return cells[position] if position is not None and position < len(cells) else ""

    # What the file refers to, loaded once.
    codes = sorted({cell(c, "organisation_code").upper() for _, c in sheet.rows} - {""})
    if country is None:
        codes = []
    organisations: dict[str, Organisation] = {}
    for chunk in _chunks(codes):
        for org in (
            Organisation.objects.filter(country=country)
            .annotate(code_upper=Upper("code"))
            .filter(code_upper__in=chunk)
            .only("id", "code", "country_id")
        ):
            organisations[org.code.upper()] = org
    staff_ids = sorted({cell(c, "staff_id") for _, c in sheet.rows} - {""})
    by_staff_id: dict[str, Person] = {}
    for chunk in _chunks(staff_ids):
        for person in Person.objects.filter(external_id__in=chunk).select_related("organisation"):
            by_staff_id[person.external_id] = person
    by_name: dict[tuple[str, int], Person] = {}
    org_ids = [o.id for o in organisations.values()]
    for chunk in _chunks(org_ids):
        for person in Person.objects.filter(organisation_id__in=chunk).only(
            "id", "name_latin", "organisation_id", "external_id"
        ):
            by_name.setdefault((normalize(person.name_latin), person.organisation_id), person)

    seen_staff_ids: dict[str, int] = {}
    seen_people: dict[tuple[str, str], tuple[int, str]] = {}
    total = len(sheet.rows)

    for done, (row, cells) in enumerate(sheet.rows, start=1):
        problems = _RowProblems(row)
        for extra in range(width, len(cells)):
            if cells[extra]:
                problems.add("column_unnamed", column_letter(extra), cells[extra])

        values = {name: cell(cells, name) for name in COLUMN_NAMES}
        for column in COLUMNS:
            value = values[column.name]
            if column.required and not value:
                problems.add("required", column.name)
            elif column.max_length and len(value) > column.max_length:
                problems.add(
                    "too_long", column.name, value, length=len(value), limit=column.max_length
                )

        sex = SEX_VALUES.get(normalize(values["sex"])) if values["sex"] else None
        if values["sex"] and sex is None:
            problems.add("invalid_sex", "sex", values["sex"])
        email = values["email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.add("invalid_email", "email", email)
        birth_year, year_error = _parse_birth_year(values["birth_year"])
        if year_error:
            problems.add(
                year_error,
                "birth_year",
                values["birth_year"],
                min=MIN_BIRTH_YEAR,
                max=timezone.localdate().year - MIN_AGE,
            )
        code = values["organisation_code"]
        organisation = organisations.get(code.upper()) if code else None
        if code and organisation is None:
            problems.add("unknown_organisation", "organisation_code", code)

        staff_id = values["staff_id"]
        name_key = normalize(values["name_latin"])
        existing: Person | None = None
        match = by_staff_id.get(staff_id) if staff_id else None
        if staff_id:
            if staff_id in seen_staff_ids:
                problems.add(
                    "duplicate_staff_id_in_file", "staff_id", staff_id, row=seen_staff_ids[staff_id]
                )
            else:
                seen_staff_ids[staff_id] = row
        if match is not None:
            in_directory = match.organisation is not None and (
                country is not None and match.organisation.country_id == country.pk
            )
            if not in_directory:
                # Never say whose it is: the record is outside this user's reach.
                problems.add("staff_id_unavailable", "staff_id", staff_id)
            elif update_existing:
                existing = match
            else:
                problems.add("staff_id_exists", "staff_id", staff_id, name=match.name_latin)
        if name_key and code:
            person_key = (name_key, code.upper())
            earlier = seen_people.get(person_key)
            # Two rows with different staff identifiers are namesakes, not duplicates.
            if earlier and not (staff_id and earlier[1] and staff_id != earlier[1]):
                problems.add(
                    "duplicate_person_in_file", "name_latin", values["name_latin"], row=earlier[0]
                )
            seen_people.setdefault(person_key, (row, staff_id))
        if match is None and organisation is not None and not allow_probable_duplicates:
            namesake = by_name.get((name_key, organisation.pk))
            if namesake is not None and not (staff_id and namesake.external_id):
                problems.add(
                    "probable_duplicate",
                    "name_latin",
                    values["name_latin"],
                    name=namesake.name_latin,
                )

        if not problems.items:
            problems.items += _build(
                plan=plan,
                row=row,
                values=values,
                sex=sex or "",
                birth_year=birth_year,
                organisation=organisation,
                existing=existing,
            )
        plan.problems += problems.items
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return plan


def _build(
    *,
    plan: ImportPlan,
    row: int,
    values: dict[str, str],
    sex: str,
    birth_year: int | None,
    organisation: Organisation | None,
    existing: Person | None,
) -> list[Problem]:
    """Add the row's person to the plan, after the model's own validation."""
    if existing is None:
        person = Person(
            name_latin=values["name_latin"],
            name_km=values["name_km"],
            sex=sex,
            birth_year=birth_year,
            email=values["email"],
            phone=values["phone"],
            organisation=organisation,
            position=values["position"],
            external_id=values["staff_id"],
        )
        changed: list[str] = []
        new_position = True
    else:
        person = existing
        # Empty optional cells leave what the directory already holds.
        wanted: dict[str, object] = {
            "name_latin": values["name_latin"],
            "sex": sex,
            "organisation": organisation,
            "position": values["position"],
        }
        for name in ("name_km", "email", "phone"):
            if values[name]:
                wanted[name] = values[name]
        if birth_year is not None:
            wanted["birth_year"] = birth_year
        changed = [name for name, value in wanted.items() if getattr(person, name) != value]
        new_position = any(n in changed for n in ("organisation", "position"))
        for name, value in wanted.items():
            setattr(person, name, value)
    person.refresh_search_fields()
    try:
        # Uniqueness is checked for the whole file above, in bulk.
        # The organisation is known to exist (loaded above): no query per row to check it.
        person.full_clean(
            exclude=["organisation"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        column_of = {"external_id": "staff_id", "organisation": "organisation_code"}
        return [
            Problem(
                "invalid_value",
                row=row,
                column=column_of.get(name, name),
                value=values.get(column_of.get(name, name), ""),
                params={"detail": " ".join(str(m) for m in messages)},
            )
            for name, messages in error.message_dict.items()
        ]
    if existing is None:
        plan.creates.append(person)
    elif changed:
        plan.updates.append(
            PlannedUpdate(person, [*changed, "search_text", "sort_km", "updated_at"], new_position)
        )
    return []


# --- Saving ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def people_import_save(*, plan: ImportPlan, user: User | None, reason: str) -> ImportResult:
    """Save a plan that has no problems: people, their positions, and who did it (history)."""
    if plan.problems:
        raise ValueError("A plan with problems cannot be saved.")
    today = timezone.localdate()
    now = timezone.now()
    bulk_create_with_history(
        plan.creates,
        Person,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
    )
    positions = [
        Position(person=p, organisation=p.organisation, title=p.position) for p in plan.creates
    ]

    if plan.updates:
        people = [u.person for u in plan.updates]
        for person in people:
            person.updated_at = now
        fields = sorted({name for u in plan.updates for name in u.fields})
        bulk_update_with_history(
            people,
            Person,
            fields,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
        moved = [u.person for u in plan.updates if u.new_position]
        open_positions = list(
            Position.objects.filter(person__in=moved, end_date__isnull=True).exclude(
                start_date__gt=today
            )
        )
        for position in open_positions:
            position.end_date = today
        if open_positions:
            bulk_update_with_history(
                open_positions,
                Position,
                ["end_date"],
                batch_size=BATCH_SIZE,
                default_user=user,
                default_change_reason=reason,
            )
        positions += [
            Position(person=p, organisation=p.organisation, title=p.position, start_date=today)
            for p in moved
        ]
    for position in positions:
        position.full_clean(
            exclude=["person", "organisation"], validate_unique=False, validate_constraints=False
        )
    bulk_create_with_history(
        positions,
        Position,
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
    )
    return ImportResult(
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.rows - len(plan.creates) - len(plan.updates),
    )


# --- The background job ---------------------------------------------------------------------


def people_import_enqueue(
    *,
    user: User,
    institution: Organisation,
    filename: str,
    data: bytes,
    update_existing: bool,
    allow_probable_duplicates: bool,
    title: str,
) -> BackgroundJob:
    """Store the upload, record a job and queue the task that checks and imports it."""
    from ..tasks import import_people

    safe_name = get_valid_filename(filename.rsplit("/", 1)[-1]) or "people.csv"
    path = default_storage.save(f"imports/{uuid.uuid4().hex}/{safe_name}", ContentFile(data))
    job = BackgroundJob.objects.create(
        kind=JOB_KIND,
        title=title,
        created_by=user,
        institution=institution,
        result={
            "input": {
                "path": path,
                "filename": filename[-200:],
                "size": len(data),
                "update_existing": update_existing,
                "allow_probable_duplicates": allow_probable_duplicates,
            }
        },
    )
    try:
        task_result = import_people.enqueue(job_id=job.pk)
    except Exception:
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJob.Status.FAILED, message="error", finished_at=timezone.now()
        )
        default_storage.delete(path)
        raise
    job.remember_task(task_result)
    job.refresh_from_db()
    return job


def _finish(job: BackgroundJob, *, status: str, message: str, result: dict[str, Any]) -> None:
    job.status = status
    job.message = message
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "result", "finished_at"])


def people_import_run(*, job_id: int) -> dict[str, Any]:
    """Run a queued import job: read, check (with progress), then save all or nothing.

    The job ends SUCCEEDED with the counts, or FAILED with the problems (``outcome``
    "rejected") or with an unexpected error (``outcome`` "error", and the exception is
    re-raised so that the worker records it).
    """
    job = BackgroundJob.objects.select_related("created_by", "institution__country").get(pk=job_id)
    options = job.result.get("input", {})
    result: dict[str, Any] = {"input": options}
    job.message = "reading"
    job.status = BackgroundJob.Status.RUNNING
    job.save(update_fields=["message", "status"])
    try:
        with default_storage.open(options["path"], "rb") as stored:
            data = stored.read()
        try:
            sheet = read_spreadsheet(data=data, filename=options.get("filename", ""))
        except SpreadsheetError as error:
            problems = [error.problem]
            plan = None
        else:
            total = len(sheet.rows)
            # Progress counts each row twice: once checked, once saved.
            job.set_progress(0, 2 * total)
            BackgroundJob.objects.filter(pk=job.pk).update(message="checking")
            plan = people_import_check(
                sheet=sheet,
                country=job.institution.country if job.institution else None,
                update_existing=bool(options.get("update_existing")),
                allow_probable_duplicates=bool(options.get("allow_probable_duplicates")),
                progress=lambda done, _total: job.set_progress(done),
            )
            problems = plan.problems
        result["rows"] = plan.rows if plan else 0
        if problems:
            result.update(
                outcome="rejected",
                problems=[p.as_dict() for p in problems[:MAX_PROBLEMS]],
                problems_total=len(problems),
                rows_with_problems=len({p.row for p in problems}),
            )
            _finish(job, status=BackgroundJob.Status.FAILED, message="rejected", result=result)
            return {"outcome": "rejected", "problems": len(problems)}
        assert plan is not None  # noqa: S101 - no problems means the file was read
        BackgroundJob.objects.filter(pk=job.pk).update(message="saving")
        saved = people_import_save(
            plan=plan,
            user=job.created_by,
            reason=f"Import {options.get('filename', '')} (job {job.pk})"[:100],
        )
        job.set_progress(2 * plan.rows)
        result.update(
            outcome="imported",
            created=saved.created,
            updated=saved.updated,
            unchanged=saved.unchanged,
        )
        _finish(job, status=BackgroundJob.Status.SUCCEEDED, message="imported", result=result)
        return {"outcome": "imported", "created": saved.created, "updated": saved.updated}
    except Exception:
        logger.exception("People import job %s failed", job.pk)
        result["outcome"] = "error"
        _finish(job, status=BackgroundJob.Status.FAILED, message="error", result=result)
        raise
    finally:
        # The report is in the job; the uploaded personal data need not stay on disk.
        if options.get("path"):
            default_storage.delete(options["path"])


def problems_of(job: BackgroundJob) -> list[Problem]:
    return [Problem.from_dict(p) for p in job.result.get("problems", [])]


def _safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas in values that came from an upload (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def report_csv(problems: Iterable[Problem]) -> bytes:
    """The problems as a CSV file a spreadsheet opens directly (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for p in problems:
        writer.writerow(
            [p.row or "", _safe_cell(p.column), _safe_cell(p.value), _safe_cell(p.message)]
        )
    return out.getvalue().encode("utf-8-sig")


__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "ImportPlan",
    "Problem",
    "Sheet",
    "SpreadsheetError",
    "check_header",
    "people_import_check",
    "people_import_enqueue",
    "people_import_run",
    "people_import_save",
    "read_spreadsheet",
    "report_csv",
    "template_csv",
    "template_xlsx",
]
