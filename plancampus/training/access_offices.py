"""What the training focal point of an education office sees (on top of ``training.access``).

A focal point holds the role *office focal point* in an institution and is linked to a person
who works in a provincial or district office of education: that office is the one they act
for. They see

- the institution's cohorts announced to the offices (status *nominations open*, window not
  over yet), and any cohort in which their office has nominations;
- their office's nominations (made by them, a colleague or the institution in the office's
  name) and their status — not the other offices' nominations, the participants list or the
  results.

Any other cohort or enrolment answers 404; a user without the role answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from plancampus.core.access import PERMISSIONS, Access
from plancampus.core.models import Organisation

from .models import Cohort, CohortStatus, Enrolment
from .services.nominations import NOMINATING_OFFICE_KINDS


def focal_point_institution_ids(access: Access) -> set[int]:
    roles = PERMISSIONS["training.nominate"]
    return {m.institution_id for m in access.memberships if m.role in roles}


def is_focal_point(access: Access) -> bool:
    return bool(focal_point_institution_ids(access))


def require_focal_point(access: Access) -> None:
    if not is_focal_point(access):
        raise PermissionDenied("training.nominate")


def office_of(access: Access) -> Organisation | None:
    """The office a focal point acts for: their person's organisation, if it is a provincial
    or district office; ``None`` otherwise (the account is not linked to office staff)."""
    person = getattr(access.user, "person", None) if access.user.is_authenticated else None
    if person is None or person.organisation_id is None:
        return None
    office = person.organisation
    return office if office.kind in NOMINATING_OFFICE_KINDS else None


def office_cohorts(access: Access, office: Organisation) -> QuerySet[Cohort]:
    """Cohorts the office may look at: announced ones of the focal point's institutions in the
    office's country, and those holding the office's nominations."""
    ours = (
        Enrolment.objects.filter(nominated_by_organisation=office)
        .outside_degree_programmes()
        .values("cohort_id")
    )
    # Offices nominate to short courses; the students of a Master's or a Doctorate are
    # admitted by the institution (their employer is not a nominating office).
    return Cohort.objects.outside_degree_programmes().filter(
        Q(status=CohortStatus.NOMINATIONS_OPEN, closed_at__isnull=True) | Q(pk__in=ours),
        institution_id__in=focal_point_institution_ids(access),
        institution__country_id=office.country_id,
    )


def office_enrolments(access: Access, office: Organisation) -> QuerySet[Enrolment]:
    """The office's nominations, whatever became of them, in the focal point's institutions."""
    return Enrolment.objects.filter(
        nominated_by_organisation=office,
        cohort__institution_id__in=focal_point_institution_ids(access),
    ).outside_degree_programmes()
