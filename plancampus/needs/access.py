"""Who may see and do what in the needs module (on top of plancampus.core.access).

- Campaigns, analyses and plans belong to an institution. Its coordinators and administrators
  manage them; its trainers and M&E officers see them (read-only); the partner's programme
  specialist sees every institution's (read-only). Anyone else: 404 (they do not exist).
- A participant answers only their own questionnaires (``Respondent.person == user.person``),
  and sees no campaign page: the management pages answer 403 to them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from plancampus.core.access import Access, get_or_404
from plancampus.core.models import Role

from .models import (
    Campaign,
    CampaignStatus,
    CapacityPlan,
    CompetencyFramework,
    DocumentExport,
    Respondent,
)

MANAGE_ROLES = {Role.COORDINATOR, Role.INSTITUTION_ADMIN}
VIEW_ROLES = MANAGE_ROLES | {Role.TRAINER, Role.ME_OFFICER}


def _institution_ids(access: Access, roles: set[str]) -> list[int]:
    return sorted({m.institution_id for m in access.memberships if m.role in roles})


def can_view_needs(access: Access) -> bool:
    return access.is_global or bool(_institution_ids(access, VIEW_ROLES))


def frameworks_for_user(access: Access) -> QuerySet[CompetencyFramework]:
    if access.is_global:
        return CompetencyFramework.objects.all()
    # Every member may read their institution's framework: course design uses it too.
    return CompetencyFramework.objects.filter(
        institution_id__in=_institution_ids(access, set(Role.values))
    )


def campaigns_for_user(access: Access) -> QuerySet[Campaign]:
    """Campaigns whose pages the user may see (not their own questionnaires: see below)."""
    if access.is_global:
        return Campaign.objects.all()
    return Campaign.objects.filter(institution_id__in=_institution_ids(access, VIEW_ROLES))


def campaign_for_view(access: Access, pk: int) -> Campaign:
    """A campaign the user may see: 404 outside their institutions, 403 for a participant."""
    if not access.is_global and not _institution_ids(access, VIEW_ROLES):
        # A member of the institution without a viewing role (a participant): 403; others 404.
        member_of = _institution_ids(access, set(Role.values))
        if Campaign.objects.filter(pk=pk, institution_id__in=member_of).exists():
            raise PermissionDenied("needs.view")
    return get_or_404(campaigns_for_user(access).select_related("framework", "institution"), pk=pk)


def can_manage(access: Access, institution_id: int) -> bool:
    if getattr(access.user, "is_superuser", False):
        return True
    return institution_id in _institution_ids(access, MANAGE_ROLES)


def require_manage(access: Access, institution_id: int) -> None:
    if not can_manage(access, institution_id):
        raise PermissionDenied("needs.manage")


def manageable_institution_ids(access: Access) -> list[int]:
    return _institution_ids(access, MANAGE_ROLES)


def own_respondents(access: Access) -> QuerySet[Respondent]:
    """The questionnaires the user answers: respondents that are the user's person."""
    person_id = getattr(access.user, "person_id", None)
    if not person_id:
        return Respondent.objects.none()
    return Respondent.objects.filter(person_id=person_id).exclude(
        campaign__status=CampaignStatus.DRAFT
    )


def respondent_for_user(access: Access, pk: int) -> Respondent:
    """The user's own questionnaire; anyone else's does not exist for them (404)."""
    return get_or_404(
        own_respondents(access).select_related(
            "campaign", "campaign__framework", "role", "organisation"
        ),
        pk=pk,
    )


def plans_for_user(access: Access) -> QuerySet[CapacityPlan]:
    if access.is_global:
        return CapacityPlan.objects.all()
    return CapacityPlan.objects.filter(institution_id__in=_institution_ids(access, VIEW_ROLES))


def plan_for_view(access: Access, pk: int) -> CapacityPlan:
    if not access.is_global and not _institution_ids(access, VIEW_ROLES):
        member_of = _institution_ids(access, set(Role.values))
        if CapacityPlan.objects.filter(pk=pk, institution_id__in=member_of).exists():
            raise PermissionDenied("needs.view")
    return get_or_404(plans_for_user(access).select_related("campaign", "institution"), pk=pk)


def export_for_view(access: Access, pk: int) -> tuple[DocumentExport, Campaign | CapacityPlan]:
    """A document export and what it shows, for whoever may see that campaign or plan (not
    only who asked for it); 404 for anyone else, 403 for a participant of the institution."""
    export = get_or_404(DocumentExport.objects.select_related("job"), pk=pk)
    if export.plan_id is not None:
        return export, plan_for_view(access, export.plan_id)
    assert export.campaign_id is not None  # noqa: S101 - one target (a check constraint)
    return export, campaign_for_view(access, export.campaign_id)
