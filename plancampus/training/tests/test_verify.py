"""The public verification page and the issuer's public documents: no login, light, exact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from plancampus.training.models import Certificate
from plancampus.training.services.certificates import certificate_revoke, certificates_issue

from .certificates_setup import (
    COURSE_EN,
    HOLDER_KM,
    HOLDER_LATIN,
    holder_enrolment,
    make_closed_cohort,
)

PAGE_BUDGET = 100 * 1024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def certificate(institution, coordinator):
    cohort = make_closed_cohort(institution, completed=1, not_completed=0)
    certificates_issue(cohort=cohort, issued_by=coordinator, language="en")
    return Certificate.objects.get(enrolment=holder_enrolment(cohort))


def page_weight(client: Client, url: str, **headers: str) -> tuple[int, str]:
    """Bytes of the page and of everything it loads: stylesheets, and the fonts and images
    they name. Static files are read where ``collectstatic`` would find them."""
    html = client.get(url, headers=headers).content.decode()
    total = len(html.encode())
    assert "<script" not in html
    assets = re.findall(r'<link[^>]+href="/static/([^"]+)"', html)
    assets += re.findall(r'<img[^>]+src="/static/([^"]+)"', html)
    seen = set()
    while assets:
        asset = assets.pop()
        if asset in seen:
            continue
        seen.add(asset)
        path = finders.find(asset)
        assert path, f"{asset} is not a static file"
        data = Path(path).read_bytes()
        total += len(data)
        if asset.endswith(".css"):
            base = asset.rsplit("/", 1)[0]
            for ref in re.findall(r'url\("?([^")]+)"?\)', data.decode()):
                if not ref.startswith("data:"):
                    assets.append(str(Path(base, ref)).replace("\\", "/"))
                    assets[-1] = _normalise(assets[-1])
    return total, html


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


@pytest.mark.django_db
def test_anonymous_visitor_sees_valid_then_revoked(certificate, coordinator):
    client = Client()
    url = reverse("certificates:verify", args=[certificate.verification_id])
    page = client.get(url).content.decode()
    assert "Valid" in page
    assert "Revoked" not in page
    for fact in (
        HOLDER_LATIN,
        COURSE_EN,
        "3 March 2025",
        "14 March 2025",
        "36",
        certificate.number,
    ):
        assert fact in page
    assert "National Institute of Education" in page
    assert reverse("certificates:verify-credential", args=[certificate.verification_id]) in page
    assert reverse("certificates:verify-pdf", args=[certificate.verification_id]) in page

    certificate_revoke(certificate=certificate, user=coordinator, reason="Issued in error")
    page = client.get(url).content.decode()
    assert "Revoked" in page
    assert "Issued in error" in page
    assert "has not been revoked" not in page


@pytest.mark.django_db
def test_unknown_id_is_404(db):
    client = Client()
    assert client.get(reverse("certificates:verify", args=["not-a-real-id"])).status_code == 404
    assert client.get("/verify/not-a-real-id/credential.jwt").status_code == 404
    assert client.get("/verify/not-a-real-id/certificate.pdf").status_code == 404
    assert client.get("/issuers/NOPE/jwks.json").status_code == 404


@pytest.mark.django_db
def test_page_is_light_in_english_and_in_khmer(certificate):
    client = Client()
    url = reverse("certificates:verify", args=[certificate.verification_id])
    weight, html = page_weight(client, url)
    assert weight < PAGE_BUDGET
    assert "verify-km.css" not in html  # the institution's Khmer name is not shown in English
    weight_km, html_km = page_weight(client, url, accept_language="km")
    assert HOLDER_KM in html_km
    assert "verify-km.css" in html_km  # Khmer text needs the Khmer font...
    assert weight_km < PAGE_BUDGET  # ...and the page stays under budget with it


@pytest.mark.django_db
def test_downloads(certificate):
    client = Client()
    credential = client.get(
        reverse("certificates:verify-credential", args=[certificate.verification_id])
    )
    assert credential["Content-Type"] == "application/vc+jwt"
    assert credential.content.decode() == certificate.credential_jwt
    pdf = client.get(reverse("certificates:verify-pdf", args=[certificate.verification_id]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_issuer_documents(certificate):
    client = Client()
    code = certificate.institution.code
    profile = json.loads(client.get(reverse("certificates:issuer", args=[code])).content)
    assert profile["type"] == ["Profile"]
    assert profile["jwks_uri"].endswith(f"/issuers/{code}/jwks.json")
    jwks = json.loads(client.get(reverse("certificates:issuer-jwks", args=[code])).content)
    (key,) = jwks["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    status = client.get(reverse("certificates:status-list", args=[code, 1]))
    assert status["Content-Type"] == "application/vc+jwt"
    assert client.get(reverse("certificates:status-list", args=[code, 99])).status_code == 404


@pytest.mark.django_db
def test_verification_page_has_bounded_queries(certificate, django_assert_max_num_queries):
    client = Client()
    url = reverse("certificates:verify", args=[certificate.verification_id])
    client.get(url)
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200
