"""A person's private calendar address: a random token in the database, which the person
can reset (the old address then answers 404)."""

from __future__ import annotations

import hmac
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plancampus.core.models import Person

# The token in the address: a public selector (to find the row with an index) followed by
# the secret (compared in constant time). 16 + 43 URL-safe characters.
SELECTOR_LENGTH = 16
SECRET_BYTES = 32


def new_selector() -> str:
    return secrets.token_hex(SELECTOR_LENGTH // 2)


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


class CalendarFeed(models.Model):
    """The secret address of a person's iCalendar feed (sessions they attend or teach)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("person")
    )
    selector = models.CharField(max_length=SELECTOR_LENGTH, unique=True, default=new_selector)
    secret = models.CharField(max_length=64, default=new_secret)
    # Addresses given before the tokens were stored were signed with SECRET_KEY; they keep
    # working until the person resets their link.
    accepts_signed_address = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    reset_at = models.DateTimeField(_("link reset at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return f"{self.person} ({self.selector})"

    @property
    def token(self) -> str:
        return self.selector + self.secret

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret.encode(), secret.encode())
