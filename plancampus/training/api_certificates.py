"""Certificates over the REST API: a cohort's certificates, one certificate, issuing and
revoking.

Same rules as the pages: a cohort or certificate of another institution answers 404; staff
of the institution read; issuing and revoking need ``training.manage`` (403 otherwise); a
participant sees only their own certificates. Refusals answer 400 with every problem in
``detail`` and save nothing. The signed credential itself is public, at ``credential_url``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError

from plancampus.api.auth import member_access
from plancampus.api.errors import NOT_FOUND_RESPONSES, ErrorOut

from .access import cohorts_for_user, is_staff_of, require_manage
from .certificate_access import certificates_for_user
from .models import Certificate
from .services.certificates import certificate_revoke, certificates_issue

router = Router(tags=["certificates"])
MAX_ID = 2**63 - 1
CHANGE_RESPONSES: dict[int, Any] = {**NOT_FOUND_RESPONSES, 400: ErrorOut}


def _refused(error: ValidationError) -> HttpError:
    if hasattr(error, "error_dict"):
        messages = [str(m) for ms in error.message_dict.values() for m in ms]
    else:
        messages = [str(m) for m in error.messages]
    return HttpError(400, " ".join(messages))


class CertificateOut(Schema):
    id: int
    number: str = Field(..., description=_("Institution code, year and sequence."))
    enrolment_id: int
    holder_name: str
    holder_name_km: str
    course_title: str = Field(..., description=_("In the certificate's language."))
    course_code: str
    course_version: int
    hours: Decimal
    start_date: dt.date
    end_date: dt.date
    language: str
    issued_at: dt.datetime
    ready: bool = Field(..., description=_("The PDF and the signed credential are made."))
    status: str = Field(..., description=_("valid or revoked"))
    revoked_at: dt.datetime | None
    revocation_reason: str
    verification_url: str = Field(..., description=_("The public page of the QR code."))
    credential_url: str | None = Field(
        ..., description=_("The signed Open Badges 3.0 credential (VC-JWT), once made.")
    )
    pdf_url: str | None

    @staticmethod
    def resolve_ready(obj: Certificate) -> bool:
        return obj.is_ready

    @staticmethod
    def resolve_status(obj: Certificate) -> str:
        return "revoked" if obj.is_revoked else "valid"

    @staticmethod
    def resolve_verification_url(obj: Certificate) -> str:
        return obj.verification_url()

    @staticmethod
    def resolve_credential_url(obj: Certificate) -> str | None:
        return obj.verification_url() + "credential.jwt" if obj.credential_jwt else None

    @staticmethod
    def resolve_pdf_url(obj: Certificate) -> str | None:
        return obj.verification_url() + "certificate.pdf" if obj.pdf else None


class IssueIn(Schema):
    enrolment_ids: list[int] | None = Field(
        None,
        max_length=10_000,
        description=_("Enrolments to certify; omitted: every participant who completed."),
    )
    language: str = Field(
        "",
        pattern="^(|km|en|fr)$",
        description=_("km, en or fr for every certificate; empty: each holder's language."),
    )


class IssueOut(Schema):
    job_id: int | None = Field(..., description=_("The background job making the PDFs."))
    certificates: list[CertificateOut]


class RevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


def _staff_cohort(access: Any, cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = (
        cohorts_for_user(access)
        .select_related("institution", "course")
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None or not is_staff_of(access, cohort.institution_id):
        raise Http404(_("No cohort with this id is visible to you."))
    return cohort


@router.get(
    "/training/cohorts/{cohort_id}/certificates/",
    response={200: list[CertificateOut], **NOT_FOUND_RESPONSES},
    url_name="training-cohort-certificates",
    operation_id="list_cohort_certificates",
    summary="A cohort's certificates",
)
def list_cohort_certificates(
    request: HttpRequest, cohort_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    # A person's revoked certificates, then their valid one (issued again after a revocation).
    return list(
        Certificate.objects.for_cohort(cohort.pk).order_by(
            "enrolment__person__name_latin", "enrolment_id", "issued_at", "pk"
        )
    )


@router.post(
    "/training/cohorts/{cohort_id}/certificates/",
    response={201: IssueOut, **CHANGE_RESPONSES},
    url_name="training-certificates-issue",
    operation_id="issue_certificates",
    summary="Issue a closed cohort's certificates (all or nothing)",
)
def issue_certificates(
    request: HttpRequest, payload: IssueIn, cohort_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    """Checks every selected participant against the closed results; if one cannot have a
    certificate, answers 400 listing each problem and issues none. Otherwise issues them and
    starts the job that makes the PDFs and signed credentials (see ``job_id``)."""
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    require_manage(access, cohort.institution_id)
    try:
        issued = certificates_issue(
            cohort=cohort,
            issued_by=request.user,  # type: ignore[arg-type]
            enrolment_ids=payload.enrolment_ids,
            language=payload.language,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return 201, {
        "job_id": issued.job.pk if issued.job else None,
        "certificates": Certificate.objects.filter(
            pk__in=[c.pk for c in issued.certificates]
        ).order_by("holder_name", "pk"),
    }


def _certificate(access: Any, certificate_id: int) -> Certificate:
    certificate = (
        certificates_for_user(access)
        .select_related("enrolment__cohort")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        raise Http404(_("No certificate with this id is visible to you."))
    return certificate


@router.get(
    "/training/certificates/{certificate_id}/",
    response={200: CertificateOut, **NOT_FOUND_RESPONSES},
    url_name="training-certificate-detail",
    operation_id="get_certificate",
    summary="One certificate",
)
def get_certificate(request: HttpRequest, certificate_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return _certificate(member_access(request), certificate_id)


@router.post(
    "/training/certificates/{certificate_id}/revoke/",
    response={200: CertificateOut, **CHANGE_RESPONSES},
    url_name="training-certificate-revoke",
    operation_id="revoke_certificate",
    summary="Revoke a certificate, with a reason (kept in its history)",
)
def revoke_certificate(
    request: HttpRequest, payload: RevokeIn, certificate_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    access = member_access(request)
    certificate = _certificate(access, certificate_id)
    require_manage(access, certificate.enrolment.cohort.institution_id)
    try:
        return certificate_revoke(
            certificate=certificate,
            user=request.user,  # type: ignore[arg-type]
            reason=payload.reason,
        )
    except ValidationError as error:
        raise _refused(error) from None
