"""The people search and its indexes (migration 0002): the same answers on SQLite, where
terms are matched in a trigram full-text table kept in step by triggers, and on PostgreSQL,
where a pg_trgm index serves the substring match."""

import pytest
from django.db import connection

from plancampus.core.models import Person
from plancampus.core.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(queryset.values_list("name_latin", flat=True))


@pytest.fixture
def people(office):
    return [
        PersonFactory(name_latin="Keo Sreymom", name_km="កែវ ស្រីមុំ", organisation=office),
        PersonFactory(name_latin="Heng Piseth", name_km="ហេង ពិសិដ្ឋ", organisation=office),
        PersonFactory(name_latin="Ly Bopha", name_km="លី បុប្ផា", organisation=office),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sreymom", ["Keo Sreymom"]),
        ("KEO  sreymom", ["Keo Sreymom"]),
        ("reymo", ["Keo Sreymom"]),  # inside a word
        ("ពិសិដ្ឋ", ["Heng Piseth"]),
        ("ហេង ពិសិដ្ឋ", ["Heng Piseth"]),
        ("ly", ["Ly Bopha"]),  # shorter than a trigram: matched without the index
        ("ly bopha", ["Ly Bopha"]),  # one short term and one indexed term
        ("keo piseth", []),  # every term must match the same person
        ('"sreymom"', []),  # quotes are searched for, not FTS syntax
        ("sreymom OR piseth", []),  # so are operators
        ("*", []),
    ],
)
def test_search_answers(people, query, expected):
    assert names(Person.objects.search(query)) == expected


def test_search_sees_every_kind_of_write(office):
    person = PersonFactory(name_latin="Chan Dara", name_km="ចាន់ ដារា", organisation=office)
    assert names(Person.objects.search("dara")) == ["Chan Dara"]

    person.name_latin = "Chan Vannak"
    person.refresh_search_fields()
    person.save()
    assert names(Person.objects.search("dara")) == []
    assert names(Person.objects.search("vannak")) == ["Chan Vannak"]

    Person.objects.filter(pk=person.pk).update(search_text="sok sophea")
    assert names(Person.objects.search("sophea")) == ["Chan Vannak"]

    bulk = [Person(name_latin=f"Meas Rithy {n}", sex="M", organisation=office) for n in range(3)]
    for p in bulk:
        p.refresh_search_fields()
    Person.objects.bulk_create(bulk)
    assert len(names(Person.objects.search("rithy"))) == 3

    Person.objects.filter(name_latin__startswith="Meas").delete()
    person.delete()
    assert names(Person.objects.search("rithy")) == []
    assert names(Person.objects.search("sophea")) == []


def test_the_search_indexes_exist():
    """A migration that rebuilds core_person on SQLite drops its triggers: recreate them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_person'"
            )
            assert {row[0] for row in cursor.fetchall()} == {
                "core_person_fts_insert",
                "core_person_fts_update",
                "core_person_fts_delete",
            }
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'core_person_search_trgm'"
            )
            (definition,) = cursor.fetchone()
            assert "gin_trgm_ops" in definition
    index_names = {index.name for index in Person._meta.indexes}
    assert {"core_person_latin_order", "core_person_khmer_order"} <= index_names
