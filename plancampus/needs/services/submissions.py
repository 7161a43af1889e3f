"""Import of the answers collected with the campaign's XLSForm (KoboToolbox or ODK exports).

Accepted: a CSV file (comma, semicolon or tab separated, UTF-8) or an Excel workbook (first
sheet), as KoboToolbox and ODK Central export them. Column names may carry their group prefix
(``grp_strategic_planning/sector_analysis_current``, or ODK Central's ``-`` separator) or not.
Meta columns understood: ``meta/instanceID`` / ``_uuid`` / ``KEY`` (instance id),
``_submission_time`` / ``SubmissionDate`` (when), and the form version (see below).

The form version. Our XLSForm writes the campaign's version twice: in the ``settings`` sheet
(``version``, which becomes the XForm's ``version`` attribute) and in a hidden ``form_version``
calculate question, which every exporter exports as a column like any other question. What
the exporters add themselves:

- KoboToolbox rewrites the settings ``version`` when it deploys a form, and adds its own hidden
  ``__version__`` question holding the asset version uid (``vGvDq…``); a Kobo XLSForm imported
  again leaves ``_version_`` / ``_version__001`` columns with older uids; KoBoCAT's legacy
  ``_version`` holds the rewritten XForm version. None of them is the campaign's version.
- ODK Central keeps the settings ``version`` and exports it as ``FormVersion`` (after
  ``KEY``, ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``,
  ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``).

So the version compared is the ``form_version`` column, else ODK Central's ``FormVersion``.
When neither is in the file, the version cannot be checked: the rows are imported (every
other check applies) and the import says so once, for the whole file.

Policy: **row by row** ("kept N, rejected M"). A row is rejected, with every reason, when it
has an unknown choice, a missing required answer, a respondent code that is not in the
campaign, an instance id already imported (or twice in the file), a respondent who already
answered, or another form version; a kept row may carry a warning (flag), e.g. submitted
outside the campaign's period, replacing an unfinished web draft, or not recording its form
version. The import stores the
outcome and problems of every row, and the raw values of each rejected row, so nothing is
silently merged or lost. Kept rows and the report are saved in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import BackgroundJob, User

from ..models import (
    Answer,
    AnswerSource,
    Campaign,
    Respondent,
    RespondentStatus,
    SubmissionImport,
)
from .analysis import respondents_pack
from .questionnaire import IMPORTANCE_LABELS, IMPORTANCE_LEVELS
from .xlsform import RESPONDENT_FIELD, VERSION_FIELD, Field, form_fields

logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
INSTANCE_COLUMNS = ("meta/instanceID", "instanceID", "_uuid", "KEY", "meta-instanceID")
TIME_COLUMNS = ("_submission_time", "SubmissionDate", "end")
# ODK Central's export: its metadata columns, and the one that holds the XForm's version.
CENTRAL_COLUMNS = (
    "SubmissionDate",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)
CENTRAL_VERSION = "FormVersion"
# KoboToolbox's metadata columns; its version columns hold Kobo's own ids, never ours.
KOBO_COLUMNS = (
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)
KOBO_VERSION_PREFIXES = ("__version__", "_version")  # also _version_, _version__001


def exporter_of(header: list[str]) -> str:
    """Which tool made the export, from its metadata columns: "odk_central", "kobo" or ""."""
    names = set(header)
    if "KEY" in names and names & {"SubmitterID", CENTRAL_VERSION, "ReviewState"}:
        return "odk_central"
    if names & {"_uuid", "_submission_time", "__version__", "_index"}:
        return "kobo"
    return ""


def kobo_version_columns(header: list[str]) -> list[str]:
    """KoboToolbox's version columns in a header (``__version__``, ``_version_``, …)."""
    return [name for name in header if name.startswith(KOBO_VERSION_PREFIXES)]


MESSAGES: dict[str, Promise] = {
    "not_readable": _("The file could not be read as a CSV file or an Excel workbook: %(detail)s"),
    "no_rows": _("The file has no submissions below its header row."),
    "too_many_rows": _("The file has more than %(limit)s rows; split it."),
    "columns_missing": _(
        "These questions of the campaign's form are not in the file: %(columns)s. The export "
        "probably comes from another form or another version of it."
    ),
    "no_respondent_column": _(
        "The file has no “respondent_id” column: it does not come from this campaign's form."
    ),
    "no_instance_column": _(
        "The file has no instance id column (meta/instanceID or _uuid): export it again with "
        "the metadata columns."
    ),
    # No longer raised (a file without the version is imported, with version_not_checked);
    # kept to show the reports of earlier imports.
    "no_version_column": _(
        "The file says nothing about the form version (no form_version, __version__ or "
        "_version column): export it again with all columns."
    ),
    "version_not_checked": _(
        "The form version of these answers could not be checked: the file has no form_version "
        "column (a hidden question of the campaign's form) and no FormVersion column. The rows "
        "were imported, every other check applied. To have the version checked, export again "
        "with all the form's questions."
    ),
    "version_not_checked_kobo": _(
        "The form version of these answers could not be checked: the file has no form_version "
        "column (a hidden question of the campaign's form). Its %(columns)s column holds "
        "KoboToolbox's own id of the deployment, not the campaign's form version, so it was not "
        "compared. The rows were imported, every other check applied. To have the version "
        "checked, export again from KoboToolbox with all the form's questions (including hidden "
        "ones)."
    ),
    "version_missing": _(
        "This submission does not record its form version (the %(column)s cell is empty); kept."
    ),
    "no_instance_id": _("This submission has no instance id."),
    "duplicate_in_file": _("Row %(row)s of this file has the same instance id."),
    "already_imported": _(
        "This submission (instance id %(instance)s) was already imported for respondent %(code)s."
    ),
    "version_mismatch": _(
        "Answered with form version “%(version)s”; this campaign's form is version "
        "“%(expected)s”. Answers given with another version are not mixed in."
    ),
    "version_mismatch_central": _(
        "ODK Central says this submission was made with form version “%(version)s” (FormVersion "
        "column); this campaign's form is version “%(expected)s”. Answers given with another "
        "version are not mixed in."
    ),
    "no_respondent": _("The respondent code is empty."),
    "unknown_respondent": _(
        "No respondent of this campaign has the code “%(code)s”: the person was not invited "
        "(outside the campaign's organisations or roles), or the code was mistyped."
    ),
    "respondent_twice": _("Row %(row)s of this file has answers from the same respondent."),
    "already_answered": _(
        "Respondent %(code)s has already submitted answers (%(source)s, %(date)s)."
    ),
    "missing_answer": _("This required question is not answered."),
    "unknown_choice": _("“%(value)s” is not one of the choices (%(choices)s)."),
    "outside_period": _(
        "Submitted on %(date)s, outside the campaign's period (%(start)s – %(end)s); kept."
    ),
    "replaced_draft": _(
        "Replaced the unfinished answers this respondent had started in the web form (%(count)s)."
    ),
    "not_designated": _(
        "Respondent %(code)s is not designated to rate %(organisation)s: their %(count)s "
        "answers to the organisational items are stored but not counted in the analysis (they "
        "count only if the coordinator designates this respondent)."
    ),
    "designated_unrated": _(
        "Respondent %(code)s is designated to rate %(organisation)s, but %(count)s "
        "organisational questions are not answered (%(columns)s)."
    ),
}
REJECTING = {
    "no_instance_id",
    "duplicate_in_file",
    "already_imported",
    "version_mismatch",
    "version_mismatch_central",
    "no_respondent",
    "unknown_respondent",
    "respondent_twice",
    "already_answered",
    "missing_answer",
    "designated_unrated",
    "unknown_choice",
    "columns_missing",
    "no_respondent_column",
    "no_instance_column",
    "no_version_column",
}


@dataclass(frozen=True)
class Problem:
    code: str
    column: str = ""
    value: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params

    @property
    def rejects(self) -> bool:
        return self.code in REJECTING

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "column": self.column,
            "value": self.value,
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(
            data["code"], data.get("column", ""), data.get("value", ""), data.get("params") or {}
        )


class ExportUnreadable(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


# --- Reading ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def read_export(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(row number, {column: text})]) from a CSV or XLSX export."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xls")):
        try:
            from python_calamine import CalamineWorkbook

            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as error:  # calamine raises several types for a broken workbook
            raise ExportUnreadable(
                Problem("not_readable", params={"detail": str(error)[:200]})
            ) from None
        table = [[_text(c) for c in row] for row in rows]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ExportUnreadable(
                Problem("not_readable", params={"detail": f"not UTF-8 ({error.reason})"})
            ) from None
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        table = [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    if not table or not any(table[0]):
        raise ExportUnreadable(Problem("no_rows"))
    header = table[0]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        rows.append(
            (
                number,
                {
                    name: (cells[i] if i < len(cells) else "")
                    for i, name in enumerate(header)
                    if name
                },
            )
        )
    if not rows:
        raise ExportUnreadable(Problem("no_rows"))
    if len(rows) > MAX_ROWS:
        raise ExportUnreadable(Problem("too_many_rows", params={"limit": MAX_ROWS}))
    return header, rows


def _bare(column: str) -> str:
    """``grp_x/sector_analysis_current`` → ``sector_analysis_current`` (also ODK's ``-``)."""
    name = column.rsplit("/", 1)[-1]
    return name.rsplit("-", 1)[-1] if "-" in name else name


# --- Checking --------------------------------------------------------------------------------


@dataclass
class RowResult:
    row: int
    instance_id: str
    respondent_code: str
    problems: list[Problem]
    respondent: Respondent | None = None
    values: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)  # field name → value
    submitted_at: dt.datetime | None = None

    @property
    def rejected(self) -> bool:
        return any(p.rejects for p in self.problems)

    @property
    def outcome(self) -> str:
        if self.rejected:
            return "rejected"
        return "flagged" if self.problems else "kept"


def _choices(campaign: Campaign) -> dict[str, dict[str, int]]:
    """Accepted cell values per list: the choice names, and the labels in en/km."""
    framework = campaign.framework
    importance: dict[str, int] = {}
    for level in IMPORTANCE_LEVELS:
        importance[str(level)] = level
        for labels in IMPORTANCE_LABELS.values():
            importance[labels[str(level)].casefold()] = level
            importance[f"{level} – {labels[str(level)]}".casefold()] = level
    level_map: dict[str, int] = {}
    for level in framework.levels:
        level_map[str(level)] = level
        for language in ("en", "fr", "km"):
            label = framework.level_label(level, language)
            level_map[label.casefold()] = level
            level_map[f"{level} – {label}".casefold()] = level
    return {"importance": importance, "level": level_map}


def _meta(values: dict[str, str], names: tuple[str, ...]) -> tuple[str, str]:
    for name in names:
        if name in values:
            return name, values[name]
    return "", ""


def version_column_of(header: list[str], form_version_column: str) -> str:
    """The column that carries the campaign's form version, or "" if none does.

    Our hidden ``form_version`` question first; else ODK Central's ``FormVersion`` (the
    XForm's version, which Central keeps as the settings sheet gave it). KoboToolbox's
    ``__version__`` / ``_version_`` / ``_version`` never: they hold Kobo's own ids.
    """
    if form_version_column:
        return form_version_column
    if CENTRAL_VERSION in header and exporter_of(header) == "odk_central":
        return CENTRAL_VERSION
    return ""


def submissions_check(
    *, campaign: Campaign, header: list[str], rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[Problem], list[RowResult]]:
    """The file's problems and each row's result (nothing is saved)."""
    fields = form_fields(campaign)
    by_name: dict[str, Field] = {f.name: f for f in fields}
    column_of: dict[str, str] = {}
    for column in header:
        if not column:
            continue
        bare = _bare(column)
        if bare in by_name or bare in {RESPONDENT_FIELD, VERSION_FIELD}:
            column_of.setdefault(bare, column)
    file_problems: list[Problem] = []
    if RESPONDENT_FIELD not in column_of:
        file_problems.append(Problem("no_respondent_column"))
    missing = [f.name for f in fields if f.name not in column_of]
    if missing:
        file_problems.append(
            Problem("columns_missing", params={"columns": ", ".join(missing[:10])})
        )
    if not any(name in header for name in INSTANCE_COLUMNS):
        file_problems.append(Problem("no_instance_column"))
    version_column = version_column_of(header, column_of.get(VERSION_FIELD, ""))
    if not version_column and not file_problems:
        # Said once for the whole file (the rows are not flagged one by one); not said when
        # the file is rejected anyway.
        kobo = kobo_version_columns(header)
        if kobo:
            file_problems.append(
                Problem("version_not_checked_kobo", params={"columns": ", ".join(kobo)})
            )
        else:
            file_problems.append(Problem("version_not_checked"))

    choices = _choices(campaign)
    respondents = {r.code.upper(): r for r in campaign.respondents.select_related("organisation")}
    designated_mode = campaign.uses_designated_respondents
    already = {r.instance_id: r.code for r in respondents.values() if r.instance_id}
    draft_counts = dict(
        Answer.objects.filter(
            respondent__campaign=campaign, respondent__status=RespondentStatus.IN_PROGRESS
        )
        .values("respondent_id")
        .annotate(count=Count("id"))
        .values_list("respondent_id", "count")
    )
    seen_instances: dict[str, int] = {}
    seen_respondents: dict[str, int] = {}
    tz = timezone.get_current_timezone()
    results: list[RowResult] = []
    for number, values in rows:
        problems: list[Problem] = []
        problems.extend(p for p in file_problems if p.rejects)
        _col, instance = _meta(values, INSTANCE_COLUMNS)
        instance = instance.removeprefix("uuid:")
        code = values.get(column_of.get(RESPONDENT_FIELD, ""), "").strip().upper()
        result = RowResult(number, instance, code, problems, values=values)
        if not instance:
            problems.append(Problem("no_instance_id"))
        elif instance in seen_instances:
            problems.append(Problem("duplicate_in_file", params={"row": seen_instances[instance]}))
        elif instance in already:
            problems.append(
                Problem(
                    "already_imported", params={"instance": instance, "code": already[instance]}
                )
            )
        else:
            seen_instances[instance] = number
        if version_column:
            version = values.get(version_column, "").strip()
            if not version:
                problems.append(
                    Problem(
                        "version_missing", column=version_column, params={"column": version_column}
                    )
                )
            elif version != campaign.form_version:
                problems.append(
                    Problem(
                        "version_mismatch_central"
                        if version_column == CENTRAL_VERSION
                        else "version_mismatch",
                        column=version_column,
                        value=version,
                        params={"version": version, "expected": campaign.form_version},
                    )
                )
        respondent = respondents.get(code)
        if not code:
            problems.append(Problem("no_respondent", column=RESPONDENT_FIELD))
        elif respondent is None:
            problems.append(
                Problem(
                    "unknown_respondent", column=RESPONDENT_FIELD, value=code, params={"code": code}
                )
            )
        elif code in seen_respondents:
            problems.append(Problem("respondent_twice", params={"row": seen_respondents[code]}))
        elif respondent.is_submitted:
            problems.append(
                Problem(
                    "already_answered",
                    params={
                        "code": code,
                        "source": str(respondent.get_source_display()),
                        "date": f"{respondent.submitted_at:%Y-%m-%d}"
                        if respondent.submitted_at
                        else "—",
                    },
                )
            )
        else:
            seen_respondents[code] = number
            result.respondent = respondent
        # In a campaign with designated respondents, the organisational questions are theirs
        # alone: required of them (one problem naming the columns), optional for the others,
        # whose answers are stored but flagged (and not counted by the analysis).
        known = respondent is not None
        rates = known and (respondent.rates_organisation or not designated_mode)  # type: ignore[union-attr]
        separate = designated_mode  # (for an unknown respondent: rejected for that anyway)
        unrated: list[str] = []
        organisational_answers = 0
        for f in fields:
            column = column_of.get(f.name)
            if column is None:
                continue
            raw = values.get(column, "").strip()
            if not raw:
                if f.required and separate and f.is_organisational:
                    if rates:
                        unrated.append(column)
                elif f.required:
                    problems.append(Problem("missing_answer", column=column))
                continue
            if f.is_organisational and f.part != "evidence":
                organisational_answers += 1
            if f.part == "evidence":
                result.answers[f.name] = raw
                continue
            mapping = choices["importance" if f.part == "importance" else "level"]
            key = raw.casefold()
            if key.endswith(".0"):
                key = key[:-2]
            if key not in mapping:
                problems.append(
                    Problem(
                        "unknown_choice",
                        column=column,
                        value=raw,
                        params={
                            "value": raw,
                            "choices": ", ".join(k for k in mapping if k.isdigit()),
                        },
                    )
                )
                continue
            result.answers[f.name] = str(mapping[key])
        if unrated:
            problems.append(
                Problem(
                    "designated_unrated",
                    column=unrated[0],
                    params={
                        "code": code,
                        "organisation": respondent.organisation.display_name,  # type: ignore[union-attr]
                        "count": len(unrated),
                        "columns": ", ".join(_bare(c) for c in unrated[:6])
                        + (", …" if len(unrated) > 6 else ""),
                    },
                )
            )
        if separate and known and not rates and organisational_answers:
            problems.append(
                Problem(
                    "not_designated",
                    params={
                        "code": code,
                        "organisation": respondent.organisation.display_name,  # type: ignore[union-attr]
                        "count": organisational_answers,
                    },
                )
            )
        _tcol, when = _meta(values, TIME_COLUMNS)
        submitted_at = parse_datetime(when) if when else None
        if submitted_at is not None and timezone.is_naive(submitted_at):
            submitted_at = timezone.make_aware(submitted_at, tz)
        result.submitted_at = submitted_at
        if submitted_at is not None and not (
            campaign.starts_on <= submitted_at.astimezone(tz).date() <= campaign.ends_on
        ):
            problems.append(
                Problem(
                    "outside_period",
                    params={
                        "date": f"{submitted_at.astimezone(tz):%Y-%m-%d}",
                        "start": f"{campaign.starts_on:%Y-%m-%d}",
                        "end": f"{campaign.ends_on:%Y-%m-%d}",
                    },
                )
            )
        if (
            not result.rejected
            and respondent is not None
            and respondent.status == RespondentStatus.IN_PROGRESS
        ):
            count = draft_counts.get(respondent.pk, 0)
            problems.append(Problem("replaced_draft", params={"count": count}))
        results.append(result)
    return file_problems, results


@transaction.atomic
def submissions_import(
    *, campaign: Campaign, data: bytes, filename: str, user: User | None
) -> SubmissionImport:
    """Check an export and keep its good rows; the stored import says what became of each."""
    record = SubmissionImport(campaign=campaign, filename=filename[:255], uploaded_by=user)
    try:
        header, rows = read_export(data, filename)
    except ExportUnreadable as error:
        record.file_problems = [error.problem.as_dict()]
        record.save()
        return record
    file_problems, results = submissions_check(campaign=campaign, header=header, rows=rows)
    fields = {f.name: f for f in form_fields(campaign)}
    kept = [r for r in results if not r.rejected and r.respondent is not None]
    if kept:
        respondent_ids = [r.respondent.pk for r in kept]  # type: ignore[union-attr]
        Answer.objects.filter(respondent_id__in=respondent_ids).delete()
        answers: dict[tuple[int, int], Answer] = {}
        for result in kept:
            respondent = result.respondent
            assert respondent is not None  # noqa: S101 - filtered above
            for name, value in result.answers.items():
                f = fields[name]
                answer = answers.setdefault(
                    (respondent.pk, f.competency.pk),
                    Answer(respondent=respondent, competency=f.competency),
                )
                if f.part == "importance":
                    answer.importance = int(value)
                elif f.part == "current":
                    answer.current_level = int(value)
                elif f.part == "desired":
                    answer.desired_level = int(value)
                else:
                    answer.evidence = value[:4000]
        Answer.objects.bulk_create(list(answers.values()), batch_size=1000)
        now = timezone.now()
        for result in kept:
            respondent = result.respondent
            assert respondent is not None  # noqa: S101
            respondent.status = RespondentStatus.SUBMITTED
            respondent.source = AnswerSource.IMPORT
            respondent.instance_id = result.instance_id[:100]
            respondent.started_at = respondent.started_at or result.submitted_at or now
            respondent.submitted_at = result.submitted_at or now
        Respondent.objects.bulk_update(
            [r.respondent for r in kept],  # type: ignore[misc]
            ["status", "source", "instance_id", "started_at", "submitted_at"],
            batch_size=500,
        )
        respondents_pack(respondent_ids)
        campaign.touch_answers()
    record.file_problems = [p.as_dict() for p in file_problems]
    record.rows = [
        {
            "row": r.row,
            "instance_id": r.instance_id,
            "respondent": r.respondent_code,
            "outcome": r.outcome,
            "problems": [p.as_dict() for p in r.problems if p not in file_problems],
            **({"values": r.values} if r.rejected else {}),
        }
        for r in results
    ]
    record.kept = sum(r.outcome == "kept" for r in results)
    record.flagged = sum(r.outcome == "flagged" for r in results)
    record.rejected = sum(r.rejected for r in results)
    record.save()
    return record


def problems_of(row: dict[str, Any]) -> list[Problem]:
    return [Problem.from_dict(p) for p in row.get("problems", [])]


# --- As a background job -------------------------------------------------------------------

JOB_KIND = "needs_submissions_import"


def submissions_import_enqueue(
    *, campaign: Campaign, user: User, filename: str, data: bytes, title: str
) -> BackgroundJob:
    """Store the upload, record a job and queue the task that imports it (large exports take
    longer than a web request should)."""
    from ..tasks import import_submissions

    safe_name = get_valid_filename(filename.rsplit("/", 1)[-1]) or "export.csv"
    path = default_storage.save(f"needs-imports/{uuid.uuid4().hex}/{safe_name}", ContentFile(data))
    job = BackgroundJob.objects.create(
        kind=JOB_KIND,
        title=title,
        created_by=user,
        institution=campaign.institution,
        result={"input": {"campaign": campaign.pk, "path": path, "filename": filename[-200:]}},
    )
    try:
        task_result = import_submissions.enqueue(job_id=job.pk)
    except Exception:
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJob.Status.FAILED, message="error", finished_at=timezone.now()
        )
        default_storage.delete(path)
        raise
    job.remember_task(task_result)
    job.refresh_from_db()
    return job


def submissions_import_run(*, job_id: int) -> dict[str, Any]:
    """The task's body: import the stored file, then record the import's id on the job."""
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    source = job.result["input"]
    job.set_progress(0, 1)
    try:
        campaign = Campaign.objects.select_related("framework", "institution").get(
            pk=source["campaign"]
        )
        with default_storage.open(source["path"], "rb") as handle:
            data = handle.read()
        record = submissions_import(
            campaign=campaign, data=data, filename=source["filename"], user=job.created_by
        )
    except Exception:
        logger.exception("import of submissions failed (job %s)", job_id)
        BackgroundJob.objects.filter(pk=job_id).update(
            status=BackgroundJob.Status.FAILED, message="error", finished_at=timezone.now()
        )
        raise
    finally:
        default_storage.delete(source["path"])
    result = {**job.result, "import": record.pk}
    BackgroundJob.objects.filter(pk=job_id).update(
        status=BackgroundJob.Status.SUCCEEDED,
        message="imported",
        result=result,
        progress_done=1,
        progress_total=1,
        finished_at=timezone.now(),
    )
    return {"import": record.pk}
