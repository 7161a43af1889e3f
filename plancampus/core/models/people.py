"""People of the education administration and their positions over time."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..text import search_document, search_terms, sort_key
from .base import DemoFlagMixin
from .orgs import Organisation


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


# SQLite's trigram full-text table over Person.search_text (migration 0002): substring search
# without reading every row. Triggers on core_person keep it in step with every write.
SQLITE_SEARCH_MATCH = "SELECT rowid FROM core_person_fts WHERE core_person_fts MATCH %s"
TRIGRAM = 3  # a trigram index answers terms of at least three characters


class PersonQuerySet(models.QuerySet["Person"]):
    def search(self, query: str) -> PersonQuerySet:
        """Every term of the query must occur in the Latin or Khmer name, e-mail or position.

        A plain substring match (``search_text`` holds the normalised text). Indexed on both
        databases: a pg_trgm GIN index serves the LIKE on PostgreSQL; on SQLite, terms of
        three characters or more are matched in the trigram full-text table instead.
        """
        qs = self
        indexed = []
        for term in search_terms(query):
            if connections[self.db].vendor == "sqlite" and len(term) >= TRIGRAM:
                indexed.append(term)
            else:
                qs = qs.filter(search_text__contains=term)
        if indexed:
            # Each term is an FTS5 string (quotes doubled), so it is matched literally.
            match = " AND ".join('"' + term.replace('"', '""') + '"' for term in indexed)
            qs = qs.filter(
                id__in=RawSQL(SQLITE_SEARCH_MATCH, [match])  # noqa: S611 - constant SQL, bound query
            )
        return qs

    def with_directory_relations(self) -> PersonQuerySet:
        return self.select_related("organisation", "organisation__area")


class Person(DemoFlagMixin):
    name_latin = models.CharField(
        _("name (Latin script)"),
        max_length=200,
        help_text=_("As written in Latin script, family name first for Khmer names."),
    )
    name_km = models.CharField(_("name (Khmer script)"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("current organisation"),
    )
    position = models.CharField(_("current position"), max_length=200, blank=True)
    external_id = models.CharField(
        _("staff identifier"),
        max_length=60,
        blank=True,
        help_text=_("The ministry's staff number, if any; used to recognise duplicates."),
    )
    search_text = models.TextField(editable=False, default="")
    sort_km = models.CharField(editable=False, max_length=512, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_latin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="unique_person_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "name_latin"]),
            # The directory lists people in these orders, a page at a time: with these
            # indexes a page is read in order instead of sorting every row.
            models.Index(fields=["name_latin", "id"], name="core_person_latin_order"),
            models.Index(fields=["sort_km", "id"], name="core_person_khmer_order"),
        ]

    def __str__(self) -> str:
        return self.name_latin

    @property
    def display_name(self) -> str:
        from django.utils import translation

        if translation.get_language() == "km" and self.name_km:
            return self.name_km
        return self.name_latin

    @property
    def other_name(self) -> str:
        shown = self.display_name
        for candidate in (self.name_km, self.name_latin):
            if candidate and candidate != shown:
                return candidate
        return ""

    def refresh_search_fields(self) -> None:
        self.search_text = search_document(
            self.name_latin, self.name_km, self.email, self.position, self.external_id
        )
        self.sort_km = sort_key(self.name_km or self.name_latin)


class Position(models.Model):
    """A post a person held in an organisation; the open one (no end) is the current post."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["person", "-start_date"]

    def __str__(self) -> str:
        return f"{self.title} — {self.organisation}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A position cannot end before it starts.")})
