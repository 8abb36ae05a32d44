"""votes.Membership became committee.Seat (committee/migrations/0001); its table
and rows moved there, so only Django's state forgets it here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("votes", "0001_membership"),
        ("committee", "0001_seat_from_votes_membership"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Membership")],
            database_operations=[],
        ),
    ]
