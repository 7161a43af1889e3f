"""Demo certificates: the cohort in which the demo participant completed a course gets its
certificates (PDFs and signed credentials made at once, without the worker), and one of them
is revoked, so that the demo shows both verification pages.

Idempotent: nothing is done if the demo participant already has a certificate. The people
are synthetic demo records, so are their certificates; the QR codes point to ``SITE_URL``.
"""

from __future__ import annotations

from plancampus.core.models import BackgroundJob, Organisation, User

from ..models import Certificate, Enrolment, ResultStatus
from .certificates import certificate_revoke, certificates_issue, certificates_render_run

PARTICIPANT_ID = "DEMO-POE17-PLANNER"
REVOKED_REASON = "Demo: issued to the wrong person (an example of a revoked certificate)."


def certificates_demo_load(*, institution: Organisation) -> list[str]:
    enrolment = (
        Enrolment.objects.filter(
            person__external_id=PARTICIPANT_ID,
            result_status=ResultStatus.COMPLETED,
            cohort__institution=institution,
            cohort__closed_at__isnull=False,
        )
        .select_related("cohort")
        .order_by("cohort__start_date")
        .first()
    )
    if enrolment is None:
        return ["certificates: the demo participant completed no closed cohort; none issued"]
    if Certificate.objects.filter(enrolment__person__external_id=PARTICIPANT_ID).exists():
        return [f"certificates of cohort {enrolment.cohort.code} already issued"]
    coordinator = User.objects.filter(username="coordinator").first()
    issued = certificates_issue(cohort=enrolment.cohort, issued_by=coordinator, enqueue=False)
    job = BackgroundJob.objects.create(
        kind="certificates",
        title=f"Certificates of cohort {enrolment.cohort.code} (demo)",
        created_by=coordinator,
        institution=institution,
        progress_total=len(issued.certificates),
        result={
            "cohort_id": enrolment.cohort_id,
            "certificate_ids": [c.pk for c in issued.certificates],
        },
    )
    certificates_render_run(job_id=job.pk)
    others = [c for c in issued.certificates if c.enrolment_id != enrolment.pk]
    if others:
        certificate_revoke(certificate=others[-1], user=coordinator, reason=REVOKED_REASON)
    own = Certificate.objects.get(enrolment=enrolment)
    return [
        f"{len(issued.certificates)} certificates of cohort {enrolment.cohort.code} "
        f"(synthetic), one revoked; the demo participant's: {own.verification_url()}"
    ]
