"""A participant fills the needs questionnaire on a phone, in Khmer; the analysis draws its
charts under the strict CSP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def needs_demo(site, django_db_blocker):
    """The needs demo on top of the site's; the participant's questionnaire is put back as it
    was (not started) afterwards."""
    with django_db_blocker.unblock():
        from plancampus.needs.models import Respondent
        from plancampus.needs.services.demo import PARTICIPANT_PERSON, demo_load

        demo_load()
        respondent = Respondent.objects.get(
            person__external_id=PARTICIPANT_PERSON, campaign__code="poe-2026"
        )
        yield respondent
        respondent.answers.all().delete()
        Respondent.objects.filter(pk=respondent.pk).update(
            status="invited", source="", started_at=None, submitted_at=None, answers_packed=""
        )


def no_horizontal_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"page scrolls sideways: {scroll_width} > {inner_width}"


def test_participant_fills_the_questionnaire_on_a_phone_in_khmer(new_context, site, needs_demo):
    from plancampus.needs.models import Answer, Respondent
    from plancampus.needs.services.questionnaire import questionnaire_pages

    respondent = needs_demo
    # The participant is a planner, not their office's designated respondent: their pages
    # have the individual items only.
    pages = questionnaire_pages(framework=respondent.campaign.framework, respondent=respondent)
    assert all(item.is_individual for p in pages for item in p.items)
    context = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "km", "url": site.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, "participant")

    page.goto("/needs/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    link = page.locator(f"a[href='/needs/respond/{respondent.pk}/']")
    expect(link).to_contain_text("ការវាយតម្លៃតម្រូវការឡើងវិញ")  # the campaign's Khmer name
    with page.expect_navigation():
        link.tap()
    first = pages[0]
    assert urlsplit(page.url).path.endswith(f"/{first.domain.code}/")
    expect(page.locator("h1")).to_have_text(first.domain.name_km)
    no_horizontal_scroll(page)

    # One answer at a time, saved as it is given (htmx), with Khmer labels on the choices.
    item = first.items[0].competency
    fieldset = page.locator(f"#item-{item.pk}")
    expect(fieldset.locator("legend")).to_have_text(item.name_km)
    expect(fieldset).to_contain_text("ចាំបាច់បំផុត")  # importance 5: essential
    expect(fieldset).to_contain_text("ស្ទាត់ជំនាញ")  # level 4: proficient
    fieldset.locator(f"input[name=imp_{item.pk}][value='5']").tap()
    fieldset.locator(f"input[name=cur_{item.pk}][value='2']").tap()
    expect(page.locator(f"#status-{item.pk}")).to_contain_text("✓")
    answer = Answer.objects.get(respondent=respondent, competency=item)
    assert (answer.importance, answer.current_level) == (5, 2)

    # A lost connection says so, and the page's button saves the answer later.
    second = first.items[1].competency
    context.set_offline(True)
    page.locator(f"#item-{second.pk} input[name=imp_{second.pk}][value='4']").tap()
    status = page.locator(f"#status-{second.pk}")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    context.set_offline(False)

    # Resumable: a reload (or another device) shows the answers given.
    page.reload()
    expect(page.locator(f"#item-{item.pk} input[name=imp_{item.pk}][value='5']")).to_be_checked()

    # Every page, through the "Save and continue" button.
    for number, questionnaire_page in enumerate(pages):
        assert urlsplit(page.url).path.endswith(f"/{questionnaire_page.domain.code}/")
        for entry in questionnaire_page.items:
            pk = entry.competency.pk
            box = page.locator(f"#item-{pk}")
            if entry.is_individual:
                box.locator(f"input[name=imp_{pk}][value='4']").tap()
                box.locator(f"input[name=cur_{pk}][value='3']").tap()
            else:
                box.locator(f"input[name=cur_{pk}][value='2']").tap()
                box.locator(f"input[name=des_{pk}][value='4']").tap()
                box.locator(f"textarea[name=evi_{pk}]").fill("ផែនការប្រតិបត្តិប្រចាំឆ្នាំ ២០២៦")
        no_horizontal_scroll(page)
        with page.expect_navigation():
            page.locator(".form-nav button[name=next]").tap()
        if number + 1 < len(pages):
            expect(page.locator("h1")).to_have_text(pages[number + 1].domain.name_km)

    assert urlsplit(page.url).path == f"/needs/respond/{respondent.pk}/review/"
    submit = page.locator("main form button[type=submit]")
    expect(submit).to_be_enabled()
    with page.expect_navigation():
        submit.tap()
    expect(page.locator(".messages li.success")).to_be_visible()
    respondent = Respondent.objects.get(pk=respondent.pk)
    assert respondent.status == "submitted"
    assert respondent.answers.count() == sum(len(p.items) for p in pages)
    assert respondent.answers.get(competency=second).importance == 4
    no_horizontal_scroll(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_analysis_charts_draw_under_the_csp(new_context, site, needs_demo):
    context = new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, "coordinator")
    campaign = needs_demo.campaign
    page.goto(f"/needs/campaigns/{campaign.pk}/analysis/")
    charts = page.locator(".chart[data-chart]")
    assert charts.count() >= 5
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_class(re.compile(r"\bdrawn\b"))
        expect(charts.nth(index).locator("svg")).to_have_count(1)
    expect(page.locator("#borich-table tbody tr")).to_have_count(11)
    assert not errors, errors
