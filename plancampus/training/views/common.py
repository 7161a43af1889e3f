"""Helpers shared by the training pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from plancampus.core.access import Access, access_for, get_or_404

from ..access import cohorts_for_user, courses_for_user
from ..models import Cohort, Course


def member(request: HttpRequest) -> Access:
    access = access_for(request)
    if not access.is_member:
        raise PermissionDenied("no membership")
    return access


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, settings.PLANCAMPUS_PAGE_SIZE).get_page(request.GET.get("page"))


def course_or_404(access: Access, pk: int) -> Course:
    return get_or_404(
        courses_for_user(access).select_related("institution", "programme", "supersedes"), pk=pk
    )


def cohort_or_404(access: Access, pk: int) -> Cohort:
    return get_or_404(
        cohorts_for_user(access)
        .select_related("institution", "course", "course__programme", "lead_trainer", "reopened_by")
        .prefetch_related("co_trainers"),
        pk=pk,
    )


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(m) for messages_ in error.message_dict.values() for m in messages_]
    return [str(m) for m in error.messages]


def report_error(request: HttpRequest, error: ValidationError) -> None:
    for message in messages_of(error):
        messages.error(request, message)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
