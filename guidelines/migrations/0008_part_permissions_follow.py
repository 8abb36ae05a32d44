"""Operators' admin permissions on criteria, capabilities and tests follow them to guidelines.

Django names permissions after the model (``capabilities.change_test``); the
models are now guidelines', so whoever was granted a permission on the
old model gets the same one on the new, and the old content type goes.
"""

from django.db import migrations

MOVED = [
    (("capabilities", name), ("guidelines", name)) for name in ("criterion", "capability", "test")
]
ACTIONS = ("add", "change", "delete", "view")


def permissions_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for (old_app, old_model), (new_app, new_model) in MOVED:
        old = ContentType.objects.filter(app_label=old_app, model=old_model).first()
        if old is None:
            continue  # a new database: Django creates the new permissions after migrating
        new, _ = ContentType.objects.get_or_create(app_label=new_app, model=new_model)
        for action in ACTIONS:
            granted = Permission.objects.filter(
                content_type=old, codename=f"{action}_{old_model}"
            ).first()
            if granted is None:
                continue
            permission, _ = Permission.objects.get_or_create(
                content_type=new,
                codename=f"{action}_{new_model}",
                defaults={"name": f"Can {action} {new_model}"},
            )
            permission.user_set.add(*granted.user_set.all())
            permission.group_set.add(*granted.group_set.all())
        old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guidelines", "0007_event_actor_always_someone_and_new_kinds"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(permissions_follow, migrations.RunPython.noop)]
