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
from django.db import models, transaction
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
    RespondentStatus,
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
    roles = _checked_roles(target_roles, framework_id=framework.pk)
    _check_baseline(baseline, institution_id=institution.pk)
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


def _checked_roles(target_roles: Iterable[RoleProfile], *, framework_id: int) -> list[RoleProfile]:
    """The campaign's roles: at least one, all of its framework."""
    roles = list(target_roles)
    if not roles:
        raise ValidationError({"target_roles": _("Choose at least one role to assess.")})
    if any(role.framework_id != framework_id for role in roles):
        raise ValidationError({"target_roles": _("These roles belong to another framework.")})
    return roles


def _check_baseline(
    baseline: Campaign | None, *, institution_id: int, campaign: Campaign | None = None
) -> None:
    """A baseline of the same institution, and (for an existing campaign) not one of its own
    re-assessments."""
    if baseline is None:
        return
    if baseline.institution_id != institution_id:
        raise ValidationError({"baseline": _("The baseline belongs to another institution.")})
    ancestor: Campaign | None = baseline
    while campaign is not None and ancestor is not None:
        if ancestor.pk == campaign.pk:
            raise ValidationError(
                {"baseline": _("The baseline cannot be a re-assessment of this campaign.")}
            )
        ancestor = ancestor.baseline


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
    # Codes follow the highest one given (not the count: removed respondents leave gaps).
    existing_codes = max(
        (
            int(code[1:])
            for code in campaign.respondents.values_list("code", flat=True)
            if code[:1] == "R" and code[1:].isdigit()
        ),
        default=0,
    )
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
    position heads it (the framework's head positions). Returns how many were designated.

    A head who already submitted is designated only if they rated every organisational item
    (in a campaign answered before designation); otherwise their organisation stays without a
    designated respondent, for the coordinator to choose.
    """
    framework = campaign.framework
    respondents = list(
        campaign.respondents.select_related("person")
    )  # whole rows: the history records copy every field
    covered = {r.organisation_id for r in respondents if r.rates_organisation}
    heads = [
        r
        for r in respondents
        if r.organisation_id not in covered and framework.is_head_position(r.person.position)
    ]
    rated = _rated_every_organisational_item(campaign, [r.pk for r in heads if r.is_submitted])
    chosen = [r for r in heads if not r.is_submitted or r.pk in rated]
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


def _rated_every_organisational_item(campaign: Campaign, respondent_ids: list[int]) -> set[int]:
    """Those of ``respondent_ids`` who gave a current and a desired level to every
    organisational item (two queries)."""
    if not respondent_ids:
        return set()
    needed = organisational_item_count(campaign)
    counts = (
        Answer.objects.filter(respondent_id__in=respondent_ids)
        .exclude(competency__capacity_level=CapacityLevel.INDIVIDUAL)
        .exclude(current_level=None)
        .exclude(desired_level=None)
        .order_by()
        .values("respondent_id")
        .annotate(n=Count("id"))
        .values_list("respondent_id", "n")
    )
    return {pk for pk, n in counts if n >= needed}


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
    if (
        designated
        and respondent.is_submitted
        and respondent.pk
        not in _rated_every_organisational_item(respondent.campaign, [respondent.pk])
    ):
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


# --- Changing a campaign after it was created ---------------------------------------------


class RemovalsNeedConfirmation(ValidationError):
    """Targets are removed whose respondents have answers: the caller must confirm."""

    def __init__(self, removal: Removal) -> None:
        super().__init__(
            _(
                "%(count)s respondents of the organisations or roles removed have answers "
                "(%(submitted)s submitted): confirm to remove them with their answers."
            )
            % {"count": removal.answered, "submitted": removal.submitted},
            code="confirm_removals",
        )
        self.removal = removal


@dataclass
class Removal:
    """What removing some target organisations and roles takes out of a campaign."""

    organisations: list[Organisation]
    roles: list[RoleProfile]
    respondents: int = 0  # invited people who go
    answered: int = 0  # of whom have answers (in progress or submitted)
    submitted: int = 0


@dataclass
class CampaignUpdate:
    campaign: Campaign
    removal: Removal
    invited: int = 0


def campaign_removal(
    *, campaign: Campaign, organisations: Iterable[Organisation], roles: Iterable[RoleProfile]
) -> Removal:
    """Which targets would go if the campaign targeted ``organisations`` and ``roles``, and
    the respondents (and answers) that would go with them."""
    keep_orgs = {o.pk for o in organisations}
    keep_roles = {r.pk for r in roles}
    removed_orgs = [o for o in campaign.target_organisations.all() if o.pk not in keep_orgs]
    removed_roles = [r for r in campaign.target_roles.all() if r.pk not in keep_roles]
    removal = Removal(removed_orgs, removed_roles)
    if not removed_orgs and not removed_roles:
        return removal
    leaving = campaign.respondents.filter(
        models.Q(organisation_id__in=[o.pk for o in removed_orgs])
        | models.Q(role_id__in=[r.pk for r in removed_roles])
    )
    counts = leaving.aggregate(
        total=Count("id"),
        answered=Count("id", filter=~models.Q(status=RespondentStatus.INVITED)),
        submitted=Count("id", filter=models.Q(status=RespondentStatus.SUBMITTED)),
    )
    removal.respondents = counts["total"]
    removal.answered = counts["answered"]
    removal.submitted = counts["submitted"]
    return removal


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    name_en: str,
    starts_on: dt.date,
    ends_on: dt.date,
    target_organisations: Iterable[Organisation],
    target_roles: Iterable[RoleProfile],
    name_fr: str = "",
    name_km: str = "",
    description: str = "",
    baseline: Campaign | None = None,
    organisational_answers: str | None = None,
    confirm_removals: bool = False,
) -> CampaignUpdate:
    """Change a campaign's names, period, baseline, targets and who rates the organisations.

    The framework, the code and the form version do not change (deployed XLSForms and imports
    rely on them). Removing an organisation or a role removes its respondents; if some have
    answers, nothing changes unless ``confirm_removals`` (then their answers go too; the
    removal is in the respondents' history). Added organisations and roles are invited at
    once. Audited through the campaign's history (fields and targets).
    """
    organisations = list(target_organisations)
    roles = _checked_roles(target_roles, framework_id=campaign.framework_id)
    _check_baseline(baseline, institution_id=campaign.institution_id, campaign=campaign)
    removal = campaign_removal(campaign=campaign, organisations=organisations, roles=roles)
    if removal.answered and not confirm_removals:
        raise RemovalsNeedConfirmation(removal)
    mode_changed = (
        organisational_answers is not None
        and organisational_answers != campaign.organisational_answers
    )
    campaign.name_en = name_en
    campaign.name_fr = name_fr
    campaign.name_km = name_km
    campaign.description = description
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.baseline = baseline
    if organisational_answers is not None:
        campaign.organisational_answers = organisational_answers
    campaign.full_clean()
    campaign.save()
    if {o.pk for o in organisations} != set(
        campaign.target_organisations.values_list("pk", flat=True)
    ):
        campaign.target_organisations.set(organisations)
    if {r.pk for r in roles} != set(campaign.target_roles.values_list("pk", flat=True)):
        campaign.target_roles.set(roles)
    if removal.respondents:
        campaign.respondents.filter(
            models.Q(organisation_id__in=[o.pk for o in removal.organisations])
            | models.Q(role_id__in=[r.pk for r in removal.roles])
        ).delete()
    invited = respondents_invite(campaign=campaign)
    if removal.submitted or mode_changed:
        campaign.touch_answers()
    return CampaignUpdate(campaign, removal, invited)


@transaction.atomic
def respondent_change_role(
    *, respondent: Respondent, role: RoleProfile, user: User | None = None
) -> Respondent:
    """Give a respondent another of the campaign's roles; audited.

    Their gaps are then measured against that role's profile: the analysis (cached) is
    recomputed. Their answers do not change.
    """
    campaign = respondent.campaign
    if role.pk == respondent.role_id:
        return respondent
    if not campaign.target_roles.filter(pk=role.pk).exists():
        raise ValidationError({"role": _("Choose one of the roles the campaign assesses.")})
    respondent.role = role
    if user is not None and user.is_authenticated:
        respondent._history_user = user  # type: ignore[attr-defined]
    respondent.save(update_fields=["role"])
    campaign.touch_answers()
    return respondent
