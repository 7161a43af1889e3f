"""Open Badges 3.0 credentials: the institution's keys, the signed credential of a
certificate, the issuer profile and the revocation status list.

Formats (docs/reference/credentials.md explains each choice):

- The credential is an ``OpenBadgeCredential`` (Open Badges 3.0, Verifiable Credentials
  Data Model 2.0 contexts), secured as a VC-JWT: a compact JWS signed with the institution's
  Ed25519 key (``alg`` EdDSA). As the Open Badges 3.0 JSON Web Token proof format asks for a
  VCDM 2.0 credential, the JWT payload *is* the credential, with the registered claims
  ``iss`` (issuer.id), ``jti`` (id), ``nbf`` (validFrom) and ``sub`` (credentialSubject.id)
  added; there is no ``vc`` wrapper (that was the VCDM 1.1 mapping).
- The JOSE header's ``kid`` is a URL: the institution's JWKS URL, then ``#`` and the key's
  RFC 7638 thumbprint, which is the ``kid`` of the key inside the JWKS.
- Revocation is a W3C Bitstring Status List: each certificate owns one bit of its
  institution's list; the list is itself a signed credential, made when it is asked for.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import warnings
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc import jwt
from joserfc.jwk import OKPKey

from plancampus.core.models import Organisation, User

from ..models import Certificate, Course, IssuerKey
from ..models.certificates import STATUS_LIST_SIZE

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ALGORITHM = "EdDSA"
JWT_MEDIA_TYPE = "application/vc+jwt"


# --- Addresses ---------------------------------------------------------------------------


def _absolute(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def issuer_url(institution: Organisation) -> str:
    """The issuer's id: a URL answering its Open Badges ``Profile`` as JSON."""
    return _absolute("certificates:issuer", institution.code)


def jwks_url(institution: Organisation) -> str:
    return _absolute("certificates:issuer-jwks", institution.code)


def status_list_url(institution: Organisation, list_number: int) -> str:
    return _absolute("certificates:status-list", institution.code, list_number)


def achievement_url(institution: Organisation, course_code: str, version: int) -> str:
    return _absolute("certificates:achievement", institution.code, course_code, version)


# --- Keys --------------------------------------------------------------------------------


def _new_key(institution: Organisation) -> IssuerKey:
    key = OKPKey.generate_key("Ed25519")
    public = key.as_dict(private=False)
    kid = key.thumbprint()
    return IssuerKey(
        institution=institution,
        kid=kid,
        private_key_pem=key.as_pem(private=True).decode("ascii"),
        public_jwk={**public, "kid": kid, "use": "sig", "alg": ALGORITHM},
    )


def issuer_key_for(*, institution: Organisation) -> IssuerKey:
    """The institution's active signing key, made on first use."""
    key = IssuerKey.objects.active().filter(institution=institution).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key(institution)
            key.save()
            return key
    except IntegrityError:
        # Another process made it at the same moment: use theirs.
        return IssuerKey.objects.active().get(institution=institution)


ROTATION_REASON_MAX_LENGTH = 1000


@transaction.atomic
def issuer_key_rotate(
    *, institution: Organisation, reason: str, user: User | None = None
) -> IssuerKey:
    """Retire the active key (it stays published, so that credentials it signed still
    verify) and make a new one for the credentials signed from now on.

    Audited: the retired key's and the new key's history record ``user`` and ``reason``
    (the reason is also kept on the retired key). Two rotations at once are serialised on
    the institution's row; each retires the key active when it runs.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext_lazy("Say why the key is rotated: the reason is kept on record.")}
        )
    if len(reason) > ROTATION_REASON_MAX_LENGTH:
        raise ValidationError({"reason": gettext_lazy("Keep the reason under 1,000 characters.")})
    Organisation.objects.select_for_update().filter(pk=institution.pk).first()
    now = timezone.now()
    for old in IssuerKey.objects.select_for_update().active().filter(institution=institution):
        old.is_active = False
        old.retired_at = now
        old.retired_by = user
        old.retirement_reason = reason
        old._history_user = user  # type: ignore[attr-defined]
        old._change_reason = reason[:100]  # type: ignore[attr-defined]
        old.save(update_fields=["is_active", "retired_at", "retired_by", "retirement_reason"])
    key = _new_key(institution)
    key.created_by = user
    key._history_user = user  # type: ignore[attr-defined]
    key._change_reason = reason[:100]  # type: ignore[attr-defined]
    key.save()
    return key


def issuer_keys_listing(institution_ids: Iterable[int]) -> list[IssuerKey]:
    """The keys of these institutions, newest first, each with ``signed`` (how many
    certificates it signed) and the users who created and retired it: one query."""
    return list(
        IssuerKey.objects.filter(institution_id__in=list(institution_ids))
        .select_related("created_by", "retired_by")
        .annotate(signed=Count("certificates"))
        .order_by("institution_id", "-is_active", "-created_at", "-pk")
    )


def key_header_id(key: IssuerKey) -> str:
    """The JOSE header's ``kid``: dereference the URL, pick the key with the fragment as kid."""
    return f"{jwks_url(key.institution)}#{key.kid}"


def jwks_document(*, institution: Organisation) -> dict[str, Any]:
    """Every public key of the institution, the retired ones included. Never a private part."""
    keys = IssuerKey.objects.filter(institution=institution).order_by("-is_active", "-created_at")
    public_members = ("kty", "crv", "x", "kid", "use", "alg")
    return {"keys": [{k: key.public_jwk[k] for k in public_members} for key in keys]}


def _sign(header: dict[str, Any], claims: dict[str, Any], key: IssuerKey) -> str:
    private = OKPKey.import_key(key.private_key_pem)
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as superseded by RFC 9864's "Ed25519"; Open Badges verifiers
        # and JOSE libraries know "EdDSA", so it stays (docs/reference/credentials.md).
        warnings.simplefilter("ignore")
        return jwt.encode(header, claims, private, algorithms=[ALGORITHM])


def _header(key: IssuerKey) -> dict[str, Any]:
    return {"alg": ALGORITHM, "typ": "JWT", "kid": key_header_id(key)}


# --- Profiles and achievements -------------------------------------------------------------


def _name_in(obj: Any, language: str, prefix: str = "name") -> str:
    return getattr(obj, f"{prefix}_{language}", "") or getattr(obj, f"{prefix}_en")


def issuer_profile(*, institution: Organisation, language: str = "en") -> dict[str, Any]:
    """The Open Badges ``Profile`` of the institution (the issuer)."""
    profile: dict[str, Any] = {
        "id": issuer_url(institution),
        "type": ["Profile"],
        "name": _name_in(institution, language),
    }
    if institution.website:
        profile["url"] = institution.website
    return profile


def issuer_profile_document(*, institution: Organisation) -> dict[str, Any]:
    """The JSON answered at the issuer's id, with the address of its keys."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        **issuer_profile(institution=institution),
        "otherIdentifier": [
            {
                "type": "IdentifierEntry",
                "identifier": institution.code,
                "identifierType": "identifier",
            }
        ],
        # Not an Open Badges term: where a verifier finds the public keys.
        "jwks_uri": jwks_url(institution),
    }


def completion_criteria(course: Course, language: str) -> str:
    """The course's completion rules in words, for ``criteria.narrative``."""
    values = {
        "attendance": course.min_attendance_percent.normalize(),
        "mark": course.pass_mark.normalize(),
    }
    with translation.override(language):
        if course.modalities.exists():
            return (
                _(
                    "Attended at least %(attendance)s %% of the sessions and obtained a weighted "
                    "final mark of at least %(mark)s %%."
                )
                % values
            )
        return _("Attended at least %(attendance)s %% of the sessions.") % values


def achievement_document(*, certificate: Certificate, course: Course) -> dict[str, Any]:
    """The ``Achievement`` a certificate of completion of ``course`` stands for."""
    language = certificate.language
    institution = certificate.institution
    description = _name_in(course, language, "description") or _name_in(course, language, "title")
    return {
        "id": achievement_url(institution, course.code, course.version),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.course_title,
        "description": description,
        "criteria": {"narrative": completion_criteria(course, language)},
        # Open Badges has no "hours" term: creditsAvailable carries the course's contact
        # hours (documented in docs/reference/credentials.md).
        "creditsAvailable": float(certificate.hours),
        "humanCode": f"{course.code} v{course.version}",
        "inLanguage": language,
        "creator": issuer_profile(institution=institution, language=language),
    }


# --- The credential ----------------------------------------------------------------------


def _datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day(value: dt.date) -> str:
    """A calendar date as a DateTime at midnight in the institution's time zone."""
    midnight = dt.datetime.combine(value, dt.time(), tzinfo=timezone.get_default_timezone())
    return midnight.isoformat()


def _numeric(value: dt.datetime) -> int:
    return int(value.replace(microsecond=0).timestamp())


def credential_document(*, certificate: Certificate, course: Course) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` of a certificate."""
    institution = certificate.institution
    language = certificate.language
    issued = _datetime(certificate.issued_at)
    status_url = status_list_url(institution, certificate.status_list)
    with translation.override(language):
        name = _("%(course)s — certificate of completion") % {"course": certificate.course_title}
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": certificate.verification_url(),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": issuer_profile(institution=institution, language=language),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "id": f"urn:uuid:{certificate.subject_uuid}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": achievement_document(certificate=certificate, course=course),
            "creditsEarned": float(certificate.hours),
            "activityStartDate": _day(certificate.start_date),
            "activityEndDate": _day(certificate.end_date),
        },
        "credentialStatus": {
            "id": f"{status_url}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def credential_sign(*, certificate: Certificate, course: Course, key: IssuerKey) -> str:
    """The certificate's credential as a compact VC-JWT signed with ``key``."""
    credential = credential_document(certificate=certificate, course=course)
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": _numeric(certificate.issued_at),
        "sub": credential["credentialSubject"]["id"],
    }
    return _sign(_header(key), claims, key)


# --- Revocation: the Bitstring Status List ---------------------------------------------------


def encode_status_list(revoked_indexes: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """W3C Bitstring Status List ``encodedList``: bit 0 is the most significant bit of the
    first byte; GZIP, then base64url without padding, with the multibase prefix ``u``.

    >>> encode_status_list([]) == encode_status_list([], size=STATUS_LIST_SIZE)
    True
    >>> decode_status_list(encode_status_list([0, 9]))[:2]
    b'\\x80@'
    """
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always compresses to the same bytes.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_status_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (the inverse of :func:`encode_status_list`)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def status_list_credential(*, institution: Organisation, list_number: int) -> str:
    """The institution's status list, signed now: bit *i* is set when the certificate with
    ``status_index`` *i* in this list is revoked."""
    key = issuer_key_for(institution=institution)
    revoked = (
        Certificate.objects.filter(institution=institution, status_list=list_number)
        .revoked()
        .values_list("status_index", flat=True)
    )
    url = status_list_url(institution, list_number)
    now = timezone.now()
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(institution),
        "validFrom": _datetime(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked),
        },
    }
    claims = {
        **credential,
        "iss": credential["issuer"],
        "jti": url,
        "nbf": _numeric(now),
        "sub": credential["credentialSubject"]["id"],
    }
    return _sign(_header(key), claims, key)


def hours_label(hours: Decimal) -> str:
    """30.0 → "30", 12.5 → "12.5"."""
    return f"{hours.normalize():f}"
