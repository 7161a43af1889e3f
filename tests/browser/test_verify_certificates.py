"""Certificates in a real browser: the coordinator issues a closed cohort's certificates, an
anonymous visitor opens the address of the QR code and sees "valid", then "revoked" once the
coordinator has revoked it.

The address is read from the PDF itself (the QR code is a link to it), so the test follows
exactly what a phone scanning the paper would open. The cohort is made for the test in the
demo's institution and removed afterwards (the demo data is shared by the browser tests).
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pypdf
import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def qr_link(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    (uri,) = {
        annotation.get_object()["/A"]["/URI"]
        for annotation in reader.pages[0].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    }
    return uri


@pytest.fixture
def closed_cohort(db, site, settings, tmp_path):
    """A closed cohort of NIE with two participants who completed and one who did not."""
    from plancampus.core.models import BackgroundJob, Organisation
    from plancampus.training.models import Certificate, IssuerKey
    from plancampus.training.tests.certificates_setup import make_closed_cohort, make_course

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = site.url
    nie = Organisation.objects.get(code="NIE")
    course = make_course(nie, code="browser-certificates")
    cohort = make_closed_cohort(
        nie, completed=2, not_completed=1, code="browser-certificates-1", course=course
    )
    keys_before = set(IssuerKey.objects.values_list("pk", flat=True))
    yield cohort
    people = [e.person for e in cohort.enrolments.all()]
    certificates = Certificate.objects.filter(enrolment__cohort=cohort)
    Certificate.history.filter(id__in=list(certificates.values_list("pk", flat=True))).delete()
    certificates.delete()
    BackgroundJob.objects.filter(kind="certificates", result__cohort_id=cohort.pk).delete()
    cohort.enrolments.all().delete()
    cohort.delete()
    course.delete()
    for person in people:
        organisation = person.organisation
        person.delete()
        if organisation is not None and not organisation.staff.exists():
            organisation.delete()
    IssuerKey.objects.exclude(pk__in=keys_before).delete()


def test_issue_then_anonymous_visitor_sees_valid_then_revoked(new_context, closed_cohort):
    from plancampus.training.models import Certificate
    from plancampus.training.tests.certificates_setup import HOLDER_LATIN

    coordinator = new_context().new_page()
    log_in(coordinator, "coordinator")
    coordinator.goto(f"/training/cohorts/{closed_cohort.pk}/certificates/")
    issue_form = coordinator.locator(
        "form", has=coordinator.get_by_role("button", name="Issue certificates")
    )
    expect(issue_form.locator("input[type=checkbox]:checked")).to_have_count(2)
    with coordinator.expect_navigation():
        issue_form.get_by_role("button", name="Issue certificates").click()
    assert urlsplit(coordinator.url).path.startswith("/jobs/")
    expect(coordinator.locator("#job-status")).to_contain_text("the certificates are ready")

    certificate = Certificate.objects.get(enrolment__cohort=closed_cohort, holder_name=HOLDER_LATIN)
    url = qr_link(certificate)
    assert url == certificate.verification_url()

    visitor = new_context().new_page()  # a fresh profile: not logged in
    visitor.goto(url)
    expect(visitor.locator("#verdict")).to_have_text("Valid")
    expect(visitor.locator("#holder")).to_contain_text(HOLDER_LATIN)
    expect(visitor.get_by_role("link", name="The certificate (PDF)")).to_be_visible()

    coordinator.goto(f"/training/cohorts/{closed_cohort.pk}/certificates/")
    row = coordinator.locator("tr", has_text=certificate.number)
    row.get_by_label("Reason").fill("Issued to the wrong person")
    with coordinator.expect_navigation():
        row.get_by_role("button", name="Revoke").click()
    expect(coordinator.locator(".messages")).to_contain_text(certificate.number)

    visitor.reload()
    expect(visitor.locator("#verdict")).to_have_text("Revoked")
    expect(visitor.locator(".status")).to_contain_text("Issued to the wrong person")


@pytest.mark.parametrize(("language", "revoked"), [("en", False), ("km", True)])
def test_verification_page_has_no_serious_accessibility_violation(
    new_context, closed_cohort, language, revoked
):
    """axe finds nothing serious on the public page, valid in English, revoked in Khmer."""
    from plancampus.training.models import Certificate
    from plancampus.training.services.certificates import certificate_revoke, certificates_issue

    from .conftest import AXE
    from .test_accessibility import BLOCKING, axe_violations

    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `make setup` (npm ci)")
    certificates_issue(cohort=closed_cohort, issued_by=None)
    certificate = Certificate.objects.filter(enrolment__cohort=closed_cohort).first()
    if revoked:
        certificate_revoke(certificate=certificate, user=None, reason="Issued in error")
    page = new_context(locale="km-KH" if language == "km" else "en-GB").new_page()
    response = page.goto(f"/verify/{certificate.verification_id}/")
    assert response is not None
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("#verdict")).to_be_visible()
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, blocking
