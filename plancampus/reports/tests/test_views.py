"""Who sees the coverage reports (outsiders 404, participants 403), bounded queries, exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from plancampus.core.tests.factories import OrganisationFactory, PersonFactory
from plancampus.reports.services.coverage import CoverageFilters, coverage_compute
from plancampus.reports.services.exports import coverage_pdf
from plancampus.training.models import ExternalParticipation, ExternalProgramme
from plancampus.training.tests import builders_trainers as b

D = dt.date

LISTS = [
    ("reports:coverage-dashboard", {}),
    ("reports:people", {}),
    ("reports:offices", {"kind": "provincial_office"}),
    ("reports:trainers", {}),
    ("reports:alumni", {}),
]
ALL_VIEWS = [*LISTS, ("reports:export", {"fmt": "xlsx"}), ("reports:export", {"fmt": "pdf"})]


def _url(name, params):
    if name == "reports:export":
        return reverse(name, args=[params["fmt"]]), {}
    return reverse(name), params


@pytest.fixture
def trained(institution, office):
    trainer = PersonFactory(organisation=institution, name_latin="Heng Trainer")
    people = b.people(office, 3)
    b.enrol(b.cohort(b.course(institution), start=D(2024, 1, 8), lead=trainer), people)
    return people


@pytest.mark.parametrize(("name", "params"), ALL_VIEWS)
def test_anonymous_is_sent_to_the_login(client, name, params):
    url, query = _url(name, params)
    response = client.get(url, query)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "params"), ALL_VIEWS)
def test_participant_has_no_report(participant, client_for, trained, name, params):
    url, query = _url(name, params)
    assert client_for(participant).get(url, query).status_code == 403


@pytest.mark.parametrize(("name", "params"), ALL_VIEWS)
def test_outsider_cannot_ask_for_our_institution(
    outsider, client_for, trained, institution, name, params
):
    url, query = _url(name, params)
    response = client_for(outsider).get(url, {**query, "institution": institution.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "params"), LISTS)
def test_outsider_sees_only_their_own_empty_figures(outsider, client_for, trained, name, params):
    url, query = _url(name, params)
    response = client_for(outsider).get(url, query)
    assert response.status_code == 200
    if name == "reports:coverage-dashboard":
        assert response.context["coverage"].people == 0
        assert response.context["coverage"].trainers == 0
    else:
        assert response.context["page"].paginator.count == 0


def test_people_of_another_institution_are_not_listed(outsider, client_for, trained):
    response = client_for(outsider).get(reverse("reports:people"))
    for person in trained:
        assert person.name_latin not in response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "trainer", "admin_user"])
def test_staff_see_their_institution(persona, request, client_for, trained):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("reports:coverage-dashboard"))
    assert response.status_code == 200
    assert response.context["coverage"].people == 3


def test_specialist_sees_all_and_may_pick_an_institution(
    specialist, client_for, trained, institution
):
    client = client_for(specialist)
    response = client.get(reverse("reports:coverage-dashboard"))
    assert response.context["scope"].is_all
    assert response.context["coverage"].people == 3
    response = client.get(reverse("reports:coverage-dashboard"), {"institution": institution.pk})
    assert response.context["scope"].selected == institution
    assert (
        client.get(reverse("reports:coverage-dashboard"), {"institution": 999999}).status_code
        == 404
    )


def test_offices_list_needs_an_office_kind(coordinator, client_for, trained):
    response = client_for(coordinator).get(reverse("reports:offices"), {"kind": "ministry"})
    assert response.status_code == 404


def test_unknown_export_format(coordinator, client_for):
    assert client_for(coordinator).get(reverse("reports:export", args=["docx"])).status_code == 404


# -- bounded queries -------------------------------------------------------------------------


def _build(institution, count):
    country = institution.country
    offices = [OrganisationFactory(country=country, area=institution.area) for _ in range(3)]
    trainer = PersonFactory(organisation=institution)
    iiep = OrganisationFactory(country=None, kind="partner")
    atp = ExternalProgramme.objects.create(
        provider=iiep, code=f"atp-{count}", kind="advanced_training", name_en="ATP"
    )
    ExternalParticipation.objects.create(
        person=trainer, programme=atp, year=2010, result="completed"
    )
    for year in (2022, 2023):
        cohort = b.cohort(
            b.course(institution),
            start=D(year, 2, 1),
            lead=trainer,
            co=[PersonFactory(organisation=institution)],
        )
        b.enrol(
            cohort,
            [PersonFactory(organisation=offices[i % 3], sex="FM"[i % 2]) for i in range(count)],
        )


def _queries(client, url, query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "params"), LISTS)
def test_query_counts_do_not_grow_with_participants(
    coordinator, client_for, institution, name, params, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url, query = _url(name, params)
    _build(institution, 5)
    small = _queries(client, url, query)
    _build(institution, 50)
    with django_assert_max_num_queries(small):
        client.get(url, query)
    assert small <= 25


# -- exports ---------------------------------------------------------------------------------


def test_xlsx_export_opens_and_holds_the_figures(coordinator, client_for, trained, office):
    import openpyxl

    response = client_for(coordinator).get(reverse("reports:export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="coverage-')
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert {"Summary", "By year", "By province", "Offices", "People trained"} <= set(
        book.sheetnames
    )
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["People trained"] == 3
    people = list(book["People trained"].iter_rows(values_only=True))
    assert len(people) == 1 + 3
    offices = {row[1]: row[3] for row in book["Offices"].iter_rows(min_row=2, values_only=True)}
    assert offices[office.code] == 3


def test_pdf_export_opens_with_khmer_text(coordinator, client_for, trained, institution):
    import pypdf

    response = client_for(coordinator).get(reverse("reports:export", args=["pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Coverage of training" in text
    assert "Siemreap" in text
    with translation.override("km"):
        coverage = coverage_compute(
            institution_ids=frozenset({institution.pk}), filters=CoverageFilters()
        )
        content = coverage_pdf(coverage, institution=institution, labels={}, people_url="http://x/")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "សៀមរាប" in text  # the province, in Khmer


def test_the_menu_offers_reports_to_staff_only(coordinator, participant, client_for):
    link = f'href="{reverse("reports:coverage-dashboard")}"'
    client = client_for(participant)
    assert link not in client.get(reverse("home")).content.decode()
    client.logout()
    assert link in client_for(coordinator).get(reverse("home")).content.decode()
