"""Criteria, capabilities and tests become models of guidelines, the document they
are part of. They were models of capabilities (capabilities/migrations/0001).

This migration only tells Django's state; the tables keep their names and rows
until 0006 renames them, once capabilities/migrations/0004 has dropped the
old models from its state.
"""

import django.db.models.deletion
from django.db import migrations, models

DOCUMENT_PART = [
    (
        "id",
        models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
    ),
    ("position", models.PositiveIntegerField(default=0)),
    ("layout", models.JSONField(blank=True, default=dict)),
    ("extra", models.JSONField(blank=True, default=dict)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("guidelines", "0004_event_kind_criterion_changed"),
        ("capabilities", "0003_capability_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Criterion",
                    fields=[
                        *DOCUMENT_PART,
                        ("key", models.TextField()),
                        ("name", models.TextField(blank=True, null=True)),
                        ("description", models.TextField(blank=True, null=True)),
                        ("weight", models.IntegerField(blank=True, null=True)),
                        (
                            "guideline",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="criteria",
                                to="guidelines.guideline",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "capabilities_criterion",
                        "verbose_name_plural": "criteria",
                        "ordering": ["position"],
                        "abstract": False,
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("guideline", "key"),
                                name="capabilities_criterion_unique_key",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Capability",
                    fields=[
                        *DOCUMENT_PART,
                        ("key", models.TextField()),
                        ("achievements", models.JSONField(blank=True, null=True)),
                        ("admin", models.BooleanField(blank=True, null=True)),
                        ("description", models.TextField(blank=True, null=True)),
                        ("project", models.TextField(blank=True, null=True)),
                        ("required_since", models.TextField(blank=True, null=True)),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "guideline",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="capabilities",
                                to="guidelines.guideline",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "capabilities_capability",
                        "verbose_name_plural": "capabilities",
                        "ordering": ["position"],
                        "abstract": False,
                        "indexes": [
                            models.Index(fields=["key"], name="capabilities_cap_key_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("guideline", "key"),
                                name="capabilities_capability_unique_key",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Test",
                    fields=[
                        *DOCUMENT_PART,
                        ("name", models.TextField()),
                        ("idempotent_id", models.TextField(blank=True, null=True)),
                        ("aliases", models.JSONField(blank=True, null=True)),
                        ("is_flagged", models.BooleanField(default=False)),
                        ("flag_date", models.TextField(blank=True, null=True)),
                        ("flag_reason", models.TextField(blank=True, null=True)),
                        ("flag_action", models.TextField(blank=True, null=True)),
                        (
                            "capability",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tests",
                                to="guidelines.capability",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "capabilities_test",
                        "ordering": ["position"],
                        "abstract": False,
                        "indexes": [
                            models.Index(fields=["idempotent_id"], name="capabilities_test_id_idx"),
                            models.Index(fields=["name"], name="capabilities_test_name_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("capability", "name"),
                                name="capabilities_test_unique_name",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
