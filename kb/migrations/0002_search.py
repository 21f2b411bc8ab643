import django.contrib.postgres.search
from django.db import migrations, models

# What only one database can do, each guarded by vendor so that the same
# migrations run on SQLite and PostgreSQL. The SQL is written out here, not
# imported: a migration must do the same thing whatever the app's code becomes.
# (Migration 0007 removes this word index: search now ranks in Python.)
POSTGRES_FORWARDS = [
    "CREATE INDEX kb_code_search_vector_gin ON kb_code USING gin (search_vector)",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS kb_code_search_vector_gin",
]
SQLITE_FORWARDS = [
    "CREATE VIRTUAL TABLE kb_code_fts USING fts5("
    "heading, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
]
SQLITE_BACKWARDS = ["DROP TABLE IF EXISTS kb_code_fts"]


def forwards(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARDS, SQLITE_FORWARDS)


def backwards(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARDS, SQLITE_BACKWARDS)


def _run(schema_editor, postgres, sqlite):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": postgres, "sqlite": sqlite}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='code',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(max_length=60)),
                ('entries', models.PositiveIntegerField(help_text='How many published entries use the word.')),
            ],
            options={
                'ordering': ['word'],
                'constraints': [models.UniqueConstraint(fields=('word',), name='unique_search_word')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
