"""The page where a member manages personal API tokens (``/account/tokens/``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..access import access_for
from ..models import ApiToken

# Enough for every script a person runs; a long list of forgotten tokens is a risk.
MAX_ACTIVE_TOKENS = 20
NEW_TOKEN_SESSION_KEY = "plancampus_new_api_token"  # noqa: S105 (a session key name)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “provincial dashboard script”."),
    )


@never_cache  # the response to a creation shows the raw token once: never store it
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's active tokens; on POST create one and show its value once."""
    access = access_for(request)
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    form = TokenForm()
    # Shown once, on the page the creation redirects to (post/redirect/get: reloading that
    # page neither shows the token again nor creates another one).
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, "")
    if request.method == "POST":
        if not access.is_member:
            raise PermissionDenied("no membership")
        form = TokenForm(request.POST)
        if form.is_valid():
            if tokens.count() >= MAX_ACTIVE_TOKENS:
                form.add_error(
                    None,
                    _(
                        "You already have %(count)s active tokens. Revoke one you no longer "
                        "use before creating another."
                    )
                    % {"count": MAX_ACTIVE_TOKENS},
                )
            else:
                _token, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
                request.session[NEW_TOKEN_SESSION_KEY] = raw
                return redirect("api-tokens")
    return render(
        request,
        "core/api_tokens.html",
        {
            "tokens": tokens,
            "form": form,
            "new_token": new_token,
            "can_create": access.is_member,
            "example_url": request.build_absolute_uri(reverse("api:person-list")) + "?limit=5",
            "docs_url": reverse("api:openapi-view"),
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another user's answers 404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(
        request,
        _("The token “%(name)s” is revoked: requests with it are now refused.")
        % {"name": token.name},
    )
    return redirect("api-tokens")
