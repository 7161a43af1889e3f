"""The main training flow in Debian's chromium: a coordinator creates a course and a cohort,
nominations overflow to the waiting list, and a trainer marks attendance on a phone.

A failed test leaves a screenshot and the page's HTML in ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = "correct horse battery staple"  # the factories' password

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def pages(request, browser, live_server):
    opened = []

    def new_page(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.console_lines = []
        page.on(
            "console",
            lambda m: page.console_lines.append(f"{m.type}: {m.text} @ {page.url}"),
        )
        page.on("pageerror", lambda e: page.console_lines.append(f"pageerror: {e}"))
        opened.append(page)
        return page

    yield new_page
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-120:]
        for number, page in enumerate(opened):
            try:
                page.screenshot(path=str(ARTIFACTS / f"{stem}-{number}.png"), full_page=True)
                (ARTIFACTS / f"{stem}-{number}.html").write_text(page.content())
                (ARTIFACTS / f"{stem}-{number}.console.txt").write_text(
                    "\n".join(page.console_lines)
                )
            except Exception:  # noqa: S112 - a failed screenshot must not hide the failure
                continue


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):  # pragma: no cover - pytest hook
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_course_cohort_waiting_list_and_attendance_on_a_phone(pages, transactional_db, settings):
    from django.conf import settings as django_settings
    from django.utils import timezone
    from playwright.sync_api import expect

    from plancampus.core.tests.factories import (
        InstitutionFactory,
        MembershipFactory,
        OrganisationFactory,
        PersonFactory,
        UserFactory,
    )
    from plancampus.training.models import Attendance, Cohort, Course, Session

    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    institution = InstitutionFactory(code="NIE", name_en="National Institute of Education")
    office = OrganisationFactory(
        country=institution.country, code="POE-17", name_en="Siemreap Provincial Office"
    )
    staff = [
        PersonFactory(organisation=office, name_latin=name)
        for name in ("Chan Dara", "Keo Sreymom", "Sok Vanna")
    ]
    trainer_person = PersonFactory(organisation=institution, name_latin="Heng Piseth")
    coordinator = UserFactory(username="coordinator")
    MembershipFactory(user=coordinator, institution=institution, role="coordinator")
    trainer = UserFactory(username="trainer", person=trainer_person)
    MembershipFactory(user=trainer, institution=institution, role="trainer")

    # --- The coordinator creates a course, on a desktop.
    page = pages(viewport={"width": 1280, "height": 900})
    log_in(page, "coordinator")
    page.get_by_role("link", name="Training", exact=True).click()
    page.get_by_role("link", name="New course").first.click()
    page.locator("#id_code").fill("teacher-management")
    page.locator("#id_title_en").fill("Teacher management")
    page.locator("#id_title_km").fill("ការគ្រប់គ្រងគ្រូបង្រៀន")
    page.locator("input[name=delivery_languages][value=km]").check()
    page.locator("#id_hours").fill("30")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Teacher management")
    course = Course.objects.get(code="teacher-management")

    # --- ... and a cohort of two seats, led by the trainer.
    page.get_by_role("link", name="Plan a cohort").click()
    today = timezone.localdate()
    page.locator("#id_code").fill("tm-2026-1")
    page.locator("#id_start_date").fill(today.isoformat())
    page.locator("#id_end_date").fill((today + dt.timedelta(days=4)).isoformat())
    page.locator("#id_capacity").fill("2")
    page.locator("#id_status").select_option("nominations_open")
    page.locator("#id_lead_trainer").select_option(label="Heng Piseth")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("tm-2026-1")
    cohort = Cohort.objects.get(code="tm-2026-1")
    assert cohort.course == course

    # --- The provincial office's nominations overflow to the waiting list.
    page.get_by_role("link", name="Nominate staff").click()
    with page.expect_navigation():
        page.locator("#organisation").select_option("POE-17")  # submits itself
    for person in staff:
        page.get_by_label(person.name_latin).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Nominate").click()
    expect(page.locator("#nominated tbody tr")).to_have_count(3)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept all, in order of nomination").click()
    expect(page.locator(".messages")).to_contain_text("2 accepted, 1 on the waiting list")
    expect(page.locator("#participants tbody tr")).to_have_count(2)
    expect(page.locator("#waiting li")).to_have_count(1)

    # A session that has started (created directly: the session form is covered elsewhere).
    session = Session.objects.create(
        cohort=cohort, starts_at=timezone.now() - dt.timedelta(minutes=30), duration_minutes=180
    )

    # --- The trainer marks attendance on a phone-sized screen, one tap per person.
    phone = pages(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    log_in(phone, "trainer")
    phone.goto(f"/training/cohorts/{cohort.pk}/")
    phone.get_by_role("link", name="Mark attendance").click()
    expect(phone.locator(".attendance-row")).to_have_count(2)
    # The grid's script has taken over (a tap before that would only tick the radio button).
    expect(phone.locator('[data-hint="offline-ready"]')).to_be_visible()
    accepted = list(
        cohort.enrolments.accepted().select_related("person").order_by("person__name_latin")
    )
    first, second = accepted
    with phone.expect_response(lambda r: "/attendance/" in r.url and r.request.method == "POST"):
        phone.locator(f"label[for='s-{first.pk}-present']").tap()
    with phone.expect_response(lambda r: "/attendance/" in r.url and r.request.method == "POST"):
        phone.locator(f"label[for='s-{second.pk}-absent']").tap()
    expect(phone.locator(f"#s-{second.pk}-absent")).to_be_checked()
    expect(phone.locator("#marked-count")).to_have_text("2 of 2 marked")
    assert dict(
        Attendance.objects.filter(session=session).values_list("enrolment_id", "status")
    ) == {
        first.pk: "present",
        second.pk: "absent",
    }
    # Big enough to tap, and nothing wider than the phone.
    box = phone.locator(f"label[for='s-{first.pk}-present']").bounding_box()
    assert box["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # Marks survive a reload.
    phone.reload()
    expect(phone.locator(f"#s-{first.pk}-present")).to_be_checked()
    problems = [
        line
        for p in (page, phone)
        for line in p.console_lines
        # The login page's own inline style is a known defect of core's template.
        if line.startswith(("error", "pageerror")) and "/training/" in line
    ]
    assert not problems, problems
