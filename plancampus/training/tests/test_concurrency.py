"""Two people acting at the same moment lose nothing (PostgreSQL, real threads).

On SQLite, writers are serialised by the database itself (IMMEDIATE transactions), and
threads cannot share the in-memory test database, so these tests run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from plancampus.core.tests.factories import PersonFactory
from plancampus.training.models import Attendance, EnrolmentStatus, Mark
from plancampus.training.services.attendance import attendance_mark
from plancampus.training.services.enrolment import enrolment_accept, enrolment_nominate
from plancampus.training.services.results import MarkEntry, marks_record

from .factories import CohortFactory, EnrolmentFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
    ),
]


def _together(*actions: Callable[[], object]) -> list[BaseException]:
    """Run the actions in threads released at the same instant; return their errors."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_two_trainers_marking_the_same_session_lose_no_marks(cohort, coordinator, trainer):
    session = SessionFactory(cohort=cohort)
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(20)]
    first, second = enrolments[:10], enrolments[10:]
    for _round in range(5):
        errors = _together(
            lambda: attendance_mark(
                session=session, marks={e.pk: "present" for e in first}, user=trainer
            ),
            lambda: attendance_mark(
                session=session, marks={e.pk: "absent" for e in second}, user=coordinator
            ),
        )
        assert errors == []
    assert Attendance.objects.filter(session=session, status="present").count() == 10
    assert Attendance.objects.filter(session=session, status="absent").count() == 10


def test_two_coordinators_accepting_at_once_do_not_overfill(
    course, office, coordinator, admin_user
):
    for _round in range(3):
        cohort = CohortFactory(course=course, capacity=1)
        people = [PersonFactory(organisation=office) for _ in range(2)]
        a, b = enrolment_nominate(
            cohort=cohort, people=people, organisation=office, user=coordinator
        )
        errors = _together(
            lambda cohort=cohort, a=a: enrolment_accept(
                cohort=cohort, enrolments=[a], user=coordinator
            ),
            lambda cohort=cohort, b=b: enrolment_accept(
                cohort=cohort, enrolments=[b], user=admin_user
            ),
        )
        assert errors == []
        statuses = sorted(cohort.enrolments.values_list("status", flat=True))
        assert statuses == [EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITING]


def test_two_trainers_entering_marks_at_once_lose_none(cohort, coordinator, trainer):
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(10)]
    modality = cohort.course.modalities.order_by("id").first()
    first, second = enrolments[:5], enrolments[5:]
    errors = _together(
        lambda: marks_record(
            cohort=cohort,
            entries=[MarkEntry(e.pk, modality.pk, Decimal(12)) for e in first],
            user=trainer,
        ),
        lambda: marks_record(
            cohort=cohort,
            entries=[MarkEntry(e.pk, modality.pk, Decimal(14)) for e in second],
            user=coordinator,
        ),
    )
    assert errors == []
    assert Mark.objects.filter(value=12).count() == 5
    assert Mark.objects.filter(value=14).count() == 5


def test_two_trainers_marking_the_same_person_at_once_keep_the_newer_mark(
    cohort, coordinator, trainer
):
    import datetime as dt

    from django.utils import timezone

    session = SessionFactory(cohort=cohort)
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(10)]
    for round_ in range(5):
        now = timezone.now()
        older, newer = now - dt.timedelta(minutes=10), now - dt.timedelta(minutes=1)
        # Alternate which trainer holds the newer marks: the order of arrival must not matter.
        first_at, second_at = (older, newer) if round_ % 2 else (newer, older)
        errors = _together(
            lambda first_at=first_at: attendance_mark(
                session=session,
                marks={e.pk: "present" for e in enrolments},
                user=trainer,
                times={e.pk: first_at for e in enrolments},
            ),
            lambda second_at=second_at: attendance_mark(
                session=session,
                marks={e.pk: "absent" for e in enrolments},
                user=coordinator,
                times={e.pk: second_at for e in enrolments},
            ),
        )
        assert errors == []
        expected = "present" if first_at > second_at else "absent"
        assert set(
            Attendance.objects.filter(session=session).values_list("status", "marked_at")
        ) == {(expected, max(first_at, second_at))}
