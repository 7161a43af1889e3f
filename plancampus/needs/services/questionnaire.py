"""The questionnaire of a campaign, generated from its framework, and saving answers to it.

Every competency of the framework is one item. An individual competency asks how important it
is for the respondent's work and their current level; an organisational or enabling-environment
item asks the current and the desired capacity of the respondent's organisation (or of the
rules it works under), with the evidence. Items are grouped by domain: one page per domain in
the web form, one group per domain in the XLSForm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    Answer,
    AnswerSource,
    Campaign,
    CapacityLevel,
    Competency,
    CompetencyFramework,
    Domain,
    Respondent,
    RespondentStatus,
)
from .analysis import respondents_pack

IMPORTANCE_LEVELS = (1, 2, 3, 4, 5)
IMPORTANCE_LABELS = {
    "en": {
        "1": "Not important",
        "2": "Slightly important",
        "3": "Important",
        "4": "Very important",
        "5": "Essential",
    },
    "fr": {
        "1": "Pas important",
        "2": "Peu important",
        "3": "Important",
        "4": "Très important",
        "5": "Essentiel",
    },
    "km": {
        "1": "មិនសំខាន់",
        "2": "សំខាន់តិចតួច",
        "3": "សំខាន់",
        "4": "សំខាន់ណាស់",
        "5": "ចាំបាច់បំផុត",
    },
}


def importance_label(level: int, language: str = "en") -> str:
    labels = IMPORTANCE_LABELS.get(language) or IMPORTANCE_LABELS["en"]
    return labels.get(str(level), str(level))


@dataclass
class Item:
    competency: Competency
    answer: Answer | None = None

    @property
    def is_individual(self) -> bool:
        return self.competency.capacity_level == CapacityLevel.INDIVIDUAL

    @property
    def is_complete(self) -> bool:
        return self.answer is not None and self.answer.is_complete_for(
            self.competency.capacity_level
        )


@dataclass
class Page:
    domain: Domain
    items: list[Item] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(item.is_complete for item in self.items)

    @property
    def is_complete(self) -> bool:
        return self.answered == len(self.items)


def questionnaire_competencies(framework: CompetencyFramework) -> list[Competency]:
    """The items of a framework's questionnaire, in order (one query)."""
    return list(
        Competency.objects.filter(framework=framework)
        .select_related("domain")
        .order_by("domain__order", "domain__code", "order", "code")
    )


def questionnaire_pages(
    *, framework: CompetencyFramework, respondent: Respondent | None = None
) -> list[Page]:
    """The questionnaire as pages (one per domain), with the respondent's answers if given.

    For a respondent who is not designated to rate their organisation (in a campaign that
    uses designated respondents), only the individual items: the organisational and
    institutional ones are left out, and so is a page that would be empty.
    """
    answers: dict[int, Answer] = {}
    organisational = True
    if respondent is not None:
        answers = {a.competency_id: a for a in respondent.answers.all()}
        organisational = respondent.answers_organisational_items
    pages: dict[int, Page] = {}
    for competency in questionnaire_competencies(framework):
        if not organisational and competency.capacity_level != CapacityLevel.INDIVIDUAL:
            continue
        page = pages.setdefault(competency.domain_id, Page(domain=competency.domain))
        page.items.append(Item(competency, answers.get(competency.pk)))
    return list(pages.values())


def _check_level(framework: CompetencyFramework, value: int | None, name: str) -> None:
    if value is not None and value not in framework.levels:
        raise ValidationError(
            {
                name: _("Choose a level from %(low)s to %(high)s.")
                % {"low": framework.scale_min, "high": framework.scale_max}
            }
        )


@transaction.atomic
def answer_save(
    *,
    respondent: Respondent,
    competency: Competency,
    importance: int | None = None,
    current_level: int | None = None,
    desired_level: int | None = None,
    evidence: str = "",
    source: str = AnswerSource.WEB,
) -> Answer:
    """Save (create or replace) one answer of a respondent who has not submitted yet."""
    campaign = respondent.campaign
    if respondent.is_submitted:
        raise ValidationError(_("This questionnaire has been submitted; it can no longer change."))
    if not campaign.is_open:
        raise ValidationError(_("This campaign is not open for answers."))
    framework = campaign.framework
    if competency.framework_id != framework.pk:
        raise ValidationError(_("This item is not part of the campaign's questionnaire."))
    if (
        competency.capacity_level != CapacityLevel.INDIVIDUAL
        and not respondent.answers_organisational_items
    ):
        raise ValidationError(
            _(
                "The organisational items are rated by the designated respondent of your "
                "organisation, not in your questionnaire."
            )
        )
    if importance is not None and importance not in IMPORTANCE_LEVELS:
        raise ValidationError({"importance": _("Choose an importance from 1 to 5.")})
    _check_level(framework, current_level, "current_level")
    _check_level(framework, desired_level, "desired_level")
    if competency.capacity_level == CapacityLevel.INDIVIDUAL:
        desired_level, evidence = None, ""
    else:
        importance = None
    answer, _created = Answer.objects.update_or_create(
        respondent=respondent,
        competency=competency,
        defaults={
            "importance": importance,
            "current_level": current_level,
            "desired_level": desired_level,
            "evidence": evidence.strip()[:4000],
        },
    )
    if respondent.status == RespondentStatus.INVITED:
        respondent.status = RespondentStatus.IN_PROGRESS
        respondent.started_at = timezone.now()
        respondent.source = source
        respondent.save(update_fields=["status", "started_at", "source"])
    # No touch_answers(): a draft is not in the analysis; submitting it moves the campaign on.
    return answer


def missing_items(*, respondent: Respondent) -> list[Item]:
    pages = questionnaire_pages(framework=respondent.campaign.framework, respondent=respondent)
    return [item for page in pages for item in page.items if not item.is_complete]


@transaction.atomic
def respondent_submit(*, respondent: Respondent) -> Respondent:
    """Submit a complete questionnaire; a ValidationError lists what is still missing."""
    if respondent.is_submitted:
        return respondent
    if not respondent.campaign.is_open:
        raise ValidationError(_("This campaign is not open for answers."))
    missing = missing_items(respondent=respondent)
    if missing:
        raise ValidationError(
            _("%(count)s questions are not answered yet: %(names)s.")
            % {
                "count": len(missing),
                "names": "; ".join(item.competency.display_name for item in missing[:5]),
            }
        )
    respondent.status = RespondentStatus.SUBMITTED
    respondent.submitted_at = timezone.now()
    respondent.save(update_fields=["status", "submitted_at"])
    respondents_pack([respondent.pk])
    respondent.campaign.touch_answers()
    return respondent


def campaign_item_count(campaign: Campaign) -> int:
    return Competency.objects.filter(framework_id=campaign.framework_id).count()
