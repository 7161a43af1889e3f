"""iCalendar feeds of a cohort and of a person (secret address)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar

from plancampus.training.services.calendar import person_calendar_token

from .factories import EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _events(content):
    return list(Calendar.from_ical(content).walk("VEVENT"))


def test_cohort_feed(client_for, coordinator, cohort, session):
    SessionFactory(cohort=cohort, topic="Projections", is_cancelled=True)
    response = client_for(coordinator).get(reverse("training:cohort-calendar", args=[cohort.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert len(events) == 2
    assert events[0]["DTSTART"].dt == session.starts_at.replace(microsecond=0)
    assert events[1]["STATUS"] == "CANCELLED"
    assert "Projections" in str(events[1]["SUMMARY"])


def test_person_feed_by_secret_address_without_login(
    client, cohort, session, participant_person, trainer_person
):
    EnrolmentFactory(cohort=cohort, person=participant_person)
    for person in (participant_person, trainer_person):
        url = reverse("training:person-calendar", args=[person_calendar_token(person)])
        response = client.get(url)
        assert response.status_code == 200
        assert [e["UID"] for e in _events(response.content)] == [
            f"session-{session.pk}@127.0.0.1:8000"
        ]
    assert client.get(reverse("training:person-calendar", args=["forged"])).status_code == 404


def test_waiting_participants_get_no_sessions(client, cohort, session, participant_person):
    EnrolmentFactory(cohort=cohort, person=participant_person, status="waiting")
    url = reverse("training:person-calendar", args=[person_calendar_token(participant_person)])
    assert _events(client.get(url).content) == []


def test_my_training_shows_the_feed_address(
    client_for, participant, participant_person, cohort, session
):
    EnrolmentFactory(cohort=cohort, person=participant_person)
    html = client_for(participant).get(reverse("training:mine")).content.decode()
    assert person_calendar_token(participant_person) in html
    assert cohort.code in html
