"""The competency framework: what planners must be able to do, and at what level.

UNESCO's Capacity Needs Assessment Methodology (CAPNAM) looks at capacity at three levels
(enabling environment, organisational, individual) in five domains (strategic planning,
governance, financial resources, human resources, learning environment). Competencies sit in
a domain and a level and are rated on a proficiency scale; role profiles say which level each
role requires. Course learning outcomes (training app) link to the same competencies: one
model for needs and training.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Organisation
from plancampus.core.models.base import DemoFlagMixin, MultilingualNameMixin


class CapacityLevel(models.TextChoices):
    ENABLING_ENVIRONMENT = "enabling_environment", _("Enabling environment (institutional)")
    ORGANISATIONAL = "organisational", _("Organisational")
    INDIVIDUAL = "individual", _("Individual")


class FrameworkQuerySet(models.QuerySet["CompetencyFramework"]):
    def for_institutions(self, institution_ids: list[int]) -> FrameworkQuerySet:
        return self.filter(institution_id__in=institution_ids)


class CompetencyFramework(MultilingualNameMixin, DemoFlagMixin):
    """A versioned competency framework owned by an institution."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="competency_frameworks",
        verbose_name=_("institution"),
    )
    code = models.SlugField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=20, default="1")
    description = models.TextField(_("description"), blank=True)
    scale_min = models.PositiveSmallIntegerField(_("lowest proficiency level"), default=1)
    scale_max = models.PositiveSmallIntegerField(
        _("highest proficiency level"), default=5, validators=[MaxValueValidator(10)]
    )
    proficient_level = models.PositiveSmallIntegerField(
        _("proficient level"),
        default=4,
        help_text=_("The level from which a person is considered proficient."),
    )
    scale_labels = models.JSONField(
        _("level labels"),
        default=dict,
        blank=True,
        help_text=_('Labels of the levels by language, e.g. {"en": {"1": "Aware"}}.'),
    )
    head_position_titles = models.JSONField(
        _("positions that head an organisation"),
        default=list,
        blank=True,
        help_text=_(
            "Current positions (as written in the directory) of the head of an organisation, "
            'e.g. ["Director", "Chief of district office"]. In a campaign, the invited '
            "person holding one of them is designated by default to rate the organisational "
            "and institutional items for their organisation."
        ),
    )

    history = HistoricalRecords()
    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code", "version"], name="unique_framework_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} v{self.version}"

    def clean(self) -> None:
        if not (self.scale_min < self.scale_max):
            raise ValidationError({"scale_max": _("The highest level must be above the lowest.")})
        if not (self.scale_min <= self.proficient_level <= self.scale_max):
            raise ValidationError(
                {"proficient_level": _("The proficient level must lie within the scale.")}
            )

    @property
    def levels(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def is_head_position(self, position: str) -> bool:
        wanted = {title.strip().casefold() for title in self.head_position_titles}
        return bool(position.strip()) and position.strip().casefold() in wanted

    def level_label(self, level: int, language: str = "en") -> str:
        labels = self.scale_labels.get(language) or self.scale_labels.get("en") or {}
        return labels.get(str(level), str(level))


class Domain(MultilingualNameMixin):
    """A CAPNAM domain (strategic planning, governance, …) of a framework."""

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="domains"
    )
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_domain_code")
        ]

    def __str__(self) -> str:
        return self.display_name


class CompetencyQuerySet(models.QuerySet["Competency"]):
    def individual(self) -> CompetencyQuerySet:
        return self.filter(capacity_level=CapacityLevel.INDIVIDUAL)


class Competency(MultilingualNameMixin):
    """Something a person or an organisation must be able to do, in a domain and a level."""

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="competencies"
    )
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="competencies")
    capacity_level = models.CharField(
        _("capacity level"),
        max_length=30,
        choices=CapacityLevel.choices,
        default=CapacityLevel.INDIVIDUAL,
    )
    code = models.SlugField(_("code"), max_length=60)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_km = models.TextField(_("description (Khmer)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = CompetencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["framework", "domain__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_competency_code")
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.domain_id and self.framework_id and self.domain.framework_id != self.framework_id:
            raise ValidationError({"domain": _("The domain belongs to another framework.")})

    @property
    def display_description(self) -> str:
        from django.utils import translation

        language = (translation.get_language() or "en").split("-")[0]
        return getattr(self, f"description_{language}", "") or self.description_en


class RoleProfile(MultilingualNameMixin):
    """A job role (e.g. provincial planning officer) and the competencies it requires."""

    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="role_profiles"
    )
    code = models.SlugField(_("code"), max_length=60)
    position_titles = models.JSONField(
        _("position titles"),
        default=list,
        blank=True,
        help_text=_(
            "Current positions (as written in the directory) that hold this role, e.g. "
            '["Planning officer", "Chief of planning office"]. Used to invite respondents.'
        ),
    )

    class Meta:
        verbose_name = _("role profile")
        verbose_name_plural = _("role profiles")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_role_profile_code")
        ]

    def __str__(self) -> str:
        return self.display_name

    def matches_position(self, position: str) -> bool:
        wanted = {title.strip().casefold() for title in self.position_titles}
        return position.strip().casefold() in wanted


class RoleRequirement(models.Model):
    """The level a role requires in a competency, and how important it is for the role."""

    profile = models.ForeignKey(RoleProfile, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="role_requirements"
    )
    required_level = models.PositiveSmallIntegerField(
        _("required level"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    importance = models.PositiveSmallIntegerField(
        _("importance"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = marginal … 5 = essential for the role."),
    )

    class Meta:
        verbose_name = _("role requirement")
        verbose_name_plural = _("role requirements")
        constraints = [
            models.UniqueConstraint(fields=["profile", "competency"], name="unique_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.competency} ≥ {self.required_level}"

    def clean(self) -> None:
        framework = self.profile.framework
        if self.competency.framework_id != framework.pk:
            raise ValidationError({"competency": _("The competency belongs to another framework.")})
        if not (framework.scale_min <= self.required_level <= framework.scale_max):
            raise ValidationError(
                {"required_level": _("The required level lies outside the scale.")}
            )
