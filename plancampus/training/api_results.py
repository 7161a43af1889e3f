"""Closing and reopening a cohort's results over the REST API (on the training router).

Same rules as the pages: another institution's cohort answers 404; closing and reopening
need ``training.manage`` (coordinators and institution administrators; 403 otherwise); a
refusal answers 400 with every problem in ``detail`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Schema

from plancampus.api.auth import member_access

from .access import require_manage
from .api import CHANGE_RESPONSES, MAX_ID, _refused, _staff_cohort, router
from .models import Cohort
from .services.results import REASON_MAX_LENGTH, cohort_close, results_reopen


class CloseIn(Schema):
    allow_missing_marks: bool = Field(
        False, description=_("Participants with missing marks do not complete the course.")
    )


class ReopenIn(Schema):
    reason: str = Field(..., min_length=1, max_length=REASON_MAX_LENGTH)
    confirm_certificates: bool = Field(
        False,
        description=_(
            "Required when valid certificates were issued from the results: closing again "
            "revokes the certificate of anyone who no longer completes the course."
        ),
    )


class ResultsStateOut(Schema):
    cohort_id: int
    closed: bool
    closed_at: dt.datetime | None
    reopened_at: dt.datetime | None
    reopen_reason: str
    completed: int | None = Field(None, description=_("Participants who completed (close)."))
    not_completed: int | None = Field(None, description=_("Participants who did not (close)."))
    revoked_certificates: list[str] = Field(
        [], description=_("Numbers of the certificates this closing revoked.")
    )


def _state(cohort: Cohort, **extra: Any) -> dict[str, Any]:
    return {
        "cohort_id": cohort.pk,
        "closed": cohort.is_closed,
        "closed_at": cohort.closed_at,
        "reopened_at": cohort.reopened_at,
        "reopen_reason": cohort.reopen_reason,
        **extra,
    }


@router.post(
    "/training/cohorts/{cohort_id}/results/close/",
    response={200: ResultsStateOut, **CHANGE_RESPONSES},
    url_name="training-results-close",
    operation_id="close_results",
    summary="Close a cohort's results (after a reopening, revokes outdated certificates)",
)
def close_results(
    request: HttpRequest, body: CloseIn, cohort_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    require_manage(access, cohort.institution_id)
    try:
        closing = cohort_close(
            cohort=cohort,
            user=request.user,  # type: ignore[arg-type]
            allow_missing_marks=body.allow_missing_marks,
        )
    except ValidationError as error:
        raise _refused(error) from None
    cohort.refresh_from_db()
    return _state(
        cohort,
        completed=closing.completed_count,
        not_completed=len(closing.outcomes) - closing.completed_count,
        revoked_certificates=[c.number for c in closing.revoked],
    )


@router.post(
    "/training/cohorts/{cohort_id}/results/reopen/",
    response={200: ResultsStateOut, **CHANGE_RESPONSES},
    url_name="training-results-reopen",
    operation_id="reopen_results",
    summary="Reopen a cohort's closed results for corrections, with a reason",
)
def reopen_results(
    request: HttpRequest, body: ReopenIn, cohort_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    """The reason is kept in the cohort's history. If valid certificates were issued from
    the results, ``confirm_certificates`` must be true (else 400)."""
    access = member_access(request)
    cohort = _staff_cohort(access, cohort_id)
    require_manage(access, cohort.institution_id)
    try:
        cohort = results_reopen(
            cohort=cohort,
            user=request.user,  # type: ignore[arg-type]
            reason=body.reason,
            confirm_certificates=body.confirm_certificates,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return _state(cohort)
