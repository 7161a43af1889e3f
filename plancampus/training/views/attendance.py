"""The attendance grid of a session: phone first, one tap per person.

Each row is a set of radio buttons (present, absent, excused, late). With JavaScript
(``training/js/attendance.js``), a tap sends that one person's status and the answer is a few
hundred bytes of JSON. The page keeps every tap in the phone's ``localStorage`` until the
server has it: taps made offline, or whose request failed, are shown as pending and sent again
when the connection returns, after a failure (with a growing delay) and when the page is
opened again. Each tap carries its age, so that the server keeps the newer of two marks of
the same person (``services.attendance``): a late tap does not overwrite a colleague's later
mark.

Without JavaScript, the whole form is submitted; only rows whose status changed since the
page was shown are written, so a trainer with an older copy of the grid does not overwrite
what a colleague marked meanwhile. Every write is an explicit status (never "next status"),
so submitting twice changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import get_or_404

from ..access import require_teach
from ..models import Attendance, AttendanceStatus, Cohort, Enrolment, Session
from ..services.attendance import attendance_mark, marked_at_from_client
from .common import cohort_or_404, member, messages_of


def _session(request: HttpRequest, pk: int, session_pk: int) -> tuple[Cohort, Session]:
    access = member(request)
    cohort = cohort_or_404(access, pk)
    require_teach(access, cohort)
    session = get_or_404(cohort.sessions.all(), pk=session_pk)
    session.cohort = cohort
    return cohort, session


def _rows(session: Session, enrolments: list[Enrolment]) -> list[dict[str, object]]:
    marks = dict(
        Attendance.objects.filter(
            session=session, enrolment__in=[e.pk for e in enrolments]
        ).values_list("enrolment_id", "status")
    )
    return [
        {
            "enrolment": e,
            "status": marks.get(e.pk, ""),
            "expected": session.counts_for(e),
        }
        for e in enrolments
    ]


def _participants(cohort: Cohort) -> list[Enrolment]:
    return list(
        cohort.enrolments.accepted()
        .select_related("person")
        .only("pk", "status", "enrolled_at", "cohort_id", "person__name_latin", "person__name_km")
        .order_by("person__name_latin", "id")
    )


@login_required
def attendance_grid(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    cohort, session = _session(request, pk, session_pk)
    enrolments = _participants(cohort)
    errors: list[str] = []
    if request.method == "POST":
        changes: dict[int, str] = {}
        for enrolment in enrolments:
            value = request.POST.get(f"s-{enrolment.pk}", "")
            if value and value != request.POST.get(f"was-{enrolment.pk}", ""):
                changes[enrolment.pk] = value
        try:
            if changes:
                attendance_mark(session=session, marks=changes, user=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            errors = messages_of(error)
        else:
            messages.success(
                request,
                _("Attendance saved (%(count)s changes).") % {"count": len(changes)},
            )
            return redirect("training:attendance", pk=cohort.pk, session_pk=session.pk)
    rows = _rows(session, enrolments)
    sessions = list(cohort.sessions.only("pk", "starts_at").order_by("starts_at", "id"))
    index = next(i for i, s in enumerate(sessions) if s.pk == session.pk)
    marked = sum(1 for r in rows if r["status"])
    return render(
        request,
        "training/attendance.html",
        {
            "cohort": cohort,
            "session": session,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "errors": errors,
            "previous": sessions[index - 1] if index > 0 else None,
            "next": sessions[index + 1] if index + 1 < len(sessions) else None,
            "marked": marked,
            "expected": sum(1 for r in rows if r["expected"]),
        },
        status=400 if errors else 200,
    )


def _marker_name(attendance: Attendance | None) -> str:
    user = attendance.marked_by if attendance is not None else None
    if user is None:
        return ""
    person = user.person
    return person.display_name if person is not None else user.get_full_name() or user.username


@login_required
@require_POST
def attendance_tap(
    request: HttpRequest, pk: int, session_pk: int, enrolment_pk: int
) -> HttpResponse:
    """One person's status, sent by a tap (``attendance.js``): answers JSON, or goes back to
    the grid for a plain form.

    The JSON says what the server now holds for the person (``status``, who marked it and
    when), whether this tap is that mark (``applied``: false when a newer mark was kept), and
    the grid's counter. A refused mark answers 422 with the reason (``error``).
    """
    cohort, session = _session(request, pk, session_pk)
    enrolment = get_or_404(
        Enrolment.objects.select_related("person").filter(cohort=cohort), pk=enrolment_pk
    )
    status = request.POST.get(f"s-{enrolment.pk}") or request.POST.get("status", "")
    marked_at = marked_at_from_client(request.POST.get("tapped_at"), request.POST.get("sent_at"))
    error = ""
    applied = False
    try:
        stored = attendance_mark(
            session=session,
            marks={enrolment.pk: status},
            user=request.user,  # type: ignore[arg-type]
            times={enrolment.pk: marked_at} if marked_at else None,
        )
    except ValidationError as problem:
        error = " ".join(messages_of(problem))
    else:
        applied = stored[0].applied
    if "application/json" not in request.headers.get("Accept", ""):
        if error:
            messages.error(request, error)
        return redirect("training:attendance", pk=cohort.pk, session_pk=session.pk)
    current = (
        Attendance.objects.select_related("marked_by", "marked_by__person")
        .filter(session=session, enrolment=enrolment)
        .first()
    )
    participants = _participants(cohort)
    marked = Attendance.objects.filter(
        session=session, enrolment__in=[e.pk for e in participants]
    ).count()
    expected = sum(1 for e in participants if session.counts_for(e))
    return JsonResponse(
        {
            "enrolment": enrolment.pk,
            "status": current.status if current else "",
            "applied": applied,
            "marked_by": _marker_name(current),
            "marked_at": current.marked_at.isoformat() if current else None,
            "counter": _("%(marked)s of %(expected)s marked")
            % {"marked": marked, "expected": expected},
            "error": error,
        },
        status=422 if error else 200,
    )
