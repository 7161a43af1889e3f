"""Who sees which reports.

A report covers the training of institutions: the staff of an institution (every role but
participant and office focal point) see their institution's figures; the partner's programme specialist (and a
superuser) sees every institution, or one chosen with the ``institution`` filter. A
participant has no report (403); an institution outside a user's reach answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from plancampus.core.access import PERMISSIONS, Access
from plancampus.core.models import Organisation, OrganisationKind

REPORT_ROLES = PERMISSIONS["reports.view"]


@dataclass(frozen=True)
class ReportScope:
    """The institutions a report covers (``None``: all of them) and those one may pick."""

    institution_ids: frozenset[int] | None
    choices: tuple[Organisation, ...]
    selected: Organisation | None

    @property
    def is_all(self) -> bool:
        return self.institution_ids is None


def report_institutions(access: Access) -> list[Organisation]:
    """Institutions whose reports the user may see (every institution for the specialist)."""
    if access.is_global:
        return list(
            Organisation.objects.of_kind(OrganisationKind.TRAINING_INSTITUTION).order_by("code")
        )
    seen: dict[int, Organisation] = {}
    for m in access.memberships:
        if m.role in REPORT_ROLES:
            seen.setdefault(m.institution_id, m.institution)
    return sorted(seen.values(), key=lambda o: o.code)


def report_scope(access: Access, institution: str | None = None) -> ReportScope:
    """The scope of a report for this user; ``institution`` is the id asked for, if any.

    403 when the user sees no report at all, 404 when the institution asked for is not one
    of theirs.
    """
    if not access.user.is_authenticated or not access.is_member:
        raise PermissionDenied("reports.view")
    choices = report_institutions(access)
    if not access.is_global and not choices:
        raise PermissionDenied("reports.view")
    if institution:
        selected = next((o for o in choices if str(o.pk) == str(institution)), None)
        if selected is None:
            raise Http404
        return ReportScope(frozenset({selected.pk}), tuple(choices), selected)
    if access.is_global:
        return ReportScope(None, tuple(choices), None)
    if len(choices) == 1:
        return ReportScope(frozenset({choices[0].pk}), tuple(choices), choices[0])
    return ReportScope(frozenset(o.pk for o in choices), tuple(choices), None)
