"""Search ranks in Python over an index each process builds (kb/search_index.py): the word
index in the database goes (PostgreSQL's tsvector column and SQLite's FTS5 table), with the
spelling vocabulary, which the in-process index now holds, and pg_trgm, which nothing uses.
"""

from django.db import migrations

POSTGRES_FORWARDS = ["DROP EXTENSION IF EXISTS pg_trgm"]
SQLITE_FORWARDS = ["DROP TABLE IF EXISTS kb_code_fts"]


def forwards(apps, schema_editor):
    statements = {"postgresql": POSTGRES_FORWARDS, "sqlite": SQLITE_FORWARDS}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("kb", "0006_providers_phrases_languages"),
    ]

    operations = [
        # Dropping the column drops its GIN index with it.
        migrations.RemoveField(model_name="code", name="search_vector"),
        migrations.DeleteModel(name="SearchWord"),
        # Not reversible: going back would need the old app code to rebuild the index anyway.
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
