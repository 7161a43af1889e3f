"""Background job pages: status and progress (polled with htmx), and the job's report.

A job is visible to the user who started it and to the administrators of the institution
it was started for; to anyone else it does not exist (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..access import access_for, get_or_404, jobs_for_user
from ..models import BackgroundJob
from ..services import people_import

REPORT_PAGE_SIZE = 100

# What BackgroundJob.message holds while a job runs and when it ends, as shown to people.
PHASES = {
    "": _("Waiting for a worker to pick it up."),
    "reading": _("Reading the file."),
    "checking": _("Checking each row."),
    "saving": _("Saving the people."),
    "imported": _("Finished: the people are in the directory."),
    "rejected": _("Finished: nothing was imported, because some rows have problems."),
    "error": _("Stopped by an unexpected error. Nothing was imported. Try again later."),
    # Certificates (plancampus.training.services.certificates).
    "rendering": _("Making the PDFs and signing the credentials."),
    "certificates_ready": _("Finished: the certificates are ready."),
    "certificates_error": _(
        "Stopped by an unexpected error. The certificates made so far are kept; make the "
        "others from the cohort's certificates page."
    ),
    # Needs documents (plancampus.needs.services.exports); their own page is needs-export.
    "export_preparing": _("Computing the figures and drawing the charts."),
    "export_writing": _("Laying out the document."),
    "export_ready": _("Finished: the document is ready."),
    "export_error": _("The document could not be made."),
}


def _job(request: HttpRequest, pk: int) -> BackgroundJob:
    return get_or_404(jobs_for_user(access_for(request)).select_related("created_by"), pk=pk)


def _status_context(job: BackgroundJob) -> dict[str, object]:
    return {"job": job, "phase": PHASES.get(job.message, job.message)}


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = _status_context(job)
    if job.kind == people_import.JOB_KIND and job.is_finished:
        result = job.result
        context["report"] = result
        problems = people_import.problems_of(job)
        if problems:
            context["problems"] = Paginator(problems, REPORT_PAGE_SIZE).get_page(
                request.GET.get("page")
            )
    return render(request, "core/job_detail.html", context)


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment that the job page polls every second while the job runs."""
    job = _job(request, pk)
    response = render(request, "core/job_status.html", _status_context(job))
    if job.is_finished and request.headers.get("HX-Request"):
        # Reload the whole page, which then shows the report and stops polling.
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The problems found by an import, as a CSV file to open beside the spreadsheet."""
    job = _job(request, pk)
    if job.kind != people_import.JOB_KIND or "problems" not in job.result:
        raise Http404
    response = HttpResponse(
        people_import.report_csv(people_import.problems_of(job)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-report-{job.pk}.csv"'
    return response
