"""Who may see and do what. Every view and API endpoint goes through these functions.

The tenant is the institution: a membership gives a user a role in one institution, and the
directory an institution works on is its country's. The partner's programme specialist sees
every country. Objects outside a user's reach answer 404 (they "do not exist" for that user),
while an action a user's role does not allow answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Area, BackgroundJob, Membership, Organisation, Person, Role, User

# Members who work for the institution itself. Participants and the training focal points
# of the education offices are members too, but see only what concerns them.
STAFF_ROLES: set[str] = set(Role.values) - {Role.PARTICIPANT, Role.OFFICE_FOCAL_POINT}

# What each role may do. Viewing the directory is open to every member.
PERMISSIONS: dict[str, set[str]] = {
    "directory.view": set(Role.values),
    "directory.view_contacts": STAFF_ROLES,
    "people.import": {Role.COORDINATOR, Role.INSTITUTION_ADMIN},
    "audit.view": {Role.INSTITUTION_ADMIN, Role.SPECIALIST},
    # Training (plancampus.training.access narrows these to one institution and, for
    # trainers, to the cohorts they teach).
    "training.manage": {Role.COORDINATOR, Role.INSTITUTION_ADMIN},
    "training.teach": {Role.TRAINER, Role.COORDINATOR, Role.INSTITUTION_ADMIN},
    # An office's focal point nominates the office's staff to the cohorts open to offices.
    "training.nominate": {Role.OFFICE_FOCAL_POINT},
    "reports.view": STAFF_ROLES,
}


@dataclass
class Access:
    """A user's reach, computed once per request (two queries at most)."""

    user: User | AnonymousUser

    @cached_property
    def memberships(self) -> list[Membership]:
        if not self.user.is_authenticated:
            return []
        return list(
            Membership.objects.active()
            .filter(user=self.user)
            .select_related("institution", "institution__country")
        )

    @cached_property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    @property
    def is_global(self) -> bool:
        """Sees every country: a partner programme specialist, or a superuser."""
        return bool(getattr(self.user, "is_superuser", False)) or Role.SPECIALIST in self.roles

    @cached_property
    def country_ids(self) -> set[int]:
        return {m.institution.country_id for m in self.memberships if m.institution.country_id}

    @property
    def institutions(self) -> list[Organisation]:
        seen: dict[int, Organisation] = {}
        for m in self.memberships:
            seen.setdefault(m.institution_id, m.institution)
        return list(seen.values())

    @property
    def is_member(self) -> bool:
        return bool(self.memberships) or self.is_global

    @property
    def has_staff_role(self) -> bool:
        """Works for an institution (any role but participant and office focal point)."""
        return bool(self.roles & STAFF_ROLES)

    def can(self, permission: str) -> bool:
        if getattr(self.user, "is_superuser", False):
            return True
        return bool(self.roles & PERMISSIONS[permission])

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(permission)


def access_for(request_or_user: object) -> Access:
    """The Access of a request (cached on it) or of a user."""
    user = getattr(request_or_user, "user", request_or_user)
    cache_holder = request_or_user if hasattr(request_or_user, "user") else None
    if cache_holder is not None:
        cached = getattr(cache_holder, "_plancampus_access", None)
        if cached is not None and cached.user is user:
            return cached
    access = Access(user)  # type: ignore[arg-type]
    if cache_holder is not None:
        cache_holder._plancampus_access = access  # type: ignore[attr-defined]
    return access


def areas_for_user(access: Access) -> QuerySet[Area]:
    if access.is_global:
        return Area.objects.all()
    return Area.objects.filter(country_id__in=access.country_ids)


def organisations_for_user(access: Access) -> QuerySet[Organisation]:
    if access.is_global:
        return Organisation.objects.all()
    if not access.is_member:
        return Organisation.objects.none()
    # International partners have no country and are visible to every member.
    return Organisation.objects.filter(
        Q(country_id__in=access.country_ids) | Q(country__isnull=True)
    )


def people_for_user(access: Access) -> QuerySet[Person]:
    if access.is_global:
        return Person.objects.all()
    if not access.is_member:
        return Person.objects.none()
    return Person.objects.filter(organisation__country_id__in=access.country_ids)


def get_or_404(queryset: QuerySet, **lookup: object):  # type: ignore[no-untyped-def]
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def institution_for_action(access: Access, permission: str) -> Organisation:
    """The institution in whose name the user acts; 403 if no membership allows it."""
    for m in access.memberships:
        if m.role in PERMISSIONS[permission]:
            return m.institution
    if getattr(access.user, "is_superuser", False) and access.memberships:
        return access.memberships[0].institution
    raise PermissionDenied(permission)


def jobs_for_user(access: Access) -> QuerySet[BackgroundJob]:
    """The jobs a user may see: their own, and those of institutions they administer."""
    user = access.user
    if not user.is_authenticated:
        return BackgroundJob.objects.none()
    if getattr(user, "is_superuser", False):
        return BackgroundJob.objects.all()
    administered = [
        m.institution_id for m in access.memberships if m.role == Role.INSTITUTION_ADMIN
    ]
    return BackgroundJob.objects.filter(Q(created_by=user) | Q(institution_id__in=administered))
