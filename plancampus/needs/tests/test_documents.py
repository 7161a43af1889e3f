"""The report (PDF) and the capacity plan (PDF, DOCX), in English and Khmer."""

import io

import docx
import pytest
from django.urls import reverse

from plancampus.needs.models import (
    CapacityPlan,
    Indicator,
    Intervention,
)
from plancampus.needs.services import documents
from plancampus.needs.tests.pdfs import (
    embedded_fonts,
    khmer_shaping_problems,
    khmer_words,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def test_report_in_khmer_has_shaped_khmer_text(answered):
    document = documents.needs_report_pdf(campaign=answered, language="km")
    assert document.content.startswith(b"%PDF")
    text = khmer_words(document.content)
    # The campaign's and the institution's Khmer names, and the interface in Khmer.
    assert "ការវាយតម្លៃ" in text
    assert "វិទ្យាស្ថានជាតិអប់រំ" in text
    assert "របាយការណ៍" in text
    assert sum("\u1780" <= ch <= "\u17ff" for ch in text) > 300
    assert "14,00" in text or "14.00" in text  # the top MWDS
    assert any("Noto-Sans-Khmer" in name for name in embedded_fonts(document.content))
    assert khmer_shaping_problems(document.content) == []


def test_report_in_english(answered):
    text = pdf_text(documents.needs_report_pdf(campaign=answered, language="en").content)
    assert "Education sector plan preparation" in text
    assert "Borich" in text
    assert "CAPNAM" in text


def test_plan_pdf_and_docx(plan):
    progress = documents.plan_view(plan).objectives[0].indicators[0]
    assert progress.percent == 50  # 20 → 60 on the way to 100
    content = documents.plan_pdf(plan=plan, language="km").content
    assert "ផែនការអភិវឌ្ឍសមត្ថភាព" in khmer_words(content)
    assert khmer_shaping_problems(content) == []
    word = docx.Document(io.BytesIO(documents.plan_docx(plan=plan, language="km").content))
    body = "\n".join(p.text for p in word.paragraphs)
    cells = "\n".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert "ផែនការអភិវឌ្ឍសមត្ថភាព" in body
    assert "វគ្គរៀបចំផែនការ" in cells
    assert "50 %" in cells
    assert len(word.inline_shapes) == 2  # the needs ranking and the indicators' progress


def test_plan_progress_updates(client_for, coordinator, trainer, plan):
    indicator = Indicator.objects.get(objective__plan=plan)
    intervention = Intervention.objects.get(objective__plan=plan)
    url = reverse("needs-plan-measure", args=[plan.pk, indicator.pk])
    client = client_for(trainer)
    assert client.post(url, {"measured_on": "2027-06-30", "value": "80"}).status_code == 403
    client.logout()
    client = client_for(coordinator)
    assert client.post(url, {"measured_on": "2027-06-30", "value": "80"}).status_code == 302
    assert indicator.measurements.count() == 2
    url = reverse("needs-plan-intervention", args=[plan.pk, intervention.pk])
    assert client.post(url, {"status": "done", "progress_note": "3 cohorts"}).status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == "done"
    assert intervention.history.count() == 2  # the change of status is kept over time


def test_plan_page_for_an_administrator_links_to_the_editor(client_for, admin_user, plan):
    page = client_for(admin_user).get(reverse("needs-plan", args=[plan.pk]))
    assert page.status_code == 200
    assert reverse("admin:needs_capacityplan_change", args=[plan.pk]) in page.content.decode()
    assert (
        client_for(admin_user).get(reverse("admin:needs_objective_changelist")).status_code == 200
    )


def test_coordinator_builds_a_plan_through_the_pages(client_for, coordinator, trainer, answered):
    client = client_for(trainer)
    assert client.get(reverse("needs-plan-create")).status_code == 403
    client.logout()
    client = client_for(coordinator)
    assert client.get(reverse("needs-plan-create") + f"?campaign={answered.pk}").status_code == 200
    response = client.post(
        reverse("needs-plan-create"),
        {
            "name_en": "Plan 2027-2029",
            "campaign": answered.pk,
            "start_year": 2027,
            "end_year": 2029,
            "status": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = CapacityPlan.objects.get(name_en="Plan 2027-2029")
    assert plan.institution == answered.institution
    gap = answered.framework.competencies.get(code="teacher_management")
    domain = gap.domain
    response = client.post(
        reverse("needs-objective-create", args=[plan.pk]),
        {
            "name_en": "Teachers are managed well",
            "order": 0,
            "domain": domain.pk,
            "capacity_level": "individual",
            "gaps": [gap.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    objective = plan.objectives.get()
    assert list(objective.gaps.all()) == [gap]
    response = client.post(
        reverse("needs-indicator-create", args=[plan.pk, objective.pk]),
        {
            "name_en": "Offices with a deployment plan",
            "unit": "%",
            "baseline_value": "10",
            "baseline_year": 2027,
            "target_value": "90",
            "target_year": 2029,
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("needs-intervention-create", args=[plan.pk, objective.pk]),
        {
            "name_en": "Teacher management course",
            "kind": "training",
            "starts_on": "2027-03-01",
            "ends_on": "2027-02-01",
            "cost": "5000",
            "currency": "USD",
            "status": "planned",
            "gaps": [gap.pk],
        },
    )
    assert response.status_code == 400  # ends before it starts
    assert "cannot end before it starts" in response.content.decode()
    response = client.post(
        reverse("needs-intervention-create", args=[plan.pk, objective.pk]),
        {
            "name_en": "Teacher management course",
            "kind": "training",
            "starts_on": "2027-03-01",
            "ends_on": "2027-06-01",
            "cost": "5000",
            "currency": "USD",
            "status": "planned",
            "gaps": [gap.pk],
        },
    )
    assert response.status_code == 302
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Teacher management course" in page
    assert "Offices with a deployment plan" in page


def test_plan_forms_are_not_found_for_an_outsider(client_for, outsider, plan):
    client = client_for(outsider)
    objective = plan.objectives.get()
    for url in [
        reverse("needs-plan-edit", args=[plan.pk]),
        reverse("needs-objective-create", args=[plan.pk]),
        reverse("needs-indicator-create", args=[plan.pk, objective.pk]),
        reverse("needs-intervention-create", args=[plan.pk, objective.pk]),
    ]:
        assert client.get(url).status_code == 404, url
