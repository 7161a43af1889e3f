"""A person's own training: enrolments, sessions, results, and the calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Cohort, Enrolment, EnrolmentStatus, Session
from ..services.calendar import (
    calendar_feed_for,
    calendar_feed_reset,
    calendar_for_person,
    person_from_calendar_token,
)


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    context: dict[str, object] = {"person": person}
    if person is not None:
        enrolments = (
            Enrolment.objects.filter(person=person)
            .select_related("cohort", "cohort__course")
            .order_by("-cohort__start_date")
        )
        teaching = (
            Cohort.objects.filter(Q(lead_trainer=person) | Q(co_trainers=person))
            .distinct()
            .select_related("course")
            .order_by("-start_date")[:50]
        )
        upcoming = (
            Session.objects.filter(
                Q(
                    cohort__enrolments__person=person,
                    cohort__enrolments__status=EnrolmentStatus.ACCEPTED,
                )
                | Q(cohort__lead_trainer=person)
                | Q(cohort__co_trainers=person),
                starts_at__gte=timezone.now() - timezone.timedelta(hours=12),
                is_cancelled=False,
            )
            .distinct()
            .select_related("cohort", "cohort__course")
            .order_by("starts_at")[:20]
        )
        calendar_feed = calendar_feed_for(person)
        feed = request.build_absolute_uri(
            reverse("training:person-calendar", args=[calendar_feed.token])
        )
        context.update(
            enrolments=enrolments,
            teaching=teaching,
            upcoming=upcoming,
            feed=feed,
            calendar_feed=calendar_feed,
        )
    return render(request, "training/my_training.html", context)


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """Draw a new secret calendar address for the user's own person; the old one stops
    working. Only one's own: the address names nobody else."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    calendar_feed_reset(person=person)
    messages.success(
        request,
        _(
            "Your calendar link was reset: the old address no longer works. Subscribe again "
            "with the new one in your calendar apps."
        ),
    )
    return redirect("training:mine")


def person_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A person's sessions for calendar apps: no login, the secret address is the key."""
    person = person_from_calendar_token(token)
    if person is None:
        raise Http404
    response = HttpResponse(
        calendar_for_person(person), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="plancampus-training.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
