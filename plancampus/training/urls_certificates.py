"""Addresses of the certificates: the public ones (verification, issuer, keys, status list)
at the root of the site, the coordinators' and participants' under /training/."""

from django.urls import path

from .views import certificates, keys, verify

app_name = "certificates"

urlpatterns = [
    # Public: no login.
    path("verify/<str:verification_id>/", verify.verify_page, name="verify"),
    path(
        "verify/<str:verification_id>/credential.jwt",
        verify.verify_credential,
        name="verify-credential",
    ),
    path("verify/<str:verification_id>/certificate.pdf", verify.verify_pdf, name="verify-pdf"),
    path("issuers/<str:code>/", verify.issuer_profile, name="issuer"),
    path("issuers/<str:code>/jwks.json", verify.issuer_jwks, name="issuer-jwks"),
    path("issuers/<str:code>/status/<int:number>.jwt", verify.status_list, name="status-list"),
    path(
        "issuers/<str:code>/achievements/<str:course_code>/v<int:version>/",
        verify.achievement,
        name="achievement",
    ),
    # Coordinators and participants.
    path(
        "training/cohorts/<int:pk>/certificates/", certificates.cohort_certificates, name="cohort"
    ),
    path(
        "training/cohorts/<int:pk>/certificates/issue/",
        certificates.certificates_issue_view,
        name="issue",
    ),
    path(
        "training/cohorts/<int:pk>/certificates/finish/",
        certificates.certificates_finish,
        name="finish",
    ),
    path(
        "training/certificates/<int:pk>/revoke/",
        certificates.certificate_revoke_view,
        name="revoke",
    ),
    path("training/certificates/mine/", certificates.my_certificates, name="mine"),
    # Institution administrators: the signing keys.
    path("training/signing-keys/", keys.signing_keys, name="keys"),
    path("training/signing-keys/<str:code>/rotate/", keys.signing_key_rotate, name="key-rotate"),
]
