"""axe-core on the main pages, in English, Khmer and Arabic: no serious or critical violation.

axe comes from npm (``node_modules/axe-core``, installed by ``make setup``). The site's Content
Security Policy forbids inline scripts, so axe is not injected inline: the browser fetches it
from a same-origin address that Playwright answers from the file, and the policy stays on.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from .conftest import AXE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE_PATH = "/__axe__/axe.min.js"
BLOCKING = {"serious", "critical"}
LANGUAGES = ["en", "km", "ar"]
PAGES = {
    "login": "/accounts/login/",
    "home": "/",
    "organisation-list": "/organisations/",
    "organisation-detail": "/organisations/{site.organisation_code}/",
    "person-list": "/people/",
    "person-detail": "/people/{site.person_pk}/",
    "area-list": "/areas/",
    "area-detail": "/areas/{site.area_code}/",
}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + "  " + (n.failureSummary || "")),
  }));
}"""


@pytest.fixture(scope="module")
def coordinator_state(browser, site):
    """A logged-in coordinator's cookies, to start each page's context from."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `make setup` (npm ci)")
    context = browser.new_context(base_url=site.url, locale="en-GB")
    log_in(context.new_page(), "coordinator")
    state = context.storage_state()
    context.close()
    return state


def axe_violations(page) -> list[dict]:
    page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=str(AXE)))
    page.add_script_tag(url=AXE_PATH)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(new_context, site, coordinator_state, name, language):
    state = {"cookies": [], "origins": []} if name == "login" else coordinator_state
    context = new_context(storage_state=state)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.url}]
    )
    page = context.new_page()
    response = page.goto(PAGES[name].format(site=site))
    assert response is not None, name
    assert response.status == 200, (name, response.status)
    assert page.locator("html").get_attribute("lang") == language

    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    report = "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe on {name} ({language}):\n{report}"


def test_the_check_itself_catches_a_violation(page, site):
    """Guard against a silently broken injection: axe must see a planted defect."""
    page.goto(PAGES["login"])
    assert axe_violations(page) == []
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<img src="/static/missing.png"><input type="text">\')'
    )
    found = {v["id"]: v["impact"] for v in page.evaluate(RUN_AXE)}
    assert found.get("image-alt") == "critical", found
    assert found.get("label") == "critical", found
