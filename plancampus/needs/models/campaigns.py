"""Assessment campaigns: who is asked, what they answered, and the imports of answers.

A campaign asks the staff of some organisations, in some roles, over a period, to rate the
competencies of a framework. Each invited person is a ``Respondent`` (with the role and the
organisation they held when invited); each of their ratings is an ``Answer``. Answers come
from the web form or from an import of a KoboToolbox / ODK export (``SubmissionImport``,
which keeps the report of every row).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plancampus.core.models import Area, Organisation, Person
from plancampus.core.models.base import DemoFlagMixin, MultilingualNameMixin

from .framework import CapacityLevel, Competency, CompetencyFramework, RoleProfile


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class OrganisationalAnswers(models.TextChoices):
    """Who rates a campaign's organisational and institutional items."""

    DESIGNATED = "designated", _("The designated respondent of each organisation")
    EVERYONE = "everyone", _("Every respondent (as campaigns did before designation)")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def for_institutions(self, institution_ids: list[int]) -> CampaignQuerySet:
        return self.filter(institution_id__in=institution_ids)

    def with_counts(self) -> CampaignQuerySet:
        return self.annotate(
            respondent_count=models.Count("respondents", distinct=True),
            submitted_count=models.Count(
                "respondents",
                filter=models.Q(respondents__status=RespondentStatus.SUBMITTED),
                distinct=True,
            ),
        )


class Campaign(MultilingualNameMixin, DemoFlagMixin):
    """A needs assessment: a questionnaire generated from a framework, for some people."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="needs_campaigns",
        verbose_name=_("institution"),
    )
    framework = models.ForeignKey(
        CompetencyFramework,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("competency framework"),
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Short identifier, used in the XLSForm's form id, e.g. poe-2026."),
    )
    baseline = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reassessments",
        verbose_name=_("baseline campaign"),
        help_text=_("The earlier campaign this one re-assesses, to compare with."),
    )
    starts_on = models.DateField(_("opens on"))
    ends_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    form_version = models.CharField(
        _("form version"),
        max_length=40,
        help_text=_(
            "Written into the XLSForm; an import of answers given with another version of the "
            "form is refused."
        ),
    )
    target_organisations = models.ManyToManyField(
        Organisation,
        related_name="+",
        blank=True,
        verbose_name=_("organisations assessed"),
    )
    target_roles = models.ManyToManyField(
        RoleProfile, related_name="campaigns", verbose_name=_("roles assessed")
    )
    description = models.TextField(_("description"), blank=True)
    organisational_answers = models.CharField(
        _("organisational items rated by"),
        max_length=20,
        choices=OrganisationalAnswers.choices,
        default=OrganisationalAnswers.DESIGNATED,
        help_text=_(
            "The organisational and institutional items are about the organisation, not the "
            "person: by default only the designated respondent of each organisation (e.g. "
            "the office director) rates them, and the analysis uses their ratings."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    answers_changed_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="Moved forward whenever answers change; keys the analysis cache.",
    )

    # The targets are audited with the fields: editing them changes who is assessed.
    history = HistoricalRecords(
        excluded_fields=["answers_changed_at"],
        m2m_fields=[target_organisations, target_roles],
    )
    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment campaign")
        verbose_name_plural = _("assessment campaigns")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unique_campaign_code")
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A campaign cannot close before it opens.")})
        if self.baseline_id and self.pk and self.baseline_id == self.pk:
            raise ValidationError({"baseline": _("A campaign cannot be its own baseline.")})
        if (
            self.baseline_id
            and self.framework_id
            and self.baseline.framework_id != self.framework_id
        ):
            raise ValidationError(
                {"baseline": _("The baseline must use the same competency framework.")}
            )

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN

    @property
    def uses_designated_respondents(self) -> bool:
        return self.organisational_answers == OrganisationalAnswers.DESIGNATED

    @property
    def xlsform_id(self) -> str:
        """The XLSForm ``form_id``: letters, digits and underscores only."""
        return "plancampus_" + self.code.replace("-", "_")

    def touch_answers(self) -> None:
        """Mark the answers as changed (the analysis cache is keyed on this)."""
        self.answers_changed_at = timezone.now()
        type(self).objects.filter(pk=self.pk).update(answers_changed_at=self.answers_changed_at)


class RespondentStatus(models.TextChoices):
    INVITED = "invited", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class AnswerSource(models.TextChoices):
    WEB = "web", _("Web form")
    IMPORT = "import", _("Imported (KoboToolbox / ODK)")
    SYNTHETIC = "synthetic", _("Synthetic demo answers")


class RespondentQuerySet(models.QuerySet["Respondent"]):
    def submitted(self) -> RespondentQuerySet:
        return self.filter(status=RespondentStatus.SUBMITTED)

    def with_relations(self) -> RespondentQuerySet:
        return self.select_related("person", "role", "organisation", "province")

    def designated(self) -> RespondentQuerySet:
        return self.filter(rates_organisation=True)


class Respondent(DemoFlagMixin):
    """A person invited to a campaign, in the role and organisation they held then."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondents")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="needs_respondents", verbose_name=_("person")
    )
    role = models.ForeignKey(
        RoleProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("role")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    province = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    code = models.CharField(
        _("respondent code"),
        max_length=20,
        help_text=_("Typed into the XLSForm by the respondent or the enumerator."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RespondentStatus.choices,
        default=RespondentStatus.INVITED,
    )
    source = models.CharField(_("answered through"), max_length=20, choices=AnswerSource.choices)
    instance_id = models.CharField(
        _("submission instance id"),
        max_length=100,
        blank=True,
        help_text=_("The instanceID of the imported KoboToolbox / ODK submission."),
    )
    rates_organisation = models.BooleanField(
        _("designated to rate the organisation"),
        default=False,
        help_text=_(
            "Answers the organisational and institutional items for their organisation (e.g. "
            "the office director, or someone the coordinator designates). Several designated "
            "people of one organisation form a panel: their ratings are averaged."
        ),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # A submitted questionnaire no longer changes: a packed copy of its answers (one integer
    # per answer, see services.analysis) lets the analysis read 5,000 short rows instead of
    # aggregating 200,000 answers. Written when the questionnaire is submitted or imported.
    answers_packed = models.TextField(blank=True, editable=False, default="")

    # Changes of role and designation (they change the analysis) are audited; the packed
    # copy of the answers is not worth keeping.
    history = HistoricalRecords(excluded_fields=["answers_packed"])
    objects = RespondentQuerySet.as_manager()

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="unique_respondent"),
            models.UniqueConstraint(fields=["campaign", "code"], name="unique_respondent_code"),
            models.UniqueConstraint(
                fields=["campaign", "instance_id"],
                condition=~models.Q(instance_id=""),
                name="unique_respondent_instance",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.person}"

    @property
    def is_submitted(self) -> bool:
        return self.status == RespondentStatus.SUBMITTED

    @property
    def answers_organisational_items(self) -> bool:
        """Whether the questionnaire asks them the organisational and institutional items."""
        return self.rates_organisation or not self.campaign.uses_designated_respondents


class Answer(models.Model):
    """One respondent's rating of one competency.

    Individual competencies: how important it is for their work, and their current level.
    Organisational and enabling-environment items: the current and the desired capacity, with
    the evidence for the rating.
    """

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="answers")
    importance = models.PositiveSmallIntegerField(_("importance"), null=True, blank=True)
    current_level = models.PositiveSmallIntegerField(_("current level"), null=True, blank=True)
    desired_level = models.PositiveSmallIntegerField(_("desired level"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["respondent", "competency"], name="unique_answer")
        ]

    def __str__(self) -> str:
        return f"{self.respondent_id}/{self.competency_id}"

    def is_complete_for(self, capacity_level: str) -> bool:
        if capacity_level == CapacityLevel.INDIVIDUAL:
            return self.importance is not None and self.current_level is not None
        return self.current_level is not None and self.desired_level is not None


class SubmissionImport(models.Model):
    """An import of a KoboToolbox / ODK export into a campaign, with the fate of every row.

    Rows are kept or rejected one by one ("kept N, rejected M"); ``rows`` records each row's
    outcome and problems, and the raw values of rejected rows, so that nothing is lost.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(_("file"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    kept = models.PositiveIntegerField(_("rows kept"), default=0)
    flagged = models.PositiveIntegerField(_("rows kept with a warning"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    file_problems = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("import of submissions")
        verbose_name_plural = _("imports of submissions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d})"

    @property
    def version_checked(self) -> bool:
        """False when the file had no column carrying the campaign's form version."""
        return not any(
            problem.get("code", "").startswith("version_not_checked")
            for problem in self.file_problems
        )
