"""Builders for needs tests: a campaign on the demo framework, with respondents and answers."""

from __future__ import annotations

import datetime as dt

from plancampus.core.models import Organisation, Person
from plancampus.core.tests.factories import PersonFactory
from plancampus.needs.models import (
    Answer,
    AnswerSource,
    Campaign,
    CampaignStatus,
    CapacityLevel,
    CompetencyFramework,
    Respondent,
    RespondentStatus,
)
from plancampus.needs.services.analysis import respondents_pack
from plancampus.needs.services.campaigns import campaign_create, respondents_invite
from plancampus.needs.services.framework import framework_seed_epm

POSITION_ROLES = {
    "provincial_planning_officer": ["Planning officer", "Chief of planning office"],
    "provincial_office_director": ["Director", "Deputy director"],
    "finance_officer": ["Finance officer"],
    "district_officer": ["Chief of district office", "District planning officer"],
}


def framework_for(institution: Organisation) -> CompetencyFramework:
    framework = framework_seed_epm(institution=institution)
    for profile in framework.role_profiles.all():
        profile.position_titles = POSITION_ROLES.get(profile.code, [])
        profile.save()
    return framework


def make_campaign(
    institution: Organisation,
    organisations: list[Organisation],
    *,
    code: str = "poe-2026",
    people: list[tuple[str, str]] | None = None,
    status: str = CampaignStatus.OPEN,
    baseline: Campaign | None = None,
    year: int = 2026,
) -> Campaign:
    """A campaign over ``organisations``; ``people`` = [(name, position)] created in the first."""
    framework = framework_for(institution)
    for name, position in people or []:
        PersonFactory(name_latin=name, position=position, organisation=organisations[0])
    campaign = campaign_create(
        institution=institution,
        framework=framework,
        code=code,
        name_en=f"Needs assessment {year}",
        name_km=f"ការវាយតម្លៃតម្រូវការ {year}",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        target_organisations=organisations,
        target_roles=framework.role_profiles.exclude(code="national_trainer"),
        baseline=baseline,
    )
    respondents_invite(campaign=campaign)
    campaign.status = status
    campaign.save()
    return campaign


def fill(respondent: Respondent, levels: dict[str, tuple[int, int]], default=(4, 3)) -> None:
    """Answer every item and submit: {code: (importance or desired, current)}."""
    answers = []
    for competency in respondent.campaign.framework.competencies.all():
        first, current = levels.get(competency.code, default)
        individual = competency.capacity_level == CapacityLevel.INDIVIDUAL
        answers.append(
            Answer(
                respondent=respondent,
                competency=competency,
                importance=first if individual else None,
                current_level=current,
                desired_level=None if individual else first,
            )
        )
    Answer.objects.bulk_create(answers)
    respondent.status = RespondentStatus.SUBMITTED
    respondent.source = AnswerSource.SYNTHETIC
    respondent.save()
    respondents_pack([respondent.pk])
    respondent.campaign.touch_answers()


def person_of(respondent: Respondent) -> Person:
    return respondent.person
