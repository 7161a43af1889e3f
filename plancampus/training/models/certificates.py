"""Certificates of completion and the keys that sign their verifiable credentials.

A ``Certificate`` certifies one completed enrolment. An enrolment has at most one *valid*
(unrevoked) certificate at a time (a conditional unique constraint); once that one is
revoked, a new one (new number, verification id and credential) may be issued, and the
revoked one stays, so that its verification page and status entry keep saying "revoked".
It keeps a snapshot of what it
certifies (holder, course, dates, hours), so that a later change to a name or a course does
not change a document already handed out. Its public verification id is random and
unguessable; the verification page and the signed credential are reached through it.

An ``IssuerKey`` is an institution's Ed25519 key pair: the private half never leaves the
server, the public half is published as a JWK (see docs/reference/credentials.md).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation

from .cohorts import Enrolment

# The language a certificate is printed in: one the certificate template is translated to.
CERTIFICATE_LANGUAGES = [("km", _("Khmer")), ("en", _("English")), ("fr", _("French"))]
CERTIFICATE_LANGUAGE_CODES = {code for code, _name in CERTIFICATE_LANGUAGES}

# A W3C Bitstring Status List holds at least 131,072 entries (16 KiB), so that a verifier
# fetching it learns nothing about which certificate it is checking.
STATUS_LIST_SIZE = 131_072


def new_verification_id() -> str:
    """22 URL-safe characters, 128 random bits: cannot be guessed or enumerated."""
    return secrets.token_urlsafe(16)


class IssuerKeyQuerySet(models.QuerySet["IssuerKey"]):
    def active(self) -> IssuerKeyQuerySet:
        return self.filter(is_active=True)


class IssuerKey(models.Model):
    """An institution's Ed25519 signing key. ``kid`` is the RFC 7638 thumbprint of the
    public JWK; retired keys stay (inactive) so that older credentials still verify.
    Rotations are recorded in the history (who, when, why), never the private key."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="issuer_keys",
        verbose_name=_("institution"),
    )
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    private_key_pem = models.TextField(_("private key (PEM, server-side only)"), editable=False)
    public_jwk = models.JSONField(_("public key (JWK)"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_active = models.BooleanField(_("used for new credentials"), default=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retired by"),
    )
    retirement_reason = models.TextField(_("reason for the rotation"), blank=True)

    history = HistoricalRecords(excluded_fields=["private_key_pem"])
    objects = IssuerKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        ordering = ["institution", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"], condition=Q(is_active=True), name="one_active_issuer_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution.code} {self.kid[:12]}"


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def for_cohort(self, cohort_id: int) -> CertificateQuerySet:
        return self.filter(enrolment__cohort_id=cohort_id)

    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=False)

    def pending(self) -> CertificateQuerySet:
        """Issued, but the PDF and the signed credential are not made yet."""
        return self.filter(rendered_at__isnull=True)


class Certificate(models.Model):
    """A certificate of completion of one enrolment, with its signed credential. At most one
    valid certificate per enrolment; revoked ones stay beside it."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="certificates")
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("issuer"),
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence in the year"))
    verification_id = models.CharField(
        _("public verification id"), max_length=32, unique=True, default=new_verification_id
    )
    subject_uuid = models.UUIDField(
        _("holder id in the credential"), default=uuid.uuid4, unique=True, editable=False
    )
    language = models.CharField(_("language"), max_length=8, choices=CERTIFICATE_LANGUAGES)
    # What the certificate says, as issued.
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_name_km = models.CharField(_("holder (Khmer script)"), max_length=200, blank=True)
    course_title = models.CharField(_("course"), max_length=255)
    course_code = models.CharField(_("course code"), max_length=60)
    course_version = models.PositiveSmallIntegerField(_("course version"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # Made by the background task once the rows exist.
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/", blank=True)
    credential_jwt = models.TextField(_("signed credential (VC-JWT)"), blank=True)
    issuer_key = models.ForeignKey(
        IssuerKey, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    rendered_at = models.DateTimeField(_("PDF and credential made at"), null=True, blank=True)
    # Position in the institution's Bitstring Status List (revocation).
    status_list = models.PositiveSmallIntegerField(default=1)
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    # The signed credential is derived data: the history keeps who did what, not copies of it.
    history = HistoricalRecords(excluded_fields=["credential_jwt"])
    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["institution", "-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "sequence"], name="unique_certificate_sequence"
            ),
            models.UniqueConstraint(
                fields=["institution", "status_list", "status_index"],
                name="unique_certificate_status_entry",
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_certificate_per_enrolment",
                violation_error_message=_("This participant already has a valid certificate."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.holder_name}"

    def get_absolute_url(self) -> str:
        return reverse("certificates:verify", args=[self.verification_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_ready(self) -> bool:
        """The PDF and the signed credential exist."""
        return self.rendered_at is not None

    def verification_url(self) -> str:
        """The public address printed as a QR code, and the credential's id."""
        return settings.SITE_URL + self.get_absolute_url()

    def display_holder(self, language: str) -> str:
        if language == "km" and self.holder_name_km:
            return self.holder_name_km
        return self.holder_name

    def pdf_filename(self) -> str:
        return f"certificate-{self.number}.pdf"
