"""Seats move from votes.Membership to committee.Seat, keeping every row.

The model changes app in Django's state only (SeparateDatabaseAndState); in
the database its table is renamed (votes_membership -> committee_seat) and its
constraints get the committee's names. votes/migrations/0002 drops the old
model from votes' state.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OLD_CONSTRAINTS = [
    models.CheckConstraint(
        condition=models.Q(("role__in", ["member", "chair"])),
        name="votes_membership_role_valid",
    ),
    models.CheckConstraint(
        condition=models.Q(
            ("valid_to__isnull", True), ("valid_to__gt", models.F("valid_from")), _connector="OR"
        ),
        name="votes_membership_ends_after_start",
    ),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("votes", "0001_membership"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Seat",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[("member", "Committee member"), ("chair", "Chair")],
                                max_length=16,
                            ),
                        ),
                        ("affiliation", models.CharField(blank=True, max_length=200)),
                        ("valid_from", models.DateTimeField(default=django.utils.timezone.now)),
                        ("valid_to", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="seats",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["user__username", "-valid_from"],
                        "db_table": "votes_membership",
                        "constraints": OLD_CONSTRAINTS,
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="seat", table=None),
        *[
            migrations.RemoveConstraint(model_name="seat", name=constraint.name)
            for constraint in OLD_CONSTRAINTS
        ],
        migrations.AddConstraint(
            model_name="seat",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["member", "chair"])),
                name="committee_seat_role_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="seat",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_to__isnull", True),
                    ("valid_to__gt", models.F("valid_from")),
                    _connector="OR",
                ),
                name="committee_seat_ends_after_start",
            ),
        ),
    ]
