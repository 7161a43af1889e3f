"""Who sees which certificates, on top of :mod:`plancampus.training.access`.

Staff of an institution see the certificates of its cohorts; a participant sees their own.
The public sees a certificate only through its unguessable verification id (views/verify).
"""

from __future__ import annotations

from django.db.models import QuerySet

from plancampus.core.access import Access

from .access import enrolments_for_user
from .models import Certificate


def certificates_for_user(access: Access) -> QuerySet[Certificate]:
    if access.is_global:
        return Certificate.objects.all()
    return Certificate.objects.filter(enrolment__in=enrolments_for_user(access))
