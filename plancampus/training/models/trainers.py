"""Trainers: their profile, the courses they may teach, and the external programmes (such as
IIEP's Advanced Training Programme) they took part in.

The training-of-trainers cascade is not stored: it is derived from cohorts, their trainers and
their completers (``plancampus.training.services.cascade``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation, Person
from plancampus.core.models.base import DemoFlagMixin, MultilingualNameMixin

from .courses import Course


class TrainerProfileQuerySet(models.QuerySet["TrainerProfile"]):
    def for_institutions(self, institution_ids: list[int] | set[int]) -> TrainerProfileQuerySet:
        return self.filter(institution_id__in=institution_ids)

    def active(self) -> TrainerProfileQuerySet:
        return self.filter(is_active=True)


class TrainerProfile(DemoFlagMixin):
    """A person who trains for an institution: qualifications and the courses they may teach."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="trainer_profiles", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="trainer_profiles",
        verbose_name=_("institution"),
    )
    qualifications = models.TextField(
        _("qualifications"),
        blank=True,
        help_text=_("Degrees, certifications and experience, in words."),
    )
    expertise = models.CharField(
        _("areas of expertise"),
        max_length=255,
        blank=True,
        help_text=_("e.g. projections and costing; teacher management"),
    )
    courses = models.ManyToManyField(
        Course,
        blank=True,
        related_name="qualified_trainers",
        verbose_name=_("courses they may teach"),
        help_text=_("Any version of these courses."),
    )
    trainer_since = models.PositiveSmallIntegerField(
        _("trainer since (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = TrainerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("trainer profile")
        verbose_name_plural = _("trainer profiles")
        ordering = ["institution", "person__name_latin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "institution"], name="unique_trainer_profile")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.institution}"

    def clean(self) -> None:
        if self.institution_id and not self.institution.is_institution:
            raise ValidationError(
                {"institution": _("A trainer profile belongs to a training institution.")}
            )

    def may_teach(self, course: Course) -> bool:
        """Whether a version of ``course`` is among the courses this trainer may teach (any
        version of the same course qualifies). Uses the prefetched courses when present."""
        return any(
            c.institution_id == course.institution_id and c.code == course.code
            for c in self.courses.all()
        )


class ExternalProgrammeKind(models.TextChoices):
    ADVANCED_TRAINING = "advanced_training", _("Advanced training programme (Master's level)")
    SPECIALIZED_COURSES = "specialized_courses", _("Specialized courses programme")
    VIRTUAL_CAMPUS = "virtual_campus", _("Virtual campus (distance courses)")
    OTHER = "other", _("Other programme")


class ExternalProgramme(MultilingualNameMixin):
    """A programme run by another institution, e.g. IIEP's Advanced Training Programme."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="external_programmes",
        verbose_name=_("provider"),
    )
    code = models.SlugField(_("code"), max_length=60, help_text=_("e.g. iiep-atp"))
    kind = models.CharField(_("kind"), max_length=30, choices=ExternalProgrammeKind.choices)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("external programme")
        verbose_name_plural = _("external programmes")
        ordering = ["provider", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="unique_external_programme")
        ]

    def __str__(self) -> str:
        return self.display_name


class ParticipationResult(models.TextChoices):
    COMPLETED = "completed", _("Completed (certificate or diploma)")
    ATTENDED = "attended", _("Attended")
    NOT_COMPLETED = "not_completed", _("Did not complete")
    ONGOING = "ongoing", _("Ongoing")


class ExternalParticipationQuerySet(models.QuerySet["ExternalParticipation"]):
    def completed(self) -> ExternalParticipationQuerySet:
        return self.filter(result=ParticipationResult.COMPLETED)


class ExternalParticipation(DemoFlagMixin):
    """A person's participation in an external programme in a year, and its result."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="external_participations",
        verbose_name=_("person"),
    )
    programme = models.ForeignKey(
        ExternalProgramme,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("programme"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    result = models.CharField(_("result"), max_length=20, choices=ParticipationResult.choices)
    course_title = models.CharField(
        _("course or specialisation"),
        max_length=255,
        blank=True,
        help_text=_("e.g. the specialized course taken, or the ATP specialisation."),
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ExternalParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("external programme participation")
        verbose_name_plural = _("external programme participations")
        ordering = ["person", "-year", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme", "year", "course_title"],
                name="unique_external_participation",
            )
        ]
        indexes = [models.Index(fields=["programme", "result"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.programme} {self.year}"

    @property
    def is_completed(self) -> bool:
        return self.result == ParticipationResult.COMPLETED


__all__ = [
    "ExternalParticipation",
    "ExternalProgramme",
    "ExternalProgrammeKind",
    "ParticipationResult",
    "TrainerProfile",
]
