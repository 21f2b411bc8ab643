"""The GIN index of the word index takes its entries at once, not through a pending list.

With GIN's default fastupdate, each rebuild of the index (every save in the
admin, every loaddata) writes all entries' vectors to a pending list that
only a VACUUM merges. Until then every search scans that list, and the
planner, seeing it, prefers reading the whole table: a word search cost
0.7 ms in PostgreSQL instead of 0.35 ms. A rebuild writes a few hundred
rows, so writing them to the index directly costs nothing that matters.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX kb_code_search_vector_gin SET (fastupdate = off)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX kb_code_search_vector_gin RESET (fastupdate)")


class Migration(migrations.Migration):

    dependencies = [
        ("kb", "0003_editors"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
