"""Who may see and do what in training. Every training view and endpoint goes through here.

Built on :mod:`plancampus.core.access`: the tenant is the institution that owns a programme,
course or cohort.

- Members of an institution (any role but participant) see its programmes, courses and
  cohorts; the partner's programme specialist sees every institution's, read only.
- Participants see the courses of their institution, and only the cohorts they are enrolled
  in (their own enrolment, sessions and results, not the other participants').
- ``training.manage`` (coordinator, institution administrator) creates and changes courses
  and cohorts, decides on nominations and closes results — in their own institution only.
- Students of degree programmes (Master's, Doctorate) are seen by the institution's staff
  and the programme specialist; coordinators and administrators record them.
- ``training.teach``: a trainer marks attendance and enters marks only in the cohorts they
  lead or co-train (their account is linked to a person); managers may do it in any cohort of
  their institution.

Objects of another institution answer 404; an action the role does not allow answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from plancampus.core.access import PERMISSIONS, STAFF_ROLES, Access
from plancampus.core.models import Organisation, Role

from .models import Cohort, Course, Enrolment, Programme, ProgrammeStudent


def _institution_ids(access: Access, roles: set[str]) -> set[int]:
    return {m.institution_id for m in access.memberships if m.role in roles}


def _is_superuser(access: Access) -> bool:
    return bool(getattr(access.user, "is_superuser", False))


def _person_id(access: Access) -> int | None:
    return getattr(access.user, "person_id", None) if access.user.is_authenticated else None


def member_institution_ids(access: Access) -> set[int]:
    return {m.institution_id for m in access.memberships}


def programmes_for_user(access: Access) -> QuerySet[Programme]:
    if access.is_global:
        return Programme.objects.all()
    return Programme.objects.filter(institution_id__in=member_institution_ids(access))


def courses_for_user(access: Access) -> QuerySet[Course]:
    if access.is_global:
        return Course.objects.all()
    return Course.objects.filter(institution_id__in=member_institution_ids(access))


def cohorts_for_user(access: Access) -> QuerySet[Cohort]:
    if access.is_global:
        return Cohort.objects.all()
    staff_of = _institution_ids(access, STAFF_ROLES)
    visible = Q(institution_id__in=staff_of)
    person_id = _person_id(access)
    if person_id is not None:
        # A participant sees the cohorts they were nominated to or enrolled in.
        own = Enrolment.objects.filter(person_id=person_id).values("cohort_id")
        visible |= Q(institution_id__in=member_institution_ids(access), pk__in=own)
    if not staff_of and person_id is None:
        return Cohort.objects.none()
    return Cohort.objects.filter(visible)


def programme_students_for_user(access: Access) -> QuerySet[ProgrammeStudent]:
    """Students of degree programmes: the staff of the programme's institution see them (the
    partner's programme specialist too); participants do not."""
    if access.is_global:
        return ProgrammeStudent.objects.all()
    return ProgrammeStudent.objects.filter(
        programme__institution_id__in=_institution_ids(access, STAFF_ROLES)
    )


def enrolments_for_user(access: Access) -> QuerySet[Enrolment]:
    """Enrolments a user may see: all of their institutions' cohorts for staff, their own
    for participants."""
    if access.is_global:
        return Enrolment.objects.all()
    staff_of = _institution_ids(access, STAFF_ROLES)
    visible = Q(cohort__institution_id__in=staff_of)
    person_id = _person_id(access)
    if person_id is not None:
        visible |= Q(person_id=person_id, cohort__institution_id__in=member_institution_ids(access))
    if not staff_of and person_id is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(visible)


def is_staff_of(access: Access, institution_id: int) -> bool:
    """Sees the whole of the institution's training (participants list, results...)."""
    return access.is_global or institution_id in _institution_ids(access, STAFF_ROLES)


def can_manage(access: Access, institution_id: int) -> bool:
    if _is_superuser(access):
        return True
    return institution_id in _institution_ids(access, PERMISSIONS["training.manage"])


def can_teach(access: Access, cohort: Cohort) -> bool:
    """May mark attendance and enter marks in this cohort."""
    if can_manage(access, cohort.institution_id):
        return True
    if cohort.institution_id not in _institution_ids(access, {Role.TRAINER}):
        return False
    person_id = _person_id(access)
    return person_id is not None and person_id in cohort.trainer_ids()


def require_manage(access: Access, institution_id: int) -> None:
    if not can_manage(access, institution_id):
        raise PermissionDenied("training.manage")


def require_teach(access: Access, cohort: Cohort) -> None:
    if not can_teach(access, cohort):
        raise PermissionDenied("training.teach")


def managed_institutions(access: Access) -> list[Organisation]:
    """Institutions in whose name the user may create courses and cohorts."""
    if _is_superuser(access) and not access.memberships:
        return list(Organisation.objects.institutions())
    roles = PERMISSIONS["training.manage"]
    seen: dict[int, Organisation] = {}
    for m in access.memberships:
        if m.role in roles or _is_superuser(access):
            seen.setdefault(m.institution_id, m.institution)
    return list(seen.values())


def institution_to_manage(access: Access) -> Organisation:
    """The institution a new course or cohort belongs to; 403 if none."""
    institutions = managed_institutions(access)
    if not institutions:
        raise PermissionDenied("training.manage")
    return institutions[0]
