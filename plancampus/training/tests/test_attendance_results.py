"""Attendance rates, completion rules and closing the results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from plancampus.training.models import Attendance, EnrolmentStatus, Mark, ResultStatus
from plancampus.training.services.attendance import attendance_mark, attendance_rates
from plancampus.training.services.results import (
    MarkEntry,
    cohort_close,
    final_marks,
    marks_record,
)

from .factories import CohortFactory, EnrolmentFactory, ModalityFactory, SessionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _sessions(cohort, days_ago):
    return [
        SessionFactory(cohort=cohort, starts_at=NOW - dt.timedelta(days=d), duration_minutes=120)
        for d in days_ago
    ]


def test_attendance_rate_counts_present_and_late_since_enrolment(cohort, coordinator):
    s1, s2, s3, s4 = _sessions(cohort, [4, 3, 2, 1])
    early = EnrolmentFactory(cohort=cohort, enrolled_at=NOW - dt.timedelta(days=10))
    late = EnrolmentFactory(cohort=cohort, enrolled_at=NOW - dt.timedelta(days=2, hours=6))
    attendance_mark(session=s1, marks={early.pk: "present"}, user=coordinator)
    attendance_mark(session=s2, marks={early.pk: "late"}, user=coordinator)
    attendance_mark(session=s3, marks={early.pk: "absent", late.pk: "present"}, user=coordinator)
    attendance_mark(session=s4, marks={early.pk: "excused", late.pk: "present"}, user=coordinator)
    # A future session is not expected yet.
    SessionFactory(cohort=cohort, starts_at=NOW + dt.timedelta(days=1))

    rates, total = attendance_rates(cohort=cohort)
    assert (rates[early.pk].attended, rates[early.pk].expected) == (2, 4)
    assert rates[early.pk].percent == Decimal("50.0")
    # Enrolled after sessions 1 and 2: not counted absent for them.
    assert (rates[late.pk].attended, rates[late.pk].expected) == (2, 2)
    assert rates[late.pk].percent == Decimal("100.0")
    assert (total.attended, total.expected) == (4, 6)


def test_marking_someone_enrolled_after_the_session_is_refused(cohort, coordinator):
    (old,) = _sessions(cohort, [5])
    late = EnrolmentFactory(cohort=cohort, enrolled_at=NOW - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="enrolled after this session"):
        attendance_mark(session=old, marks={late.pk: "absent"}, user=coordinator)


def test_marking_is_all_or_nothing_and_refuses_other_cohorts(cohort, course, coordinator):
    (session,) = _sessions(cohort, [1])
    ours = EnrolmentFactory(cohort=cohort)
    theirs = EnrolmentFactory(cohort=CohortFactory(course=course))
    waiting = EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.WAITING)
    with pytest.raises(ValidationError) as error:
        attendance_mark(
            session=session,
            marks={ours.pk: "present", theirs.pk: "present", waiting.pk: "present"},
            user=coordinator,
        )
    text = str(error.value)
    assert "is not in cohort" in text
    assert "not an accepted participant" in text
    assert not Attendance.objects.exists()


def test_unknown_status_future_session_and_closed_cohort_are_refused(cohort, coordinator):
    enrolment = EnrolmentFactory(cohort=cohort)
    (session,) = _sessions(cohort, [1])
    with pytest.raises(ValidationError, match="not an attendance status"):
        attendance_mark(session=session, marks={enrolment.pk: "sleeping"}, user=coordinator)
    future = SessionFactory(cohort=cohort, starts_at=NOW + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="not started yet"):
        attendance_mark(session=future, marks={enrolment.pk: "present"}, user=coordinator)
    cohort.closed_at = NOW
    cohort.save()
    with pytest.raises(ValidationError, match="closed"):
        attendance_mark(session=session, marks={enrolment.pk: "present"}, user=coordinator)


def test_marking_twice_is_idempotent_and_keeps_other_marks(cohort, coordinator, trainer):
    a, b = EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    (session,) = _sessions(cohort, [1])
    attendance_mark(session=session, marks={a.pk: "present"}, user=trainer)
    attendance_mark(session=session, marks={b.pk: "absent"}, user=coordinator)
    attendance_mark(session=session, marks={b.pk: "absent"}, user=coordinator)
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        a.pk: "present",
        b.pk: "absent",
    }
    assert Attendance.objects.get(enrolment=a).marked_by == trainer


def test_weighted_final_mark(cohort, coordinator):
    enrolment = EnrolmentFactory(cohort=cohort)
    exercises, test = cohort.course.modalities.order_by("id")  # 40 % of /20, 60 % of /100
    marks_record(
        cohort=cohort,
        entries=[
            MarkEntry(enrolment.pk, exercises.pk, Decimal(15)),
            MarkEntry(enrolment.pk, test.pk, Decimal(70)),
        ],
        user=coordinator,
    )
    # 40 × 15/20 + 60 × 70/100 = 30 + 42 = 72
    assert final_marks(cohort=cohort, enrolment_ids=[enrolment.pk]) == {
        enrolment.pk: Decimal("72.00")
    }
    other = EnrolmentFactory(cohort=cohort)
    marks_record(
        cohort=cohort, entries=[MarkEntry(other.pk, test.pk, Decimal(50))], user=coordinator
    )
    assert final_marks(cohort=cohort, enrolment_ids=[other.pk]) == {other.pk: None}


def test_marks_out_of_range_and_of_another_course_are_refused_whole(cohort, coordinator, course):
    enrolment = EnrolmentFactory(cohort=cohort)
    exercises, test = cohort.course.modalities.order_by("id")
    foreign = ModalityFactory()
    with pytest.raises(ValidationError) as error:
        marks_record(
            cohort=cohort,
            entries=[
                MarkEntry(enrolment.pk, exercises.pk, Decimal(12)),
                MarkEntry(enrolment.pk, test.pk, Decimal(-1)),
                MarkEntry(enrolment.pk, foreign.pk, Decimal(5)),
            ],
            user=coordinator,
        )
    assert "out of range" in str(error.value)
    assert "not one of this course's" in str(error.value)
    assert not Mark.objects.exists()


def test_mark_changes_are_audited(cohort, coordinator, trainer):
    enrolment = EnrolmentFactory(cohort=cohort)
    exercises = cohort.course.modalities.order_by("id").first()
    marks_record(
        cohort=cohort, entries=[MarkEntry(enrolment.pk, exercises.pk, Decimal(12))], user=trainer
    )
    marks_record(
        cohort=cohort,
        entries=[MarkEntry(enrolment.pk, exercises.pk, Decimal(14))],
        user=coordinator,
    )
    history = Mark.history.filter(enrolment=enrolment).order_by("history_date")
    assert [(h.value, h.history_user) for h in history] == [
        (Decimal(12), trainer),
        (Decimal(14), coordinator),
    ]


def _complete_setup(cohort, coordinator):
    sessions = _sessions(cohort, [5, 4, 3, 2, 1])
    exercises, test = cohort.course.modalities.order_by("id")
    good = EnrolmentFactory(cohort=cohort)  # 5/5 present, 72 %
    absent = EnrolmentFactory(cohort=cohort)  # 3/5 present, 90 %
    weak = EnrolmentFactory(cohort=cohort)  # 4/5 present, 30 %
    for index, session in enumerate(sessions):
        attendance_mark(
            session=session,
            marks={
                good.pk: "present",
                absent.pk: "present" if index < 3 else "absent",
                weak.pk: "late" if index else "absent",
            },
            user=coordinator,
        )
    values = {good: (15, 70), absent: (18, 90), weak: (6, 30)}
    entries = [
        MarkEntry(e.pk, m.pk, Decimal(v))
        for e, (a, b) in values.items()
        for m, v in ((exercises, a), (test, b))
    ]
    marks_record(cohort=cohort, entries=entries, user=coordinator)
    return good, absent, weak


def test_closing_applies_the_completion_rules_and_stores_the_snapshot(cohort, coordinator):
    good, absent, weak = _complete_setup(cohort, coordinator)
    outcomes = cohort_close(cohort=cohort, user=coordinator).outcomes
    assert {o.enrolment.pk: o.completed for o in outcomes} == {
        good.pk: True,
        absent.pk: False,  # 60 % < 80 %
        weak.pk: False,  # 80 % attendance but 30 % < 50 %
    }
    for enrolment in (good, absent, weak):
        enrolment.refresh_from_db()
    assert good.result_status == ResultStatus.COMPLETED
    assert good.final_mark == Decimal("72.00")
    assert good.attendance_rate == Decimal("100.0")
    assert absent.result_status == ResultStatus.NOT_COMPLETED
    assert weak.attendance_rate == Decimal("80.0")
    cohort.refresh_from_db()
    assert cohort.status == "completed"
    assert cohort.closed_by == coordinator
    # Closed: marks and attendance no longer change.
    with pytest.raises(ValidationError, match="closed"):
        marks_record(cohort=cohort, entries=[], user=coordinator)
    with pytest.raises(ValidationError, match="closed"):
        cohort_close(cohort=cohort, user=coordinator)


def test_closing_with_missing_marks_needs_a_confirmation(cohort, coordinator):
    _complete_setup(cohort, coordinator)
    missing = EnrolmentFactory(cohort=cohort, person__name_latin="Missing Marks")
    with pytest.raises(ValidationError, match="Missing Marks"):
        cohort_close(cohort=cohort, user=coordinator)
    outcomes = cohort_close(cohort=cohort, user=coordinator, allow_missing_marks=True).outcomes
    assert next(o for o in outcomes if o.enrolment.pk == missing.pk).completed is False


def test_closing_is_refused_when_weights_do_not_sum_to_100(cohort, coordinator):
    cohort.course.modalities.update(weight=Decimal(30))
    with pytest.raises(ValidationError, match="add up to 60"):
        cohort_close(cohort=cohort, user=coordinator)


def test_a_course_without_assessment_completes_on_attendance(course, coordinator):
    course.modalities.all().delete()
    cohort = CohortFactory(course=course)
    (session,) = _sessions(cohort, [1])
    enrolment = EnrolmentFactory(cohort=cohort)
    attendance_mark(session=session, marks={enrolment.pk: "present"}, user=coordinator)
    (outcome,) = cohort_close(cohort=cohort, user=coordinator).outcomes
    assert outcome.completed
