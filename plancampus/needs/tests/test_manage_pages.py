"""Actions that used to exist only in the administration: edit a campaign, change a
respondent's role, delete a plan item — permissions, rules, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plancampus.core.tests.factories import OrganisationFactory, PersonFactory
from plancampus.needs.models import (
    Answer,
    Campaign,
    Indicator,
    IndicatorMeasurement,
    Intervention,
    Objective,
    RespondentStatus,
)
from plancampus.needs.models.campaigns import OrganisationalAnswers
from plancampus.needs.services.analysis import analyse, analysis_key, campaign_data_load
from plancampus.needs.services.campaigns import campaign_update, respondents_invite
from plancampus.needs.services.plans import plan_view
from plancampus.needs.tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def edit_data(campaign, **changes):
    data = {
        "name_en": campaign.name_en,
        "name_km": campaign.name_km,
        "name_fr": campaign.name_fr,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "target_roles": [r.pk for r in campaign.target_roles.all()],
        "target_organisations": [o.pk for o in campaign.target_organisations.all()],
        "organisational_answers": campaign.organisational_answers,
        "baseline": campaign.baseline_id or "",
        "description": campaign.description,
    }
    return data | changes


# --- Editing a campaign ----------------------------------------------------------------------


def test_campaign_edit_permissions(
    client_for, coordinator, trainer, participant, outsider, campaign
):
    url = reverse("needs-campaign-edit", args=[campaign.pk])
    assert client_for(coordinator).get(url).status_code == 200
    detail = client_for(coordinator).get(reverse("needs-campaign", args=[campaign.pk]))
    assert url in detail.content.decode()
    for user, status in ((trainer, 403), (participant, 403), (outsider, 404)):
        client = client_for(user)
        assert client.get(url).status_code == status, user
        assert client.post(url, edit_data(campaign, name_en="Hacked")).status_code == status
    campaign.refresh_from_db()
    assert campaign.name_en != "Hacked"


def test_campaign_edit_changes_names_and_period_audited(client_for, coordinator, campaign):
    client = client_for(coordinator)
    url = reverse("needs-campaign-edit", args=[campaign.pk])
    response = client.post(
        url, edit_data(campaign, name_en="PoE needs 2026 (extended)", ends_on="2027-01-31")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.name_en == "PoE needs 2026 (extended)"
    assert campaign.ends_on == dt.date(2027, 1, 31)
    latest = campaign.history.first()
    assert (latest.name_en, latest.history_user) == ("PoE needs 2026 (extended)", coordinator)
    # The framework, code and version are not on the form.
    assert campaign.code == "poe-2026"
    bad = client.post(url, edit_data(campaign, ends_on="2025-12-31"))
    assert bad.status_code == 400
    assert "cannot close before it opens" in bad.content.decode()
    campaign.refresh_from_db()
    assert campaign.ends_on == dt.date(2027, 1, 31)


def test_adding_an_organisation_invites_its_people(client_for, coordinator, campaign, office):
    other = OrganisationFactory(country=office.country, area=office.area, code="POE-18")
    PersonFactory(name_latin="Pen Sophea", position="Director", organisation=other)
    PersonFactory(name_latin="Ros Bopha", position="Planning officer", organisation=other)
    organisations = [office.pk, other.pk]
    response = client_for(coordinator).post(
        reverse("needs-campaign-edit", args=[campaign.pk]),
        edit_data(campaign, target_organisations=organisations),
    )
    assert response.status_code == 302
    assert set(campaign.target_organisations.values_list("pk", flat=True)) == set(organisations)
    newcomers = campaign.respondents.filter(organisation=other)
    assert newcomers.count() == 2
    assert newcomers.get(person__name_latin="Pen Sophea").rates_organisation
    # The organisations are audited with the campaign.
    assert other.pk in [
        row.organisation_id for row in campaign.history.first().target_organisations.all()
    ]


def test_removing_a_role_without_answers_needs_no_confirmation(client_for, coordinator, campaign):
    finance = campaign.target_roles.get(code="finance_officer")
    roles = [r.pk for r in campaign.target_roles.exclude(pk=finance.pk)]
    response = client_for(coordinator).post(
        reverse("needs-campaign-edit", args=[campaign.pk]), edit_data(campaign, target_roles=roles)
    )
    assert response.status_code == 302
    assert not campaign.respondents.filter(role=finance).exists()
    # Codes go on from the highest: no clash with those left.
    respondents_invite(campaign=campaign)
    codes = list(campaign.respondents.values_list("code", flat=True))
    assert len(codes) == len(set(codes))


def test_removing_a_role_with_answers_asks_to_confirm(client_for, coordinator, answered):
    """The planners submitted: removing their role needs a confirmation, then their answers
    leave the campaign and the analysis."""
    planner = answered.target_roles.get(code="provincial_planning_officer")
    roles = [r.pk for r in answered.target_roles.exclude(pk=planner.pk)]
    client = client_for(coordinator)
    url = reverse("needs-campaign-edit", args=[answered.pk])
    before = analysis_key(answered)
    response = client.post(url, edit_data(answered, target_roles=roles))
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="removal"' in text
    assert "2 respondents of the organisations or roles removed leave the campaign" in text
    assert "confirm to remove them with their answers" in text
    assert answered.respondents.filter(role=planner).count() == 2  # nothing changed
    assert answered.target_roles.filter(pk=planner.pk).exists()
    response = client.post(url, edit_data(answered, target_roles=roles, confirm_removals="on"))
    assert response.status_code == 302
    assert not answered.respondents.filter(role=planner).exists()
    assert not Answer.objects.filter(respondent__campaign=answered, respondent__role=planner)
    answered.refresh_from_db()
    assert analysis_key(answered) != before
    assert analyse(campaign_data_load(answered)).respondent_count == 1
    # The removed respondents are in their history, with who removed them.
    from plancampus.needs.models import Respondent

    removed = Respondent.history.filter(history_type="-", role_id=planner.pk)
    assert removed.count() == 2
    assert {r.history_user for r in removed} == {coordinator}


def test_baseline_cannot_make_a_cycle(institution, office, answered):
    again = make_campaign(institution, [office], code="poe-2027", baseline=answered, year=2027)
    with pytest.raises(ValidationError, match="re-assessment of this campaign"):
        campaign_update(
            campaign=answered,
            name_en=answered.name_en,
            starts_on=answered.starts_on,
            ends_on=answered.ends_on,
            target_organisations=answered.target_organisations.all(),
            target_roles=answered.target_roles.all(),
            baseline=again,
        )


def test_switching_to_designated_respondents_recomputes(answered, coordinator):
    answered.organisational_answers = OrganisationalAnswers.EVERYONE
    answered.save()
    answered.refresh_from_db()
    everyone = analyse(campaign_data_load(answered))
    assert next(i for i in everyone.organisational).n == 3
    before = analysis_key(answered)
    campaign_update(
        campaign=answered,
        name_en=answered.name_en,
        starts_on=answered.starts_on,
        ends_on=answered.ends_on,
        target_organisations=answered.target_organisations.all(),
        target_roles=answered.target_roles.all(),
        organisational_answers=OrganisationalAnswers.DESIGNATED,
    )
    answered.refresh_from_db()
    assert analysis_key(answered) != before
    designated = analyse(campaign_data_load(answered))
    assert next(i for i in designated.organisational).n == 1  # the director's office


# --- A respondent's role ---------------------------------------------------------------------


def test_changing_a_role_changes_the_gaps_and_is_audited(
    client_for, coordinator, trainer, outsider, answered
):
    from django.core.cache import cache

    from plancampus.needs.services.analysis import campaign_analysis

    cache.clear()
    sok = answered.respondents.get(person__name_latin="Sok Dara")
    director = answered.target_roles.get(code="provincial_office_director")
    first = campaign_analysis(answered)
    roles = {g.label_object.code: g.respondents for g in first.by_role}
    assert roles == {"provincial_planning_officer": 2, "provincial_office_director": 1}
    url = reverse("needs-respondent-edit", args=[answered.pk, sok.pk])
    client = client_for(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    list_page = client.get(reverse("needs-respondents", args=[answered.pk]))
    assert url in list_page.content.decode()
    response = client.post(url, {"role": director.pk})
    assert response.status_code == 302
    sok.refresh_from_db()
    assert sok.role == director
    assert sok.history.first().history_user == coordinator
    answered.refresh_from_db()
    again = campaign_analysis(answered, fresh=True)
    assert again.key != first.key
    roles = {g.label_object.code: g.respondents for g in again.by_role}
    assert roles == {"provincial_planning_officer": 1, "provincial_office_director": 2}
    # Sector plan preparation: the director's profile requires 3, Sok is at 1: gap 2 (was 3).
    column = [c.code for c in again.data.competencies].index("sector_plan_preparation")
    row = list(again.data.person_ids).index(sok.person_id)
    assert again.gaps[row, column] == pytest.approx(2.0)
    # A role the campaign does not assess is refused.
    trainer_role = answered.framework.role_profiles.get(code="national_trainer")
    assert client.post(url, {"role": trainer_role.pk}).status_code == 400
    client.logout()
    assert client_for(trainer).post(url, {"role": director.pk}).status_code == 403
    client.logout()
    assert client_for(outsider).get(url).status_code == 404


def test_respondent_of_another_campaign_is_not_found(client_for, coordinator, answered):
    other = make_campaign(
        answered.institution, list(answered.target_organisations.all()), code="poe-2027"
    )
    stranger = other.respondents.first()
    url = reverse("needs-respondent-edit", args=[answered.pk, stranger.pk])
    assert client_for(coordinator).get(url).status_code == 404


# --- Deleting plan items ---------------------------------------------------------------------


def test_deleting_an_indicator_says_its_measurements_go_too(client_for, coordinator, plan):
    indicator = Indicator.objects.get(objective__plan=plan)
    IndicatorMeasurement.objects.create(
        indicator=indicator, measured_on=dt.date(2027, 6, 1), value=Decimal(80), note="mid-year"
    )
    url = reverse("needs-indicator-delete", args=[plan.pk, indicator.pk])
    client = client_for(coordinator)
    plan_page = client.get(plan.get_absolute_url()).content.decode()
    assert url in plan_page
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "its 2 recorded measurements (progress entries)" in text
    assert "mid-year" in text
    assert Indicator.objects.filter(pk=indicator.pk).exists()  # a GET deletes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert not IndicatorMeasurement.objects.filter(indicator_id=indicator.pk).exists()
    gone = Indicator.history.get(id=indicator.pk, history_type="-")
    assert gone.history_user == coordinator
    measurements = IndicatorMeasurement.history.filter(indicator_id=indicator.pk, history_type="-")
    assert measurements.count() == 2
    assert {m.history_user for m in measurements} == {coordinator}


def test_deleting_an_objective_takes_its_indicators_and_interventions(
    client_for, coordinator, plan, django_assert_max_num_queries
):
    objective = Objective.objects.get(plan=plan)
    url = reverse("needs-objective-delete", args=[plan.pk, objective.pk])
    client = client_for(coordinator)
    with django_assert_max_num_queries(15):
        page = client.get(url)
    text = page.content.decode()
    assert "its 1 indicator" in text
    assert "with 1 recorded measurement (progress entry)" in text
    assert "its 1 intervention" in text
    assert "12,000 less in the plan" in text
    assert "its link to 1 gap (the competency itself stays)" in text
    assert client.post(url).status_code == 302
    assert not Objective.objects.filter(plan=plan).exists()
    assert not Intervention.objects.filter(objective__plan=plan).exists()
    assert Intervention.history.filter(history_type="-", history_user=coordinator).count() == 1
    assert Objective.history.filter(history_type="-", history_user=coordinator).count() == 1
    assert plan_view(plan).total_cost == 0
    # The competency it answered is still there.
    assert plan.campaign.framework.competencies.filter(code="sector_plan_preparation").exists()


def test_deleting_an_intervention_and_a_measurement(client_for, coordinator, plan):
    intervention = Intervention.objects.get(objective__plan=plan)
    measurement = IndicatorMeasurement.objects.get(indicator__objective__plan=plan)
    client = client_for(coordinator)
    url = reverse("needs-intervention-delete", args=[plan.pk, intervention.pk])
    assert "its cost, 12,000 USD, leaves the plan" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Intervention.objects.filter(pk=intervention.pk).exists()
    url = reverse("needs-measurement-delete", args=[plan.pk, measurement.pk])
    assert url in client.get(plan.get_absolute_url()).content.decode()
    assert "computed from its other measurements" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"].endswith(f"#indicator-{measurement.indicator_id}")
    assert not IndicatorMeasurement.objects.filter(pk=measurement.pk).exists()
    assert Indicator.objects.filter(pk=measurement.indicator_id).exists()


def test_plan_item_deletion_permissions(client_for, trainer, outsider, participant, plan, answered):
    objective = Objective.objects.get(plan=plan)
    indicator = Indicator.objects.get(objective=objective)
    intervention = Intervention.objects.get(objective=objective)
    measurement = IndicatorMeasurement.objects.get(indicator=indicator)
    urls = [
        reverse("needs-objective-delete", args=[plan.pk, objective.pk]),
        reverse("needs-indicator-delete", args=[plan.pk, indicator.pk]),
        reverse("needs-intervention-delete", args=[plan.pk, intervention.pk]),
        reverse("needs-measurement-delete", args=[plan.pk, measurement.pk]),
    ]
    for user, status in ((trainer, 403), (participant, 403), (outsider, 404)):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == status, (user, url)
            assert client.post(url).status_code == status, (user, url)
        client.logout()
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert IndicatorMeasurement.objects.filter(pk=measurement.pk).exists()


def test_an_item_of_another_plan_is_not_found(client_for, coordinator, plan, institution):
    from plancampus.needs.models import CapacityPlan

    other = CapacityPlan.objects.create(
        institution=institution, name_en="Other plan", start_year=2026, end_year=2027
    )
    objective = Objective.objects.get(plan=plan)
    url = reverse("needs-objective-delete", args=[other.pk, objective.pk])
    assert client_for(coordinator).post(url).status_code == 404
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_campaign_status_unchanged_by_edit(client_for, coordinator, campaign):
    response = client_for(coordinator).post(
        reverse("needs-campaign-edit", args=[campaign.pk]), edit_data(campaign)
    )
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == campaign.status
    assert RespondentStatus.INVITED in campaign.respondents.values_list("status", flat=True)
