"""A database written at the old layout migrates to the new one, and back, losing nothing.

Seats moved from ``votes.Membership`` to ``committee.Seat``, and criteria,
capabilities and tests moved from the capabilities app into guidelines
(committee/migrations/0001-0002, votes/migrations/0002, capabilities/
migrations/0004, guidelines/migrations/0005-0007). Those migrations rename
tables, indexes and constraints under rows the committee has already written,
and 0007 rewrites events. A mistake there loses or mangles production data that
no other test ever sees: the rest of the suite starts from an empty, fully
migrated database.

So these tests migrate back to the old head, write rows through the historical
models, migrate forward, and read the rows back through today's models: every
column of every row, the relations between them, the unique rules under their
new names, and the two event fixes of 0007. Reversing to the old head must keep
the rows too. Each test leaves the database fully migrated for the tests after
it.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType as ContentTypeNow
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from capabilities.models import Consensus, Lineage, Score, Worksheet
from committee.models import Seat
from committee.system import SYSTEM_USERNAME, is_system, system_actor
from guidelines.models import (
    Capability,
    Criterion,
    Guideline,
    GuidelineEvent,
    RuleOverride,
    Test,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The head before the move. Every other app (Django's own) stays at its latest:
# the move did not touch them, and their state is what the rows were written with.
MOVED_APPS = {"committee", "guidelines", "capabilities", "votes"}
# Apps that came after the move: absent at the old head.
LATER_APPS = ("releases", "cycles", "compliance")
OLD_HEAD = [
    ("guidelines", "0004_event_kind_criterion_changed"),
    ("capabilities", "0003_capability_version"),
    ("votes", "0001_membership"),
]

# Each model of the old layout, and today's model that holds its rows.
MOVES = {
    ("auth", "User"): get_user_model(),
    ("guidelines", "Guideline"): Guideline,
    ("capabilities", "Criterion"): Criterion,
    ("capabilities", "Capability"): Capability,
    ("capabilities", "Test"): Test,
    ("capabilities", "Score"): Score,
    ("capabilities", "Consensus"): Consensus,
    ("capabilities", "Lineage"): Lineage,
    ("capabilities", "Worksheet"): Worksheet,
    ("votes", "Membership"): Seat,
    ("guidelines", "RuleOverride"): RuleOverride,
    ("guidelines", "GuidelineEvent"): GuidelineEvent,
}

RENAME = {"before": {"key": "old"}, "after": {"key": "new"}}
REGROUP = {"before": {"predecessors": []}, "after": {"predecessors": ["a", "b"]}, "note": "merged"}


def at(year, month, day):
    return datetime(year, month, day, 9, 30, tzinfo=UTC)


def old_head_nodes(executor):
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] not in MOVED_APPS and node[0] not in LATER_APPS
    ]
    return [*OLD_HEAD, *others]


def migrate_to_old_head(executor):
    """Unapply the move (committee did not exist); return the old head's historical apps."""
    executor.loader.build_graph()
    nodes = old_head_nodes(executor)
    executor.migrate([*nodes, ("committee", None), *((app, None) for app in LATER_APPS)])
    executor.loader.build_graph()
    return executor.loader.project_state(nodes).apps


def migrate_to_the_end(executor):
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


def rows(model):
    return list(model.objects.order_by("pk").values())


def old_rows(apps):
    return {label: rows(apps.get_model(*label)) for label in MOVES}


def current_rows():
    found = {label: rows(model) for label, model in MOVES.items()}
    # The system user is new (committee/migrations/0002); it is checked on its own.
    found["auth", "User"] = [u for u in found["auth", "User"] if u["username"] != SYSTEM_USERNAME]
    return found


def write_the_old_layout(apps):
    """Rows of every moved model, as the old code wrote them; their ids by name."""
    User = apps.get_model("auth", "User")
    # A database at the old head had no system user: the migrations must bring it.
    User.objects.filter(username=SYSTEM_USERNAME).delete()
    ada = User.objects.create(username="ada", email="ada@example.org", password="!unusable")
    ben = User.objects.create(username="ben", first_name="Ben", password="!unusable")

    Guideline = apps.get_model("guidelines", "Guideline")
    approved = Guideline.objects.create(
        key="2026.01",
        schema="2.0",
        status="approved",
        doc_id="interop-2026.01",
        releases=["2025.1", "2025.2"],
        cutoff_score=74,
        revision=3,
        layout={"order": ["id", "metadata", "capabilities"]},
        extra={"x-comment": "kept as written"},
    )
    draft = Guideline.objects.create(
        key="next", schema="2.0", status="draft", replaces="2026.01", cutoff_score=74
    )

    Criterion = apps.get_model("capabilities", "Criterion")
    for guideline in (approved, draft):
        Criterion.objects.create(
            guideline=guideline,
            key="deployed",
            name="Widely Deployed",
            description="Used by many clouds.",
            weight=8,
            position=0,
        )
        Criterion.objects.create(guideline=guideline, key="tools", weight=1, position=1)

    Capability = apps.get_model("capabilities", "Capability")
    # The same key in two guidelines: unique per guideline only.
    Capability.objects.create(
        guideline=approved, key="compute-servers-create", achievements=["deployed"]
    )
    compute = Capability.objects.create(
        guideline=draft,
        key="compute-servers-create",
        achievements=["deployed", "tools"],
        admin=False,
        description="Create a server.",
        project="compute",
        required_since="2025.01",
        version=4,
        position=0,
        layout={"order": ["achievements", "admin"]},
        extra={"x-note": 1},
    )
    # Every nullable column left NULL, and "" kept apart from NULL.
    zones = Capability.objects.create(guideline=draft, key="new", required_since="", position=1)

    Test = apps.get_model("capabilities", "Test")
    flagged = Test.objects.create(
        capability=compute,
        name="tempest.api.compute.servers.test_create_server.ServersTest.test_create",
        idempotent_id="id-5de47127-9977-400a-936f-abcfbec1218f",
        aliases=["tempest.api.compute.servers.test_create_server.ServersTest.test_old"],
        is_flagged=True,
        flag_date="2026-01-15",
        flag_reason="[D404] Fails under load.",
        flag_action="Fix the race.",
        position=0,
    )
    Test.objects.create(capability=zones, name="designate_tempest_plugin.tests.test_zones")

    Score = apps.get_model("capabilities", "Score")
    score = Score.objects.create(capability=compute, scorer=ada, criterion="deployed", value="1")
    Score.objects.create(
        capability=compute, scorer=ben, criterion="deployed", value="0", note="Not in ours."
    )
    Score.objects.create(capability=zones, scorer=ben, criterion="tools", value="?")

    Consensus = apps.get_model("capabilities", "Consensus")
    Consensus.objects.create(
        capability=compute, criterion="deployed", value="1", source="chair", set_by=ada
    )
    Consensus.objects.create(capability=zones, criterion="tools", value="0", source="worksheet")

    Lineage = apps.get_model("capabilities", "Lineage")
    Lineage.objects.create(capability=zones, predecessor="old", note="renamed")
    Lineage.objects.create(capability=compute, predecessor="compute-servers")

    Worksheet = apps.get_model("capabilities", "Worksheet")
    Worksheet.objects.create(
        guideline=draft, name="scoring.txt", lines=["compute-servers-create 1 0", "# by hand"]
    )

    Membership = apps.get_model("votes", "Membership")
    Membership.objects.create(user=ada, role="chair", valid_from=at(2025, 1, 6))
    Membership.objects.create(
        user=ben,
        role="member",
        affiliation="Example Cloud",
        valid_from=at(2024, 1, 8),
        valid_to=at(2025, 1, 6),
    )

    RuleOverride = apps.get_model("guidelines", "RuleOverride")
    RuleOverride.objects.create(
        guideline=draft, rule="A4.5", subject="new", justification="Renamed, not new.", by=ada
    )

    Event = apps.get_model("guidelines", "GuidelineEvent")
    imported = Event.objects.create(
        guideline=draft,
        kind="imported",
        channel="command",
        actor=None,
        summary="Imported next.json",
        data={"file": "next.json", "warnings": []},
    )
    renamed = Event.objects.create(
        guideline=draft,
        kind="capabilities_regrouped",
        channel="web",
        actor=ada,
        subject="new",
        summary="Renamed old to new",
        data=RENAME,
    )
    # A true regroup: its before has no key, so it stays a regroup.
    regrouped = Event.objects.create(
        guideline=draft,
        kind="capabilities_regrouped",
        channel="api",
        actor=ben,
        subject="compute-servers-create",
        summary="compute-servers-create is made from a, b",
        data=REGROUP,
    )
    return {
        "compute": compute.pk,
        "zones": zones.pk,
        "flagged": flagged.pk,
        "score": score.pk,
        "imported": imported.pk,
        "renamed": renamed.pk,
        "regrouped": regrouped.pk,
    }


@pytest.fixture
def migrated(transactional_db):
    """Rows written at the old head, then migrated to the latest layout.

    Whatever the test does, the database ends fully migrated: the flush after a
    transactional test and every later test expect today's tables.
    """
    executor = MigrationExecutor(connection)
    try:
        apps = migrate_to_old_head(executor)
        ids = write_the_old_layout(apps)
        before = old_rows(apps)
        migrate_to_the_end(executor)
        yield {"executor": executor, "ids": ids, "before": before}
    finally:
        migrate_to_the_end(executor)


def test_a_database_at_the_old_layout_migrates_with_nothing_lost(migrated):
    ids, before = migrated["ids"], migrated["before"]
    # Guard against comparing nothing with nothing.
    assert all(before.values()), [label for label, found in before.items() if not found]

    system = get_user_model().objects.get(username=SYSTEM_USERNAME)
    after = current_rows()
    # 0007 changes exactly two things: who the actorless event names, and the
    # kind of the rename that was logged as a regroup.
    expected_events = [
        {
            **event,
            "actor_id": system.pk if event["id"] == ids["imported"] else event["actor_id"],
            "kind": "capability_renamed" if event["id"] == ids["renamed"] else event["kind"],
        }
        for event in before["guidelines", "GuidelineEvent"]
    ]
    assert after.pop(("guidelines", "GuidelineEvent")) == expected_events
    for label in list(after):
        assert after[label] == before[label], label

    # The values themselves, not only "as before": the snapshot could be wrong too.
    compute = Capability.objects.get(pk=ids["compute"])
    assert (compute.guideline.key, compute.key, compute.version) == (
        "next",
        "compute-servers-create",
        4,
    )
    assert compute.achievements == ["deployed", "tools"]
    assert compute.layout == {"order": ["achievements", "admin"]}
    zones = Capability.objects.get(pk=ids["zones"])
    assert (zones.admin, zones.description, zones.required_since) == (None, None, "")
    flagged = Test.objects.get(pk=ids["flagged"])
    assert flagged.capability == compute
    assert (flagged.is_flagged, flagged.flag_reason) == (True, "[D404] Fails under load.")
    assert flagged.aliases == [
        "tempest.api.compute.servers.test_create_server.ServersTest.test_old"
    ]

    # The relations, followed both ways through today's models.
    score = Score.objects.get(pk=ids["score"])
    assert (score.capability.guideline.key, score.scorer.username) == ("next", "ada")
    assert sorted(compute.scores.values_list("scorer__username", "value")) == [
        ("ada", "1"),
        ("ben", "0"),
    ]
    assert list(compute.consensus.values_list("criterion", "set_by__username")) == [
        ("deployed", "ada")
    ]
    assert list(zones.lineage.values_list("predecessor", "note")) == [("old", "renamed")]
    assert [t.name for t in zones.tests.all()] == ["designate_tempest_plugin.tests.test_zones"]
    draft = Guideline.objects.get(key="next")
    assert list(draft.criteria.values_list("key", "weight")) == [("deployed", 8), ("tools", 1)]
    assert list(draft.capabilities.values_list("key", flat=True)) == [
        "compute-servers-create",
        "new",
    ]
    assert list(draft.worksheets.values_list("lines", flat=True)) == [
        ["compute-servers-create 1 0", "# by hand"]
    ]
    assert list(draft.overrides.values_list("rule", "subject", "by__username")) == [
        ("A4.5", "new", "ada")
    ]
    assert [(s.user.username, s.role, s.affiliation, s.valid_to) for s in Seat.objects.all()] == [
        ("ada", "chair", "", None),
        ("ben", "member", "Example Cloud", at(2025, 1, 6)),
    ]
    assert get_user_model().objects.get(username="ben").seats.get().valid_from == at(2024, 1, 8)

    # The events: the command run by an operator now names the system user, who
    # cannot sign in; the rename has its own kind; the true regroup is untouched.
    assert is_system(system)
    assert system_actor() == system
    events = {event.pk: event for event in GuidelineEvent.objects.all()}
    assert events[ids["imported"]].actor == system
    assert (events[ids["renamed"]].kind, events[ids["renamed"]].data) == (
        "capability_renamed",
        RENAME,
    )
    assert (events[ids["regrouped"]].kind, events[ids["regrouped"]].data) == (
        "capabilities_regrouped",
        REGROUP,
    )
    assert GuidelineEvent.objects.filter(actor__isnull=True).count() == 0


def constraints_of(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def test_after_the_move_foreign_keys_and_unique_rules_hold_under_their_new_names(migrated):
    ids = migrated["ids"]
    tables = set(connection.introspection.table_names())
    assert {"guidelines_criterion", "guidelines_capability", "guidelines_test"} <= tables
    assert "committee_seat" in tables
    gone = {"capabilities_criterion", "capabilities_capability", "capabilities_test"}
    assert not tables & (gone | {"votes_membership"})

    # The names the models give, as the migrations renamed them. Names Django
    # generates itself (primary keys, foreign keys) keep the old table's prefix
    # on PostgreSQL, which renames a table without them: only the given names
    # are the models' business.
    renamed = {
        "guidelines_criterion": {
            "capabilities_criterion_unique_key": "guidelines_criterion_unique_key"
        },
        "guidelines_capability": {
            "capabilities_capability_unique_key": "guidelines_capability_unique_key",
            "capabilities_cap_key_idx": "guidelines_capability_key_idx",
        },
        "guidelines_test": {
            "capabilities_test_unique_name": "guidelines_test_unique_name",
            "capabilities_test_id_idx": "guidelines_test_id_idx",
            "capabilities_test_name_idx": "guidelines_test_name_idx",
        },
        "committee_seat": {
            "votes_membership_role_valid": "committee_seat_role_valid",
            "votes_membership_ends_after_start": "committee_seat_ends_after_start",
        },
    }
    for table, names in renamed.items():
        found = set(constraints_of(table))
        assert set(names.values()) <= found, (table, found)
        assert not set(names) & found, (table, found)

    # The tables that stayed in capabilities still point at the renamed one.
    for table in ("capabilities_score", "capabilities_consensus", "capabilities_lineage"):
        targets = {c["foreign_key"] for c in constraints_of(table).values() if c["foreign_key"]}
        assert ("guidelines_capability", "id") in targets, (table, targets)
    test_targets = {
        c["foreign_key"] for c in constraints_of("guidelines_test").values() if c["foreign_key"]
    }
    assert test_targets == {("guidelines_capability", "id")}

    # No row anywhere points at nothing (SQLite: PRAGMA foreign_key_check).
    with transaction.atomic():
        connection.check_constraints()

    compute = Capability.objects.get(pk=ids["compute"])
    ada = get_user_model().objects.get(username="ada")
    refused = [
        lambda: Capability.objects.create(guideline=compute.guideline, key=compute.key),
        lambda: Criterion.objects.create(guideline=compute.guideline, key="deployed"),
        lambda: Test.objects.create(capability=compute, name=compute.tests.get().name),
        lambda: Seat.objects.create(user=ada, role="observer"),
        lambda: Seat.objects.create(
            user=ada, role="member", valid_from=at(2025, 2, 1), valid_to=at(2025, 1, 1)
        ),
        # A score of a capability that does not exist. The foreign key is checked
        # at commit (deferred); check_constraints() below asks for it at once.
        lambda: Score.objects.create(
            capability_id=compute.pk + 10_000, scorer=ada, criterion="deployed", value="1"
        ),
    ]
    for number, write in enumerate(refused):
        with pytest.raises(IntegrityError), transaction.atomic():
            write()
            connection.check_constraints()
        assert Capability.objects.count() == 3, number

    # The renamed tables keep counting ids where they were: new rows get fresh ones.
    last = Capability.objects.order_by("pk").last().pk
    added = Capability.objects.create(guideline=compute.guideline, key="images-list")
    assert added.pk > last
    seat = Seat.objects.create(user=ada, role="member")
    assert seat.pk > max(Seat.objects.exclude(pk=seat.pk).values_list("pk", flat=True))
    Score.objects.create(capability=added, scorer=ada, criterion="tools", value="1")
    assert added.scores.get().capability.guideline.key == "next"


def test_migrating_back_to_the_old_layout_keeps_every_row_in_the_old_tables(migrated):
    executor, ids, before = migrated["executor"], migrated["ids"], migrated["before"]
    system = get_user_model().objects.get(username=SYSTEM_USERNAME)

    apps = migrate_to_old_head(executor)

    tables = set(connection.introspection.table_names())
    assert {"capabilities_capability", "capabilities_test", "votes_membership"} <= tables
    assert not tables & {"guidelines_capability", "guidelines_test", "committee_seat"}
    found = old_rows(apps)
    found["auth", "User"] = [u for u in found["auth", "User"] if u["username"] != SYSTEM_USERNAME]
    # Reversing cannot tell which events had no actor: they keep the system
    # user (committee/migrations/0002 keeps it). The rename is a regroup again.
    expected_events = [
        {**event, "actor_id": system.pk if event["id"] == ids["imported"] else event["actor_id"]}
        for event in before["guidelines", "GuidelineEvent"]
    ]
    assert found.pop(("guidelines", "GuidelineEvent")) == expected_events
    for label in list(found):
        assert found[label] == before[label], label

    # The historical models follow the old relations: a test's capability, a
    # score's capability and its guideline.
    score = apps.get_model("capabilities", "Score").objects.get(pk=ids["score"])
    assert (score.capability.key, score.capability.guideline.key) == (
        "compute-servers-create",
        "next",
    )
    flagged = apps.get_model("capabilities", "Test").objects.get(pk=ids["flagged"])
    assert flagged.capability_id == ids["compute"]
    memberships = apps.get_model("votes", "Membership").objects
    assert list(memberships.values_list("user__username", "role")) == [
        ("ada", "chair"),
        ("ben", "member"),
    ]
    capabilities = apps.get_model("capabilities", "Capability").objects
    with pytest.raises(IntegrityError), transaction.atomic():
        capabilities.create(guideline_id=score.capability.guideline_id, key="new")

    # And forward again, to the same rows.
    migrate_to_the_end(executor)
    assert GuidelineEvent.objects.get(pk=ids["renamed"]).kind == "capability_renamed"
    assert Score.objects.get(pk=ids["score"]).capability.key == "compute-servers-create"


@pytest.mark.django_db(transaction=True)
def test_operators_admin_permissions_follow_the_moved_models():
    executor = MigrationExecutor(connection)
    try:
        apps = migrate_to_old_head(executor)
        Permission = apps.get_model("auth", "Permission")
        ContentType = apps.get_model("contenttypes", "ContentType")
        User = apps.get_model("auth", "User")
        # What Django's post_migrate made for the old models on an old database.
        grants = []
        for app_label, model in (("votes", "membership"), ("capabilities", "test")):
            kind, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            grants.append(
                Permission.objects.get_or_create(
                    content_type=kind, codename=f"change_{model}", defaults={"name": "Can change"}
                )[0]
            )
        operator = User.objects.create(username="operator", is_staff=True, password="!")
        operator.user_permissions.add(*grants)
        migrate_to_the_end(executor)

        operator = get_user_model().objects.get(username="operator")
        assert {"committee.change_seat", "guidelines.change_test"} <= operator.get_all_permissions()
        assert not ContentTypeNow.objects.filter(app_label="votes", model="membership").exists()
        assert not ContentTypeNow.objects.filter(app_label="capabilities", model="test").exists()
    finally:
        migrate_to_the_end(executor)


@pytest.mark.django_db(transaction=True)
def test_a_person_named_system_stops_the_migration_with_what_to_do():
    executor = MigrationExecutor(connection)
    try:
        apps = migrate_to_old_head(executor)
        User = apps.get_model("auth", "User")
        User.objects.filter(username=SYSTEM_USERNAME).delete()
        User.objects.create(username=SYSTEM_USERNAME, is_active=True, password="pbkdf2_sha256$x")

        with pytest.raises(RuntimeError, match="Rename that user"):
            migrate_to_the_end(executor)
        User.objects.filter(username=SYSTEM_USERNAME).update(username="sys-admin")
    finally:
        migrate_to_the_end(executor)
    assert is_system(system_actor())


@pytest.mark.django_db(transaction=True)
def test_events_the_old_code_cannot_hold_stop_a_migration_back_with_why():
    from guidelines.models import Guideline, GuidelineEvent

    guideline = Guideline.objects.create(key="next", schema="2.0")
    GuidelineEvent.objects.create(
        guideline=guideline,
        kind="status_changed",
        channel="web",
        actor=system_actor(),
        summary="Open for review: draft -> review",
    )
    executor = MigrationExecutor(connection)
    try:
        with pytest.raises(RuntimeError, match="cannot migrate guidelines back before 0007"):
            executor.migrate([("guidelines", "0006_document_part_tables_renamed")])
        executor.loader.build_graph()
        assert GuidelineEvent.objects.filter(kind="status_changed").count() == 1
    finally:
        migrate_to_the_end(executor)


def test_import_events_keep_the_files_name_not_the_servers_path():
    """guidelines/migrations/0009: events are public; a server path must not stay in them."""
    executor = MigrationExecutor(connection)
    before = [("guidelines", "0008_part_permissions_follow")]
    executor.migrate(before)
    executor.loader.build_graph()
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("auth", "User")
    Guideline = apps.get_model("guidelines", "Guideline")
    Event = apps.get_model("guidelines", "GuidelineEvent")
    actor = User.objects.create(username="operator")
    guideline = Guideline.objects.create(key="2026.06", schema="2.0")
    with_path = Event.objects.create(
        guideline=guideline,
        kind="imported",
        channel="import",
        actor=actor,
        data={"filename": "/srv/private/interop/2026.06.json", "sha256": "ab"},
    )
    plain = Event.objects.create(
        guideline=guideline,
        kind="imported",
        channel="import",
        actor=actor,
        data={"filename": "next.json"},
    )
    other = Event.objects.create(
        guideline=guideline, kind="test_flagged", channel="web", actor=actor, data={}
    )

    migrate_to_the_end(executor)

    assert GuidelineEvent.objects.get(pk=with_path.pk).data == {
        "filename": "2026.06.json",
        "sha256": "ab",
    }
    assert GuidelineEvent.objects.get(pk=plain.pk).data == {"filename": "next.json"}
    assert GuidelineEvent.objects.get(pk=other.pk).data == {}
