"""Every event names its actor; three new kinds of event.

- Events that named no actor were an operator's commands: they now name the
  system user (committee/migrations/0002), and ``actor`` is NOT NULL, so "no
  actor" can never again stand for "anyone".
- New kinds: a status moved along the life cycle, a capability renamed (renames
  were logged as regroups: those events are given their right kind, their data
  untouched), a score withdrawn.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SYSTEM_USERNAME = "system"
KINDS = [
    ("imported", "Imported"),
    ("replaced", "Replaced by an import"),
    ("draft_started", "Draft started"),
    ("status_changed", "Status changed"),
    ("capability_proposed", "Capability proposed"),
    ("capability_changed", "Capability changed"),
    ("capability_moved", "Capability moved"),
    ("capability_renamed", "Capability renamed"),
    ("capabilities_regrouped", "Capabilities regrouped"),
    ("test_flagged", "Test flagged"),
    ("test_unflagged", "Test unflagged"),
    ("scored", "Scored"),
    ("score_withdrawn", "Score withdrawn"),
    ("consensus_set", "Consensus set"),
    ("criterion_changed", "Criterion changed"),
    ("worksheet_imported", "Worksheet imported"),
    ("finding_overridden", "Finding overridden"),
]
NEW_KINDS = ["status_changed", "score_withdrawn"]  # and capability_renamed, mapped back below


def name_the_system_and_renames(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    GuidelineEvent = apps.get_model("guidelines", "GuidelineEvent")
    # committee/migrations/0002 made it, and refused a real person of that name.
    system = User.objects.get(username=SYSTEM_USERNAME)
    GuidelineEvent.objects.filter(actor__isnull=True).update(actor=system)
    # A rename was recorded as a regroup with {"before": {"key"}, "after": {"key"}}.
    GuidelineEvent.objects.filter(
        kind="capabilities_regrouped", data__before__has_key="key"
    ).update(kind="capability_renamed")


def back_to_regroups(apps, schema_editor):
    GuidelineEvent = apps.get_model("guidelines", "GuidelineEvent")
    newer = GuidelineEvent.objects.filter(kind__in=NEW_KINDS)
    if newer.exists():
        # The old layout cannot hold them, and an event log is not rewritten to fit.
        raise RuntimeError(
            f"cannot migrate guidelines back before 0007: {newer.count()} events are of kinds "
            f"the older code does not know ({', '.join(NEW_KINDS)}); they record status moves "
            "and withdrawn scores. Restore a backup taken before the upgrade instead."
        )
    GuidelineEvent.objects.filter(kind="capability_renamed").update(kind="capabilities_regrouped")


class Migration(migrations.Migration):
    dependencies = [
        ("guidelines", "0006_document_part_tables_renamed"),
        ("committee", "0002_system_actor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="guidelineevent", name="guidelines_guidelineevent_kind_valid"
        ),
        migrations.AlterField(
            model_name="guidelineevent",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=32),
        ),
        migrations.RunPython(name_the_system_and_renames, back_to_regroups),
        migrations.AlterField(
            model_name="guidelineevent",
            name="actor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="guidelineevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", [k for k, _ in KINDS])),
                name="guidelines_guidelineevent_kind_valid",
            ),
        ),
    ]
