"""Who may see and change trainer profiles and the cascade (on top of ``training.access``).

- The staff of an institution (every role but participant) see its trainer profiles and its
  cascade; the partner's programme specialist sees every institution's, read only.
- Coordinators and institution administrators (``training.manage``) create and change the
  profiles of their institution; a trainer may change their own profile's qualifications and
  external programmes (not the courses they may teach).
- A participant sees neither (403); another institution's profile answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from plancampus.core.access import Access
from plancampus.core.models import Organisation, OrganisationKind, Role

from .access import STAFF_ROLES, can_manage
from .models import TrainerProfile


def staff_institution_ids(access: Access) -> set[int]:
    return {m.institution_id for m in access.memberships if m.role in STAFF_ROLES}


def require_trainer_pages(access: Access) -> None:
    """403 for whoever is neither staff of an institution nor global (participants...)."""
    if not access.user.is_authenticated:
        raise PermissionDenied("training.trainers")
    if not access.is_global and not staff_institution_ids(access):
        raise PermissionDenied("training.trainers")


def trainer_profiles_for_user(access: Access) -> QuerySet[TrainerProfile]:
    if access.is_global:
        return TrainerProfile.objects.all()
    return TrainerProfile.objects.filter(institution_id__in=staff_institution_ids(access))


def can_edit_profile(access: Access, profile: TrainerProfile) -> bool:
    """May change the profile's qualifications and external programmes."""
    if can_manage(access, profile.institution_id):
        return True
    person_id = getattr(access.user, "person_id", None)
    trainer_of = {m.institution_id for m in access.memberships if m.role == Role.TRAINER}
    return (
        person_id is not None
        and profile.person_id == person_id
        and (profile.institution_id in trainer_of)
    )


def require_edit_profile(access: Access, profile: TrainerProfile) -> None:
    if not can_edit_profile(access, profile):
        raise PermissionDenied("training.trainers.edit")


@dataclass(frozen=True)
class CascadeScope:
    institution_ids: list[int] | None  # None: every institution
    choices: list[Organisation]
    selected: Organisation | None


def cascade_scope(access: Access, institution: str | None) -> CascadeScope:
    """The institutions whose cascade the user looks at: their own (staff), or every one or
    the one asked for (specialist). 404 for an institution outside the user's reach."""
    require_trainer_pages(access)
    if access.is_global:
        choices = list(
            Organisation.objects.of_kind(OrganisationKind.TRAINING_INSTITUTION).order_by("code")
        )
    else:
        own = staff_institution_ids(access)
        choices = sorted(
            {
                m.institution_id: m.institution
                for m in access.memberships
                if m.institution_id in own
            }.values(),
            key=lambda o: o.code,
        )
    if institution:
        selected = next((o for o in choices if str(o.pk) == str(institution)), None)
        if selected is None:
            raise Http404
        return CascadeScope([selected.pk], choices, selected)
    if access.is_global:
        return CascadeScope(None, choices, None)
    return CascadeScope([o.pk for o in choices], choices, choices[0] if len(choices) == 1 else None)
