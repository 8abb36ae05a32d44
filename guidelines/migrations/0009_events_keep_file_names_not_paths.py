"""Import events recorded the server's path of the file; events are public.

Keep the file's name only (what the summary already showed).
"""

from pathlib import PurePath

from django.db import migrations


def file_names_only(apps, schema_editor):
    GuidelineEvent = apps.get_model("guidelines", "GuidelineEvent")
    events = GuidelineEvent.objects.filter(data__has_key="filename").only("data")
    for event in events.iterator():
        name = PurePath(str(event.data["filename"])).name
        if name != event.data["filename"]:
            event.data["filename"] = name
            event.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("guidelines", "0008_part_permissions_follow")]

    operations = [migrations.RunPython(file_names_only, migrations.RunPython.noop)]
