"""Creating a campaign and inviting its respondents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import AreaKind, Organisation, Person

from ..models import Campaign, CampaignStatus, CompetencyFramework, Respondent, RoleProfile


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
            )
        )
    Respondent.objects.bulk_create(new, batch_size=500)
    return len(new)


def campaign_set_status(*, campaign: Campaign, status: str) -> Campaign:
    if status not in CampaignStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    campaign.status = status
    campaign.full_clean()
    campaign.save(update_fields=["status", "updated_at"])
    return campaign
