"""Public pages of the certificates: no login, nothing but what a verifier needs.

- ``/verify/<id>/``: the verification page a certificate's QR code opens. It stays light
  (its own small template: no script, no web font unless Khmer is shown) and says whether
  the certificate is valid or revoked.
- ``/verify/<id>/credential.jwt`` and ``/verify/<id>/certificate.pdf``: the signed
  credential and the PDF.
- ``/issuers/<code>/``, ``.../jwks.json``, ``.../status/<n>.jwt``, ``.../achievements/...``:
  the issuer profile, its public keys, its revocation list and what its certificates
  certify, so that anyone can check a credential without PlanCampus' code.

An unknown id answers 404. The verification id is random (128 bits), so pages cannot be
found by counting.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from plancampus.core.models import Organisation

from ..models import Certificate, Course
from ..services import credentials
from ..services.credentials import hours_label

KHMER = range(0x1780, 0x1800)


def _certificate(verification_id: str) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("institution"), verification_id=verification_id
    )


def _has_khmer(*texts: str) -> bool:
    return any(ord(ch) in KHMER for text in texts for ch in text)


def _json(data: dict[str, Any], content_type: str = "application/json") -> HttpResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = f"{content_type}; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages
    return response


@require_safe
@cache_control(no_cache=True)
def verify_page(request: HttpRequest, verification_id: str) -> HttpResponse:
    certificate = _certificate(verification_id)
    institution = certificate.institution
    language = translation.get_language() or "en"
    holder = certificate.display_holder(language.split("-")[0])
    institution_name = institution.display_name
    context = {
        "certificate": certificate,
        "holder": holder,
        "holder_other": certificate.holder_name if holder != certificate.holder_name else "",
        "institution_name": institution_name,
        "hours": hours_label(certificate.hours),
        "issuer_url": credentials.issuer_url(institution),
        # The Khmer web font is only sent when Khmer text is on the page.
        "needs_khmer_font": language.startswith("km")
        or _has_khmer(holder, certificate.course_title, institution_name),
    }
    return render(request, "training/verify.html", context)


@require_safe
@cache_control(no_cache=True)
def verify_credential(request: HttpRequest, verification_id: str) -> HttpResponse:
    """The signed Open Badges credential (compact VC-JWT), as a download."""
    certificate = _certificate(verification_id)
    if not certificate.credential_jwt:
        raise Http404
    response = HttpResponse(certificate.credential_jwt, content_type=credentials.JWT_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jwt"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def verify_pdf(request: HttpRequest, verification_id: str) -> FileResponse:
    certificate = _certificate(verification_id)
    if not certificate.pdf:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=request.GET.get("download") == "1",
        filename=certificate.pdf_filename(),
        content_type="application/pdf",
    )


def _institution(code: str) -> Organisation:
    institution = Organisation.objects.filter(code=code).first()
    # Only institutions that have issued something are published as issuers.
    if institution is None or not institution.issuer_keys.exists():
        raise Http404
    return institution


@require_safe
def issuer_profile(request: HttpRequest, code: str) -> HttpResponse:
    institution = _institution(code)
    return _json(
        credentials.issuer_profile_document(institution=institution), "application/ld+json"
    )


@require_safe
@cache_control(max_age=300, public=True)
def issuer_jwks(request: HttpRequest, code: str) -> HttpResponse:
    """The institution's public keys (RFC 7517 JWK Set), retired ones included."""
    institution = _institution(code)
    return _json(credentials.jwks_document(institution=institution), "application/jwk-set+json")


@require_safe
@cache_control(no_cache=True)
def status_list(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The revocation status list, as a VC-JWT signed at the time of the request."""
    institution = _institution(code)
    if not Certificate.objects.filter(institution=institution, status_list=number).exists():
        raise Http404
    token = credentials.status_list_credential(institution=institution, list_number=number)
    response = HttpResponse(token, content_type=credentials.JWT_MEDIA_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def achievement(request: HttpRequest, code: str, course_code: str, version: int) -> HttpResponse:
    """What a certificate of completion of this course version certifies."""
    institution = _institution(code)
    certificate = (
        Certificate.objects.filter(
            institution=institution, course_code=course_code, course_version=version
        )
        .select_related("institution", "enrolment__cohort__course")
        .first()
    )
    if certificate is None:
        raise Http404
    course: Course = certificate.enrolment.cohort.course
    language = request.GET.get("lang", "en")
    if language in {"en", "fr", "km"}:
        certificate.language = language
        certificate.course_title = getattr(course, f"title_{language}", "") or course.title_en
    document = credentials.achievement_document(certificate=certificate, course=course)
    return _json(
        {"@context": [credentials.VC_CONTEXT, credentials.OB_CONTEXT], **document},
        "application/ld+json",
    )
