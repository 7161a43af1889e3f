"""Pieces shared by the training models."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def plain(value: Decimal) -> str:
    """A decimal as people write it: 20, 12.5 (never 2E+1 or 20.00)."""
    return f"{value.normalize():f}"


def current_language() -> str:
    return (translation.get_language() or "en").split("-")[0]


class MultilingualTitleMixin(models.Model):
    """Title and description in English, French and Khmer; ``display_*`` pick the active one."""

    title_en = models.CharField(_("title (English)"), max_length=255)
    title_fr = models.CharField(_("title (French)"), max_length=255, blank=True)
    title_km = models.CharField(_("title (Khmer)"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_km = models.TextField(_("description (Khmer)"), blank=True)

    class Meta:
        abstract = True

    @property
    def display_title(self) -> str:
        return getattr(self, f"title_{current_language()}", "") or self.title_en

    @property
    def display_description(self) -> str:
        return getattr(self, f"description_{current_language()}", "") or self.description_en

    @property
    def other_title(self) -> str:
        """The title in the other script, shown beside the display title."""
        shown = self.display_title
        for candidate in (self.title_km, self.title_en):
            if candidate and candidate != shown:
                return candidate
        return ""
