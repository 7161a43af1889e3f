"""The main flows, in a real browser: log in, switch language, search, right-to-left, phone."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

KM_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "km" / "LC_MESSAGES" / "django.mo"


def translated(text: str, language: str) -> str:
    """``text`` in ``language`` as the server will show it (itself if not translated yet)."""
    from django.utils import translation

    with translation.override(language):
        return str(translation.gettext(text))


def type_search(page, query: str) -> None:
    """Type into the live search box as a person would, and wait for htmx to settle."""
    box = page.locator("#q")
    box.click()
    box.press_sequentially(query, delay=30)
    # Playwright types characters that are not on a US keyboard (Khmer) as text input
    # without key events, while a Khmer keyboard sends a keyup for each key; htmx listens
    # to keyup, so end with one real key, as the last Khmer key would.
    box.press("End")
    # The last request's URL is pushed into the address bar once its results are in.
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [query])
    expect(page.locator(".htmx-request")).to_have_count(0)


def switch_language(page, code: str) -> None:
    """Pick a language in the header's select, which submits itself (plancampus.js)."""
    with page.expect_navigation():
        page.locator("#language-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_log_in_through_the_form_and_see_the_dashboard(page, site):
    page.goto("/")
    assert urlsplit(page.url).path == "/accounts/login/"  # anonymous users are sent to log in
    page.locator("#id_username").fill("coordinator")
    page.locator("#id_password").fill("not the password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errorlist")).to_be_visible()

    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == "/"
    expect(page.locator("h1")).to_contain_text("Chea Sokha")
    main = page.locator("main")
    expect(main).to_contain_text("Training coordinator")
    expect(main).to_contain_text("National Institute of Education")
    # The directory cards: 25 provincial offices, and the people, marked as demo records.
    expect(page.locator("a.card[href$='?kind=provincial_office'] .stat")).to_have_text("25")
    expect(page.locator("a.card .badge.synthetic")).to_be_visible()
    expect(page.locator("nav.site-nav a[aria-current=page]")).to_have_attribute("href", "/")
    expect(page.locator("header")).to_contain_text("coordinator")


def test_switch_to_khmer_with_the_language_menu(coordinator_page, site):
    page = coordinator_page
    switch_language(page, "km")
    assert urlsplit(page.url).path == "/"  # back on the page the switch was made from
    main = page.locator("main")
    # Names from the data: the institution's and the user's own, in Khmer script.
    expect(main).to_contain_text(site.institution_km)
    expect(page.locator("h1")).to_contain_text("ជា សុខា")
    expect(page.locator("#language-select")).to_have_value("km")
    if KM_CATALOGUE.exists():
        menu = page.locator("nav.site-nav")
        for label in ("Home", "Organisations", "People", "Areas"):
            expect(menu).to_contain_text(translated(label, "km"))
        assert any(translated(label, "km") != label for label in ("Home", "People", "Areas")), (
            "the Khmer catalogue translates none of the menu labels"
        )


def test_find_a_person_by_a_khmer_name_with_live_search(coordinator_page, site):
    page = coordinator_page
    page.goto("/people/")
    summary = page.locator("#results p.muted").first
    before = summary.inner_text()
    # A marker that a full page load would wipe: the results must come from htmx.
    page.evaluate("window.__noReload = true")
    type_search(page, site.person_km)
    rows = page.locator("#results tbody tr")
    expect(summary).not_to_have_text(before)
    expect(rows.first).to_contain_text(site.person_latin)
    for text in rows.all_inner_texts():
        assert site.person_km in text, text
    assert page.evaluate("window.__noReload") is True

    # The found person's page, from the result.
    with page.expect_navigation():
        rows.first.get_by_role("link", name=site.person_latin).click()
    expect(page.locator("h1")).to_contain_text(site.person_latin)
    expect(page.locator("main")).to_contain_text(site.person_km)


def test_a_latin_search_works_without_javascript_too(new_context, site):
    """The search form is a plain GET form underneath htmx."""
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "coordinator")
    page.goto("/people/")
    page.locator("#q").fill("sreymom keo")
    with page.expect_navigation():
        page.locator("main form[role=search] button[type=submit]").click()
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "Keo Sreymom" in text, text


def test_arabic_pages_are_laid_out_right_to_left(new_context, site):
    context = new_context()
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": site.url}])
    page = context.new_page()
    log_in(page, "coordinator")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    menu = page.locator("nav.site-nav").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    # The brand, first in the header, sits at the right edge; the menu and tools to its left.
    assert brand["x"] + brand["width"] > width * 0.75, brand
    assert menu["x"] + menu["width"] <= brand["x"] + 1, (menu, brand)
    assert tools["x"] < menu["x"], (tools, menu)

    page.goto("/people/")
    first_cell = page.locator("#results tbody tr td").first.bounding_box()
    table = page.locator("#results table").bounding_box()
    # The first column is the rightmost one.
    assert first_cell["x"] + first_cell["width"] >= table["x"] + table["width"] - 2


def test_the_chosen_language_is_remembered(new_context, site):
    from plancampus.core.models import User

    context = new_context()
    page = context.new_page()
    log_in(page, "trainer")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/organisations/")
    switch_language(page, "km")
    assert urlsplit(page.url).path == "/organisations/"

    # A new page load in the same browser keeps it (the language cookie)…
    page.goto("/areas/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert cookies[settings.LANGUAGE_COOKIE_NAME] == "km"
    # …and the account stores it…
    assert User.objects.get(username="trainer").language == "km"

    # …so that logging in from another browser (no cookie) brings it back.
    other = new_context().new_page()
    log_in(other, "trainer")
    expect(other.locator("html")).to_have_attribute("lang", "km")


@pytest.mark.parametrize("language", ["en", "km"])
def test_people_list_is_usable_on_a_phone(new_context, site, language):
    context = new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.url}]
    )
    page = context.new_page()
    log_in(page, "coordinator")
    page.goto("/people/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    def no_horizontal_scroll() -> None:
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, f"page scrolls sideways: {scroll_width} > {inner_width}"

    no_horizontal_scroll()
    box = page.locator("#q")
    expect(box).to_be_in_viewport()
    bounds = box.bounding_box()
    assert bounds["x"] >= 0, bounds
    assert bounds["x"] + bounds["width"] <= 375, bounds
    first_link = page.locator("#results tbody tr a").first
    expect(first_link).to_be_visible()
    # Search on the phone, then open a result with a tap.
    type_search(page, site.person_latin.lower())
    link = page.locator("#results tbody tr a").first
    expect(link).to_have_text(site.person_km if language == "km" else site.person_latin)
    no_horizontal_scroll()
    with page.expect_navigation(url=f"**{link.get_attribute('href')}"):
        link.tap()
    expect(page.locator("h1")).to_be_visible()
    no_horizontal_scroll()


def test_main_pages_break_no_content_security_policy_rule(new_context, site):
    page = new_context().new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    log_in(page, "coordinator")
    for path in ["/", "/organisations/", "/people/", f"/people/{site.person_pk}/", "/areas/"]:
        page.goto(path)
    page.goto("/people/")
    type_search(page, "sok")
    assert not refused, "\n".join(refused)


def test_people_list_weighs_under_200_kb(new_context, site):
    """Every byte a cold browser fetches for the people list, with its assets and fonts."""
    login_context = new_context()
    log_in(login_context.new_page(), "coordinator")
    context = new_context(storage_state=login_context.storage_state())
    page = context.new_page()
    sizes: dict[str, int] = {}

    def record(request) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]

    page.on("requestfinished", record)
    page.goto("/people/", wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    listing = "\n".join(f"{size:>8} {url}" for url, size in sorted(sizes.items()))
    assert any(url.endswith(".css") for url in sizes), listing
    assert any("/people/" in url for url in sizes), listing
    assert total < 200 * 1024, f"the people list weighs {total} bytes:\n{listing}"
