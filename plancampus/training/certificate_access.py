"""Who sees which certificates, on top of :mod:`plancampus.training.access`.

Staff of an institution see the certificates of its cohorts; a participant sees their own.
The public sees a certificate only through its unguessable verification id (views/verify).

Signing keys: only an institution's administrators (and superusers) see the institution's
keys page and rotate its key; coordinators and other members answer 403, another
institution answers 404 (its public keys are in its JWK Set anyway).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from plancampus.core.access import Access
from plancampus.core.models import Organisation, Role

from .access import enrolments_for_user
from .models import Certificate


def certificates_for_user(access: Access) -> QuerySet[Certificate]:
    if access.is_global:
        return Certificate.objects.all()
    return Certificate.objects.filter(enrolment__in=enrolments_for_user(access))


# Who may rotate an institution's signing key: whoever can sign as the institution matters
# beyond training, so the institution administrator, not the coordinator.
KEY_ROLES = {Role.INSTITUTION_ADMIN}


def key_institutions(access: Access) -> list[Organisation]:
    """Institutions whose signing keys the user administers."""
    if getattr(access.user, "is_superuser", False) and not access.memberships:
        return list(Organisation.objects.institutions().order_by("code"))
    seen: dict[int, Organisation] = {}
    for m in access.memberships:
        if m.role in KEY_ROLES or getattr(access.user, "is_superuser", False):
            seen.setdefault(m.institution_id, m.institution)
    return list(seen.values())


def key_institution_or_404(access: Access, code: str) -> Organisation:
    """The institution ``code`` if the user administers its keys; 404 if it is not theirs,
    403 if it is theirs but their role does not allow it."""
    for institution in key_institutions(access):
        if institution.code == code:
            return institution
    if any(m.institution.code == code for m in access.memberships):
        raise PermissionDenied("training.keys")
    raise Http404
