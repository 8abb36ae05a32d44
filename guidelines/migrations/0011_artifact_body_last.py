"""The artifact's body becomes the table's last column (SQLite), compressed by LZ4 (PostgreSQL).

SQLite builds a row in memory before storing it, unless the row ends with a
blob of zeros, which it stores as a count: the body, last, can then be
written in place a piece at a time (``guidelines.bulk.insert_with_blob``). In
the middle of the row, a large guideline's document (tens of megabytes) cost
twice its size in memory to store. Column order means nothing to PostgreSQL;
there the body is compressed by LZ4 where the server has it (PostgreSQL 14
and later, built with it): it stores a large document about half a second
sooner than the default (pglz), about as small.
"""

from django.db import DatabaseError, migrations, models, transaction


def body_last_and_quick(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(
                    "ALTER TABLE guidelines_artifact ALTER COLUMN body SET COMPRESSION lz4"
                )
        except DatabaseError:
            pass  # an older server, or one built without LZ4: pglz, as before
        return
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
                migrations.RunPython(body_last_and_quick, migrations.RunPython.noop),
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
