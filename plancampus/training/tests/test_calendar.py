"""iCalendar feeds of a cohort and of a person (secret address, which the person resets)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar

from plancampus.training.models import CalendarFeed
from plancampus.training.services.calendar import (
    calendar_feed_reset,
    person_calendar_token,
    person_from_calendar_token,
    signed_calendar_token,
)

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


def _feed_url(token):
    return reverse("training:person-calendar", args=[token])


def test_the_address_is_a_random_token_stored_for_the_person(participant_person, trainer_person):
    token = person_calendar_token(participant_person)
    assert person_calendar_token(participant_person) == token  # stable until reset
    assert len(token) == 59
    feed = CalendarFeed.objects.get(person=participant_person)
    assert feed.token == token
    assert person_calendar_token(trainer_person) != token
    assert person_from_calendar_token(token) == participant_person
    # A right selector with a wrong secret, or a truncated token, opens nothing.
    assert person_from_calendar_token(token[:16] + "x" * 43) is None
    assert person_from_calendar_token(token[:16]) is None
    assert person_from_calendar_token("") is None


def test_old_link_answers_404_after_reset_and_the_new_one_works(
    client_for, client, participant, participant_person, cohort, session
):
    EnrolmentFactory(cohort=cohort, person=participant_person)
    page = client_for(participant).get(reverse("training:mine")).content.decode()
    old = person_calendar_token(participant_person)
    assert old in page
    assert reverse("training:calendar-reset") in page
    client.logout()
    assert client.get(_feed_url(old)).status_code == 200

    client_for(participant)
    response = client.post(reverse("training:calendar-reset"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your calendar link was reset" in html
    new = person_calendar_token(participant_person)
    assert new != old
    assert new in html
    assert old not in html
    client.logout()
    assert client.get(_feed_url(old)).status_code == 404
    fresh = client.get(_feed_url(new))
    assert fresh.status_code == 200
    assert len(_events(fresh.content)) == 1


def test_reset_is_a_post_of_ones_own_link(
    client_for, client, participant, participant_person, trainer, trainer_person
):
    mine = person_calendar_token(participant_person)
    theirs = person_calendar_token(trainer_person)
    assert client.post(reverse("training:calendar-reset")).status_code == 302  # to log in
    assert person_calendar_token(participant_person) == mine
    # Another user resets only their own link: the address names nobody.
    other = client_for(trainer)
    assert other.get(reverse("training:calendar-reset")).status_code == 405
    assert other.post(reverse("training:calendar-reset")).status_code == 302
    assert person_calendar_token(participant_person) == mine
    assert person_calendar_token(trainer_person) != theirs
    assert client.get(_feed_url(mine)).status_code == 200


def test_reset_needs_a_person(client_for, coordinator):
    assert client_for(coordinator).post(reverse("training:calendar-reset")).status_code == 404


def test_the_reset_form_is_protected_by_csrf(participant, participant_person):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    before = person_calendar_token(participant_person)
    assert client.post(reverse("training:calendar-reset")).status_code == 403
    assert person_calendar_token(participant_person) == before


def test_addresses_signed_before_tokens_keep_working_until_reset(
    client, cohort, session, participant_person
):
    EnrolmentFactory(cohort=cohort, person=participant_person)
    signed = signed_calendar_token(participant_person)
    # Nobody made a token yet (the person has not opened their page since).
    assert client.get(_feed_url(signed)).status_code == 200
    person_calendar_token(participant_person)  # the page made one: both work
    assert client.get(_feed_url(signed)).status_code == 200
    calendar_feed_reset(person=participant_person)
    assert client.get(_feed_url(signed)).status_code == 404
    # A signature made with another key is refused as before.
    assert client.get(_feed_url(signed[:-3] + "abc")).status_code == 404
