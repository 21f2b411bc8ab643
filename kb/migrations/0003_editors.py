"""The Editors group: what the people who write the knowledge base may do in the admin.

Editors add, fix and delete entries, their causes, steps and examples,
providers and categories; they see the edit history (reversion's
view_version, which kb.admin.KeepsHistory asks for) and revert from it.
Nothing on users, groups or sessions: making someone an editor is a
superuser's job (README).
"""

from django.db import migrations

EDITORS = "Editors"
CONTENT_MODELS = ["code", "cause", "resolutionstep", "examplereply", "provider", "category"]
PERMISSIONS = [
    *(("kb", f"{action}_{model}") for model in CONTENT_MODELS for action in ("view", "add", "change", "delete")),
    ("reversion", "view_version"),
]


def create_editors(apps, schema_editor):
    db = schema_editor.connection.alias
    group, _ = apps.get_model("auth", "Group").objects.using(db).get_or_create(name=EDITORS)
    group.permissions.set([_permission(apps, db, app_label, codename) for app_label, codename in PERMISSIONS])


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=EDITORS).delete()


def _permission(apps, db, app_label, codename):
    """The permission, created as Django would: on a new database, Django creates
    permissions only after the last migration (post_migrate), after this one."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(db)
    permissions = apps.get_model("auth", "Permission").objects.using(db)
    action, model_name = codename.split("_", 1)
    verbose_name = apps.get_model(app_label, model_name)._meta.verbose_name_raw
    content_type, _ = content_types.get_or_create(app_label=app_label, model=model_name)
    permission, _ = permissions.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {action} {verbose_name}"}
    )
    return permission


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
