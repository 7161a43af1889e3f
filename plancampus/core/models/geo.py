"""Countries, their school structure and administrative areas."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..text import search_document, sort_key
from .base import MultilingualNameMixin

school_year_validator = RegexValidator(
    r"^\d{4}-\d{2}$", _("Write a school year as 2023-24: the first year, a hyphen, two digits.")
)


class Country(MultilingualNameMixin):
    iso_code = models.CharField(_("ISO 3166 code"), max_length=3, unique=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.display_name


class SchoolLevel(MultilingualNameMixin):
    """A level of the school structure, valid from a school year on (e.g. primary, 6 grades)."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("code"), max_length=40, help_text=_("e.g. primary, lower_secondary"))
    order = models.PositiveSmallIntegerField(_("order"))
    first_grade = models.PositiveSmallIntegerField(
        _("first grade"), help_text=_("System-wide grade number; 0 for pre-primary.")
    )
    number_of_grades = models.PositiveSmallIntegerField(
        _("number of grades"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    entry_age = models.PositiveSmallIntegerField(
        _("official entry age"), validators=[MaxValueValidator(30)]
    )
    valid_from = models.CharField(
        _("valid from school year"), max_length=7, validators=[school_year_validator]
    )

    class Meta:
        verbose_name = _("school level")
        verbose_name_plural = _("school levels")
        ordering = ["country", "valid_from", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code", "valid_from"], name="unique_level_per_structure"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def last_grade(self) -> int:
        return self.first_grade + self.number_of_grades - 1

    @property
    def grades(self) -> range:
        return range(self.first_grade, self.last_grade + 1)

    @property
    def official_ages(self) -> range:
        return range(self.entry_age, self.entry_age + self.number_of_grades)


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class AreaQuerySet(models.QuerySet["Area"]):
    def provinces(self) -> AreaQuerySet:
        return self.filter(kind=AreaKind.PROVINCE)

    def search(self, query: str) -> AreaQuerySet:
        from ..text import search_terms

        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_text__contains=term)
        return qs


class Area(MultilingualNameMixin):
    """An administrative area: province → district → commune, with its official code."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="areas")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    code = models.CharField(_("official code"), max_length=20)
    search_text = models.TextField(editable=False, default="")
    sort_km = models.CharField(editable=False, max_length=512, default="")

    history = HistoricalRecords()
    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="unique_area_code")]
        indexes = [models.Index(fields=["kind", "code"])]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        expected_parent = {
            AreaKind.PROVINCE: None,
            AreaKind.DISTRICT: AreaKind.PROVINCE,
            AreaKind.COMMUNE: AreaKind.DISTRICT,
        }[AreaKind(self.kind)]
        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind != expected_parent:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s must sit inside a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": expected_parent or "-"}
                }
            )

    def refresh_search_fields(self) -> None:
        self.search_text = search_document(self.code, self.name_en, self.name_fr, self.name_km)
        self.sort_km = sort_key(self.name_km or self.name_en)

    def ancestors(self) -> list[Area]:
        chain: list[Area] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))
