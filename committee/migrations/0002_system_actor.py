"""The system actor that commands act as (committee.system): it must exist before
guidelines' migration names it as the actor of past command-line events."""

from django.conf import settings
from django.db import migrations

SYSTEM_USERNAME = "system"


def create_system_actor(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "password": "!system-actor-cannot-sign-in"},
    )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("committee", "0001_seat_from_votes_membership"),
    ]

    # Reversing keeps the user: events may name it.
    operations = [migrations.RunPython(create_system_actor, migrations.RunPython.noop)]
