"""Pieces shared by the directory models."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class MultilingualNameMixin(models.Model):
    """English, French and Khmer names; ``display_name`` picks the one for the active language."""

    name_en = models.CharField(_("name (English)"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255, blank=True)
    name_km = models.CharField(_("name (Khmer)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        return getattr(self, f"name_{language}", "") or self.name_en

    @property
    def other_name(self) -> str:
        """The name in the other script, shown beside the display name."""
        shown = self.display_name
        for candidate in (self.name_km, self.name_en):
            if candidate and candidate != shown:
                return candidate
        return ""


class DemoFlagMixin(models.Model):
    """Marks synthetic records so that the interface never shows them as real."""

    is_synthetic = models.BooleanField(
        _("synthetic demo record"),
        default=False,
        help_text=_("Made up for the demonstration; not a real record."),
    )

    class Meta:
        abstract = True
