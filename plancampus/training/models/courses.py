"""Programmes, courses and their design (outcomes ↔ competencies, modules, assessment)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation, Person
from plancampus.core.models.base import DemoFlagMixin, MultilingualNameMixin
from plancampus.needs.models import Competency, RoleProfile

from .base import MultilingualTitleMixin, current_language, plain

HUNDRED = Decimal(100)


class ProgrammeKind(models.TextChoices):
    IN_SERVICE = "in_service", _("In-service training")
    TRAINING_OF_TRAINERS = "training_of_trainers", _("Training of trainers")
    MASTERS = "masters", _("Master's degree (pre-service)")
    DOCTORATE = "doctorate", _("Doctorate (pre-service)")
    OTHER = "other", _("Other")


# Degree programmes enrol students for several years (``ProgrammeStudent``); their courses
# are taught in cohorts like any other, but they are not short-course training: the coverage
# dashboard and the cascade leave them out (docs/how-to/read-the-coverage-dashboard.md).
DEGREE_KINDS = (ProgrammeKind.MASTERS, ProgrammeKind.DOCTORATE)


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def for_institutions(self, institution_ids: list[int]) -> ProgrammeQuerySet:
        return self.filter(institution_id__in=institution_ids)

    def degrees(self) -> ProgrammeQuerySet:
        return self.filter(kind__in=DEGREE_KINDS)


class Programme(MultilingualNameMixin, DemoFlagMixin):
    """A programme of an institution: in-service training, training of trainers, a degree."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="training_programmes",
        verbose_name=_("institution"),
    )
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["institution", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unique_programme_code")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_training_of_trainers(self) -> bool:
        return self.kind == ProgrammeKind.TRAINING_OF_TRAINERS

    @property
    def is_degree(self) -> bool:
        """A Master's or a Doctorate: it has students (by intake), not only participants."""
        return self.kind in DEGREE_KINDS


class CourseMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")


class CourseQuerySet(models.QuerySet["Course"]):
    def for_institutions(self, institution_ids: list[int]) -> CourseQuerySet:
        return self.filter(institution_id__in=institution_ids)

    def current(self) -> CourseQuerySet:
        return self.filter(is_current=True)


class Course(MultilingualTitleMixin, DemoFlagMixin):
    """One version of a course. A new version is a new row; the old one stays, and a cohort
    keeps the version it ran."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="training_courses",
        verbose_name=_("institution"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("programme"),
    )
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Stable across versions, e.g. epm-fundamentals.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("previous version"),
    )
    delivery_languages = models.JSONField(
        _("delivery languages"),
        default=list,
        blank=True,
        help_text=_('Language codes, e.g. ["km", "en"].'),
    )
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal(0))]
    )
    credits = models.DecimalField(
        _("credits"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("For the courses of a degree programme; empty for short courses."),
    )
    mode = models.CharField(
        _("mode"), max_length=20, choices=CourseMode.choices, default=CourseMode.IN_PERSON
    )
    target_roles = models.ManyToManyField(
        RoleProfile, blank=True, related_name="courses", verbose_name=_("target roles")
    )
    target_audience = models.CharField(
        _("target audience"),
        max_length=255,
        blank=True,
        help_text=_("In words, e.g. finance staff of provincial offices."),
    )
    # Completion rules: a participant completes the course when both hold.
    min_attendance_percent = models.DecimalField(
        _("minimum attendance (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HUNDRED)],
    )
    pass_mark = models.DecimalField(
        # xgettext:no-python-format
        _("pass mark (% of the weighted final mark)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HUNDRED)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["institution", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code", "version"], name="unique_course_version"
            ),
            models.UniqueConstraint(
                fields=["institution", "code"],
                condition=models.Q(is_current=True),
                name="one_current_course_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} (v{self.version})"

    def clean(self) -> None:
        if self.programme_id and self.programme.institution_id != self.institution_id:
            raise ValidationError({"programme": _("The programme belongs to another institution.")})
        known = {code for code, _name in settings.LANGUAGES} | {"km", "en", "fr", "lo", "vi"}
        unknown = [code for code in self.delivery_languages or [] if code not in known]
        if unknown:
            raise ValidationError(
                {
                    "delivery_languages": _("Unknown language code(s): %(codes)s.")
                    % {"codes": ", ".join(map(str, unknown))}
                }
            )

    @property
    def is_training_of_trainers(self) -> bool:
        return bool(self.programme_id) and self.programme.is_training_of_trainers

    def assessment_weight_total(self) -> Decimal:
        return sum((m.weight for m in self.modalities.all()), Decimal(0))

    def assessment_problems(self) -> list[str]:
        """What keeps the assessment design from being usable (weights must sum to 100)."""
        modalities = list(self.modalities.all())
        if not modalities:
            return []
        total = sum((m.weight for m in modalities), Decimal(0))
        if total != HUNDRED:
            return [
                str(
                    _(
                        "The weights of the assessment modalities add up to %(total)s %%, not 100 %%."
                    )
                    % {"total": plain(total)}
                )
            ]
        return []

    def final_mark(
        self, values: dict[int, Decimal], modalities: list[AssessmentModality] | None = None
    ) -> Decimal | None:
        """Weighted final mark in % from ``{modality_id: value}``; None if a mark is missing.

        Pass ``modalities`` (the course's) when computing many final marks: one query."""
        if modalities is None:
            modalities = list(self.modalities.all())
        if not modalities:
            return None
        total = Decimal(0)
        for modality in modalities:
            value = values.get(modality.pk)
            if value is None:
                return None
            total += modality.weight * value / modality.max_mark
        return total.quantize(Decimal("0.01"))


class LearningOutcome(models.Model):
    """What participants will be able to do after the course, linked to competencies."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_en = models.TextField(_("outcome (English)"))
    text_fr = models.TextField(_("outcome (French)"), blank=True)
    text_km = models.TextField(_("outcome (Khmer)"), blank=True)
    competencies = models.ManyToManyField(
        Competency,
        through="OutcomeCompetency",
        related_name="learning_outcomes",
        verbose_name=_("competencies developed"),
    )

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.display_text[:80]

    @property
    def display_text(self) -> str:
        return getattr(self, f"text_{current_language()}", "") or self.text_en


class OutcomeCompetency(models.Model):
    """A competency an outcome develops, and the proficiency level it aims at."""

    outcome = models.ForeignKey(
        LearningOutcome, on_delete=models.CASCADE, related_name="competency_links"
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="outcome_links"
    )
    target_level = models.PositiveSmallIntegerField(
        _("level targeted"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )

    class Meta:
        verbose_name = _("competency developed")
        verbose_name_plural = _("competencies developed")
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "competency"], name="unique_outcome_competency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competency} → {self.target_level}"

    def clean(self) -> None:
        framework = self.competency.framework
        if framework.institution_id != self.outcome.course.institution_id:
            raise ValidationError(
                {"competency": _("The competency belongs to another institution's framework.")}
            )
        if not (framework.scale_min <= self.target_level <= framework.scale_max):
            raise ValidationError(
                {
                    "target_level": _("The level must lie between %(low)s and %(high)s.")
                    % {"low": framework.scale_min, "high": framework.scale_max}
                }
            )


class CourseModule(models.Model):
    """A module or activity of the course, with its hours and teaching methods."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    title_km = models.CharField(_("title (Khmer)"), max_length=255, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal(0))]
    )
    methods = models.CharField(
        _("methods"),
        max_length=255,
        blank=True,
        help_text=_("e.g. lecture, group work, case study, exercise on the provincial data"),
    )

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return getattr(self, f"title_{current_language()}", "") or self.title_en


class AssessmentModality(MultilingualNameMixin):
    """A way participants are assessed (exercise, exam, plan), with its weight and scale."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modalities")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(HUNDRED)],
    )
    max_mark = models.DecimalField(
        _("maximum mark"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(20),
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("assessment modality")
        verbose_name_plural = _("assessment modalities")
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name_en"], name="unique_modality_name")
        ]

    def __str__(self) -> str:
        return self.display_name


class DesignWorkshop(models.Model):
    """The workshop in which the course was co-designed, and who took part."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="workshops")
    date = models.DateField(_("date"))
    end_date = models.DateField(_("last day"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="design_workshops",
        verbose_name=_("organisations represented"),
    )
    participants = models.ManyToManyField(
        Person, blank=True, related_name="design_workshops", verbose_name=_("participants")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("design workshop")
        verbose_name_plural = _("design workshops")
        ordering = ["course", "date"]

    def __str__(self) -> str:
        return f"{self.course} — {self.date}"

    def clean(self) -> None:
        if self.end_date and self.end_date < self.date:
            raise ValidationError({"end_date": _("The workshop cannot end before it starts.")})
