"""The capacity development plan agreed after a needs assessment.

A plan has objectives; each objective has SMART indicators (baseline, target, measurements
over time) and interventions (training, coaching, tools, organisational change) with a
responsible unit, a timeline, a cost and a status. Objectives and interventions link to the
competencies whose gaps they answer.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation
from plancampus.core.models.base import DemoFlagMixin, MultilingualNameMixin

from .campaigns import Campaign
from .framework import CapacityLevel, Competency, Domain


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATED = "validated", _("Validated")
    IN_PROGRESS = "in_progress", _("Being implemented")
    COMPLETED = "completed", _("Completed")


class CapacityPlan(MultilingualNameMixin, DemoFlagMixin):
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="capacity_plans",
        verbose_name=_("institution"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("needs assessment"),
        help_text=_("The assessment whose gaps the plan answers."),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capacity development plan")
        verbose_name_plural = _("capacity development plans")
        ordering = ["-start_year", "name_en"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("needs-plan", args=[self.pk])

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The plan cannot end before it starts.")})


class Objective(MultilingualNameMixin):
    plan = models.ForeignKey(CapacityPlan, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    domain = models.ForeignKey(
        Domain,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("domain"),
    )
    capacity_level = models.CharField(
        _("capacity level"), max_length=30, choices=CapacityLevel.choices, blank=True
    )
    gaps = models.ManyToManyField(
        Competency, blank=True, related_name="+", verbose_name=_("gaps answered")
    )

    # Audited like the plan and its interventions: a deleted objective stays in the history.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.display_name


class Indicator(MultilingualNameMixin):
    """A SMART indicator: what is measured, in which unit, from what baseline to what target."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    unit = models.CharField(_("unit"), max_length=60, help_text=_("e.g. %, number of staff"))
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    means_of_verification = models.CharField(_("means of verification"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["objective", "id"]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.baseline_year and self.target_year and self.target_year < self.baseline_year:
            raise ValidationError({"target_year": _("The target year must follow the baseline.")})

    def progress_percent(self, latest: Decimal | None) -> int | None:
        """How far ``latest`` has gone from the baseline towards the target (0–100)."""
        if latest is None or self.target_value == self.baseline_value:
            return None
        share = (latest - self.baseline_value) / (self.target_value - self.baseline_value)
        return max(0, min(100, round(share * 100)))


class IndicatorMeasurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Progress entries: a deleted one stays in the history, with who deleted it.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "measured_on", "id"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.measured_on})"


class InterventionKind(models.TextChoices):
    TRAINING = "training", _("Training")
    COACHING = "coaching", _("Coaching and mentoring")
    TOOLS = "tools", _("Tools and guidelines")
    ORGANISATIONAL_CHANGE = "organisational_change", _("Organisational change")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class Intervention(MultilingualNameMixin):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(_("kind"), max_length=30, choices=InterventionKind.choices)
    responsible_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    responsible_note = models.CharField(
        _("responsible (in words)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. NIE training department with the planning directorate"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    cost = models.DecimalField(
        _("cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InterventionStatus.choices,
        default=InterventionStatus.PLANNED,
    )
    progress_note = models.CharField(_("progress note"), max_length=255, blank=True)
    gaps = models.ManyToManyField(
        Competency, blank=True, related_name="+", verbose_name=_("gaps answered")
    )

    # The history keeps every change of status: progress over time.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["objective", "starts_on", "id"]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An intervention cannot end before it starts.")})
