"""Certificates for coordinators and participants: issue a cohort's certificates (a job with
progress), list them, revoke one, and each participant's own certificates.

Access goes through the training access functions: a cohort of another institution is 404;
staff of the institution see its certificates; issuing and revoking need ``training.manage``
(403 otherwise); a participant sees only their own certificates.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import get_or_404
from plancampus.core.models import BackgroundJob

from ..access import can_manage, is_staff_of
from ..certificate_access import certificates_for_user, key_institutions
from ..models import CERTIFICATE_LANGUAGES, Certificate, ResultStatus
from ..services.certificates import (
    JOB_KIND,
    certificate_language,
    certificate_revoke,
    certificates_issue,
    certificates_render_pending,
    issue_problem,
)
from .common import cohort_or_404, member, report_error


def _staff_cohort(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    access = member(request)
    cohort = cohort_or_404(access, pk)
    if not is_staff_of(access, cohort.institution_id):
        raise PermissionDenied("training.certificates")
    return access, cohort


@login_required
def cohort_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's certificates (a person's revoked ones beside their current one), and the
    form that issues the missing ones, including new ones for revoked certificates."""
    access, cohort = _staff_cohort(request, pk)
    manage = can_manage(access, cohort.institution_id)
    # A person's certificates side by side: revoked ones first, then the valid one.
    certificates = list(
        Certificate.objects.for_cohort(cohort.pk).order_by(
            "enrolment__person__name_latin", "enrolment_id", "issued_at", "pk"
        )
    )
    valid_by_enrolment = {c.enrolment_id: c for c in certificates if not c.is_revoked}
    revoked_by_enrolment: dict[int, list[str]] = {}
    for certificate in certificates:
        certificate.replaced_by = (
            valid_by_enrolment.get(certificate.enrolment_id) if certificate.is_revoked else None
        )
        if certificate.is_revoked:
            revoked_by_enrolment.setdefault(certificate.enrolment_id, []).append(certificate.number)
    candidates = []
    if manage and cohort.is_closed:
        # No valid certificate: none yet, or only revoked ones (a new one can be issued).
        for enrolment in (
            cohort.enrolments.accepted()
            .exclude(pk__in=Certificate.objects.valid().values("enrolment_id"))
            .select_related("person", "person__account")
            .order_by("person__name_latin", "pk")
        ):
            enrolment.valid_certificates = []
            candidates.append(
                {
                    "enrolment": enrolment,
                    "eligible": issue_problem(enrolment, cohort) is None,
                    "language": certificate_language(enrolment, cohort),
                    "revoked": revoked_by_enrolment.get(enrolment.pk, []),
                }
            )
    jobs = BackgroundJob.objects.filter(kind=JOB_KIND, result__cohort_id=cohort.pk).order_by(
        "-created_at"
    )[:3]
    return render(
        request,
        "training/certificate_list.html",
        {
            "cohort": cohort,
            "course": cohort.course,
            "certificates": certificates,
            "candidates": candidates,
            "can_manage": manage,
            "certificate_languages": CERTIFICATE_LANGUAGES,
            "jobs": jobs,
            "pending": sum(1 for c in certificates if not c.is_ready),
            "completed": ResultStatus.COMPLETED,
            "can_manage_keys": any(i.pk == cohort.institution_id for i in key_institutions(access)),
        },
    )


@login_required
@require_POST
def certificates_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    access, cohort = _staff_cohort(request, pk)
    if not can_manage(access, cohort.institution_id):
        raise PermissionDenied("training.manage")
    ids = [int(v) for v in request.POST.getlist("enrolment") if v.isdigit()]
    try:
        issued = certificates_issue(
            cohort=cohort,
            issued_by=request.user,  # type: ignore[arg-type]
            enrolment_ids=ids,
            language=request.POST.get("language", ""),
        )
    except ValidationError as error:
        report_error(request, error)
        messages.error(request, _("No certificate was issued."))
        return redirect("certificates:cohort", pk=cohort.pk)
    messages.success(
        request,
        _("%(count)s certificates were issued; their PDFs are being made.")
        % {"count": len(issued.certificates)},
    )
    return redirect("job-detail", pk=issued.job.pk)  # type: ignore[union-attr]


@login_required
@require_POST
def certificates_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the PDFs and credentials that a stopped job left unmade."""
    access, cohort = _staff_cohort(request, pk)
    if not can_manage(access, cohort.institution_id):
        raise PermissionDenied("training.manage")
    job = certificates_render_pending(cohort=cohort, user=request.user)  # type: ignore[arg-type]
    if job is None:
        messages.info(request, _("Every certificate already has its PDF."))
        return redirect("certificates:cohort", pk=cohort.pk)
    return redirect("job-detail", pk=job.pk)


@login_required
@require_POST
def certificate_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = member(request)
    certificate = get_or_404(
        certificates_for_user(access).select_related("enrolment__cohort"), pk=pk
    )
    cohort = certificate.enrolment.cohort
    if not can_manage(access, cohort.institution_id):
        raise PermissionDenied("training.manage")
    try:
        certificate_revoke(
            certificate=certificate,
            user=request.user,  # type: ignore[arg-type]
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("Certificate %(number)s is revoked; its verification page now says so.")
            % {"number": certificate.number},
        )
    return redirect("certificates:cohort", pk=cohort.pk)


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    """The certificates of the person linked to the account."""
    person_id = getattr(request.user, "person_id", None)
    certificates = (
        Certificate.objects.filter(enrolment__person_id=person_id).order_by("-issued_at")
        if person_id
        else Certificate.objects.none()
    )
    return render(
        request,
        "training/certificate_mine.html",
        {"certificates": certificates, "has_person": bool(person_id)},
    )
