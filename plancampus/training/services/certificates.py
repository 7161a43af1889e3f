"""Issuing and revoking certificates of completion.

- :func:`certificates_issue` checks every selected participant against the cohort's
  closed results, then creates all the certificates or none, and queues a background job.
- :func:`certificates_render_run` (the job) makes each PDF, in the holder's language, and
  signs each credential, reporting its progress on the job page.
- :func:`certificate_revoke` revokes one certificate; the history records who and why.

A certificate is issued from the snapshot taken when the cohort's results were closed
(``Enrolment.result_status``): only a participant whose result is *completed* gets one.
An enrolment has at most one valid certificate: once it is revoked (results corrected, a
typo in the name), issuing again gives a new certificate, and the revoked one stays.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from plancampus.core.models import BackgroundJob, Organisation, User

from ..models import (
    Certificate,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    ResultStatus,
)
from ..models.certificates import CERTIFICATE_LANGUAGE_CODES, STATUS_LIST_SIZE
from .certificate_pdf import CertificateRenderer, certificate_context, institution_names
from .credentials import credential_sign, issuer_key_for

logger = logging.getLogger(__name__)

JOB_KIND = "certificates"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Issued:
    certificates: list[Certificate]
    job: BackgroundJob | None


# --- Who gets a certificate, and in which language ---------------------------------------


def certificate_language(enrolment: Enrolment, cohort: Cohort, override: str = "") -> str:
    """The coordinator's choice for the cohort if any; else the language of the holder's
    account; else the cohort's language; else English (only km, en and fr are printed)."""
    account = getattr(enrolment.person, "account", None)
    for candidate in (override, account.language if account else "", cohort.language):
        code = (candidate or "").split("-")[0]
        if code in CERTIFICATE_LANGUAGE_CODES:
            return code
    return DEFAULT_LANGUAGE


def _percent(value: object) -> str:
    return "—" if value is None else f"{value:.0f} %"


def issue_problem(enrolment: Enrolment, cohort: Cohort) -> str | None:
    """Why this enrolment cannot get a certificate, or None if it can."""
    name = enrolment.person.name_latin
    if enrolment.cohort_id != cohort.pk:
        return str(
            _("%(name)s is not a participant of cohort %(code)s.")
            % {"name": name, "code": cohort.code}
        )
    if enrolment.status != EnrolmentStatus.ACCEPTED:
        return str(
            _("%(name)s is not an accepted participant (%(status)s).")
            % {"name": name, "status": enrolment.get_status_display()}
        )
    current = valid_certificate(enrolment)
    if current is not None:
        return str(
            _("%(name)s already has certificate %(number)s.")
            % {"name": name, "number": current.number}
        )
    if enrolment.result_status != ResultStatus.COMPLETED:
        return str(
            _(
                "%(name)s has not completed the course (result: %(result)s; attendance "
                "%(attendance)s, final mark %(mark)s), so cannot receive a certificate."
            )
            % {
                "name": name,
                "result": enrolment.get_result_status_display(),
                "attendance": _percent(enrolment.attendance_rate),
                "mark": _percent(enrolment.final_mark),
            }
        )
    return None


def valid_certificate(enrolment: Enrolment) -> Certificate | None:
    """The enrolment's valid (unrevoked) certificate, if any. Reads ``valid_certificates``
    when prefetched (see :func:`with_valid_certificates`), else asks the database."""
    prefetched = getattr(enrolment, "valid_certificates", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    if enrolment.pk is None:
        return None
    return Certificate.objects.valid().filter(enrolment=enrolment).first()


def with_valid_certificates(enrolments: Any) -> Any:
    """``enrolments`` (a QuerySet) with each one's valid certificate prefetched."""
    return enrolments.prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.valid(), to_attr="valid_certificates")
    )


def _candidates(cohort: Cohort) -> list[Enrolment]:
    return list(
        with_valid_certificates(
            cohort.enrolments.select_related("person", "person__account")
        ).order_by("person__name_latin", "pk")
    )


def issuable_enrolments(cohort: Cohort) -> list[Enrolment]:
    """Participants who completed the course and have no valid certificate (none yet, or
    only revoked ones)."""
    return [e for e in _candidates(cohort) if issue_problem(e, cohort) is None]


# --- Numbers and status list entries ---------------------------------------------------------


def number_prefix(institution: Organisation) -> str:
    cleaned = "".join(ch for ch in institution.code.upper() if ch.isalnum() or ch == "-")
    return cleaned or f"I{institution.pk}"


def _free_status_entries(institution: Organisation, count: int) -> list[tuple[int, int]]:
    """``count`` unused (list, index) pairs, drawn at random so that an index tells nothing
    about when or to whom a certificate was issued."""
    taken: dict[int, set[int]] = {}
    for list_number, index in Certificate.objects.filter(institution=institution).values_list(
        "status_list", "status_index"
    ):
        taken.setdefault(list_number, set()).add(index)
    entries: list[tuple[int, int]] = []
    list_number = 1
    rng = secrets.SystemRandom()
    while len(entries) < count:
        used = taken.setdefault(list_number, set())
        free = STATUS_LIST_SIZE - len(used)
        wanted = min(count - len(entries), free)
        while wanted:
            index = rng.randrange(STATUS_LIST_SIZE)
            if index not in used:
                used.add(index)
                entries.append((list_number, index))
                wanted -= 1
        list_number += 1
    return entries


# --- Issuing -----------------------------------------------------------------------------------


def _lock_cohort(cohort: Cohort) -> Cohort:
    return (
        Cohort.objects.select_for_update().select_related("institution", "course").get(pk=cohort.pk)
    )


def certificates_issue(
    *,
    cohort: Cohort,
    issued_by: User | None,
    enrolment_ids: Sequence[int] | None = None,
    language: str = "",
    enqueue: bool = True,
) -> Issued:
    """Issue the certificates of a closed cohort: those of ``enrolment_ids``, or of every
    participant who completed the course and has no valid certificate (none yet, or only
    revoked ones: they get a new one, with a new number).

    All or nothing: if any selected participant cannot have one (not completed, not in the
    cohort, already holding a valid certificate), a ValidationError lists each of them and
    nothing is saved.
    ``language`` (km, en or fr) prints every certificate in that language; empty, each is in
    its holder's language. Then a background job makes the PDFs and signed credentials.
    """
    if language and language not in CERTIFICATE_LANGUAGE_CODES:
        raise ValidationError(
            _("Certificates are printed in Khmer, English or French, not %(language)s.")
            % {"language": language},
            code="language",
        )
    try:
        certificates, job = _issue(cohort, issued_by, enrolment_ids, language, enqueue)
    except IntegrityError:
        # Only a race can get here (the cohort row is locked while issuing, and every rule
        # is checked first): the database refused a second valid certificate or a number.
        raise ValidationError(
            _(
                "Certificates of cohort %(code)s were being issued or changed at the same "
                "time; nothing was issued. Reload the page and try again."
            )
            % {"code": cohort.code},
            code="conflict",
        ) from None
    if job is not None:
        _enqueue(job)
    return Issued(certificates, job)


def _issue(
    cohort: Cohort,
    issued_by: User | None,
    enrolment_ids: Sequence[int] | None,
    language: str,
    enqueue: bool,
) -> tuple[list[Certificate], BackgroundJob | None]:
    with transaction.atomic():
        cohort = _lock_cohort(cohort)
        if not cohort.is_closed:
            raise ValidationError(
                _(
                    "The results of cohort %(code)s are not closed yet. Close the results "
                    "first: certificates are issued from them."
                )
                % {"code": cohort.code},
                code="not_closed",
            )
        candidates = {e.pk: e for e in _candidates(cohort)}
        if enrolment_ids is None:
            selected = [e for e in candidates.values() if issue_problem(e, cohort) is None]
            if not selected:
                raise ValidationError(
                    _(
                        "Nobody in cohort %(code)s is waiting for a certificate: every "
                        "participant who completed the course already has a valid one."
                    )
                    % {"code": cohort.code},
                    code="nobody",
                )
        else:
            problems = []
            selected = []
            for pk in dict.fromkeys(enrolment_ids):
                enrolment = candidates.get(pk)
                if enrolment is None:
                    problems.append(
                        str(
                            _("Enrolment %(id)s is not in cohort %(code)s.")
                            % {"id": pk, "code": cohort.code}
                        )
                    )
                    continue
                problem = issue_problem(enrolment, cohort)
                if problem:
                    problems.append(problem)
                selected.append(enrolment)
            if problems:
                raise ValidationError(problems, code="not_eligible")
            if not selected:
                raise ValidationError(_("Select at least one participant."), code="empty")
        certificates = _create(cohort, selected, issued_by, language)
        job = _job(cohort, certificates, issued_by) if enqueue else None
    return certificates, job


def _create(
    cohort: Cohort, enrolments: list[Enrolment], issued_by: User | None, language: str
) -> list[Certificate]:
    institution = cohort.institution
    # Serialise numbering per institution: two cohorts issued at once get distinct numbers.
    Organisation.objects.select_for_update().filter(pk=institution.pk).first()
    now = timezone.now()
    year = timezone.localtime(now).year
    last = (
        Certificate.objects.filter(institution=institution, year=year).aggregate(
            last=Max("sequence")
        )["last"]
        or 0
    )
    prefix = number_prefix(institution)
    entries = _free_status_entries(institution, len(enrolments))
    course = cohort.course
    certificates = []
    for offset, (enrolment, (status_list, status_index)) in enumerate(
        zip(enrolments, entries, strict=True), start=1
    ):
        lang = certificate_language(enrolment, cohort, language)
        person = enrolment.person
        certificate = Certificate(
            enrolment=enrolment,
            institution=institution,
            year=year,
            sequence=last + offset,
            number=f"{prefix}-{year}-{last + offset:05d}",
            language=lang,
            holder_name=person.name_latin,
            holder_name_km=person.name_km,
            course_title=getattr(course, f"title_{lang}", "") or course.title_en,
            course_code=course.code,
            course_version=course.version,
            hours=course.hours,
            start_date=cohort.start_date,
            end_date=cohort.end_date,
            issued_at=now,
            issued_by=issued_by,
            status_list=status_list,
            status_index=status_index,
        )
        # Uniqueness is the database's job here (constraints), not 5 queries per row.
        certificate.full_clean(
            exclude=["enrolment", "institution", "issued_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        certificates.append(certificate)
    return bulk_create_with_history(
        certificates,
        Certificate,
        default_user=issued_by,
        default_change_reason="issued",
        default_date=now,
    )


def _job(cohort: Cohort, certificates: list[Certificate], user: User | None) -> BackgroundJob:
    return BackgroundJob.objects.create(
        kind=JOB_KIND,
        title=str(
            _("Certificates of cohort %(code)s (%(count)s)")
            % {"code": cohort.code, "count": len(certificates)}
        ),
        created_by=user,
        institution=cohort.institution,
        progress_total=len(certificates),
        result={"cohort_id": cohort.pk, "certificate_ids": [c.pk for c in certificates]},
    )


def _enqueue(job: BackgroundJob) -> None:
    from ..certificates_tasks import render_certificates

    try:
        task_result = render_certificates.enqueue(job_id=job.pk)
    except Exception:
        logger.exception("Could not queue certificates job %s", job.pk)
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJob.Status.FAILED,
            message="certificates_error",
            finished_at=timezone.now(),
        )
        raise
    job.remember_task(task_result)
    job.refresh_from_db()


@transaction.atomic
def certificates_render_pending(*, cohort: Cohort, user: User | None) -> BackgroundJob | None:
    """Queue a job for the cohort's certificates whose PDF or credential is missing (after a
    job stopped half-way, say). None if nothing is missing."""
    pending = list(Certificate.objects.for_cohort(cohort.pk).pending())
    if not pending:
        return None
    job = _job(cohort, pending, user)
    transaction.on_commit(lambda: _enqueue(job))
    return job


# --- The background job: PDFs and signed credentials ------------------------------------------


# Below this many certificates, starting worker processes costs more than it saves.
POOL_THRESHOLD = 40
MAX_PROCESSES = 4


def render_processes(count: int) -> int:
    """How many processes draw ``count`` PDFs: one per core (at most four) for a big batch."""
    if count < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))


def _pdfs(contexts: list[dict[str, str]], processes: int) -> Iterator[bytes]:
    """The PDFs of ``contexts``, in order, drawn here or by a pool of processes."""
    if processes <= 1:
        renderer = CertificateRenderer()
        for context in contexts:
            yield renderer.render_context(context)
        return
    from . import certificate_pool

    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=certificate_pool.start,
    ) as pool:
        yield from pool.map(certificate_pool.render, contexts, chunksize=4)


def certificate_store(certificate: Certificate, *, pdf: bytes, key: Any, course: Any) -> None:
    """Store one certificate's PDF, sign its credential, and mark it made."""
    path = f"certificates/{certificate.year}/{certificate.verification_id}.pdf"
    if default_storage.exists(path):
        default_storage.delete(path)
    name = default_storage.save(path, ContentFile(pdf))
    token = credential_sign(certificate=certificate, course=course, key=key)
    now = timezone.now()
    # An update, not save(): the history keeps issuing and revoking, not file bookkeeping.
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=name, credential_jwt=token, issuer_key=key, rendered_at=now
    )
    certificate.pdf.name, certificate.credential_jwt = name, token
    certificate.issuer_key, certificate.rendered_at = key, now


def certificates_render_run(*, job_id: int, processes: int | None = None) -> dict[str, Any]:
    """Run a certificates job: one PDF and one signed credential per certificate, with
    progress. ``processes``: how many processes draw the PDFs (default: see
    :func:`render_processes`)."""
    job = BackgroundJob.objects.get(pk=job_id)
    ids = job.result.get("certificate_ids", [])
    started = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=BackgroundJob.Status.RUNNING, message="rendering"
    )
    done = 0
    try:
        certificates = list(
            Certificate.objects.filter(pk__in=ids)
            .pending()
            .select_related("institution", "enrolment__cohort__course")
            .order_by("sequence")
        )
        total = len(certificates)
        job.set_progress(0, total)
        processes = processes or render_processes(total)
        keys: dict[int, Any] = {}
        for certificate in certificates:
            if certificate.institution_id not in keys:
                keys[certificate.institution_id] = issuer_key_for(
                    institution=certificate.institution
                )
        contexts = [certificate_context(c, institution_names(c)) for c in certificates]
        for certificate, pdf in zip(certificates, _pdfs(contexts, processes), strict=True):
            certificate_store(
                certificate,
                pdf=pdf,
                key=keys[certificate.institution_id],
                course=certificate.enrolment.cohort.course,
            )
            done += 1
            job.set_progress(done, total)
    except Exception:
        logger.exception("Certificates job %s failed after %s certificates", job.pk, done)
        job.finish(BackgroundJob.Status.FAILED, "certificates_error", {"done": done})
        raise
    seconds = (timezone.now() - started).total_seconds()
    result = {"done": done, "seconds": round(seconds, 1), "processes": processes}
    job.finish(BackgroundJob.Status.SUCCEEDED, "certificates_ready", result)
    return result


# --- Revoking ----------------------------------------------------------------------------------


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, user: User | None, reason: str) -> Certificate:
    """Revoke a certificate, for a stated reason. The verification page and the status list
    show it at once; the history keeps who revoked it, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the certificate is revoked: the reason is kept on record.")}
        )
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1,000 characters.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_revoked:
        raise ValidationError(
            _("Certificate %(number)s was already revoked on %(date)s.")
            % {
                "number": certificate.number,
                "date": timezone.localtime(certificate.revoked_at).date().isoformat(),
            },
            code="already_revoked",
        )
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = user
    certificate.revocation_reason = reason
    certificate._history_user = user  # type: ignore[attr-defined]
    certificate._change_reason = reason[:100]  # type: ignore[attr-defined]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return certificate
