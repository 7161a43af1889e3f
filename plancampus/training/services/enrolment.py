"""Nominations, acceptance, the waiting list and withdrawals.

The seats of a cohort are its accepted enrolments. Every change that takes or frees a seat
locks the cohort row first (``select_for_update``), so that two coordinators accepting at the
same moment cannot fill a seat twice, and a withdrawal promotes the first person of the
waiting list in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from plancampus.core.models import Organisation, OrganisationKind, Person, User

from ..models import Cohort, CohortStatus, Enrolment, EnrolmentStatus

REOPENABLE = {EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REJECTED}
FOREIGN_KEYS = ["cohort", "person", "nominated_by_organisation", "nominated_by", "decided_by"]


def cohort_lock(cohort: Cohort) -> Cohort:
    """The cohort's row, locked until the end of the transaction (PostgreSQL); SQLite
    serialises writers anyway (IMMEDIATE transactions)."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _check_open_for_changes(cohort: Cohort) -> None:
    if cohort.is_closed or cohort.status in {CohortStatus.COMPLETED, CohortStatus.CANCELLED}:
        raise ValidationError(
            _("The cohort %(code)s is %(status)s: its participants can no longer change.")
            % {"code": cohort.code, "status": cohort.get_status_display().lower()},
            code="cohort_closed",
        )


def _save(enrolment: Enrolment, user: User | None) -> None:
    """Save with the acting user in the enrolment's history (audit), also outside a request."""
    if user is not None and user.is_authenticated:
        enrolment._history_user = user  # type: ignore[attr-defined]
    enrolment.save()


def office_reach(office: Organisation) -> set[int]:
    """Ids of the organisations whose staff ``office`` may nominate: the office itself and,
    for a provincial office, the district offices under it."""
    reach = {office.pk}
    if office.kind == OrganisationKind.PROVINCIAL_OFFICE:
        reach |= set(
            Organisation.objects.filter(
                parent=office, kind=OrganisationKind.DISTRICT_OFFICE
            ).values_list("pk", flat=True)
        )
    return reach


def seats_taken(cohort: Cohort) -> int:
    return cohort.enrolments.filter(status=EnrolmentStatus.ACCEPTED).count()


@transaction.atomic
def enrolment_nominate(
    *,
    cohort: Cohort,
    people: Sequence[Person],
    organisation: Organisation | None,
    user: User | None,
    check_window: bool = True,
) -> list[Enrolment]:
    """Nominate ``people`` (staff of ``organisation``, if given) to ``cohort``.

    All or nothing: a person already nominated or enrolled, or not working in the nominating
    office (nor, for a provincial office, in one of its district offices), makes the whole
    nomination fail with one message per person.
    """
    cohort = cohort_lock(cohort)
    _check_open_for_changes(cohort)
    if check_window and not cohort.nominations_are_open():
        raise ValidationError(
            _("Nominations to %(code)s are not open (window: %(opens)s – %(closes)s).")
            % {
                "code": cohort.code,
                "opens": cohort.nomination_opens or "…",
                "closes": cohort.nomination_closes or "…",
            },
            code="nominations_closed",
        )
    if not people:
        raise ValidationError(_("Choose at least one person to nominate."), code="empty")
    existing = {e.person_id: e for e in cohort.enrolments.filter(person__in=[p.pk for p in people])}
    reach = office_reach(organisation) if organisation is not None else set()
    errors: list[ValidationError] = []
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:
            errors.append(
                ValidationError(
                    _("%(name)s is listed twice.") % {"name": person.name_latin}, code="duplicate"
                )
            )
        seen.add(person.pk)
        found = existing.get(person.pk)
        if found is not None and found.status not in REOPENABLE:
            errors.append(
                ValidationError(
                    _("%(name)s is already in this cohort (%(status)s).")
                    % {"name": person.name_latin, "status": found.get_status_display().lower()},
                    code="already_enrolled",
                )
            )
        if organisation is not None and person.organisation_id not in reach:
            message = (
                _(
                    "%(name)s does not work in %(office)s or in one of its district offices: "
                    "an office nominates only its own staff."
                )
                if organisation.kind == OrganisationKind.PROVINCIAL_OFFICE
                else _("%(name)s does not work in %(office)s, which makes this nomination.")
            )
            errors.append(
                ValidationError(
                    message % {"name": person.name_latin, "office": organisation.display_name},
                    code="wrong_organisation",
                )
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    nominated = []
    for person in people:
        enrolment = existing.get(person.pk) or Enrolment(cohort=cohort, person=person)
        enrolment.status = EnrolmentStatus.NOMINATED
        enrolment.nominated_by_organisation_id = (
            organisation.pk if organisation else person.organisation_id
        )
        enrolment.nominated_by = user
        enrolment.nominated_at = now
        enrolment.enrolled_at = enrolment.waiting_since = enrolment.withdrawn_at = None
        enrolment.full_clean(
            exclude=FOREIGN_KEYS, validate_unique=False, validate_constraints=False
        )
        _save(enrolment, user)
        nominated.append(enrolment)
    return nominated


@transaction.atomic
def enrolment_accept(
    *, cohort: Cohort, enrolments: Sequence[Enrolment], user: User | None
) -> tuple[list[Enrolment], list[Enrolment]]:
    """Accept nominations in the order given: up to the capacity they get a seat, the others
    go to the waiting list. Returns (accepted, waiting)."""
    cohort = cohort_lock(cohort)
    _check_open_for_changes(cohort)
    ids = [e.pk for e in enrolments]
    fresh = {e.pk: e for e in cohort.enrolments.select_for_update().filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in fresh]
    if missing:
        raise ValidationError(
            _("Some of these nominations are not in cohort %(code)s.") % {"code": cohort.code},
            code="other_cohort",
        )
    free = cohort.capacity - seats_taken(cohort)
    now = timezone.now()
    accepted: list[Enrolment] = []
    waiting: list[Enrolment] = []
    for pk in ids:
        enrolment = fresh[pk]
        if enrolment.status not in {EnrolmentStatus.NOMINATED, EnrolmentStatus.WAITING}:
            raise ValidationError(
                _("%(name)s cannot be accepted: the enrolment is %(status)s.")
                % {
                    "name": enrolment.person.name_latin,
                    "status": enrolment.get_status_display().lower(),
                },
                code="bad_status",
            )
        enrolment.decided_by = user
        if free > 0:
            enrolment.status = EnrolmentStatus.ACCEPTED
            enrolment.enrolled_at = now
            free -= 1
            accepted.append(enrolment)
        else:
            if enrolment.status != EnrolmentStatus.WAITING:
                enrolment.status = EnrolmentStatus.WAITING
                enrolment.waiting_since = now
            waiting.append(enrolment)
        _save(enrolment, user)
    return accepted, waiting


@transaction.atomic
def enrolment_reject(*, enrolment: Enrolment, user: User | None) -> Enrolment:
    """Turn down a nomination (or remove someone from the waiting list)."""
    cohort = cohort_lock(enrolment.cohort)
    _check_open_for_changes(cohort)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in {EnrolmentStatus.NOMINATED, EnrolmentStatus.WAITING}:
        raise ValidationError(
            _(
                "Only a nomination or a place on the waiting list can be turned down; withdraw "
                "an accepted participant instead."
            ),
            code="bad_status",
        )
    enrolment.status = EnrolmentStatus.REJECTED
    enrolment.decided_by = user
    _save(enrolment, user)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, user: User | None) -> Enrolment | None:
    """Withdraw a participant; a freed seat goes to the first person on the waiting list.

    Returns the promoted enrolment, if any.
    """
    cohort = cohort_lock(enrolment.cohort)
    _check_open_for_changes(cohort)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status in REOPENABLE:
        raise ValidationError(
            _("This enrolment is already %(status)s.")
            % {"status": enrolment.get_status_display().lower()},
            code="bad_status",
        )
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.decided_by = user
    _save(enrolment, user)
    promoted = cohort_promote_waiting(cohort=cohort, user=user)
    return promoted[0] if promoted else None


def cohort_promote_waiting(*, cohort: Cohort, user: User | None) -> list[Enrolment]:
    """Give free seats to the waiting list, first come first served. Call inside a
    transaction that holds the cohort's lock."""
    free = cohort.capacity - seats_taken(cohort)
    if free <= 0:
        return []
    now = timezone.now()
    promoted = list(cohort.enrolments.waiting().select_for_update()[:free])
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.ACCEPTED
        enrolment.enrolled_at = now
        enrolment.decided_by = user
        _save(enrolment, user)
    return promoted


@transaction.atomic
def enrolment_enrol(
    *,
    cohort: Cohort,
    people: Sequence[Person],
    user: User | None,
    organisations: Sequence[Organisation | None] | None = None,
    enrolled_at: dt.datetime | None = None,
) -> list[Enrolment]:
    """Enrol people directly (accepted), e.g. from a list the offices sent.

    All or nothing: a person already in the cohort, or more people than free seats, makes
    the whole enrolment fail.
    """
    cohort = cohort_lock(cohort)
    _check_open_for_changes(cohort)
    existing = {e.person_id: e for e in cohort.enrolments.filter(person__in=[p.pk for p in people])}
    errors = [
        ValidationError(
            _("%(name)s is already in this cohort (%(status)s).")
            % {"name": p.name_latin, "status": existing[p.pk].get_status_display().lower()},
            code="already_enrolled",
        )
        for p in people
        if p.pk in existing and existing[p.pk].status not in REOPENABLE
    ]
    if len({p.pk for p in people}) != len(people):
        errors.append(ValidationError(_("A person is listed twice."), code="duplicate"))
    if errors:
        raise ValidationError(errors)
    free = cohort.capacity - seats_taken(cohort)
    if len(people) > free:
        raise ValidationError(
            _(
                "Cohort %(code)s has %(free)s free seat(s) of %(capacity)s; %(count)s people "
                "cannot all be enrolled. Raise the capacity or enrol fewer people."
            )
            % {
                "code": cohort.code,
                "free": max(free, 0),
                "capacity": cohort.capacity,
                "count": len(people),
            },
            code="over_capacity",
        )
    now = enrolled_at or timezone.now()
    enrolments, new = [], []
    for index, person in enumerate(people):
        office = organisations[index] if organisations else None
        enrolment = existing.get(person.pk) or Enrolment(cohort=cohort, person=person)
        enrolment.status = EnrolmentStatus.ACCEPTED
        enrolment.nominated_by_organisation_id = office.pk if office else person.organisation_id
        enrolment.nominated_by = enrolment.decided_by = user
        enrolment.nominated_at = enrolment.enrolled_at = now
        enrolment.waiting_since = enrolment.withdrawn_at = None
        # The related rows are known to exist: no query per row to check them.
        enrolment.full_clean(
            exclude=FOREIGN_KEYS, validate_unique=False, validate_constraints=False
        )
        if enrolment.pk:
            _save(enrolment, user)
        else:
            new.append(enrolment)
        enrolments.append(enrolment)
    # A long list (a spreadsheet) is written in a few statements, with its history.
    bulk_create_with_history(
        new,
        Enrolment,
        batch_size=500,
        default_user=user if user is not None and user.is_authenticated else None,
    )
    return enrolments
