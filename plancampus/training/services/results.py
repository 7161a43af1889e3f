"""Marks, weighted final results and completion.

A participant's final mark is the weighted mean of their marks, in % (each mark divided by
the modality's maximum, times its weight; the weights sum to 100). Completion applies the
course's rules, e.g. attendance ≥ 80 % and final mark ≥ the pass mark. Closing a cohort
stores the result of each participant (``Enrolment.result_status``, ``final_mark``,
``attendance_rate``): certificates are issued from that snapshot.

Closed results can be reopened by a coordinator, for a stated reason (kept in the cohort's
history), to correct attendance or marks; the participants themselves do not change. While
reopened, the previous snapshot still stands (reports, certificates). If certificates were
issued from it, reopening needs an explicit confirmation, because closing again revokes
the certificate of every holder who no longer completes the course (each revocation is
recorded in the certificate's history, by the person who closed the results). Certificates
of holders who still complete stay valid: they state no mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from plancampus.core.models import User

from ..models import (
    AssessmentModality,
    Certificate,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Mark,
    ResultStatus,
)
from ..models.base import plain
from .attendance import attendance_rates
from .certificates import certificate_revoke
from .enrolment import cohort_lock

REASON_MAX_LENGTH = 1000


@dataclass(frozen=True)
class MarkEntry:
    enrolment_id: int
    modality_id: int
    value: Decimal | None  # None: remove the mark


def _check_cohort_open(cohort: Cohort) -> None:
    if cohort.is_closed:
        raise ValidationError(
            _("The results of cohort %(code)s are closed: marks can no longer change.")
            % {"code": cohort.code},
            code="cohort_closed",
        )


def marks_problems(
    *, cohort: Cohort, entries: Iterable[MarkEntry], enrolments: dict[int, Enrolment]
) -> list[tuple[MarkEntry, ValidationError]]:
    """What is wrong with each entry: an unknown participant or modality, a mark out of
    range. Used by the form, the API and the import, which each locate the problem."""
    modalities = {m.pk: m for m in cohort.course.modalities.all()}
    problems = []
    for entry in entries:
        enrolment = enrolments.get(entry.enrolment_id)
        modality = modalities.get(entry.modality_id)
        if enrolment is None or enrolment.cohort_id != cohort.pk:
            problems.append(
                (
                    entry,
                    ValidationError(
                        _("Enrolment %(id)s is not in cohort %(code)s.")
                        % {"id": entry.enrolment_id, "code": cohort.code},
                        code="other_cohort",
                    ),
                )
            )
            continue
        if enrolment.status != EnrolmentStatus.ACCEPTED:
            problems.append(
                (
                    entry,
                    ValidationError(
                        _("%(name)s is not an accepted participant.")
                        % {"name": enrolment.person.name_latin},
                        code="not_accepted",
                    ),
                )
            )
        if modality is None:
            problems.append(
                (
                    entry,
                    ValidationError(
                        _("The assessment %(id)s is not one of this course's.")
                        % {"id": entry.modality_id},
                        code="other_course",
                    ),
                )
            )
        elif entry.value is not None and not (0 <= entry.value <= modality.max_mark):
            problems.append(
                (
                    entry,
                    ValidationError(
                        _(
                            "%(name)s, %(modality)s: %(value)s is out of range; a mark lies "
                            "between 0 and %(max)s."
                        )
                        % {
                            "name": enrolment.person.name_latin,
                            "modality": modality.display_name,
                            "value": entry.value,
                            "max": plain(modality.max_mark),
                        },
                        code="out_of_range",
                    ),
                )
            )
    return problems


@transaction.atomic
def marks_record(
    *, cohort: Cohort, entries: list[MarkEntry], user: User | None, reason: str = ""
) -> int:
    """Save marks, all or nothing; returns how many changed. The cohort is locked while
    marks are written, so two trainers entering marks at once lose none."""
    cohort = cohort_lock(cohort)
    _check_cohort_open(cohort)
    enrolment_ids = {e.enrolment_id for e in entries}
    enrolments = {
        e.pk: e for e in Enrolment.objects.filter(pk__in=enrolment_ids).select_related("person")
    }
    problems = marks_problems(cohort=cohort, entries=entries, enrolments=enrolments)
    if problems:
        raise ValidationError([error for _entry, error in problems])
    existing = {
        (m.enrolment_id, m.modality_id): m
        for m in Mark.objects.filter(enrolment_id__in=enrolment_ids)
    }
    now = timezone.now()
    creates, updates, deletes = [], [], []
    for entry in entries:
        mark = existing.get((entry.enrolment_id, entry.modality_id))
        if entry.value is None:
            if mark is not None:
                deletes.append(mark.pk)
        elif mark is None:
            creates.append(
                Mark(
                    enrolment_id=entry.enrolment_id,
                    modality_id=entry.modality_id,
                    value=entry.value,
                    entered_by=user,
                    entered_at=now,
                )
            )
        elif mark.value != entry.value:
            mark.value, mark.entered_by, mark.entered_at = entry.value, user, now
            updates.append(mark)
    if creates:
        bulk_create_with_history(creates, Mark, default_user=user, default_change_reason=reason)
    if updates:
        bulk_update_with_history(
            updates,
            Mark,
            ["value", "entered_by", "entered_at"],
            default_user=user,
            default_change_reason=reason,
        )
    if deletes:
        for mark in Mark.objects.filter(pk__in=deletes):
            mark._change_reason = reason  # type: ignore[attr-defined]
            mark.delete()
    return len(creates) + len(updates) + len(deletes)


def final_marks(*, cohort: Cohort, enrolment_ids: Iterable[int]) -> dict[int, Decimal | None]:
    """The weighted final mark (%) of each enrolment; None while a mark is missing."""
    course = cohort.course
    values: dict[int, dict[int, Decimal]] = {pk: {} for pk in enrolment_ids}
    for enrolment_id, modality_id, value in Mark.objects.filter(
        enrolment_id__in=list(values)
    ).values_list("enrolment_id", "modality_id", "value"):
        values[enrolment_id][modality_id] = value
    modalities = list(course.modalities.all())
    return {pk: course.final_mark(marks, modalities) for pk, marks in values.items()}


@dataclass(frozen=True)
class Outcome:
    enrolment: Enrolment
    attendance_rate: Decimal | None
    final_mark: Decimal | None
    completed: bool
    reasons: tuple[str, ...]


def results_compute(*, cohort: Cohort) -> list[Outcome]:
    """Apply the course's completion rules to every accepted participant (nothing saved)."""
    course = cohort.course
    has_assessment = course.modalities.exists()
    enrolments = list(cohort.enrolments.accepted().select_related("person"))
    rates, _total = attendance_rates(cohort=cohort, enrolments=enrolments)
    marks = final_marks(cohort=cohort, enrolment_ids=[e.pk for e in enrolments])
    outcomes = []
    for enrolment in enrolments:
        rate = rates[enrolment.pk].percent
        final = marks.get(enrolment.pk)
        reasons = []
        if rate is None or rate < course.min_attendance_percent:
            reasons.append(
                str(
                    _("attendance %(rate)s %% below %(min)s %%")
                    % {
                        "rate": "—" if rate is None else rate,
                        "min": plain(course.min_attendance_percent),
                    }
                )
            )
        if has_assessment:
            if final is None:
                reasons.append(str(_("marks missing")))
            elif final < course.pass_mark:
                reasons.append(
                    str(
                        _("final mark %(mark)s %% below the pass mark %(pass)s %%")
                        % {"mark": final, "pass": plain(course.pass_mark)}
                    )
                )
        outcomes.append(Outcome(enrolment, rate, final, not reasons, tuple(reasons)))
    return outcomes


@dataclass(frozen=True)
class Closing:
    """What closing the results did: each participant's outcome, and the certificates
    revoked because their holder no longer completes (after a reopening)."""

    outcomes: list[Outcome]
    revoked: list[Certificate]

    @property
    def completed_count(self) -> int:
        return sum(1 for o in self.outcomes if o.completed)


@transaction.atomic
def cohort_close(
    *, cohort: Cohort, user: User | None, allow_missing_marks: bool = False
) -> Closing:
    """Compute and store every participant's result and mark the cohort completed.

    Refused when the assessment weights do not sum to 100, or (unless
    ``allow_missing_marks``) when some participant has no mark in some modality. After a
    reopening, the valid certificate of anyone who no longer completes is revoked.
    """
    cohort = cohort_lock(cohort)
    _check_cohort_open(cohort)
    problems = cohort.course.assessment_problems()
    if problems:
        raise ValidationError(problems, code="weights")
    outcomes = results_compute(cohort=cohort)
    has_assessment = cohort.course.modalities.exists()
    missing = [
        o.enrolment.person.name_latin for o in outcomes if has_assessment and o.final_mark is None
    ]
    if missing and not allow_missing_marks:
        raise ValidationError(
            _(
                "Marks are missing for %(count)s participant(s): %(names)s. Enter them, "
                "withdraw these participants, or confirm that they do not complete the course."
            )
            % {"count": len(missing), "names": ", ".join(missing[:10])},
            code="marks_missing",
        )
    now = timezone.now()
    enrolments = []
    for outcome in outcomes:
        enrolment = outcome.enrolment
        enrolment.result_status = (
            ResultStatus.COMPLETED if outcome.completed else ResultStatus.NOT_COMPLETED
        )
        enrolment.final_mark = outcome.final_mark
        enrolment.attendance_rate = outcome.attendance_rate
        enrolment.result_computed_at = now
        enrolments.append(enrolment)
    bulk_update_with_history(
        enrolments,
        Enrolment,
        ["result_status", "final_mark", "attendance_rate", "result_computed_at"],
        default_user=user,
        default_change_reason="results closed",
    )
    cohort.status = CohortStatus.COMPLETED
    cohort.closed_at = now
    cohort.closed_by = user
    cohort._history_user = user  # type: ignore[attr-defined]
    cohort._change_reason = "results closed"  # type: ignore[attr-defined]
    cohort.save(update_fields=["status", "closed_at", "closed_by"])
    revoked = _revoke_outdated_certificates(cohort, outcomes, user)
    return Closing(outcomes, revoked)


def outdated_certificates(cohort: Cohort, outcomes: Iterable[Outcome]) -> list[Certificate]:
    """The valid certificates of the cohort whose holder does not complete by ``outcomes``
    (or is no longer an accepted participant): closing with these outcomes revokes them."""
    completed = [o.enrolment.pk for o in outcomes if o.completed]
    return list(
        Certificate.objects.for_cohort(cohort.pk)
        .valid()
        .exclude(enrolment_id__in=completed)
        .order_by("number")
    )


def _revoke_outdated_certificates(
    cohort: Cohort, outcomes: list[Outcome], user: User | None
) -> list[Certificate]:
    revoked = []
    today = timezone.localdate().isoformat()
    for certificate in outdated_certificates(cohort, outcomes):
        # The reason is public (verification page): in the certificate's language, and
        # without the holder's marks.
        with translation.override(certificate.language):
            reason = str(
                _(
                    "The results of cohort %(code)s were corrected on %(date)s: the holder no "
                    "longer meets the course's completion rules."
                )
                % {"code": cohort.code, "date": today}
            )
        revoked.append(certificate_revoke(certificate=certificate, user=user, reason=reason))
    return revoked


def valid_certificates_count(cohort: Cohort) -> int:
    return Certificate.objects.for_cohort(cohort.pk).valid().count()


@transaction.atomic
def results_reopen(
    *, cohort: Cohort, user: User | None, reason: str, confirm_certificates: bool = False
) -> Cohort:
    """Reopen a cohort's closed results for corrections, for a stated reason (kept, with who
    and when, in the cohort's history).

    Refused when the results are not closed, or — unless ``confirm_certificates`` — when
    valid certificates were issued from them: closing again revokes those of holders who
    no longer complete the course.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the results are reopened: the reason is kept on record.")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Keep the reason under 1,000 characters.")})
    cohort = cohort_lock(cohort)
    if not cohort.is_closed:
        raise ValidationError(
            _("The results of cohort %(code)s are not closed: there is nothing to reopen.")
            % {"code": cohort.code},
            code="not_closed",
        )
    valid = valid_certificates_count(cohort)
    if valid and not confirm_certificates:
        raise ValidationError(
            {
                "confirm_certificates": ngettext_lazy(
                    "%(count)s valid certificate was issued from these results. Confirm that "
                    "you understand: when the results are closed again, the certificate of "
                    "anyone who no longer completes the course is revoked.",
                    "%(count)s valid certificates were issued from these results. Confirm "
                    "that you understand: when the results are closed again, the certificate "
                    "of anyone who no longer completes the course is revoked.",
                    "count",
                )
                % {"count": valid}
            }
        )
    cohort.closed_at = None
    cohort.closed_by = None
    cohort.reopened_at = timezone.now()
    cohort.reopened_by = user
    cohort.reopen_reason = reason
    cohort._history_user = user  # type: ignore[attr-defined]
    cohort._change_reason = reason[:100]  # type: ignore[attr-defined]
    cohort.save(
        update_fields=["closed_at", "closed_by", "reopened_at", "reopened_by", "reopen_reason"]
    )
    return cohort


def modality_by_header(modalities: Iterable[AssessmentModality]) -> dict[str, AssessmentModality]:
    """Modalities by the names a spreadsheet column may carry (any language, any case)."""
    from plancampus.core.text import normalize

    found: dict[str, AssessmentModality] = {}
    for modality in modalities:
        for name in (modality.name_en, modality.name_fr, modality.name_km):
            if name:
                found.setdefault(normalize(name), modality)
    return found
