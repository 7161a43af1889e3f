# Indexes for the people directory at national scale (measured by benchmarks/bench_directory.py:
# 50,000 people). The list is read a page at a time in name order; the search is a substring
# match on Person.search_text, indexed with trigrams on each database:
# - PostgreSQL: the pg_trgm extension and a GIN index, which the LIKE '%term%' uses;
# - SQLite: an FTS5 table with the trigram tokenizer over core_person (external content),
#   kept in step by triggers, which PersonQuerySet.search queries with MATCH.
# A later migration that makes Django rebuild the core_person table on SQLite (it copies the
# table, which drops its triggers) must recreate them: test_person_search checks they exist.

from django.db import migrations, models

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE core_person_fts USING fts5("
    "search_text, content='core_person', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER core_person_fts_insert AFTER INSERT ON core_person BEGIN "
    "INSERT INTO core_person_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER core_person_fts_delete AFTER DELETE ON core_person BEGIN "
    "INSERT INTO core_person_fts(core_person_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER core_person_fts_update AFTER UPDATE OF search_text ON core_person BEGIN "
    "INSERT INTO core_person_fts(core_person_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO core_person_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO core_person_fts(core_person_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_person_fts_update",
    "DROP TRIGGER IF EXISTS core_person_fts_delete",
    "DROP TRIGGER IF EXISTS core_person_fts_insert",
    "DROP TABLE IF EXISTS core_person_fts",
]
POSTGRESQL_FORWARD = [
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS core_person_search_trgm "
    "ON core_person USING gin (search_text gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS core_person_search_trgm"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
            (has_fts5,) = cursor.fetchone()
        if not has_fts5:
            raise RuntimeError(
                "This SQLite library has no FTS5 full-text search, which PlanCampus uses to "
                "search people. Use a Python built with a standard SQLite (3.34 or later), "
                "or PostgreSQL."
            )
        _run(schema_editor, SQLITE_FORWARD)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_FORWARD)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name_latin", "id"], name="core_person_latin_order"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_km", "id"], name="core_person_khmer_order"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
