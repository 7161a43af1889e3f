"""Cohorts and their sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import Person, User

from ..models import Cohort, Session
from .enrolment import cohort_lock, cohort_promote_waiting, seats_taken


@transaction.atomic
def cohort_save(
    *, cohort: Cohort, co_trainers: Sequence[Person] | None = None, user: User | None = None
) -> Cohort:
    """Create or update a cohort. A larger capacity gives the new seats to the waiting list;
    a capacity below the seats already taken is refused."""
    if cohort.pk:
        locked = cohort_lock(cohort)
        taken = seats_taken(locked)
        if cohort.capacity < taken:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(taken)s participants are already accepted; the capacity cannot be "
                        "lower. Withdraw participants first."
                    )
                    % {"taken": taken}
                }
            )
    cohort.full_clean()
    cohort.save()
    if co_trainers is not None:
        cohort.co_trainers.set(co_trainers)
    cohort_promote_waiting(cohort=cohort, user=user)
    return cohort


@transaction.atomic
def sessions_plan(
    *,
    cohort: Cohort,
    first_day: dt.date,
    last_day: dt.date,
    start: dt.time,
    duration_minutes: int,
    place: str = "",
    weekdays_only: bool = True,
) -> list[Session]:
    """One session a day from ``first_day`` to ``last_day`` (working days only, by default)."""
    if last_day < first_day:
        raise ValidationError(_("The last day cannot be before the first day."))
    if (last_day - first_day).days > 366:
        raise ValidationError(_("Plan at most a year of sessions at once."))
    sessions = []
    day = first_day
    while day <= last_day:
        if not weekdays_only or day.weekday() < 5:
            session = Session(
                cohort=cohort,
                starts_at=timezone.make_aware(dt.datetime.combine(day, start)),
                duration_minutes=duration_minutes,
                place=place,
            )
            session.full_clean()
            sessions.append(session)
        day += dt.timedelta(days=1)
    return Session.objects.bulk_create(sessions)
