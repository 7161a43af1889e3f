"""/api/docs in Debian's chromium: Swagger UI renders under the strict CSP (no violation in
the console) and its "Try it out" works with the session of a logged-in member."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("api-browser")]


@pytest.fixture
def chromium_page(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.console_lines = []
        page.on("console", lambda m: page.console_lines.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: page.console_lines.append(f"pageerror: {e}"))
        yield page
        browser.close()


def test_docs_render_under_csp_and_try_it_out_uses_the_session(
    chromium_page, live_server, transactional_db, settings
):
    from django.conf import settings as django_settings
    from django.test import Client

    from plancampus.core.tests.factories import (
        CountryFactory,
        InstitutionFactory,
        MembershipFactory,
        PersonFactory,
        UserFactory,
    )

    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    country = CountryFactory()
    institution = InstitutionFactory(country=country, code="NIE")
    user = UserFactory(username="docs-reader")
    MembershipFactory(user=user, institution=institution, role="coordinator")
    PersonFactory(name_latin="Keo Sreymom", name_km="កែវ ស្រីមុំ", organisation=institution)
    client = Client()
    client.force_login(user)
    page = chromium_page
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(live_server.url + "/api/docs")
    operation = page.locator("#operations-directory-list_people")
    operation.locator(".opblock-summary").click()
    operation.locator("input[placeholder='q']").fill("ស្រីមុំ")
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "200"
    body = operation.locator(".live-responses-table .response-col_description pre").first
    assert "Keo Sreymom" in body.inner_text()
    assert page.locator(".opblock[id^='operations-directory-']").count() == 6
    problems = [line for line in page.console_lines if line.startswith(("error", "pageerror"))]
    assert not problems, problems
