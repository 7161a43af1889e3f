"""Creating a campaign, inviting its respondents, and designating who rates each
organisation.

The organisational and institutional items are about an organisation, not a person: in a
campaign that uses designated respondents (the default), only the designated respondent of
each organisation rates them. By default it is the invited person whose position heads the
organisation (``CompetencyFramework.head_position_titles``, e.g. "Director"); the coordinator
designates someone else, or several people (a panel, whose ratings are averaged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from plancampus.core.models import AreaKind, Organisation, Person, User

from ..models import (
    Answer,
    Campaign,
    CampaignStatus,
    CapacityLevel,
    Competency,
    CompetencyFramework,
    Respondent,
    RoleProfile,
)


@transaction.atomic
def campaign_create(
    *,
    institution: Organisation,
    framework: CompetencyFramework,
    code: str,
    name_en: str,
    starts_on: dt.date,
    ends_on: dt.date,
    target_organisations: Iterable[Organisation],
    target_roles: Iterable[RoleProfile],
    name_fr: str = "",
    name_km: str = "",
    baseline: Campaign | None = None,
    form_version: str = "",
    description: str = "",
    is_synthetic: bool = False,
) -> Campaign:
    """Create a draft campaign of ``institution`` on one of its frameworks."""
    if framework.institution_id != institution.pk:
        raise ValidationError({"framework": _("The framework belongs to another institution.")})
    roles = list(target_roles)
    if not roles:
        raise ValidationError({"target_roles": _("Choose at least one role to assess.")})
    if any(role.framework_id != framework.pk for role in roles):
        raise ValidationError({"target_roles": _("These roles belong to another framework.")})
    campaign = Campaign(
        institution=institution,
        framework=framework,
        code=code,
        name_en=name_en,
        name_fr=name_fr,
        name_km=name_km,
        starts_on=starts_on,
        ends_on=ends_on,
        baseline=baseline,
        form_version=form_version or f"{code}-1",
        description=description,
        is_synthetic=is_synthetic,
    )
    campaign.full_clean()
    campaign.save()
    campaign.target_organisations.set(list(target_organisations))
    campaign.target_roles.set(roles)
    return campaign


def _province_of(organisation: Organisation) -> int | None:
    area = organisation.area
    while area is not None and area.kind != AreaKind.PROVINCE:
        area = area.parent
    return area.pk if area is not None else None


@transaction.atomic
def respondents_invite(*, campaign: Campaign, is_synthetic: bool = False) -> int:
    """Invite the people of the target organisations whose position holds a target role.

    People already invited keep their invitation (and their answers). Returns how many new
    respondents there are.
    """
    roles = list(campaign.target_roles.all())
    organisations = campaign.target_organisations.select_related(
        "area", "area__parent", "area__parent__parent"
    )
    orgs = {o.pk: o for o in organisations}
    invited = set(campaign.respondents.values_list("person_id", flat=True))
    existing_codes = campaign.respondents.count()
    new: list[Respondent] = []
    people = Person.objects.filter(organisation_id__in=list(orgs)).order_by(
        "organisation_id", "name_latin", "id"
    )
    covered = set(campaign.respondents.designated().values_list("organisation_id", flat=True))
    framework = campaign.framework
    for person in people:
        if person.pk in invited:
            continue
        role = next((r for r in roles if r.matches_position(person.position)), None)
        if role is None:
            continue
        organisation = orgs[person.organisation_id]
        new.append(
            Respondent(
                campaign=campaign,
                person=person,
                role=role,
                organisation=organisation,
                province_id=_province_of(organisation),
                code=f"R{existing_codes + len(new) + 1:05d}",
                is_synthetic=is_synthetic or person.is_synthetic,
                # The head of an organisation nobody rates yet rates it (newcomers only: a
                # designation the coordinator removed is not put back).
                rates_organisation=organisation.pk not in covered
                and framework.is_head_position(person.position),
            )
        )
    Respondent.objects.bulk_create(new, batch_size=500)
    return len(new)


@transaction.atomic
def respondents_designate_heads(*, campaign: Campaign, user: User | None = None) -> int:
    """Designate, in each organisation nobody is designated for yet, the respondents whose
    position heads it (the framework's head positions). Returns how many were designated."""
    framework = campaign.framework
    respondents = list(
        campaign.respondents.select_related("person")
    )  # whole rows: the history records copy every field
    covered = {r.organisation_id for r in respondents if r.rates_organisation}
    chosen = [
        r
        for r in respondents
        if r.organisation_id not in covered
        and not r.is_submitted
        and framework.is_head_position(r.person.position)
    ]
    for respondent in chosen:
        respondent.rates_organisation = True
    if chosen:
        bulk_update_with_history(
            chosen,
            Respondent,
            ["rates_organisation"],
            batch_size=500,
            default_user=user if user is not None and user.is_authenticated else None,
        )
        campaign.touch_answers()
    return len(chosen)


def organisational_item_count(campaign: Campaign) -> int:
    return (
        Competency.objects.filter(framework_id=campaign.framework_id)
        .exclude(capacity_level=CapacityLevel.INDIVIDUAL)
        .count()
    )


@transaction.atomic
def respondent_designate(
    *, respondent: Respondent, designated: bool, user: User | None = None
) -> Respondent:
    """Designate a respondent to rate their organisation (or withdraw it); audited.

    A respondent who already submitted without rating the organisational items cannot be
    designated: their questionnaire no longer changes, so the organisation would stay
    unrated. Withdrawing a designation keeps their ratings, no longer counted.
    """
    if respondent.rates_organisation == designated:
        return respondent
    if designated and respondent.is_submitted:
        rated = (
            Answer.objects.filter(respondent=respondent)
            .exclude(competency__capacity_level=CapacityLevel.INDIVIDUAL)
            .exclude(current_level=None)
            .exclude(desired_level=None)
            .count()
        )
        if rated < organisational_item_count(respondent.campaign):
            raise ValidationError(
                _(
                    "%(person)s already submitted the questionnaire without rating the "
                    "organisational items: designate someone who has not submitted yet."
                )
                % {"person": respondent.person.display_name}
            )
    respondent.rates_organisation = designated
    if user is not None and user.is_authenticated:
        respondent._history_user = user  # type: ignore[attr-defined]
    respondent.save(update_fields=["rates_organisation"])
    respondent.campaign.touch_answers()
    return respondent


def campaign_set_status(*, campaign: Campaign, status: str) -> Campaign:
    if status not in CampaignStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    campaign.status = status
    campaign.full_clean()
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


@dataclass
class OrganisationDesignation:
    """Who rates one target organisation of a campaign."""

    organisation: Organisation
    invited: int
    designated: list[Respondent] = field(default_factory=list)


@dataclass
class DesignationOverview:
    organisations: list[OrganisationDesignation]

    @property
    def covered(self) -> list[OrganisationDesignation]:
        return [o for o in self.organisations if o.designated]

    @property
    def missing(self) -> list[OrganisationDesignation]:
        """Organisations with invited people but nobody designated yet."""
        return [o for o in self.organisations if o.invited and not o.designated]

    @property
    def nobody_invited(self) -> list[OrganisationDesignation]:
        return [o for o in self.organisations if not o.invited]


def designation_overview(campaign: Campaign) -> DesignationOverview:
    """Per target organisation: how many people are invited, and who is designated (three
    queries whatever the number of organisations)."""
    invited = dict(
        campaign.respondents.order_by()
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    designated: dict[int, list[Respondent]] = {}
    for respondent in campaign.respondents.designated().select_related("person").order_by("code"):
        designated.setdefault(respondent.organisation_id, []).append(respondent)
    organisations = [
        OrganisationDesignation(o, invited.get(o.pk, 0), designated.get(o.pk, []))
        for o in campaign.target_organisations.order_by("kind", "code")
    ]
    return DesignationOverview(organisations)
