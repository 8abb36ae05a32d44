"""Criteria, capabilities and tests are now guidelines' models
(guidelines/migrations/0005): scores, consensus and lineage point at
guidelines.Capability, and the old models leave this app's state. Nothing
changes in the database here."""

import django.db.models.deletion
from django.db import migrations, models


def to_capability(related_name):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name,
        to="guidelines.capability",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("capabilities", "0003_capability_version"),
        ("guidelines", "0005_criteria_capabilities_tests_join_the_document"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField("score", "capability", to_capability("scores")),
                migrations.AlterField("consensus", "capability", to_capability("consensus")),
                migrations.AlterField("lineage", "capability", to_capability("lineage")),
                migrations.DeleteModel(name="Test"),
                migrations.DeleteModel(name="Capability"),
                migrations.DeleteModel(name="Criterion"),
            ],
        ),
    ]
