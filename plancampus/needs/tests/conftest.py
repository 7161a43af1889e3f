import pytest

from plancampus.needs.tests.factories import fill, make_campaign


@pytest.fixture
def campaign(institution, office):
    """An open campaign over the Siemreap office: four staff invited, one not (an inspector)."""
    return make_campaign(
        institution,
        [office],
        people=[
            ("Sok Dara", "Planning officer"),
            ("Chan Thida", "Planning officer"),
            ("Keo Vannak", "Director"),
            ("Ly Malis", "Finance officer"),
            ("Meas Rithy", "Inspector"),
        ],
    )


@pytest.fixture
def answered(campaign):
    """The campaign with three questionnaires submitted and one left untouched."""
    by_name = {r.person.name_latin: r for r in campaign.respondents.select_related("person")}
    fill(by_name["Sok Dara"], {"sector_plan_preparation": (5, 1), "teacher_management": (4, 2)})
    fill(by_name["Chan Thida"], {"sector_plan_preparation": (5, 2), "teacher_management": (5, 1)})
    fill(by_name["Keo Vannak"], {"sector_plan_preparation": (4, 2)})
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def participant_respondent(campaign, participant):
    """The participant persona is one of the invited people (the finance officer)."""
    respondent = campaign.respondents.get(person__name_latin="Ly Malis")
    participant.person = respondent.person
    participant.save()
    return respondent
