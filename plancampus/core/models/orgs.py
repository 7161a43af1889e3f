"""Organisations of the education administration and their partners."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..text import search_document, search_terms
from .base import DemoFlagMixin, MultilingualNameMixin
from .geo import Area, Country


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    MINISTRY_DEPARTMENT = "ministry_department", _("Ministry department")
    PROVINCIAL_OFFICE = "provincial_office", _("Provincial office of education")
    DISTRICT_OFFICE = "district_office", _("District office of education")
    TRAINING_INSTITUTION = "training_institution", _("Training institution")
    UNIVERSITY = "university", _("University")
    PARTNER = "partner", _("International partner")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def institutions(self) -> OrganisationQuerySet:
        return self.filter(
            kind__in=[OrganisationKind.TRAINING_INSTITUTION, OrganisationKind.PARTNER]
        )

    def of_kind(self, kind: str) -> OrganisationQuerySet:
        return self.filter(kind=kind)

    def in_area(self, area: Area) -> OrganisationQuerySet:
        """Organisations located in the area or anywhere below it (up to communes)."""
        return self.filter(
            models.Q(area=area) | models.Q(area__parent=area) | models.Q(area__parent__parent=area)
        )

    def search(self, query: str) -> OrganisationQuerySet:
        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_text__contains=term)
        return qs


class Organisation(MultilingualNameMixin, DemoFlagMixin):
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Empty for international organisations."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A stable identifier used in imports, e.g. POE-17 for Siem Reap's office."),
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("parent organisation"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("area"),
    )
    website = models.URLField(_("website"), blank=True)
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "code"]
        indexes = [models.Index(fields=["kind", "area"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_institution(self) -> bool:
        return self.kind in {OrganisationKind.TRAINING_INSTITUTION, OrganisationKind.PARTNER}

    def refresh_search_fields(self) -> None:
        self.search_text = search_document(
            self.code, self.acronym, self.name_en, self.name_fr, self.name_km
        )
