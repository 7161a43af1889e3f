"""Attendance: marking a session, and attendance rates.

A mark is an upsert of one (session, enrolment) row, so submitting the same grid twice
changes nothing, and two trainers marking different people of the same session at the same
time both keep their marks (the database's ``INSERT … ON CONFLICT DO UPDATE``).

A session is expected of a participant only if it ended after they were accepted: someone
enrolled after a session is not counted absent for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import User

from ..models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Session,
)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def attendance_mark(
    *, session: Session, marks: Mapping[int, str], user: User | None
) -> list[Attendance]:
    """Record ``{enrolment_id: status}`` for ``session``; all or nothing.

    Refused, with one message per problem: a person of another cohort, someone not (or not
    yet) accepted in the cohort, an unknown status, a cancelled or future session, a cohort
    whose results are closed.
    """
    cohort = session.cohort
    if cohort.is_closed:
        raise ValidationError(
            _("The results of cohort %(code)s are closed: attendance can no longer change.")
            % {"code": cohort.code},
            code="cohort_closed",
        )
    if session.is_cancelled:
        raise ValidationError(_("This session was cancelled."), code="session_cancelled")
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise ValidationError(
            _("This session has not started yet: attendance is marked on the day."),
            code="session_future",
        )
    enrolments = {
        e.pk: e for e in Enrolment.objects.filter(pk__in=list(marks)).select_related("person")
    }
    errors: list[ValidationError] = []
    for enrolment_id, status in marks.items():
        enrolment = enrolments.get(enrolment_id)
        if enrolment is None or enrolment.cohort_id != session.cohort_id:
            errors.append(
                ValidationError(
                    _(
                        "Enrolment %(id)s is not in cohort %(code)s: attendance is marked only for "
                        "the cohort's own sessions."
                    )
                    % {"id": enrolment_id, "code": cohort.code},
                    code="other_cohort",
                )
            )
            continue
        name = enrolment.person.name_latin
        if enrolment.status != EnrolmentStatus.ACCEPTED:
            errors.append(
                ValidationError(
                    _("%(name)s is not an accepted participant (%(status)s).")
                    % {"name": name, "status": enrolment.get_status_display().lower()},
                    code="not_accepted",
                )
            )
        elif not session.counts_for(enrolment):
            errors.append(
                ValidationError(
                    _("%(name)s was enrolled after this session.") % {"name": name},
                    code="not_yet_enrolled",
                )
            )
        if status not in AttendanceStatus.values:
            errors.append(
                ValidationError(
                    _("“%(status)s” is not an attendance status for %(name)s.")
                    % {"status": status, "name": name},
                    code="bad_status",
                )
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    rows = [
        Attendance(session=session, enrolment_id=pk, status=status, marked_by=user, marked_at=now)
        for pk, status in marks.items()
    ]
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "enrolment"],
        update_fields=["status", "marked_by", "marked_at"],
    )
    return rows


@dataclass(frozen=True)
class AttendanceRate:
    attended: int
    expected: int

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.attended, self.expected)


def attendance_rates(
    *,
    cohort: Cohort,
    enrolments: list[Enrolment] | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[int, AttendanceRate], AttendanceRate]:
    """Per accepted enrolment: sessions attended (present or late) of those held since they
    were accepted; and the cohort's total. Two queries whatever the number of people."""
    now = now or timezone.now()
    sessions = list(cohort.sessions.held(now).only("starts_at", "duration_minutes"))
    if enrolments is None:
        enrolments = list(cohort.enrolments.accepted().only("enrolled_at", "status", "cohort_id"))
    attended = dict(
        Attendance.objects.filter(
            session__cohort=cohort,
            session__in=[s.pk for s in sessions],
            status__in=ATTENDED,
        )
        .values_list("enrolment_id")
        .annotate(n=Count("id"))
        .values_list("enrolment_id", "n")
    )
    rates: dict[int, AttendanceRate] = {}
    for enrolment in enrolments:
        if enrolment.status != EnrolmentStatus.ACCEPTED:
            continue
        expected = sum(1 for s in sessions if s.counts_for(enrolment))
        rates[enrolment.pk] = AttendanceRate(attended.get(enrolment.pk, 0), expected)
    total = AttendanceRate(
        sum(r.attended for r in rates.values()), sum(r.expected for r in rates.values())
    )
    return rates, total
