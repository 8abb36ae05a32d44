"""The artifact's body becomes the table's last column, its rows kept.

SQLite builds a row in memory before storing it, unless the row ends with a
blob of zeros, which it stores as a count: the body, last, can then be
written in place a piece at a time (``guidelines.bulk.insert_with_blob``). In
the middle of the row, a large guideline's document (tens of megabytes) cost
twice its size in memory to store. Column order means nothing to PostgreSQL:
only the migration state changes there.
"""

from django.db import migrations, models


def body_last_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    artifact = apps.get_model("guidelines", "Artifact")
    old = artifact._meta.get_field("body")
    # A field made now sorts after every other: the rebuilt table ends with it.
    new = models.BinaryField()
    new.set_attributes_from_name("body")
    schema_editor._remake_table(artifact, alter_fields=[(old, new)])


class Migration(migrations.Migration):
    dependencies = [("guidelines", "0010_published_artifacts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(body_last_on_sqlite, migrations.RunPython.noop),
            ],
            # The state lists the body last too, so that a later rebuild keeps it there.
            state_operations=[
                migrations.RemoveField(model_name="artifact", name="body"),
                migrations.AddField(
                    model_name="artifact", name="body", field=models.BinaryField()
                ),
            ],
        ),
    ]
