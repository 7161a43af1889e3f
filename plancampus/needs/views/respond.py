"""The participant's questionnaire: one page per domain, each answer saved as it is given.

With JavaScript, htmx posts each item when it changes (``respond_item``) and shows "saved";
without it, "Save and continue" posts the whole page (``respond_page``). Either way the
answers are stored at once, so the questionnaire can be left and resumed on any device.
Only the respondent themself can open it (anyone else: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import access_for

from ..access import respondent_for_user
from ..models import Competency, Respondent
from ..services.questionnaire import (
    IMPORTANCE_LEVELS,
    Item,
    Page,
    answer_save,
    importance_label,
    questionnaire_pages,
    respondent_submit,
)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _values(request: HttpRequest, competency: Competency) -> dict[str, object] | None:
    """The posted values of one item, or None if the page did not post that item."""
    pk = competency.pk
    keys = [f"imp_{pk}", f"cur_{pk}", f"des_{pk}", f"evi_{pk}"]
    if not any(key in request.POST for key in keys):
        return None
    return {
        "importance": _int(request.POST.get(f"imp_{pk}")),
        "current_level": _int(request.POST.get(f"cur_{pk}")),
        "desired_level": _int(request.POST.get(f"des_{pk}")),
        "evidence": request.POST.get(f"evi_{pk}", ""),
    }


def _scales(respondent: Respondent) -> dict[str, object]:
    framework = respondent.campaign.framework
    language = _language()
    return {
        "importance_scale": [(v, importance_label(v, language)) for v in IMPORTANCE_LEVELS],
        "level_scale": [(v, framework.level_label(v, language)) for v in framework.levels],
    }


def _pages(respondent: Respondent) -> list[Page]:
    return questionnaire_pages(framework=respondent.campaign.framework, respondent=respondent)


@login_required
def respond_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume where the respondent left: the first page with an unanswered item."""
    respondent = respondent_for_user(access_for(request), pk)
    if respondent.is_submitted or not respondent.campaign.is_open:
        return redirect("needs-respond-review", pk=pk)
    for page in _pages(respondent):
        if not page.is_complete:
            return redirect("needs-respond-page", pk=pk, domain=page.domain.code)
    return redirect("needs-respond-review", pk=pk)


@login_required
def respond_page(request: HttpRequest, pk: int, domain: str) -> HttpResponse:
    respondent = respondent_for_user(access_for(request), pk)
    if respondent.is_submitted or not respondent.campaign.is_open:
        return redirect("needs-respond-review", pk=pk)
    pages = _pages(respondent)
    index = next((i for i, p in enumerate(pages) if p.domain.code == domain), None)
    if index is None:
        raise Http404
    page = pages[index]
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        for item in page.items:
            values = _values(request, item.competency)
            if values is None:
                continue
            try:
                item.answer = answer_save(
                    respondent=respondent, competency=item.competency, **values
                )
            except ValidationError as error:
                errors[item.competency.pk] = error.messages
        if not errors:
            if "previous" in request.POST and index > 0:
                target = reverse("needs-respond-page", args=[pk, pages[index - 1].domain.code])
            elif index + 1 < len(pages):
                target = reverse("needs-respond-page", args=[pk, pages[index + 1].domain.code])
            else:
                target = reverse("needs-respond-review", args=[pk])
            return redirect(target)
    return render(
        request,
        "needs/respond_page.html",
        {
            "respondent": respondent,
            "campaign": respondent.campaign,
            "pages": pages,
            "page": page,
            "number": index + 1,
            "previous": pages[index - 1] if index > 0 else None,
            "next": pages[index + 1] if index + 1 < len(pages) else None,
            "errors": errors,
            **_scales(respondent),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def respond_item(request: HttpRequest, pk: int, competency: int) -> HttpResponse:
    """Save one item (htmx); answers with its small status line."""
    respondent = respondent_for_user(access_for(request), pk)
    item_competency = Competency.objects.filter(
        pk=competency, framework_id=respondent.campaign.framework_id
    ).first()
    if item_competency is None:
        raise Http404
    values = _values(request, item_competency) or {}
    try:
        answer = answer_save(respondent=respondent, competency=item_competency, **values)
    except ValidationError as error:
        return render(
            request,
            "needs/_save_status.html",
            {"competency": item_competency, "error": " ".join(error.messages)},
            status=422,
        )
    item = Item(item_competency, answer)
    return render(request, "needs/_save_status.html", {"competency": item_competency, "item": item})


@login_required
def respond_review(request: HttpRequest, pk: int) -> HttpResponse:
    respondent = respondent_for_user(access_for(request), pk)
    pages = _pages(respondent)
    if request.method == "POST":
        try:
            respondent_submit(respondent=respondent)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your answers are submitted."))
            return redirect("needs-respond-review", pk=pk)
    return render(
        request,
        "needs/respond_review.html",
        {
            "respondent": respondent,
            "campaign": respondent.campaign,
            "pages": pages,
            "missing": sum(len(p.items) - p.answered for p in pages),
            **_scales(respondent),
        },
    )
