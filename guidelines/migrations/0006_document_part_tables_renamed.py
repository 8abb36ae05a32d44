"""The tables of criteria, capabilities and tests take guidelines' names, and so do
their constraints and indexes (``<app>_<model>_<rule>``). Rows are untouched:
PostgreSQL and SQLite (3.26+) carry the foreign keys of scores, consensus and
lineage over to the renamed table."""

from django.db import migrations, models

RENAMED_INDEXES = [
    ("capability", "capabilities_cap_key_idx", "guidelines_capability_key_idx"),
    ("test", "capabilities_test_id_idx", "guidelines_test_id_idx"),
    ("test", "capabilities_test_name_idx", "guidelines_test_name_idx"),
]
UNIQUE = [
    ("criterion", ("guideline", "key"), "capabilities_criterion_unique_key", "unique_key"),
    ("capability", ("guideline", "key"), "capabilities_capability_unique_key", "unique_key"),
    ("test", ("capability", "name"), "capabilities_test_unique_name", "unique_name"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("guidelines", "0005_criteria_capabilities_tests_join_the_document"),
        ("capabilities", "0004_criteria_capabilities_tests_leave"),
    ]

    operations = [
        *[
            migrations.AlterModelTable(name=name, table=None)
            for name in ("criterion", "capability", "test")
        ],
        *[
            migrations.RenameIndex(model_name=model, new_name=new, old_name=old)
            for model, old, new in RENAMED_INDEXES
        ],
        *[
            operation
            for model, fields, old, rule in UNIQUE
            for operation in (
                migrations.RemoveConstraint(model_name=model, name=old),
                migrations.AddConstraint(
                    model_name=model,
                    constraint=models.UniqueConstraint(
                        fields=fields, name=f"guidelines_{model}_{rule}"
                    ),
                ),
            )
        ],
    ]
