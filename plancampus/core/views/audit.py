"""The audit trail: recent changes to organisations, people, positions and memberships.

Built on django-simple-history's historical tables. One page costs a fixed number of
queries whatever the number of changes: the page of (date, id, model) keys comes from one
UNION query, then each model's records on the page with the id of their previous version
(a subquery), the previous versions, and the labels of related objects, one query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..access import Access, access_for
from ..models import Area, Country, Membership, Organisation, Person, Position, User

PAGE_SIZE = 50

AUDITED: dict[str, tuple[type[models.Model], Any]] = {
    "organisation": (Organisation, _("Organisations")),
    "person": (Person, _("People")),
    "position": (Position, _("Positions")),
    "membership": (Membership, _("Memberships")),
}

# How each model's history is limited to the countries a user works in.
COUNTRY_LOOKUP = {
    "organisation": "country_id__in",
    "person": "organisation__country_id__in",
    "position": "organisation__country_id__in",
    "membership": "institution__country_id__in",
}

HISTORY_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _label(obj: models.Model) -> str:
    if isinstance(obj, Organisation):
        return obj.code
    if isinstance(obj, Person):
        return obj.name_latin
    if isinstance(obj, User):
        return obj.get_username()
    if isinstance(obj, Area | Country):
        return obj.name_en
    return str(obj)


def history_for_user(access: Access, key: str) -> QuerySet:
    """The historical records of one audited model that ``access`` may see."""
    model = AUDITED[key][0]
    queryset = model.history.all()  # type: ignore[attr-defined]
    if not access.is_global:
        queryset = queryset.filter(**{COUNTRY_LOOKUP[key]: access.country_ids})
    return queryset


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    record: Any
    model_key: str
    model_label: str
    object_label: str = ""
    url: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return str(HISTORY_TYPES.get(self.record.history_type, self.record.history_type))


class _Labels:
    """Labels of related objects (organisations, people, users…), fetched one query per model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], pk: Any) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            for obj in model._default_manager.filter(pk__in=ids):
                self.found[(model, obj.pk)] = _label(obj)

    def get(self, model: type[models.Model], pk: Any) -> str:
        if pk is None:
            return ""
        return self.found.get((model, pk), f"#{pk}")


def _display(model: type[models.Model], name: str, value: Any, labels: _Labels) -> str:
    model_field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return labels.get(model_field.related_model, value)  # type: ignore[arg-type]
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in {"search_text", "sort_km"}
    ]


def _entries(page_keys: list[tuple[Any, int, str]]) -> list[Entry]:
    """Historical records of a page, with their diffs against the previous version."""
    by_model: dict[str, list[int]] = defaultdict(list)
    for _date, history_id, key in page_keys:
        by_model[key].append(history_id)
    records: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for key, ids in by_model.items():
        model = AUDITED[key][0]
        history = model.history.model  # type: ignore[attr-defined]
        older = history.objects.filter(
            id=OuterRef("id"), history_date__lt=OuterRef("history_date")
        ).order_by("-history_date", "-history_id")
        found = list(
            history.objects.filter(history_id__in=ids)
            .annotate(prev_history_id=Subquery(older.values("history_id")[:1]))
            .select_related("history_user")
        )
        prev_ids = [r.prev_history_id for r in found if r.prev_history_id]
        older_records = {r.history_id: r for r in history.objects.filter(history_id__in=prev_ids)}
        for record in found:
            records[(key, record.history_id)] = record
            if record.prev_history_id in older_records:
                previous[(key, record.history_id)] = older_records[record.prev_history_id]

    labels = _Labels()
    raw: list[tuple[Entry, type[models.Model], list[tuple[str, Any, Any]]]] = []
    for _date, history_id, key in page_keys:
        record = records.get((key, history_id))
        if record is None:
            continue
        model = AUDITED[key][0]
        entry = Entry(record=record, model_key=key, model_label=str(model._meta.verbose_name))
        old = previous.get((key, history_id))
        pairs: list[tuple[str, Any, Any]] = []
        if record.history_type == "~" and old is not None:
            delta = record.diff_against(old, excluded_fields=["search_text", "sort_km"])
            pairs = [(c.field, c.old, c.new) for c in delta.changes]
        elif record.history_type == "+":
            pairs = [
                (f.name, None, getattr(record, f.attname))
                for f in _tracked_fields(model)
                if getattr(record, f.attname) not in (None, "", False)
            ]
        for name, before, after in pairs:
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                labels.want(model_field.related_model, before)  # type: ignore[arg-type]
                labels.want(model_field.related_model, after)  # type: ignore[arg-type]
        if key == "position":
            labels.want(Person, record.person_id)
        elif key == "membership":
            labels.want(User, record.user_id)
            labels.want(Organisation, record.institution_id)
        raw.append((entry, model, pairs))
    labels.fetch()

    entries = []
    for entry, model, pairs in raw:
        record = entry.record
        alive = record.history_type != "-"
        if entry.model_key == "person":
            entry.object_label = record.name_latin
            if alive:
                entry.url = reverse("person-detail", args=[record.id])
        elif entry.model_key == "organisation":
            entry.object_label = f"{record.code} — {record.name_en}"
            if alive:
                entry.url = reverse("organisation-detail", args=[record.code])
        elif entry.model_key == "position":
            entry.object_label = f"{record.title} — {labels.get(Person, record.person_id)}"
            entry.url = reverse("person-detail", args=[record.person_id])
        else:
            entry.object_label = (
                f"{labels.get(User, record.user_id)} — {record.get_role_display()} — "
                f"{labels.get(Organisation, record.institution_id)}"
            )
        entry.changes = [
            Change(
                field=str(model._meta.get_field(name).verbose_name),
                old=""
                if before is None and record.history_type == "+"
                else _display(model, name, before, labels),
                new=_display(model, name, after, labels),
            )
            for name, before, after in pairs
        ]
        entries.append(entry)
    return entries


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    access.require("audit.view")
    selected_model = request.GET.get("model", "")
    keys = [selected_model] if selected_model in AUDITED else list(AUDITED)
    scoped = {key: history_for_user(access, key) for key in keys}

    # Unions take the historical models' default ordering, on a column they lack: clear it.
    user_id_sets = [
        qs.order_by().values_list("history_user_id", flat=True) for qs in scoped.values()
    ]
    users_union = user_id_sets[0].union(*user_id_sets[1:]).order_by()
    users = list(User.objects.filter(pk__in=set(users_union) - {None}).order_by("username"))

    selected_user = request.GET.get("user", "")
    selected_user_id = next((u.pk for u in users if str(u.pk) == selected_user), None)
    keyed = []
    for key, queryset in scoped.items():
        if selected_user_id is not None:
            queryset = queryset.filter(history_user_id=selected_user_id)
        keyed.append(
            queryset.order_by()
            .annotate(model_key=Value(key, output_field=CharField()))
            .values_list("history_date", "history_id", "model_key")
        )
    union = keyed[0].union(*keyed[1:], all=True).order_by("-history_date", "-history_id")
    page = Paginator(union, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "entries": _entries(list(page.object_list)),
            "models": [(key, label) for key, (_model, label) in AUDITED.items()],
            "users": users,
            "selected_model": selected_model if selected_model in AUDITED else "",
            "selected_user": str(selected_user_id or ""),
            "show_admin_link": request.user.is_staff,
            "page_size": PAGE_SIZE,
        },
    )
