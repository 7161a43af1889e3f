"""Documents made in the background: the needs-assessment report and the capacity plan.

One ``DocumentExport`` is one request for a document (what it shows, its language and format)
and the file a background job made for it. The file is stored under a random folder name and
is only ever served through a view that checks who asks (``needs.access.export_for_view``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import BackgroundJob

from .campaigns import Campaign
from .plans import CapacityPlan


class DocumentKind(models.TextChoices):
    REPORT = "report", _("Needs-assessment report")
    PLAN = "plan", _("Capacity development plan")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", _("Word")


def export_path(instance: DocumentExport, filename: str) -> str:
    """A folder name nobody can guess: the file is never linked to by its storage address."""
    return f"needs/exports/{uuid.uuid4().hex}/{filename}"


class DocumentExport(models.Model):
    kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="exports"
    )
    plan = models.ForeignKey(
        CapacityPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="exports"
    )
    language = models.CharField(_("language"), max_length=10)
    file_format = models.CharField(_("format"), max_length=10, choices=DocumentFormat.choices)
    data_version = models.CharField(
        max_length=64,
        help_text="Digest of the data the document shows; an export of the same version is reused.",
    )
    job = models.OneToOneField(
        BackgroundJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_export",
    )
    file = models.FileField(upload_to=export_path, max_length=255, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)

    class Meta:
        verbose_name = _("document export")
        verbose_name_plural = _("document exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["campaign", "language", "file_format", "-created_at"],
                name="needs_export_campaign",
            ),
            models.Index(
                fields=["plan", "language", "file_format", "-created_at"],
                name="needs_export_plan",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=DocumentKind.REPORT, campaign__isnull=False, plan__isnull=True)
                    | Q(kind=DocumentKind.PLAN, plan__isnull=False, campaign__isnull=True)
                ),
                name="needs_export_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format_label}, {self.language_label})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("needs-export", args=[self.pk])

    @property
    def language_label(self) -> str:
        return str(dict(settings.LANGUAGES).get(self.language, self.language))

    @property
    def format_label(self) -> str:
        return str(self.get_file_format_display())

    @property
    def is_ready(self) -> bool:
        """The file is made and can be downloaded."""
        return bool(self.file) and self.generated_at is not None

    @property
    def is_running(self) -> bool:
        return not self.is_ready and self.job is not None and not self.job.is_finished

    @property
    def has_failed(self) -> bool:
        return not self.is_ready and not self.is_running
