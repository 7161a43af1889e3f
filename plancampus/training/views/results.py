"""Results: marks per assessment modality, entered in a grid or imported."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..access import require_teach
from ..forms import SpreadsheetForm
from ..models import Mark
from ..services.imports import marks_import, marks_template_csv
from ..services.results import MarkEntry, final_marks, marks_record
from .common import cohort_or_404, member, messages_of


def _cohort(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    access = member(request)
    cohort = cohort_or_404(access, pk)
    require_teach(access, cohort)
    return cohort


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ".").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@login_required
def results_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks in a grid: one row per participant, one column per modality. Only the cells
    changed since the page was shown are written (a colleague's entries are kept)."""
    cohort = _cohort(request, pk)
    modalities = list(cohort.course.modalities.all())
    enrolments = list(
        cohort.enrolments.accepted().select_related("person").order_by("person__name_latin", "id")
    )
    errors: list[str] = []
    submitted: dict[str, str] = {}
    if request.method == "POST":
        entries = []
        for enrolment in enrolments:
            for modality in modalities:
                key = f"m-{enrolment.pk}-{modality.pk}"
                text = request.POST.get(key, "").strip()
                submitted[key] = text
                if text == request.POST.get(f"was-{enrolment.pk}-{modality.pk}", "").strip():
                    continue
                value = _number(text) if text else None
                if text and value is None:
                    errors.append(
                        _("%(name)s, %(modality)s: “%(value)s” is not a number.")
                        % {
                            "name": enrolment.person.name_latin,
                            "modality": modality.display_name,
                            "value": text,
                        }
                    )
                    continue
                entries.append(MarkEntry(enrolment.pk, modality.pk, value))
        if not errors:
            try:
                changed = marks_record(cohort=cohort, entries=entries, user=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                errors = messages_of(error)
            else:
                messages.success(request, _("%(count)s marks saved.") % {"count": changed})
                return redirect("training:results", pk=cohort.pk)
    marks = {
        (enrolment_id, modality_id): value
        for enrolment_id, modality_id, value in Mark.objects.filter(
            enrolment__in=[e.pk for e in enrolments]
        ).values_list("enrolment_id", "modality_id", "value")
    }
    finals = final_marks(cohort=cohort, enrolment_ids=[e.pk for e in enrolments])
    rows = []
    for enrolment in enrolments:
        cells = []
        for modality in modalities:
            stored = marks.get((enrolment.pk, modality.pk))
            was = "" if stored is None else f"{stored.normalize():f}"
            key = f"m-{enrolment.pk}-{modality.pk}"
            cells.append(
                {"modality": modality, "key": key, "was": was, "value": submitted.get(key, was)}
            )
        rows.append({"enrolment": enrolment, "cells": cells, "final": finals.get(enrolment.pk)})
    return render(
        request,
        "training/results.html",
        {
            "cohort": cohort,
            "modalities": modalities,
            "rows": rows,
            "errors": errors,
            "problems": cohort.course.assessment_problems(),
        },
        status=400 if errors else 200,
    )


@login_required
def results_import(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    form = SpreadsheetForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = marks_import(
            cohort=cohort,
            data=upload.read(),
            filename=upload.name or "",
            user=request.user,  # type: ignore[arg-type]
        )
        if report.ok:
            messages.success(request, _("%(count)s marks saved.") % {"count": report.saved})
            return redirect("training:results", pk=cohort.pk)
    columns = [
        "person_id",
        "staff_id",
        "name",
        *[m.name_en for m in cohort.course.modalities.all()],
    ]
    return render(
        request,
        "training/import.html",
        {
            "cohort": cohort,
            "form": form,
            "report": report,
            "title": _("Import results from a spreadsheet"),
            "columns": columns,
            "template_url": "training:results-template",
        },
        status=400 if report is not None or form.errors else 200,
    )


@login_required
def results_template(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    response = HttpResponse(
        marks_template_csv(cohort=cohort), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{cohort.code}-results.csv"'
    return response
