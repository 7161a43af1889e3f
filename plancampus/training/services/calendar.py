"""iCalendar feeds: the sessions of a cohort, and a person's sessions (as participant or
trainer) behind a secret, signed address that calendar apps can subscribe to without logging
in."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from plancampus.core.models import Person

from ..models import Cohort, EnrolmentStatus, Session

CALENDAR_SALT = "plancampus.training.calendar"
PRODID = "-//PlanCampus//Training sessions//EN"


def person_calendar_token(person: Person) -> str:
    """A secret, stable token for a person's feed (signed with SECRET_KEY, no timestamp, so
    the address a calendar app subscribed to keeps working; changing the key revokes every
    feed)."""
    return signing.Signer(salt=CALENDAR_SALT).sign_object({"p": person.pk})


def person_from_calendar_token(token: str) -> Person | None:
    try:
        data = signing.Signer(salt=CALENDAR_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    return Person.objects.filter(pk=data["p"]).first()


def _calendar(name: str, sessions: Iterable[Session]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0] or "plancampus"
    stamp = timezone.now()
    for session in sessions:
        cohort = session.cohort
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        summary = cohort.display_title
        if session.topic:
            summary = f"{summary} — {session.topic}"
        event.add("summary", summary)
        place = session.place or cohort.venue
        if cohort.is_online and cohort.online_url:
            place = place or cohort.online_url
            event.add("url", cohort.online_url)
        if place:
            event.add("location", place)
        event.add(
            "description", f"{cohort.code} · {settings.SITE_URL}/training/cohorts/{cohort.pk}/"
        )
        if session.is_cancelled:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_for_cohort(cohort: Cohort) -> bytes:
    sessions = cohort.sessions.select_related("cohort", "cohort__course").order_by("starts_at")
    return _calendar(f"{cohort.code} — {cohort.display_title}", sessions)


def calendar_for_person(person: Person) -> bytes:
    """Sessions of the cohorts a person is accepted in, or trains."""
    sessions = (
        Session.objects.filter(
            Q(
                cohort__enrolments__person=person,
                cohort__enrolments__status=EnrolmentStatus.ACCEPTED,
            )
            | Q(cohort__lead_trainer=person)
            | Q(cohort__co_trainers=person)
        )
        .distinct()
        .select_related("cohort", "cohort__course")
        .order_by("starts_at")
    )
    return _calendar(f"PlanCampus — {person.name_latin}", sessions)
