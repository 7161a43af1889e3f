"""Nominations by an education office, in a real browser, with the demo's accounts: the
focal point of the Siem Reap provincial office (``focalpoint``) nominates two of its staff on a
phone, the coordinator accepts them (the cohort has one seat: the second goes to the waiting
list), the office sees both statuses, withdraws the accepted one, and the waiting one moves
up.

The cohort is made for the test in the demo's institution and removed afterwards (the demo
data is shared by the browser tests).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import AXE, log_in
from .test_accessibility import BLOCKING, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CODE = "browser-office-nominations"


@pytest.fixture
def open_cohort(db, site):
    """A cohort of NIE with one seat, announced to the offices, nominations open today."""
    from django.utils import timezone

    from plancampus.core.models import Organisation
    from plancampus.training.models import Cohort, CohortStatus
    from plancampus.training.tests.certificates_setup import make_course

    nie = Organisation.objects.get(code="NIE")
    course = make_course(nie, code=CODE, title_en="Teacher management")
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        institution=nie,
        course=course,
        code=CODE,
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=34),
        venue="Regional hub, Siem Reap",
        capacity=1,
        nomination_opens=today - dt.timedelta(days=1),
        nomination_closes=today + dt.timedelta(days=20),
        status=CohortStatus.NOMINATIONS_OPEN,
    )
    yield cohort
    cohort.enrolments.all().delete()
    cohort.delete()
    course.delete()


def test_an_office_nominates_the_coordinator_accepts_and_the_overflow_waits(
    new_context, site, open_cohort
):
    from plancampus.core.models import Person
    from plancampus.training.models import EnrolmentStatus

    cohort = open_cohort
    first, second = Person.objects.filter(
        organisation__code="POE-17", is_synthetic=True, position="Planning officer"
    ).order_by("name_latin", "pk")[:2]
    console: list[str] = []

    # --- The office's focal point, on a phone.
    phone = new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    ).new_page()
    phone.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    log_in(phone, "focalpoint")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Nominate your office's staff to training cohorts").tap()
    expect(phone.locator("h1")).to_have_text("Nominations of your office")
    expect(phone.locator(".subtitle")).to_contain_text("POE-17")
    row = phone.locator("#open-cohorts tr", has_text=CODE)
    with phone.expect_navigation():
        row.get_by_role("link", name=CODE).tap()
    expect(phone.locator("h1")).to_contain_text(CODE)
    expect(phone.locator("main")).to_contain_text("1 free of 1; 0 on the waiting list")
    # The staff of the office first, then those of its district offices.
    headings = phone.locator("#nominate-form li.group-heading")
    expect(headings.first).to_contain_text("Siemreap")
    assert headings.count() > 1
    for person in (first, second):
        phone.locator(f"input[name=people][value='{person.pk}']").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Nominate", exact=True).tap()
    expect(phone.locator(".messages")).to_contain_text("2 people nominated to " + CODE)
    ours = phone.locator("#our-nominations tbody tr")
    expect(ours).to_have_count(2)
    expect(ours.filter(has_text="Nominated")).to_have_count(2)
    # Already nominated: no box to tick any more.
    expect(phone.locator(f"input[name=people][value='{first.pk}']")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    if AXE.exists():
        blocking = [v for v in axe_violations(phone) if v["impact"] in BLOCKING]
        assert not blocking, blocking

    # --- The coordinator accepts both, in order: one seat, so the second one waits.
    desk = new_context().new_page()
    desk.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    log_in(desk, "coordinator")
    desk.goto(f"/training/cohorts/{cohort.pk}/")
    expect(desk.locator("#nominated tbody tr")).to_have_count(2)
    expect(desk.locator("#nominated")).to_contain_text("Siemreap")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Accept all, in order of nomination").click()
    expect(desk.locator(".messages")).to_contain_text("1 accepted, 1 on the waiting list")
    expect(desk.locator("#participants tbody tr")).to_have_count(1)
    expect(desk.locator("#waiting li")).to_have_count(1)

    # --- The office sees the decisions, then withdraws the accepted person.
    phone.reload()
    expect(ours.filter(has_text="Accepted")).to_have_count(1)
    expect(ours.filter(has_text="Waiting list")).to_have_count(1)
    accepted = cohort.enrolments.get(status=EnrolmentStatus.ACCEPTED)
    waiting = cohort.enrolments.get(status=EnrolmentStatus.WAITING)
    with phone.expect_navigation():
        phone.get_by_role("button", name=f"Withdraw {accepted.person.name_latin}", exact=True).tap()
    expect(phone.locator(".messages")).to_contain_text(
        "The seat went to the first person on the waiting list."
    )
    expect(ours.filter(has_text="Withdrawn")).to_have_count(1)
    expect(ours.filter(has_text="Accepted")).to_have_count(1)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ACCEPTED

    # The office's list on the first page says the same.
    phone.goto("/training/nominations/?status=accepted")
    expect(phone.locator("#our-nominations tbody tr", has_text=CODE)).to_have_count(1)
    # The institution's own cohort page stays closed to the office.
    response = phone.goto(f"/training/cohorts/{cohort.pk}/")
    assert response.status == 404
    problems = [
        line for line in console if "Content Security Policy" in line or line.startswith("error")
    ]
    # A 404 page logs the failed load itself; nothing else may be an error.
    problems = [line for line in problems if "404" not in line]
    assert not problems, problems
