"""A degree programme in a real browser: the coordinator adds a student found by a Khmer
name, is told clearly when the same person is added twice in an intake, enrols the intake in
a cohort, and reads the student's progress. axe finds no serious violation on the programme
and student pages in Khmer and Arabic.

The programme is made for the test in the demo's institution and removed afterwards (the demo
data is shared by the browser tests).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .conftest import AXE, log_in
from .test_accessibility import BLOCKING, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CODE = "browser-masters"


@pytest.fixture
def masters(db, site):
    """A Master's of NIE with one course and a cohort planned for its 2025 intake."""
    from django.utils import timezone

    from plancampus.core.models import Organisation
    from plancampus.training.models import (
        AssessmentModality,
        Cohort,
        CohortStatus,
        Course,
        Programme,
        ProgrammeKind,
    )

    nie = Organisation.objects.get(code="NIE")
    programme = Programme.objects.create(
        institution=nie, code=CODE, kind=ProgrammeKind.MASTERS, name_en="Browser Master's"
    )
    course = Course.objects.create(
        institution=nie,
        programme=programme,
        code=f"{CODE}-policy",
        title_en="Educational policy and planning",
        title_km="គោលនយោបាយ និងផែនការអប់រំ",
        hours=Decimal(45),
        credits=Decimal(3),
    )
    AssessmentModality.objects.create(course=course, name_en="Exam", weight=Decimal(100))
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        institution=nie,
        course=course,
        code=f"{CODE}-2025-policy",
        start_date=today + dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=80),
        capacity=20,
        status=CohortStatus.PLANNED,
    )
    yield programme
    cohort.enrolments.all().delete()
    cohort.delete()
    programme.students.all().delete()
    course.delete()
    programme.delete()


def test_the_coordinator_adds_a_student_and_enrols_the_intake(new_context, site, masters):
    page = new_context().new_page()
    log_in(page, "coordinator")
    page.goto(f"/training/programmes/{masters.pk}/")
    page.get_by_role("link", name="Add a student").click()
    page.get_by_label("Name, in Latin or Khmer script").fill(site.person_km)
    page.get_by_role("button", name="Search").click()
    # Two people of the demo share the name: pick the one by their directory entry.
    page.locator(f'a[href="?person={site.person_pk}"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(site.person_latin)
    page.get_by_label("Intake", exact=True).fill("2025")
    page.get_by_label("Studies started on").fill("2025-10-04")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("0 of 1 course completed")).to_be_visible()

    # The same person again in the same intake: a clear error, nothing saved.
    page.goto(f"/training/programmes/{masters.pk}/students/new/?person={site.person_pk}")
    page.get_by_label("Intake", exact=True).fill("2025")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(
            f"{site.person_latin} is already a student of this programme in the 2025 intake."
        )
    ).to_be_visible()
    assert masters.students.count() == 1

    page.goto(f"/training/programmes/{masters.pk}/")
    page.get_by_role("link", name="Enrol in a cohort").click()
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("1 student enrolled in cohort")).to_be_visible()


@pytest.mark.parametrize("language", ["km", "ar"])
def test_degree_pages_have_no_serious_accessibility_violations(
    new_context, site, masters, language
):
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `make setup` (npm ci)")
    from plancampus.core.models import Person
    from plancampus.training.models import ProgrammeStudent

    student = ProgrammeStudent.objects.create(
        programme=masters,
        person=Person.objects.get(pk=site.person_pk),
        intake=2025,
        thesis_title="Teacher deployment to remote primary schools",
    )
    context = new_context()
    page = context.new_page()
    log_in(page, "coordinator")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site.url}]
    )
    for path in (
        f"/training/programmes/{masters.pk}/",
        f"/training/programmes/{masters.pk}/students/{student.pk}/",
        f"/training/programmes/{masters.pk}/students/{student.pk}/edit/",
    ):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        assert not blocking, f"axe on {path} ({language}): {blocking}"
