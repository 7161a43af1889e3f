"""The attendance grid on a phone with a flaky connection, in a real browser, with the demo's
trainer: taps made offline are kept on the phone, shown as pending and counted in a banner,
then sent when the connection returns; a late tap does not overwrite a colleague's later mark;
a tap whose request failed is sent when the grid is opened again.

The cohort is made for the test in the demo's institution, led by the demo trainer, and
removed afterwards (the demo data is shared by the browser tests).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE, log_in
from .test_accessibility import BLOCKING, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CODE = "browser-attendance-offline"
PENDING = re.compile(r"\bis-pending\b")
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def running_cohort(db, site):
    """A running cohort of NIE led by the demo trainer: two participants, a session that
    started half an hour ago."""
    from django.utils import timezone

    from plancampus.core.models import Organisation, Person
    from plancampus.training.models import Cohort, CohortStatus, Enrolment, Session
    from plancampus.training.tests.certificates_setup import make_course

    nie = Organisation.objects.get(code="NIE")
    course = make_course(nie, code=CODE)
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        institution=nie,
        course=course,
        code=CODE,
        start_date=today,
        end_date=today + dt.timedelta(days=4),
        capacity=10,
        status=CohortStatus.RUNNING,
        lead_trainer=Person.objects.get(external_id="DEMO-NIE-TRAINER"),
    )
    session = Session.objects.create(
        cohort=cohort, starts_at=timezone.now() - dt.timedelta(minutes=30), duration_minutes=180
    )
    people = Person.objects.filter(organisation__code="POE-17", is_synthetic=True).order_by(
        "name_latin", "pk"
    )[:2]
    enrolled_at = timezone.now() - dt.timedelta(days=3)
    enrolments = [
        Enrolment.objects.create(
            cohort=cohort, person=person, status="accepted", enrolled_at=enrolled_at
        )
        for person in people
    ]
    yield cohort, session, enrolments
    cohort.enrolments.all().delete()  # with their attendance
    cohort.delete()
    course.delete()


def _stored(session):
    from plancampus.training.models import Attendance

    return dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))


def test_taps_made_offline_are_kept_shown_pending_and_sent_when_back_online(
    new_context, site, running_cohort
):
    from django.utils import timezone

    from plancampus.core.models import User
    from plancampus.training.services.attendance import attendance_mark

    cohort, session, (first, second) = running_cohort
    context = new_context(**PHONE)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, "trainer")
    grid = f"/training/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/"
    page.goto(grid)
    expect(page.locator('[data-hint="offline-ready"]')).to_be_visible()
    banner = page.locator(".sync-banner")
    expect(banner).to_be_hidden()
    row1, row2 = page.locator(f"#row-{first.pk}"), page.locator(f"#row-{second.pk}")

    # --- Offline: the taps stay on the phone, pending, counted in the banner.
    context.set_offline(True)
    page.locator(f"label[for='s-{first.pk}-present']").tap()
    expect(row1).to_have_class(PENDING)
    expect(row1.locator(".row-state")).to_have_text("Not sent yet: kept on this phone.")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Marks not yet sent: 1")
    expect(banner).to_contain_text("No connection")
    page.locator(f"label[for='s-{second.pk}-absent']").tap()
    page.locator(f"label[for='s-{first.pk}-late']").tap()  # the last tap wins
    expect(banner).to_contain_text("Marks not yet sent: 2")
    expect(page.locator(f"#s-{first.pk}-late")).to_be_checked()
    assert _stored(session) == {}
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.includes(':attendance:'))")
    assert len(keys) == 2, keys

    # --- Back online: sent at once, without a tap.
    context.set_offline(False)
    expect(banner).to_be_hidden()
    expect(page.locator(".attendance-row.is-pending")).to_have_count(0)
    expect(page.locator("#marked-count")).to_have_text("2 of 2 marked")
    assert _stored(session) == {first.pk: "late", second.pk: "absent"}
    assert page.evaluate("Object.keys(localStorage).length") == 0
    page.reload()
    expect(page.locator(f"#s-{first.pk}-late")).to_be_checked()
    expect(page.locator(f"#s-{second.pk}-absent")).to_be_checked()

    # --- A tap made offline is older than a colleague's mark made meanwhile: theirs is kept.
    context.set_offline(True)
    page.locator(f"label[for='s-{first.pk}-present']").tap()
    expect(row1).to_have_class(PENDING)
    # The tap was made five minutes ago (the phone stayed offline), the colleague marks now.
    page.evaluate(
        """key => {
            const entry = JSON.parse(localStorage.getItem(key));
            entry.tapped -= 5 * 60 * 1000;
            localStorage.setItem(key, JSON.stringify(entry));
        }""",
        f"plancampus:attendance:{User.objects.get(username='trainer').pk}:{session.pk}:{first.pk}",
    )
    coordinator = User.objects.get(username="coordinator")
    attendance_mark(session=session, marks={first.pk: "excused"}, user=coordinator)
    context.set_offline(False)
    expect(row1.locator(".row-state")).to_have_text("A later mark by Chea Sokha was kept.")
    expect(page.locator(f"#s-{first.pk}-excused")).to_be_checked()
    expect(banner).to_be_hidden()
    assert _stored(session)[first.pk] == "excused"

    # --- A request that fails (a bad connection, not offline): the tap waits, and is sent
    # when the grid is opened again.
    def fail_taps(route) -> None:
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/attendance/*/", fail_taps)
    page.locator(f"label[for='s-{second.pk}-present']").tap()
    expect(row2).to_have_class(PENDING)
    expect(banner).to_contain_text("Marks not yet sent: 1")
    expect(banner.locator('[data-banner="offline"]')).to_be_hidden()  # online, just failing
    if AXE.exists():  # the banner and the pending row are accessible
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        assert not blocking, blocking
    page.close()
    assert _stored(session)[second.pk] == "absent"
    again = context.new_page()
    again.goto(grid)
    expect(again.locator(".sync-banner")).to_be_hidden()
    expect(again.locator(f"#s-{second.pk}-present")).to_be_checked()
    expect(again.locator(".attendance-row.is-pending")).to_have_count(0)
    assert _stored(session) == {first.pk: "excused", second.pk: "present"}
    again.reload()
    expect(again.locator(f"#s-{second.pk}-present")).to_be_checked()

    # --- A tap the server refuses for good (the results were closed meanwhile): dropped from
    # the phone, the row goes back to the stored mark and says why.
    context.set_offline(True)
    again.locator(f"label[for='s-{second.pk}-absent']").tap()
    cohort.closed_at = timezone.now()
    cohort.save(update_fields=["closed_at"])
    context.set_offline(False)
    expect(again.locator(f"#row-{second.pk} .row-state")).to_contain_text(
        "attendance can no longer change"
    )
    expect(again.locator(f"#s-{second.pk}-present")).to_be_checked()
    expect(again.locator(".sync-banner")).to_be_hidden()
    assert _stored(session)[second.pk] == "present"
    assert again.evaluate("document.documentElement.scrollWidth") <= 375
    assert not refused, refused
