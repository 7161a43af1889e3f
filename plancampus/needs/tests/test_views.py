"""The needs pages with every persona: who sees what, and bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plancampus.needs.models import Answer, RespondentStatus

pytestmark = pytest.mark.django_db


def campaign_urls(campaign) -> list[str]:
    pk = campaign.pk
    return [
        reverse("needs-campaign", args=[pk]),
        reverse("needs-respondents", args=[pk]),
        reverse("needs-xlsform", args=[pk]),
        reverse("needs-analysis", args=[pk]),
        reverse("needs-analysis-people", args=[pk]),
        reverse("needs-import-upload", args=[pk]),
    ]


def test_outsider_gets_404_on_every_campaign_page(
    client_for, outsider, answered, participant_respondent
):
    client = client_for(outsider)
    framework_url = reverse("needs-framework", args=[answered.framework_id])
    respond_urls = [
        reverse("needs-respond", args=[participant_respondent.pk]),
        reverse("needs-respond-review", args=[participant_respondent.pk]),
        reverse("needs-respond-page", args=[participant_respondent.pk, "governance"]),
    ]
    for url in [*campaign_urls(answered), framework_url, *respond_urls]:
        assert client.get(url).status_code == 404, url
    item = reverse(
        "needs-respond-item",
        args=[participant_respondent.pk, answered.framework.competencies.first().pk],
    )
    assert client.post(item, {}).status_code == 404
    status = reverse("needs-campaign-status", args=[answered.pk])
    assert client.post(status, {"status": "closed"}).status_code == 404


def test_participant_cannot_see_campaign_pages_but_answers_their_own(
    client_for, participant, participant_respondent, answered
):
    client = client_for(participant)
    for url in campaign_urls(answered):
        assert client.get(url).status_code == 403, url
    home = client.get(reverse("needs-home"))
    assert home.status_code == 200
    assert reverse("needs-respond", args=[participant_respondent.pk]) in home.content.decode()
    other = answered.respondents.exclude(pk=participant_respondent.pk).first()
    assert client.get(reverse("needs-respond", args=[other.pk])).status_code == 404


def test_specialist_sees_read_only(client_for, specialist, answered):
    client = client_for(specialist)
    for url in campaign_urls(answered)[:5]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("needs-import-upload", args=[answered.pk])).status_code == 403
    status = reverse("needs-campaign-status", args=[answered.pk])
    assert client.post(status, {"status": "closed"}).status_code == 403


def test_trainer_sees_but_does_not_manage(client_for, trainer, answered):
    client = client_for(trainer)
    assert client.get(reverse("needs-analysis", args=[answered.pk])).status_code == 200
    assert client.get(reverse("needs-campaign-create")).status_code == 403


def test_coordinator_pages(client_for, coordinator, answered):
    client = client_for(coordinator)
    for url in campaign_urls(answered):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("needs-analysis", args=[answered.pk])).content.decode()
    assert "Education sector plan preparation" in page
    assert 'data-chart="chart-quadrant"' in page
    assert "vega-embed.min.js" in page
    assert client.get(reverse("needs-home")).status_code == 200
    assert client.get(reverse("needs-framework", args=[answered.framework_id])).status_code == 200


def test_analysis_pages_have_bounded_queries(
    client_for, coordinator, answered, django_assert_max_num_queries
):
    client = client_for(coordinator)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("needs-analysis", args=[answered.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("needs-analysis-people", args=[answered.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("needs-respondents", args=[answered.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("needs-campaign", args=[answered.pk])).status_code == 200


def test_create_campaign_invites_people_by_position(client_for, coordinator, institution, office):
    from plancampus.core.tests.factories import PersonFactory
    from plancampus.needs.tests.factories import framework_for

    framework = framework_for(institution)
    PersonFactory(position="Planning officer", organisation=office)
    PersonFactory(position="Driver", organisation=office)
    client = client_for(coordinator)
    assert client.get(reverse("needs-campaign-create")).status_code == 200
    response = client.post(
        reverse("needs-campaign-create"),
        {
            "name_en": "PoE needs 2026",
            "code": "poe-2026",
            "framework": framework.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "organisation_kinds": ["provincial_office"],
            "target_roles": [framework.role_profiles.get(code="provincial_planning_officer").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = framework.campaigns.get()
    assert campaign.respondents.count() == 1
    assert campaign.form_version == "poe-2026-1"


def test_participant_fills_the_form_page_by_page(client_for, participant, participant_respondent):
    client = client_for(participant)
    respondent = participant_respondent
    start = client.get(reverse("needs-respond", args=[respondent.pk]))
    assert start.status_code == 302
    first_page = start["Location"]
    assert first_page.endswith("/strategic_planning/")
    page = client.get(first_page)
    assert page.status_code == 200
    framework = respondent.campaign.framework
    competencies = list(framework.competencies.select_related("domain"))
    # One answer through htmx: saved at once, the respondent is in progress.
    first = next(c for c in competencies if c.domain.code == "strategic_planning")
    response = client.post(
        reverse("needs-respond-item", args=[respondent.pk, first.pk]),
        {f"imp_{first.pk}": "5", f"cur_{first.pk}": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    respondent.refresh_from_db()
    assert respondent.status == RespondentStatus.IN_PROGRESS
    # Resuming goes back to the first page that is not complete.
    assert client.get(reverse("needs-respond", args=[respondent.pk]))["Location"] == first_page
    # Without JavaScript: post whole pages, and submit. The finance officer is not the
    # office's designated respondent: their pages have the individual items only.
    assert "individual-only" in page.content.decode()
    individual = [c for c in competencies if c.capacity_level == "individual"]
    for domain in framework.domains.order_by("order"):
        data = {}
        for c in individual:
            if c.domain_id == domain.pk:
                data |= {f"imp_{c.pk}": "4", f"cur_{c.pk}": "3"}
        url = reverse("needs-respond-page", args=[respondent.pk, domain.code])
        if not data:  # a domain with organisational items only: no page for them
            assert client.get(url).status_code == 404
            continue
        assert client.post(url, data).status_code == 302
    assert Answer.objects.filter(respondent=respondent).count() == len(individual)
    review = reverse("needs-respond-review", args=[respondent.pk])
    assert client.post(review).status_code == 302
    respondent.refresh_from_db()
    assert respondent.status == RespondentStatus.SUBMITTED
    # Submitted: the pages show the answers, no longer a form.
    assert client.get(first_page)["Location"] == review


def test_submit_refuses_an_incomplete_questionnaire(
    client_for, participant, participant_respondent
):
    client = client_for(participant)
    response = client.post(
        reverse("needs-respond-review", args=[participant_respondent.pk]), follow=True
    )
    assert "not answered" in response.content.decode()
    participant_respondent.refresh_from_db()
    assert participant_respondent.status == RespondentStatus.INVITED


def test_web_form_in_khmer(client_for, participant, participant_respondent):
    participant.language = "km"
    participant.save()
    client = client_for(participant)
    client.cookies["plancampus_language"] = "km"
    page = client.get(
        reverse("needs-respond-page", args=[participant_respondent.pk, "strategic_planning"])
    )
    text = page.content.decode()
    assert 'lang="km"' in text
    assert "ការរៀបចំផែនការវិស័យអប់រំ" in text  # sector plan preparation
    assert "ស្ទាត់ជំនាញ" in text  # the proficient level's label
