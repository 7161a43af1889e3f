"""The signed credential, checked as an outside verifier would: over HTTP, with PyJWT.

Nothing here calls PlanCampus' signing or key code to verify: the test downloads the
credential and the issuer's published keys from a live server, checks the Ed25519 signature
and the Open Badges 3.0 JWT claims with PyJWT (a JOSE library the application does not use),
then reads the revocation bit from the signed Bitstring Status List — before and after the
certificate is revoked.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import urllib.request
from urllib.parse import urldefrag

import jwt
import pytest
from jwt import PyJWK

from plancampus.training.models import Certificate
from plancampus.training.services.certificates import certificate_revoke, certificates_issue
from plancampus.training.services.credentials import (
    decode_status_list,
    encode_status_list,
    issuer_key_rotate,
)

from .certificates_setup import COURSE_KM, HOLDER_LATIN, holder_enrolment, make_closed_cohort


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the live server
        return response.read(), response.headers.get("Content-Type", "")


def published_key(kid_url: str) -> PyJWK:
    """Dereference a JOSE header ``kid``: fetch the JWKS it names, pick the fragment's key."""
    jwks_url, fragment = urldefrag(kid_url)
    body, content_type = fetch(jwks_url)
    assert content_type.startswith("application/jwk-set+json")
    keys = json.loads(body)["keys"]
    assert all("d" not in key for key in keys), "a private key part is published"
    (match,) = [key for key in keys if key["kid"] == fragment]
    return PyJWK(match)


def verify(token: str) -> dict:
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "JWT"
    key = published_key(header["kid"])
    return jwt.decode(
        token,
        key=key.key,
        algorithms=["EdDSA"],
        options={"require": ["iss", "jti", "nbf", "sub"], "verify_aud": False},
    )


def revoked_bit(credential: dict) -> bool:
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    token, content_type = fetch(status["statusListCredential"])
    assert content_type.startswith("application/vc+jwt")
    status_list = verify(token.decode())
    assert "BitstringStatusListCredential" in status_list["type"]
    assert status_list["iss"] == credential["issuer"]["id"]
    subject = status_list["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase base64url, no padding
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@pytest.mark.django_db(transaction=True)
def test_credential_verifies_independently_and_shows_revocation(
    live_server, settings, institution, coordinator
):
    settings.SITE_URL = live_server.url
    cohort = make_closed_cohort(institution, completed=2, not_completed=0)
    certificates_issue(cohort=cohort, issued_by=coordinator)
    certificate = Certificate.objects.get(enrolment=holder_enrolment(cohort))
    page = f"{live_server.url}/verify/{certificate.verification_id}/"

    token, content_type = fetch(page + "credential.jwt")
    assert content_type.startswith("application/vc+jwt")
    credential = verify(token.decode())

    # Open Badges 3.0, VC Data Model 2.0.
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    # The JWT claims mirror the credential (Open Badges 3.0, JSON Web Token proof format).
    assert credential["iss"] == credential["issuer"]["id"]
    assert credential["jti"] == credential["id"] == page
    assert credential["sub"] == credential["credentialSubject"]["id"]
    valid_from = dt.datetime.fromisoformat(credential["validFrom"])
    assert credential["nbf"] == int(valid_from.timestamp())
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["name"] == institution.name_km
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == HOLDER_LATIN
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == COURSE_KM
    assert achievement["criteria"]["narrative"]
    assert achievement["creditsAvailable"] == 36.0
    assert subject["activityStartDate"].startswith("2025-03-03")
    # The issuer profile and the achievement are published where their ids say.
    profile = json.loads(fetch(credential["issuer"]["id"])[0])
    assert profile["id"] == credential["issuer"]["id"]
    assert json.loads(fetch(achievement["id"])[0])["id"] == achievement["id"]

    # A changed credential does not verify.
    head, body, signature = token.decode().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(jwt.InvalidSignatureError):
        verify(f"{head}.{forged}.{signature}")

    assert revoked_bit(credential) is False
    certificate_revoke(certificate=certificate, user=coordinator, reason="Attendance forged")
    assert revoked_bit(credential) is True
    other = Certificate.objects.exclude(pk=certificate.pk).get()
    other_credential = verify(
        fetch(f"{live_server.url}/verify/{other.verification_id}/credential.jwt")[0].decode()
    )
    assert revoked_bit(other_credential) is False


@pytest.mark.django_db(transaction=True)
def test_credentials_signed_before_a_key_rotation_still_verify(
    live_server, settings, institution, coordinator
):
    settings.SITE_URL = live_server.url
    first = make_closed_cohort(institution, completed=1, not_completed=0, code="first")
    certificates_issue(cohort=first, issued_by=coordinator)
    issuer_key_rotate(institution=institution, reason="Yearly rotation")
    second = make_closed_cohort(
        institution, completed=1, not_completed=0, code="second", course=first.course
    )
    certificates_issue(cohort=second, issued_by=coordinator)
    old, new = Certificate.objects.order_by("sequence")
    assert old.issuer_key_id != new.issuer_key_id
    for certificate in (old, new):
        assert verify(certificate.credential_jwt)["jti"] == certificate.verification_url()


@pytest.mark.django_db(transaction=True)
def test_rotating_with_the_button_keeps_old_credentials_verifiable(
    live_server, settings, institution, coordinator, admin_user, client
):
    """The administrator rotates the key on the keys page; a credential signed before still
    verifies against the published JWK Set (PyJWT), a new one carries the new key's kid."""
    settings.SITE_URL = live_server.url
    first = make_closed_cohort(institution, completed=1, not_completed=0, code="before")
    certificates_issue(cohort=first, issued_by=coordinator)
    old = Certificate.objects.get()
    old_token = fetch(f"{live_server.url}/verify/{old.verification_id}/credential.jwt")[0]
    old_kid = jwt.get_unverified_header(old_token.decode())["kid"]

    client.force_login(admin_user)
    response = client.post(
        f"/training/signing-keys/{institution.code}/rotate/",
        {"reason": "An administrator left", "confirm": "on"},
    )
    assert response.status_code == 302

    second = make_closed_cohort(
        institution, completed=1, not_completed=0, code="after", course=first.course
    )
    certificates_issue(cohort=second, issued_by=coordinator)
    new = Certificate.objects.exclude(pk=old.pk).get()
    new_token = fetch(f"{live_server.url}/verify/{new.verification_id}/credential.jwt")[0]
    new_kid = jwt.get_unverified_header(new_token.decode())["kid"]
    assert new_kid != old_kid
    assert new_kid.endswith("#" + new.issuer_key.kid)
    assert new.issuer_key.is_active
    # Both verify with the keys published now, the old one with the retired key.
    jwks = json.loads(fetch(urldefrag(old_kid)[0])[0])["keys"]
    assert {k["kid"] for k in jwks} == {urldefrag(old_kid)[1], urldefrag(new_kid)[1]}
    assert verify(old_token.decode())["jti"] == old.verification_url()
    assert verify(new_token.decode())["jti"] == new.verification_url()
    # The revocation list is now signed with the new key, and still verifies.
    assert revoked_bit(verify(old_token.decode())) is False
    status_token = fetch(verify(old_token.decode())["credentialStatus"]["statusListCredential"])
    assert jwt.get_unverified_header(status_token[0].decode())["kid"] == new_kid


def test_status_list_encoding_round_trip():
    bits = decode_status_list(encode_status_list([0, 7, 8, 131_071]))
    assert len(bits) == 16_384
    assert bits[0] == 0b1000_0001
    assert bits[1] == 0b1000_0000
    assert bits[-1] == 0b0000_0001
    assert encode_status_list([5]) == encode_status_list([5])  # no timestamp in the GZIP
