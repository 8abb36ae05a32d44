"""The system actor that commands act as (committee.system): it must exist before
guidelines' migration names it as the actor of past command-line events."""

from django.conf import settings
from django.db import migrations

SYSTEM_USERNAME = "system"


def create_system_actor(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    user, _ = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "password": "!system-actor-cannot-sign-in"},
    )
    if user.is_active or not user.password.startswith("!"):
        # Someone's account: crediting operators' commands to them would be false.
        raise RuntimeError(
            f"a user named {SYSTEM_USERNAME!r} exists and can sign in; the application "
            "reserves that name for the commands operators run. Rename that user "
            "(in /admin/ or `manage.py shell`), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("committee", "0001_seat_from_votes_membership"),
    ]

    # Reversing keeps the user: events may name it.
    operations = [migrations.RunPython(create_system_actor, migrations.RunPython.noop)]
