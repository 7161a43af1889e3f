"""The report and the capacity plan, made in the background and kept for reuse.

Making a document takes seconds (the analysis, the charts rendered to images, the layout):
longer than a web request should. So asking for one (``export_request``) records a
``DocumentExport`` and queues a job (``needs.export_tasks.render_document``, run by
``manage.py db_worker``) that makes it with :mod:`.documents` (``export_render_run``) and
stores the file under a random folder name; the export's page follows the job, and the file
is served only by a view that checks who asks.

Not twice the same work:

- while a job for the same document (same campaign or plan, language and format) waits for
  a worker, or runs on the same data, asking again joins it instead of starting another;
- a finished document is reused while its **data version** is unchanged and it is less than
  ``REUSE_SECONDS`` old. The data version is a digest of what the document is made from:
  for the report, the campaign (its settings and roles, and ``answers_changed_at``, which
  moves whenever an answer does) and its baseline's; for the plan, every row of the plan
  (objectives, indicators, measurements, interventions, their gap links) and its campaign's
  answers. What the version does not follow (names of organisations and competencies, the
  course catalogue behind the recommendations) reaches the document after at most
  ``REUSE_SECONDS``, or at once with "Make a fresh copy" (``force=True``).

When a document is made, the older copies of the same document (same target, language and
format) are deleted with their files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plancampus.core.models import BackgroundJob, User

from ..models import (
    Campaign,
    CapacityPlan,
    DocumentExport,
    DocumentFormat,
    DocumentKind,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    Objective,
)
from . import documents

logger = logging.getLogger(__name__)

JOB_KIND = "needs_document"
# A finished document of unchanged data is reused for this long (see the module docstring).
REUSE_SECONDS = 3600
# A job still unfinished this long after it was queued is taken as lost (a worker stopped
# while making it): asking again starts a new one. Making a document takes seconds.
ABANDONED_SECONDS = 30 * 60
# Part of every data version: raise it when the documents' content or layout changes, so that
# copies made by the older code are not reused.
LAYOUT_VERSION = 1
FORMATS = {
    DocumentKind.REPORT: (DocumentFormat.PDF,),
    DocumentKind.PLAN: (DocumentFormat.PDF, DocumentFormat.DOCX),
}

Outcome = Literal["started", "joined", "reused"]


@dataclass(frozen=True)
class ExportRequest:
    export: DocumentExport
    outcome: Outcome  # a job was started, a running one joined, or a finished copy reused


# --- Data versions ---------------------------------------------------------------------------


def _digest(parts: list[Any]) -> str:
    text = json.dumps(parts, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def report_data_version(campaign: Campaign) -> str:
    """The version of what the report on ``campaign`` shows (read from the database, not from
    the instance, which may be older)."""
    stamps = sorted(
        Campaign.objects.filter(pk__in=[campaign.pk, campaign.baseline_id or campaign.pk])
        .values_list("pk", "updated_at", "answers_changed_at", "status", "baseline_id")
        .order_by()
    )
    roles = sorted(campaign.target_roles.values_list("pk", flat=True).order_by())
    return _digest([LAYOUT_VERSION, DocumentKind.REPORT, stamps, roles])


def plan_data_version(plan: CapacityPlan) -> str:
    """The version of what the plan's documents show: every row of the plan, and the answers
    of its needs assessment (the needs ranking chart)."""
    row = CapacityPlan.objects.filter(pk=plan.pk).values().first()
    in_plan = {"objective__plan": plan.pk}
    parts: list[Any] = [
        LAYOUT_VERSION,
        DocumentKind.PLAN,
        row,
        list(Objective.objects.filter(plan=plan.pk).order_by("pk").values()),
        list(
            Objective.gaps.through.objects.filter(**in_plan)
            .order_by("pk")
            .values_list("objective_id", "competency_id")
        ),
        list(Indicator.objects.filter(**in_plan).order_by("pk").values()),
        list(
            IndicatorMeasurement.objects.filter(indicator__objective__plan=plan.pk)
            .order_by("pk")
            .values()
        ),
        list(Intervention.objects.filter(**in_plan).order_by("pk").values()),
        list(
            Intervention.gaps.through.objects.filter(intervention__objective__plan=plan.pk)
            .order_by("pk")
            .values_list("intervention_id", "competency_id")
        ),
    ]
    if row and row["campaign_id"]:
        parts.append(
            Campaign.objects.filter(pk=row["campaign_id"]).values_list("answers_changed_at").first()
        )
    return _digest(parts)


def data_version(*, campaign: Campaign | None = None, plan: CapacityPlan | None = None) -> str:
    if plan is not None:
        return plan_data_version(plan)
    assert campaign is not None  # noqa: S101 - one of the two is given
    return report_data_version(campaign)


def export_is_current(export: DocumentExport, version: str) -> bool:
    """Whether a finished document still shows the data as it is (version given by the
    caller, computed once for all the exports of one target)."""
    return export.data_version == version


# --- Asking for a document -------------------------------------------------------------------


def _target(campaign: Campaign | None, plan: CapacityPlan | None) -> tuple[str, dict[str, Any]]:
    if (campaign is None) == (plan is None):
        raise ValueError("Give a campaign or a plan.")
    if plan is not None:
        return DocumentKind.PLAN, {"plan": plan}
    return DocumentKind.REPORT, {"campaign": campaign}


def check_choice(kind: str, language: str, file_format: str) -> None:
    """A ValidationError saying which languages and formats the document comes in."""
    if language not in documents.LANGUAGES:
        raise ValidationError(
            _("The documents are made in English, Khmer or French, not in “%(language)s”.")
            % {"language": language[:20]},
            code="language",
        )
    if file_format not in FORMATS[DocumentKind(kind)]:
        raise ValidationError(
            _("This document is made as %(formats)s, not as “%(format)s”.")
            % {
                "formats": ", ".join(str(DocumentFormat(f).label) for f in FORMATS[kind]),
                "format": file_format[:20],
            },
            code="format",
        )


def _title(kind: str, target: Campaign | CapacityPlan, language: str, file_format: str) -> str:
    values = {
        "name": target.display_name,
        "format": DocumentFormat(file_format).label,
        "language": dict(settings.LANGUAGES).get(language, language),
    }
    if kind == DocumentKind.REPORT:
        return _("Needs-assessment report: %(name)s (%(format)s, %(language)s)") % values
    return _("Capacity development plan: %(name)s (%(format)s, %(language)s)") % values


def _lock(campaign: Campaign | None, plan: CapacityPlan | None) -> None:
    """Serialise the requests for one target's documents (PostgreSQL: a row lock; SQLite's
    IMMEDIATE transactions already run one writer at a time)."""
    model = CapacityPlan if plan is not None else Campaign
    target = plan if plan is not None else campaign
    list(model.objects.select_for_update().filter(pk=target.pk).values_list("pk"))  # type: ignore[union-attr]


def export_request(
    *,
    user: User | None,
    language: str,
    file_format: str,
    campaign: Campaign | None = None,
    plan: CapacityPlan | None = None,
    force: bool = False,
) -> ExportRequest:
    """Ask for a document: join the job already making it, reuse a finished copy of unchanged
    data (not with ``force``), or queue a new job. ValidationError for a language or format
    the document does not come in."""
    kind, target = _target(campaign, plan)
    check_choice(kind, language, file_format)
    now = timezone.now()
    with transaction.atomic():
        _lock(campaign, plan)
        version = data_version(campaign=campaign, plan=plan)
        recent = list(
            DocumentExport.objects.filter(**target, language=language, file_format=file_format)
            .select_related("job")
            .order_by("-created_at", "-id")[:10]
        )
        for export in recent:
            if not export.is_running:
                continue
            job = export.job
            assert job is not None  # noqa: S101 - running means it has a job
            if job.created_at < now - dt.timedelta(seconds=ABANDONED_SECONDS):
                job.finish(BackgroundJob.Status.FAILED, "export_error", {"error": "abandoned"})
                continue
            # A job that has not started reads the data when it does: it will be up to date.
            if job.status == BackgroundJob.Status.QUEUED or export.data_version == version:
                return ExportRequest(export, "joined")
        if not force:
            for export in recent:
                if (
                    export.is_ready
                    and export.data_version == version
                    and export.generated_at is not None
                    and export.generated_at >= now - dt.timedelta(seconds=REUSE_SECONDS)
                ):
                    return ExportRequest(export, "reused")
        owner = plan if plan is not None else campaign
        job = BackgroundJob.objects.create(
            kind=JOB_KIND,
            title=_title(kind, owner, language, file_format)[:200],  # type: ignore[arg-type]
            created_by=user,
            institution_id=owner.institution_id,  # type: ignore[union-attr]
            progress_total=2,
        )
        export = DocumentExport.objects.create(
            kind=kind,
            **target,
            language=language,
            file_format=file_format,
            data_version=version,
            job=job,
            requested_by=user,
        )
        BackgroundJob.objects.filter(pk=job.pk).update(result={"export_id": export.pk})
    _enqueue(job)
    # As it is now: a worker (or, in tests, the immediate backend) may already have made it.
    return ExportRequest(DocumentExport.objects.select_related("job").get(pk=export.pk), "started")


def _enqueue(job: BackgroundJob) -> None:
    """Queue the job's task; if the queue cannot take it, the job fails (its page says so)."""
    from ..export_tasks import render_document

    try:
        task_result = render_document.enqueue(job_id=job.pk)
    except Exception:
        logger.exception("Could not queue document job %s", job.pk)
        job.finish(BackgroundJob.Status.FAILED, "export_error", {"error": "queue"})
        return
    job.remember_task(task_result)


# --- The background job ----------------------------------------------------------------------


def _make(export: DocumentExport, progress: Callable[[], None]) -> documents.Document:
    if export.kind == DocumentKind.REPORT:
        assert export.campaign is not None  # noqa: S101 - the check constraint
        return documents.needs_report_pdf(
            campaign=export.campaign, language=export.language, progress=progress
        )
    assert export.plan is not None  # noqa: S101 - the check constraint
    make = documents.plan_docx if export.file_format == DocumentFormat.DOCX else documents.plan_pdf
    return make(plan=export.plan, language=export.language, progress=progress)


def export_render_run(*, job_id: int) -> dict[str, Any]:
    """Make the document of a queued export and store it; the job ends with "export_ready", or
    with "export_error" (the exception is logged and re-raised, so that the worker records
    it too; the export's page shows the failure)."""
    job = BackgroundJob.objects.get(pk=job_id)
    export = (
        DocumentExport.objects.select_related(
            "campaign__framework",
            "campaign__institution",
            "plan__institution",
            "plan__campaign__framework",
        )
        .filter(job_id=job_id)
        .first()
    )
    if export is None:  # the campaign or the plan was deleted while the job waited
        job.finish(BackgroundJob.Status.FAILED, "export_error", {"error": "gone"})
        return {"outcome": "gone"}
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=BackgroundJob.Status.RUNNING,
        message="export_preparing",
        progress_done=0,
        progress_total=2,
    )

    def writing() -> None:
        BackgroundJob.objects.filter(pk=job.pk).update(message="export_writing", progress_done=1)

    started = timezone.now()
    try:
        # The version is read before the data: a change made meanwhile makes the copy look
        # older than it is (made again next time), never newer.
        version = data_version(campaign=export.campaign, plan=export.plan)
        document = _make(export, writing)
        export.file.save(document.filename, ContentFile(document.content), save=False)
        export.filename = document.filename
        export.size = len(document.content)
        export.generated_at = started
        export.data_version = version
        export.save(update_fields=["file", "filename", "size", "generated_at", "data_version"])
    except Exception as error:
        logger.exception("Document export %s (job %s) failed", export.pk, job.pk)
        job.finish(
            BackgroundJob.Status.FAILED,
            "export_error",
            {"export_id": export.pk, "error": type(error).__name__},
        )
        raise
    seconds = round((timezone.now() - started).total_seconds(), 1)
    result = {"export_id": export.pk, "size": export.size, "seconds": seconds}
    job.finish(BackgroundJob.Status.SUCCEEDED, "export_ready", result)
    BackgroundJob.objects.filter(pk=job.pk).update(progress_done=2)
    _prune(export)
    return result


def _prune(export: DocumentExport) -> None:
    """Delete the older copies of the same document (not those still being made)."""
    older = DocumentExport.objects.filter(
        campaign_id=export.campaign_id,
        plan_id=export.plan_id,
        language=export.language,
        file_format=export.file_format,
        pk__lt=export.pk,
    ).select_related("job")
    for old in older:
        if old.is_running:
            continue
        if old.file:
            old.file.delete(save=False)
        old.delete()


# --- Listing ---------------------------------------------------------------------------------


def exports_latest(
    *, campaign: Campaign | None = None, plan: CapacityPlan | None = None
) -> list[DocumentExport]:
    """The latest export of each language and format of a target's documents."""
    _kind, target = _target(campaign, plan)
    latest: dict[tuple[str, str], DocumentExport] = {}
    for export in (
        DocumentExport.objects.filter(**target)
        .select_related("job")
        .order_by("-created_at", "-id")[:30]
    ):
        latest.setdefault((export.file_format, export.language), export)
    order = {code: index for index, code in enumerate(documents.LANGUAGES)}
    return sorted(latest.values(), key=lambda e: (e.file_format, order.get(e.language, 9)))
