"""Fixtures for the browser tests: Debian's chromium driven by Playwright (sync API) against a
live server with the whole demo loaded.

Why the data is loaded once per package rather than per test: pytest-django's ``live_server``
fixture forces ``transactional_db``, which empties the database after every test, and the demo
takes several seconds to load. So ``site`` loads the demo once, serves it with pytest-django's
own live server (``LiveServer``: a threaded server that also serves static files and shares an
in-memory SQLite connection with the tests), and empties the database when the last browser
test is done, as ``transactional_db`` would. Tests must leave the data as they found it (the
``_forget_language`` fixture undoes the one change the flows make). pytest-django creates the
test database only for tests that declare a database, so every test here names ``db`` (a
declaration only, overridden below), and ``site`` refuses to run against a database that is
not a test database.

While Playwright's sync API is running, an asyncio loop is running in the test thread, which
makes Django refuse ORM calls from it ("SynchronousOnlyOperation"). The ORM calls here are plain
synchronous ones made between browser actions, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for the
duration of the browser tests only (and the browser is closed before any other test runs).

A failed test leaves a full-page screenshot, the page's HTML and its console messages in
``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "plancampus-demo"  # the demo's published password (services/demo.py)
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"

# Every test module here sets: pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# (the group keeps them in one xdist worker, so that the demo is loaded once).


def _serialised_server_class():
    """A threaded test server that runs one request at a time through Django.

    With an in-memory SQLite database, the live server's threads all use the test's one
    connection; two requests at once (a page and an htmx search, say) use it side by side,
    which SQLite answers with "bad parameter or other API misuse" (seen once in CI). The
    server still accepts connections in threads (the browser opens several); only the
    application call is serialised.
    """
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer

    class SerialisedWSGIServer(ThreadedWSGIServer):
        def set_app(self, application):
            lock = threading.Lock()

            def serialised(environ, start_response):
                with lock:
                    return application(environ, start_response)

            super().set_app(serialised)

    return SerialisedWSGIServer


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that a fixture can tell a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@dataclass
class Site:
    """The live server and the few demo objects the tests address by URL."""

    url: str
    person_pk: int
    person_latin: str
    person_km: str
    organisation_code: str
    area_code: str
    institution_km: str
    extra: dict[str, object] = field(default_factory=dict)

    def __add__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="package")
def _chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM}; the browser tests need it "
            "(apt-get install chromium — .ci/run does this). Playwright's downloaded browsers "
            "are never used."
        )
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(_chromium: Path) -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(_chromium), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def db() -> None:
    """Only a declaration: pytest-django creates the test database for the tests that name
    ``db`` among their fixtures. Here the data is the package's (see ``site``), so this ``db``
    opens no per-test transaction; ``_forget_language`` (autouse) names it for every test."""


def _assert_test_database() -> None:
    """Refuse to load the demo into, or empty, a database that is not a test database."""
    from django.db import connections

    for connection in connections.all():
        name = str(connection.settings_dict["NAME"])
        is_test = (
            connection.is_in_memory_db() or "test" in Path(name).name
            if connection.vendor == "sqlite"
            else name.startswith("test_")
        )
        if not is_test:
            pytest.fail(f"the browser tests refuse to use {name!r}: it is not a test database")


@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker, _chromium, tmp_path_factory) -> Iterator[Site]:
    """The demo, loaded once, behind pytest-django's live server on 127.0.0.1."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    # The root conftest's test settings (plain static files storage, a fast password hasher)
    # are per test; the server needs them for the whole package, module fixtures included.
    test_settings = override_settings(
        PASSWORD_HASHERS=[FAST_HASHER],
        MEDIA_ROOT=tmp_path_factory.mktemp("site-media"),  # the demo's certificate PDFs
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    _assert_test_database()
    with django_db_blocker.unblock(), test_settings:
        try:
            from plancampus.core.models import Organisation, Person
            from plancampus.core.services.demo import demo_load

            demo_load()
            person = Person.objects.get(external_id="DEMO-POE17-PLANNER")
            site = Site(
                url="",
                person_pk=person.pk,
                person_latin=person.name_latin,
                person_km=person.name_km,
                organisation_code="POE-17",
                area_code="17",
                institution_km=Organisation.objects.get(code="NIE").name_km,
            )
            from django.test.testcases import LiveServerThread

            shared_sqlite = any(
                c.vendor == "sqlite" and c.is_in_memory_db() for c in connections.all()
            )
            threaded = LiveServerThread.server_class
            if shared_sqlite:
                LiveServerThread.server_class = _serialised_server_class()
            try:
                server = LiveServer("127.0.0.1")
            finally:
                LiveServerThread.server_class = threaded
            site.url = server.url
            try:
                yield site
            finally:
                server.stop()
        finally:
            # Leave the database empty for the tests that run next in this process.
            for alias in connections:
                call_command("flush", database=alias, interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _forget_language(db, site: Site) -> Iterator[None]:
    """The flows change accounts' preferred language; put it back for the next test."""
    yield
    from plancampus.core.models import User

    User.objects.exclude(language="").update(language="")


@pytest.fixture
def new_context(request, browser, site: Site):
    """Make a browser context (a fresh profile: no cookies, empty cache) for this test.

    If the test fails, every page still open is saved: screenshot, HTML and console messages.
    """
    contexts = []
    console: dict[object, list[str]] = {}

    def watch(page) -> None:
        lines = console.setdefault(page, [])
        page.on("console", lambda message: lines.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: lines.append(f"pageerror: {error}"))

    def make(**options: object):
        options.setdefault("base_url", site.url)
        options.setdefault("locale", "en-GB")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        # Generous: a passing test never waits for them, and a machine busy with other
        # work (two test processes, chromium's renderers) must not make a test fail.
        context.set_default_timeout(30_000)
        context.set_default_navigation_timeout(30_000)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        pages = [page for context in contexts for page in context.pages]
        for number, page in enumerate(pages):
            save_artifacts(request.node.nodeid, number, page, console.get(page, []))
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh browser context."""
    return new_context().new_page()


def save_artifacts(nodeid: str, number: int, page, console: list[str]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:] + (f"-{number}" if number else "")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content())
    except Exception as error:  # a failed screenshot must not hide the test's failure
        console.append(f"(could not save the screenshot: {error})")
    (ARTIFACTS / f"{stem}.console.txt").write_text(f"{page.url}\n" + "\n".join(console))


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form and wait for the home page."""
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert urlsplit(page.url).path == "/", f"login as {username} did not reach home: {page.url}"


@pytest.fixture
def coordinator_page(page):
    log_in(page, "coordinator")
    return page
