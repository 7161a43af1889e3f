"""iCalendar feeds: the sessions of a cohort, and a person's sessions (as participant or
trainer) behind a secret address that calendar apps can subscribe to without logging in.

The secret address carries a random token stored in the database (``CalendarFeed``), made
the first time the person's page shows it. The person can reset it: a new token is drawn and
the old address answers 404 at once. Addresses handed out before the tokens existed were
signed with ``SECRET_KEY``; they keep working until the person resets their link.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from plancampus.core.models import Person

from ..models import CalendarFeed, Cohort, EnrolmentStatus, Session
from ..models.calendar import SELECTOR_LENGTH, new_secret, new_selector

CALENDAR_SALT = "plancampus.training.calendar"
PRODID = "-//PlanCampus//Training sessions//EN"


def calendar_feed_for(person: Person) -> CalendarFeed:
    """The person's calendar address, made on first use."""
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(person=person)
    except IntegrityError:
        # Made by another request at the same moment: use it.
        return CalendarFeed.objects.get(person=person)


def person_calendar_token(person: Person) -> str:
    """The secret token of the person's feed address."""
    return calendar_feed_for(person).token


@transaction.atomic
def calendar_feed_reset(*, person: Person) -> CalendarFeed:
    """Draw a new token for the person's feed: the old address (and any address signed
    before tokens were stored) answers 404 from now on."""
    feed = calendar_feed_for(person)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed.selector = new_selector()
    feed.secret = new_secret()
    feed.accepts_signed_address = False
    feed.reset_at = timezone.now()
    feed.save(update_fields=["selector", "secret", "accepts_signed_address", "reset_at"])
    return feed


def signed_calendar_token(person: Person) -> str:
    """The address token PlanCampus handed out before tokens were stored (signed with
    SECRET_KEY, no timestamp). Still accepted until the person resets their link."""
    return signing.Signer(salt=CALENDAR_SALT).sign_object({"p": person.pk})


def _person_from_signed_token(token: str) -> Person | None:
    try:
        data = signing.Signer(salt=CALENDAR_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    person = Person.objects.filter(pk=data["p"]).select_related("calendar_feed").first()
    if person is None:
        return None
    feed = getattr(person, "calendar_feed", None)
    return person if feed is None or feed.accepts_signed_address else None


def person_from_calendar_token(token: str) -> Person | None:
    """The person whose feed ``token`` opens, or None (unknown, reset or forged)."""
    if ":" in token:
        return _person_from_signed_token(token)
    selector, secret = token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]
    if len(selector) != SELECTOR_LENGTH or not secret:
        return None
    feed = CalendarFeed.objects.filter(selector=selector).select_related("person").first()
    if feed is None or not feed.matches(secret):
        return None
    return feed.person


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
