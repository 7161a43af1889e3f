"""Attendance: marking a session, and attendance rates.

A mark is an upsert of one (session, enrolment) row, so submitting the same grid twice
changes nothing, and two trainers marking different people of the same session at the same
time both keep their marks (the database's ``INSERT … ON CONFLICT DO UPDATE``).

Every mark carries the moment it was made (``Attendance.marked_at``). When two marks of the
same person meet, the newer one is kept, whatever the order in which they arrive: a tap kept
on a phone while the connection was down, and sent an hour later, does not overwrite what a
colleague marked in between (``… DO UPDATE … WHERE`` the stored mark is not newer). The
phone's own clock is not trusted: it sends how long ago the tap was made, measured on that
same clock, and the server dates the mark from its own time (``marked_at_from_client``).

A session is expected of a participant only if it ended after they were accepted: someone
enrolled after a session is not counted absent for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
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

# A mark may wait on a phone for days (a training far from any network); older delays are
# taken as this one, which still dates the mark before any mark made since.
MAX_CLIENT_DELAY = dt.timedelta(days=366)


def marked_at_from_client(
    tapped_at: str | int | None, sent_at: str | int | None, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When a mark sent by the attendance page was made, in the server's time.

    ``tapped_at`` and ``sent_at`` are the phone's clock (milliseconds since 1970) at the tap
    and when the request left; only their difference is used, so a phone whose clock is off
    still dates its marks right (to within the request's travel time). ``None`` when they
    are missing or not numbers: the mark is then dated on arrival.
    """
    try:
        delay_ms = int(str(sent_at)) - int(str(tapped_at))
    except ValueError:
        return None
    delay = min(max(dt.timedelta(milliseconds=delay_ms), dt.timedelta(0)), MAX_CLIENT_DELAY)
    return (now or timezone.now()) - delay


def _upsert_keeping_newest(rows: list[Attendance]) -> None:
    """Insert the rows; where a (session, enrolment) row exists, update it only if the stored
    mark is not newer. One statement per 500 rows, atomic per row on SQLite and PostgreSQL
    (``bulk_create(update_conflicts=True)`` cannot put a condition on the update)."""
    connection = connections[router.db_for_write(Attendance)]
    meta = Attendance._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ["session", "enrolment", "status", "marked_by", "marked_at"]
    columns = [quote(meta.get_field(name).column) for name in names]
    session_col, enrolment_col, _status, _by, marked_at_col = columns
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
        # Table and column names come from the model (quoted); every value is a parameter.
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({session_col}, {enrolment_col}) DO UPDATE SET {updates} "
            f"WHERE {table}.{marked_at_col} <= excluded.{marked_at_col}"
        )
        params: list[object] = []
        for row in batch:
            params += [
                row.session_id,
                row.enrolment_id,
                row.status,
                row.marked_by_id,
                connection.ops.adapt_datetimefield_value(row.marked_at),
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def attendance_mark(
    *,
    session: Session,
    marks: Mapping[int, str],
    user: User | None,
    times: Mapping[int, dt.datetime] | None = None,
) -> list[Attendance]:
    """Record ``{enrolment_id: status}`` for ``session``; all or nothing.

    ``times`` says when marks were made (``{enrolment_id: moment}``; by default, and never
    later than, now). Where a newer mark of the same person is already stored, it is kept.
    Returns the marks as stored after the write, the kept newer ones included; each says
    whether it is the one just sent (``applied``) or a newer one that was kept.

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
    times = times or {}
    by = user if user is not None and user.is_authenticated else None
    rows = [
        Attendance(
            session=session,
            enrolment_id=pk,
            status=status,
            marked_by=by,
            marked_at=min(times.get(pk) or now, now),
        )
        for pk, status in marks.items()
    ]
    _upsert_keeping_newest(rows)
    sent = {row.enrolment_id: row.marked_at for row in rows}
    stored = list(
        Attendance.objects.filter(session=session, enrolment_id__in=list(marks)).order_by(
            "enrolment_id"
        )
    )
    for attendance in stored:
        # False where a newer mark was already there and was kept.
        attendance.applied = attendance.marked_at == sent[attendance.enrolment_id]  # type: ignore[attr-defined]
    return stored


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
