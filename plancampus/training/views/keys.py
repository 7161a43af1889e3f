"""The institution administrator's page of signing keys: the keys that sign the
institution's credentials, and the button that rotates them.

Access (``certificate_access``): institution administrators (and superusers) only; other
members of the institution answer 403, another institution's key answers 404.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..certificate_access import key_institution_or_404, key_institutions
from ..forms import KeyRotationForm
from ..services.credentials import issuer_key_rotate, issuer_keys_listing, jwks_url
from .common import member


def _page(
    request: HttpRequest,
    institutions: list,  # type: ignore[type-arg]
    forms: dict[int, KeyRotationForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    keys = defaultdict(list)
    for key in issuer_keys_listing(i.pk for i in institutions):
        keys[key.institution_id].append(key)
    sections = [
        {
            "institution": institution,
            "keys": keys[institution.pk],
            "jwks_url": jwks_url(institution),
            "form": (forms or {}).get(institution.pk) or KeyRotationForm(),
        }
        for institution in institutions
    ]
    return render(request, "training/signing_keys.html", {"sections": sections}, status=status)


@login_required
def signing_keys(request: HttpRequest) -> HttpResponse:
    """The keys of the institutions the user administers."""
    institutions = key_institutions(member(request))
    if not institutions:
        raise PermissionDenied("training.keys")
    return _page(request, institutions)


@login_required
@require_POST
def signing_key_rotate(request: HttpRequest, code: str) -> HttpResponse:
    access = member(request)
    institution = key_institution_or_404(access, code)
    form = KeyRotationForm(request.POST)
    if form.is_valid():
        try:
            key = issuer_key_rotate(
                institution=institution,
                reason=form.cleaned_data["reason"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The signing key of %(institution)s was rotated: new credentials are "
                    "signed with key %(kid)s."
                )
                % {"institution": institution.code, "kid": key.kid},
            )
            return redirect("certificates:keys")
    return _page(request, key_institutions(access), {institution.pk: form}, status=400)
