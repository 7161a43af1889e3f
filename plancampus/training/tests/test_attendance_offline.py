"""Marks sent late (kept on a phone while offline): the server keeps the newer of two marks
of the same person, dated from the phone's own delay between tap and sending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from plancampus.core.tests.factories import MembershipFactory, PersonFactory, UserFactory
from plancampus.training.models import Attendance
from plancampus.training.services.attendance import (
    MAX_CLIENT_DELAY,
    attendance_mark,
    marked_at_from_client,
)

from .factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


@pytest.fixture
def enrolment(cohort, office):
    return EnrolmentFactory(cohort=cohort, person=PersonFactory(organisation=office))


@pytest.fixture
def co_trainer(cohort, institution):
    """A second trainer of the cohort, with their own phone."""
    person = PersonFactory(organisation=institution, name_latin="Ly Bopha")
    cohort.co_trainers.add(person)
    user = UserFactory(username="cotrainer", person=person)
    MembershipFactory(user=user, institution=institution, role="trainer")
    return user


def _tap_url(cohort, session, enrolment):
    return reverse("training:attendance-tap", args=[cohort.pk, session.pk, enrolment.pk])


# --- Dating a mark from the phone's delay --------------------------------------------------


@pytest.mark.parametrize(
    ("tapped", "sent", "delay"),
    [
        ("1000", "61000", dt.timedelta(minutes=1)),
        (1000, 1000, dt.timedelta(0)),
        ("5000", "1000", dt.timedelta(0)),  # a clock set back between tap and sending
        ("0", str(10**15), MAX_CLIENT_DELAY),
    ],
)
def test_a_mark_is_dated_by_the_phones_delay_in_the_servers_time(tapped, sent, delay):
    now = timezone.now()
    assert marked_at_from_client(tapped, sent, now) == now - delay


@pytest.mark.parametrize(("tapped", "sent"), [(None, "1"), ("1", None), ("x", "2"), ("1.5", "3")])
def test_without_usable_times_the_mark_is_dated_on_arrival(tapped, sent):
    assert marked_at_from_client(tapped, sent) is None


def test_a_phone_whose_clock_is_wrong_still_dates_its_marks_right():
    now = timezone.now()
    right = marked_at_from_client(1_700_000_000_000, 1_700_000_030_000, now)
    two_hours_fast = marked_at_from_client(1_700_007_200_000, 1_700_007_230_000, now)
    assert right == two_hours_fast == now - dt.timedelta(seconds=30)


# --- The newer mark wins, whatever the order of arrival ------------------------------------


def test_an_older_mark_arriving_late_does_not_overwrite_a_newer_one(
    session, enrolment, trainer, co_trainer
):
    now = timezone.now()
    (newer,) = attendance_mark(session=session, marks={enrolment.pk: "absent"}, user=co_trainer)
    assert newer.applied
    (kept,) = attendance_mark(
        session=session,
        marks={enrolment.pk: "present"},
        user=trainer,
        times={enrolment.pk: now - dt.timedelta(minutes=10)},
    )
    assert not kept.applied
    stored = Attendance.objects.get(session=session, enrolment=enrolment)
    assert (stored.status, stored.marked_by) == ("absent", co_trainer)
    # A mark made after it replaces it.
    (latest,) = attendance_mark(session=session, marks={enrolment.pk: "late"}, user=trainer)
    assert latest.applied
    stored.refresh_from_db()
    assert (stored.status, stored.marked_by) == ("late", trainer)


def test_a_newer_mark_arriving_late_replaces_an_older_one(session, enrolment, trainer, co_trainer):
    now = timezone.now()
    attendance_mark(
        session=session,
        marks={enrolment.pk: "absent"},
        user=co_trainer,
        times={enrolment.pk: now - dt.timedelta(minutes=30)},
    )
    (mark,) = attendance_mark(
        session=session,
        marks={enrolment.pk: "present"},
        user=trainer,
        times={enrolment.pk: now - dt.timedelta(minutes=5)},
    )
    assert mark.applied
    assert Attendance.objects.get(enrolment=enrolment).status == "present"


def test_a_time_in_the_future_counts_as_now(session, enrolment, trainer, co_trainer):
    (mark,) = attendance_mark(
        session=session,
        marks={enrolment.pk: "present"},
        user=trainer,
        times={enrolment.pk: timezone.now() + dt.timedelta(days=1)},
    )
    assert mark.marked_at <= timezone.now()
    # So a colleague marking afterwards is not locked out by it.
    (later,) = attendance_mark(session=session, marks={enrolment.pk: "absent"}, user=co_trainer)
    assert later.applied


def test_the_same_marks_sent_twice_change_nothing(session, enrolment, trainer, office):
    other = EnrolmentFactory(cohort=session.cohort, person=PersonFactory(organisation=office))
    at = timezone.now() - dt.timedelta(minutes=3)
    marks = {enrolment.pk: "present", other.pk: "excused"}
    for _ in range(2):
        stored = attendance_mark(
            session=session, marks=marks, user=trainer, times=dict.fromkeys(marks, at)
        )
        assert [a.applied for a in stored] == [True, True]
    assert Attendance.objects.count() == 2
    assert set(Attendance.objects.values_list("marked_at", flat=True)) == {at}


def test_a_refused_mark_writes_nothing(cohort, session, enrolment, trainer):
    cohort.closed_at = timezone.now()
    cohort.save()
    with pytest.raises(ValidationError, match="closed"):
        attendance_mark(
            session=session,
            marks={enrolment.pk: "present"},
            user=trainer,
            times={enrolment.pk: timezone.now() - dt.timedelta(hours=1)},
        )
    assert not Attendance.objects.exists()


# --- Two trainers' phones, through the page's endpoint -------------------------------------


def test_two_trainers_a_late_tap_from_an_offline_phone_keeps_the_colleagues_later_mark(
    client_for, client, cohort, session, enrolment, trainer, co_trainer
):
    url = _tap_url(cohort, session, enrolment)
    # The trainer's phone is offline: the tap waits on it (made at 10:00 on its clock)...
    tapped_at = 1_800_000_000_000
    # ...the co-trainer marks the person absent meanwhile, from a phone that is online...
    colleague = client_for(co_trainer).post(url, {"status": "absent"}, headers=JSON)
    assert colleague.json()["applied"] is True
    client.logout()
    # ...and the trainer's phone, back online ten minutes later, sends its tap.
    late = client_for(trainer).post(
        url,
        {"status": "present", "tapped_at": tapped_at, "sent_at": tapped_at + 600_000},
        headers=JSON,
    )
    assert late.status_code == 200
    answer = late.json()
    assert answer["applied"] is False
    assert answer["status"] == "absent"
    assert answer["marked_by"] == "Ly Bopha"
    assert answer["counter"] == "1 of 1 marked"
    stored = Attendance.objects.get(session=session, enrolment=enrolment)
    assert (stored.status, stored.marked_by) == ("absent", co_trainer)

    # A tap made after the colleague's mark, even sent late, replaces it.
    fresh = client_for(trainer).post(
        url, {"status": "late", "tapped_at": 5_000, "sent_at": 5_000}, headers=JSON
    )
    assert fresh.json() | {"marked_at": None} == {
        "enrolment": enrolment.pk,
        "status": "late",
        "applied": True,
        "marked_by": "Heng Piseth",
        "marked_at": None,
        "counter": "1 of 1 marked",
        "error": "",
    }


def test_a_tap_the_server_refuses_answers_422_with_the_reason(
    client_for, cohort, session, enrolment, trainer
):
    Attendance.objects.create(session=session, enrolment=enrolment, status="present")
    cohort.closed_at = timezone.now()
    cohort.save()
    response = client_for(trainer).post(
        _tap_url(cohort, session, enrolment), {"status": "absent"}, headers=JSON
    )
    assert response.status_code == 422
    answer = response.json()
    assert "attendance can no longer change" in answer["error"]
    assert answer["status"] == "present"  # what the server holds, for the row to show
    assert answer["applied"] is False


def test_a_tap_without_json_goes_back_to_the_grid(client_for, cohort, session, enrolment, trainer):
    response = client_for(trainer).post(_tap_url(cohort, session, enrolment), {"status": "late"})
    assert response.status_code == 302
    assert response["Location"] == reverse("training:attendance", args=[cohort.pk, session.pk])
    assert Attendance.objects.get().status == "late"


def test_a_logged_out_phone_is_sent_to_log_in_and_nothing_is_written(
    client, cohort, session, enrolment
):
    response = client.post(
        _tap_url(cohort, session, enrolment), {"status": "present"}, headers=JSON
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Attendance.objects.exists()


def test_the_grid_carries_what_the_script_needs_and_no_inline_script(
    client_for, cohort, session, enrolment, trainer
):
    html = (
        client_for(trainer)
        .get(reverse("training:attendance", args=[cohort.pk, session.pk]))
        .content.decode()
    )
    assert "training/js/attendance.js" in html
    assert "<script>" not in html
    assert "onclick" not in html
    assert "style=" not in html
    assert f'data-tap-url="{_tap_url(cohort, session, enrolment)}"' in html
    assert f'data-enrolment="{enrolment.pk}"' in html
    assert 'data-text="count">Marks not yet sent: __COUNT__<' in html


def test_the_api_keeps_the_newer_mark_too(cohort, session, enrolment, trainer, co_trainer, client):
    from plancampus.core.models import ApiToken

    attendance_mark(session=session, marks={enrolment.pk: "absent"}, user=co_trainer)
    _token, raw = ApiToken.issue(trainer, "phone")
    url = f"/api/training/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"
    older = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = client.post(
        url,
        {"marks": [{"enrolment_id": enrolment.pk, "status": "present", "marked_at": older}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()[0]["status"] == "absent"
    assert Attendance.objects.get().status == "absent"
