"""The form with which an education office nominates its staff."""

from __future__ import annotations

from django.db.models import QuerySet

from plancampus.core.models import Organisation, Person

from .forms import NominationForm


class OfficeNominationForm(NominationForm):
    """The people the office may nominate (for a provincial office, also the staff of its
    district offices); each labelled with their position."""

    def __init__(self, *args, office: Organisation, people: QuerySet[Person], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, organisation=office, **kwargs)
        field = self.fields["people"]
        field.queryset = people
        field.label_from_instance = _label


def _label(person: Person) -> str:
    return f"{person.display_name} — {person.position}" if person.position else person.display_name
