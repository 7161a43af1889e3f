"""Designated respondents: only they rate their organisation (web form, XLSForm, import,
analysis), the coordinator sees and changes who they are, and existing campaigns migrate."""

from __future__ import annotations

import importlib
import io

import pytest
from defusedxml import ElementTree
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from pyxform.xls2xform import convert

from plancampus.core.tests.factories import OrganisationFactory, PersonFactory
from plancampus.needs.models import Answer, RespondentStatus
from plancampus.needs.models.campaigns import OrganisationalAnswers
from plancampus.needs.services.analysis import analyse, analysis_key, campaign_data_load
from plancampus.needs.services.campaigns import (
    designation_overview,
    respondent_designate,
    respondents_designate_heads,
    respondents_invite,
)
from plancampus.needs.services.questionnaire import (
    answer_save,
    missing_items,
    questionnaire_pages,
)
from plancampus.needs.services.submissions import submissions_import
from plancampus.needs.services.xlsform import RATES_FIELD, xlsform_export, xlsform_rows
from plancampus.needs.tests.factories import fill

from .test_xlsform_roundtrip import complete, kobo_rows, to_csv, xform_columns

pytestmark = pytest.mark.django_db


def by_name(campaign):
    return {r.person.name_latin: r for r in campaign.respondents.select_related("person")}


def org_item(campaign, code="emis_data_system"):
    return campaign.framework.competencies.get(code=code)


def test_the_head_of_the_office_is_designated_when_invited(campaign):
    people = by_name(campaign)
    assert people["Keo Vannak"].rates_organisation  # "Director": a head position
    assert not any(r.rates_organisation for name, r in people.items() if name != "Keo Vannak")
    assert campaign.organisational_answers == OrganisationalAnswers.DESIGNATED
    # A newcomer director does not displace the designated one.
    PersonFactory(
        name_latin="New Director",
        position="Director",
        organisation=people["Keo Vannak"].organisation,
    )
    respondents_invite(campaign=campaign)
    newcomer = campaign.respondents.get(person__name_latin="New Director")
    assert not newcomer.rates_organisation


def test_web_form_shows_the_organisational_items_to_the_designated_respondent_only(campaign):
    people = by_name(campaign)
    director, planner = people["Keo Vannak"], people["Sok Dara"]
    items = {
        name: [
            i.competency.capacity_level
            for p in questionnaire_pages(framework=campaign.framework, respondent=r)
            for i in p.items
        ]
        for name, r in (("director", director), ("planner", planner))
    }
    assert "organisational" in items["director"]
    assert set(items["planner"]) == {"individual"}
    with pytest.raises(ValidationError, match="designated respondent"):
        answer_save(respondent=planner, competency=org_item(campaign), current_level=2)
    answer_save(
        respondent=director, competency=org_item(campaign), current_level=2, desired_level=4
    )
    # Submitting asks the planner for their individual items only.
    assert all(i.is_individual for i in missing_items(respondent=planner))
    assert any(not i.is_individual for i in missing_items(respondent=director))


def test_web_form_item_view_refuses_an_organisational_item(client_for, participant, campaign):
    respondent = campaign.respondents.get(person__name_latin="Ly Malis")
    participant.person = respondent.person
    participant.save()
    item = org_item(campaign)
    response = client_for(participant).post(
        reverse("needs-respond-item", args=[respondent.pk, item.pk]),
        {f"cur_{item.pk}": "2", f"des_{item.pk}": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert not Answer.objects.filter(respondent=respondent).exists()


@pytest.fixture
def two_offices(institution, office, campaign):
    """A second office (one designated director) and a panel of two in the first office."""
    other = OrganisationFactory(
        country=office.country, area=office.area, code="POE-18", name_en="Other office"
    )
    PersonFactory(name_latin="Pen Sophea", position="Director", organisation=other)
    PersonFactory(name_latin="Ros Bopha", position="Planning officer", organisation=other)
    campaign.target_organisations.add(other)
    respondents_invite(campaign=campaign)
    people = by_name(campaign)
    respondent_designate(respondent=people["Ly Malis"], designated=True)  # a panel of two
    return people


def test_analysis_uses_the_designated_respondents_each_organisation_once(campaign, two_offices):
    people = two_offices
    # The office's panel rates EMIS 1 and 3 (mean 2); the other office's director 4.
    # Non-designated respondents answered too (imported, say): they do not count.
    fill(people["Keo Vannak"], {"emis_data_system": (5, 1)})
    fill(people["Ly Malis"], {"emis_data_system": (5, 3)})
    fill(people["Pen Sophea"], {"emis_data_system": (5, 4)})
    fill(people["Sok Dara"], {"emis_data_system": (5, 5)})
    fill(people["Ros Bopha"], {"emis_data_system": (5, 5)})
    campaign.refresh_from_db()
    result = analyse(campaign_data_load(campaign))
    emis = next(i for i in result.organisational if i.competency.code == "emis_data_system")
    assert emis.mean_current == pytest.approx(3.0)  # (2 + 4) / 2, not (1 + 3 + 4) / 3
    assert emis.mean_desired == pytest.approx(5.0)
    assert (emis.n, emis.respondents) == (2, 3)
    governance = next(r for r in result.by_domain if r["domain"].code == "governance")
    assert governance["org_current"] is not None
    # The individual items still count everyone who submitted.
    assert result.respondent_count == 5


def test_a_campaign_answered_before_designation_keeps_everyone(campaign, two_offices):
    campaign.organisational_answers = OrganisationalAnswers.EVERYONE
    campaign.save()
    people = two_offices
    for name, level in (("Keo Vannak", 1), ("Ly Malis", 3), ("Pen Sophea", 4), ("Sok Dara", 4)):
        fill(people[name], {"emis_data_system": (5, level)})
    campaign.refresh_from_db()
    result = analyse(campaign_data_load(campaign))
    emis = next(i for i in result.organisational if i.competency.code == "emis_data_system")
    assert emis.mean_current == pytest.approx(3.0)  # (1 + 3 + 4 + 4) / 4
    assert (emis.n, emis.respondents) == (4, 4)
    # Everyone is asked the organisational items.
    pages = questionnaire_pages(framework=campaign.framework, respondent=people["Ros Bopha"])
    assert any(not i.is_individual for p in pages for i in p.items)


def test_import_flags_organisational_answers_of_a_respondent_not_designated(campaign):
    workbook = xlsform_export(campaign)
    columns = xform_columns(workbook)
    people = by_name(campaign)
    answers = {
        people["Keo Vannak"].code: complete(campaign, rates=True),
        people["Sok Dara"].code: complete(campaign, rates=True),  # says yes; is not designated
        people["Chan Thida"].code: complete(campaign),
    }
    record = submissions_import(
        campaign=campaign,
        data=to_csv(kobo_rows(campaign, columns, answers)),
        filename="kobo.csv",
        user=None,
    )
    outcomes = {row["respondent"]: (row["outcome"], row["problems"]) for row in record.rows}
    assert outcomes[people["Keo Vannak"].code] == ("kept", [])
    assert outcomes[people["Chan Thida"].code] == ("kept", [])
    outcome, problems = outcomes[people["Sok Dara"].code]
    assert outcome == "flagged"
    assert [p["code"] for p in problems] == ["not_designated"]
    assert problems[0]["params"]["count"] == 10  # 5 items × current and desired
    # Stored (nothing lost), not counted.
    sok = people["Sok Dara"]
    assert Answer.objects.filter(respondent=sok, competency=org_item(campaign)).exists()
    campaign.refresh_from_db()
    emis = next(
        i
        for i in analyse(campaign_data_load(campaign)).organisational
        if i.competency.code == "emis_data_system"
    )
    assert (emis.n, emis.respondents) == (1, 1)


def test_import_rejects_a_designated_respondent_who_did_not_rate(campaign):
    workbook = xlsform_export(campaign)
    columns = xform_columns(workbook)
    director = by_name(campaign)["Keo Vannak"]
    record = submissions_import(
        campaign=campaign,
        data=to_csv(kobo_rows(campaign, columns, {director.code: complete(campaign)})),
        filename="kobo.csv",
        user=None,
    )
    (row,) = record.rows
    assert row["outcome"] == "rejected"
    assert [p["code"] for p in row["problems"]] == ["designated_unrated"]
    assert row["problems"][0]["params"]["count"] == 10
    director.refresh_from_db()
    assert director.status == RespondentStatus.INVITED


def test_import_report_says_why(client_for, coordinator, campaign):
    workbook = xlsform_export(campaign)
    columns = xform_columns(workbook)
    sok = by_name(campaign)["Sok Dara"]
    record = submissions_import(
        campaign=campaign,
        data=to_csv(kobo_rows(campaign, columns, {sok.code: complete(campaign, rates=True)})),
        filename="kobo.csv",
        user=None,
    )
    text = client_for(coordinator).get(reverse("needs-import", args=[record.pk])).content
    assert "is not designated to rate Siemreap Provincial Office of Education" in text.decode()


def test_xlsform_asks_who_rates_and_shows_organisational_items_after_yes(campaign):
    rows = xlsform_rows(campaign)
    header, *survey = rows["survey"]
    relevant = header.index("relevant")
    by_field = {row[1]: row for row in survey}
    assert by_field[RATES_FIELD][0] == "select_one yes_no"
    assert by_field["emis_data_system_current"][relevant] == "${rates_organisation} = 'yes'"
    assert by_field["sector_plan_preparation_current"][relevant] == ""
    assert {(r[0], r[1]) for r in rows["choices"][1:]} >= {("yes_no", "yes"), ("yes_no", "no")}
    xform = convert(xlsform=io.BytesIO(xlsform_export(campaign)), file_type=".xlsx").xform
    binds = {
        element.get("nodeset", "").rsplit("/", 1)[-1]: element
        for element in ElementTree.fromstring(xform.encode()).iter()
        if element.tag.endswith("bind")
    }
    condition = binds["emis_data_system_current"].get("relevant", "")
    assert "rates_organisation" in condition
    assert "'yes'" in condition
    assert binds["emis_data_system_current"].get("required") == "true()"
    assert "relevant" not in binds["sector_plan_preparation_current"].attrib
    campaign.organisational_answers = OrganisationalAnswers.EVERYONE
    rows = xlsform_rows(campaign)
    assert RATES_FIELD not in {row[1] for row in rows["survey"]}


def test_designating_someone_who_submitted_without_rating_is_refused(campaign):
    people = by_name(campaign)
    planner = people["Sok Dara"]
    answer_save(
        respondent=planner,
        competency=campaign.framework.competencies.individual()[0],
        importance=4,
        current_level=2,
    )
    planner.status = RespondentStatus.SUBMITTED
    planner.save()
    with pytest.raises(ValidationError, match="without rating the organisational items"):
        respondent_designate(respondent=planner, designated=True)


def test_designation_changes_the_analysis_key_and_is_audited(campaign, coordinator):
    director = by_name(campaign)["Keo Vannak"]
    before = analysis_key(campaign)
    respondent_designate(respondent=director, designated=False, user=coordinator)
    campaign.refresh_from_db()
    assert analysis_key(campaign) != before
    latest = director.history.first()
    assert (latest.rates_organisation, latest.history_user) == (False, coordinator)
    assert respondents_designate_heads(campaign=campaign, user=coordinator) == 1
    director.refresh_from_db()
    assert director.rates_organisation
    assert director.history.first().history_user == coordinator


def test_respondents_page_shows_who_rates_each_organisation(
    client_for, coordinator, trainer, outsider, campaign, two_offices, django_assert_max_num_queries
):
    other_director = two_offices["Pen Sophea"]
    respondent_designate(respondent=other_director, designated=False)
    url = reverse("needs-respondents", args=[campaign.pk])
    client = client_for(coordinator)
    cache.clear()
    with django_assert_max_num_queries(16):
        page = client.get(url)
    text = page.content.decode()
    assert "1 of 2 organisations have a designated respondent." in text
    missing = text[text.index('id="designation-missing"') :]
    assert "Other office" in missing[: missing.index("</ul>")]
    assert "Keo Vannak" in text
    assert "Ly Malis" in text
    # Designate from the list, then the summary is complete.
    response = client.post(
        reverse("needs-respondent-designate", args=[campaign.pk, other_director.pk]),
        {"designated": "1", "next": f"{url}?organisation={other_director.organisation_id}"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?organisation={other_director.organisation_id}")
    other_director.refresh_from_db()
    assert other_director.rates_organisation
    overview = designation_overview(campaign)
    assert not overview.missing
    # An off-site "next" is not followed.
    response = client.post(
        reverse("needs-respondent-designate", args=[campaign.pk, other_director.pk]),
        {"designated": "0", "next": "https://evil.example/"},
    )
    assert response["Location"] == url
    # Others: a trainer sees, does not change; an outsider finds nothing.
    client.logout()
    trainer_client = client_for(trainer)
    assert trainer_client.get(url).status_code == 200
    designate = reverse("needs-respondent-designate", args=[campaign.pk, other_director.pk])
    assert trainer_client.post(designate, {"designated": "1"}).status_code == 403
    heads = reverse("needs-designate-heads", args=[campaign.pk])
    assert trainer_client.post(heads).status_code == 403
    trainer_client.logout()
    outsider_client = client_for(outsider)
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(designate, {"designated": "1"}).status_code == 404
    assert outsider_client.post(heads).status_code == 404


def test_migration_keeps_answered_campaigns_as_they_were_and_designates_heads(
    institution, office, answered
):
    """Run the migration's data step on data shaped as before it: no head positions, no
    designations, every campaign "designated"."""
    from plancampus.needs.tests.factories import make_campaign

    fresh = make_campaign(institution, [office], code="poe-2027", year=2027)
    migration = importlib.import_module("plancampus.needs.migrations.0005_designated_respondents")
    framework = answered.framework
    framework.head_position_titles = []
    framework.save()
    for campaign in (answered, fresh):
        campaign.respondents.update(rates_organisation=False)
    migration.designate(apps, None)
    framework.refresh_from_db()
    answered.refresh_from_db()
    fresh.refresh_from_db()
    assert framework.head_position_titles == ["Director", "Chief of district office"]
    # Answered before designation: its figures stay as they were.
    assert answered.organisational_answers == OrganisationalAnswers.EVERYONE
    assert fresh.organisational_answers == OrganisationalAnswers.DESIGNATED
    for campaign in (answered, fresh):
        names = campaign.respondents.designated().values_list("person__name_latin", flat=True)
        assert list(names) == ["Keo Vannak"]


def test_designating_heads_takes_a_submitted_head_only_if_they_rated(answered, coordinator):
    """In a campaign answered before designation, the director who submitted with the
    organisational items rated is designated; one who did not rate them is not."""
    answered.organisational_answers = OrganisationalAnswers.EVERYONE
    answered.save()
    director = answered.respondents.get(person__name_latin="Keo Vannak")
    respondent_designate(respondent=director, designated=False)
    assert respondents_designate_heads(campaign=answered, user=coordinator) == 1
    director.refresh_from_db()
    assert director.rates_organisation
    respondent_designate(respondent=director, designated=False)
    Answer.objects.filter(respondent=director).exclude(
        competency__capacity_level="individual"
    ).delete()
    assert respondents_designate_heads(campaign=answered, user=coordinator) == 0
    assert not designation_overview(answered).covered
