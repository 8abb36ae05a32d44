"""The committee's real files: every one imports, exports as the same JSON value,
and its counts match ../shared/docs/DOMAIN.md section 5."""

import hashlib
import json

import pytest
from django.db.models import Q

from committee.system import system_actor
from guidelines.models import Capability, ComponentEntry, EntryKind, Guideline, GuidelineEvent, Test
from guidelines.services import guideline_start_draft

from .helpers import export, import_file, with_draft_metadata

pytestmark = pytest.mark.django_db

REAL = [
    "2015.03",
    "2015.07",
    "2016.08",
    "2018.02",
    "2020.06",
    "next",
    "orchestration.2020.06",
    "orchestration.next",
]


@pytest.mark.parametrize("key", REAL)
def test_export_gives_back_the_imported_file(real_files, key):
    path = real_files[key]
    result = import_file(path)

    assert result.outcome == "created"
    assert export(result.guideline) == json.loads(path.read_bytes())


def test_every_file_in_the_shared_folders_is_covered(real_files):
    assert sorted(real_files) == sorted(REAL)


@pytest.mark.parametrize("key", REAL)
def test_a_draft_exports_as_its_source_with_only_the_draft_metadata_changed(real_files, key):
    source = import_file(real_files[key]).guideline
    draft = guideline_start_draft(source=source, name=f"{key}-draft", actor=system_actor())

    expected = with_draft_metadata(
        json.loads(real_files[key].read_bytes()), name=f"{key}-draft", replaces=key
    )
    assert draft.status == "draft"
    assert export(draft) == expected
    # The source is untouched.
    assert export(Guideline.objects.get(key=key)) == json.loads(real_files[key].read_bytes())


# DOMAIN.md section 5: components R/A/D/X, caps, tests, uniq, flagged, reqC, reqT, reqF.
COUNTS = {
    "2015.03": ({"compute": (9, 2, 0, 3), "object": (1, 0, 0, 0)}, 15, 127, 127, 9, 10, 127, 9),
    "2015.07": ({"compute": (37, 0, 0, 0), "object": (11, 0, 0, 0)}, 46, 129, 129, 31, 46, 129, 31),
    "2016.08": ({"compute": (48, 3, 8, 2), "object": (9, 7, 1, 1)}, 78, 306, 306, 49, 56, 228, 17),
    "2018.02": (
        {"os_powered_compute": (68, 3, 0, 2), "os_powered_storage": (17, 2, 0, 0)},
        91,
        350,
        293,
        20,
        84,
        337,
        20,
    ),
    "2020.06": (
        {"os_powered_compute": (60, 0, 0, 0), "os_powered_storage": (20, 0, 0, 0)},
        79,
        289,
        287,
        11,
        78,
        286,
        11,
    ),
    "next": (
        {"os_powered_compute": (57, 3, 0, 14), "os_powered_storage": (19, 1, 0, 0)},
        79,
        289,
        287,
        11,
        75,
        283,
        11,
    ),
    "orchestration.2020.06": (
        {"os_powered_orchestration": (23, 0, 0, 0)},
        23,
        60,
        60,
        0,
        23,
        60,
        0,
    ),
    "orchestration.next": (
        {"os_powered_orchestration": (0, 16, 0, 0)},
        18,
        24,
        24,
        0,
        0,
        0,
        0,
    ),
}


@pytest.mark.parametrize("key", sorted(COUNTS))
def test_counts_after_import_match_the_domain_notes(real_files, key):
    guideline = import_file(real_files[key]).guideline
    components, caps, tests, uniq, flagged, req_c, req_t, req_f = COUNTS[key]

    entries = ComponentEntry.objects.filter(
        component__guideline=guideline, kind=EntryKind.CAPABILITY
    )
    for component, expected in components.items():
        got = tuple(
            entries.filter(component__name=component, status=status).count()
            for status in ("required", "advisory", "deprecated", "removed")
        )
        assert got == expected, component
    all_tests = Test.objects.filter(capability__guideline=guideline)
    assert Capability.objects.filter(guideline=guideline).count() == caps
    assert all_tests.count() == tests
    assert all_tests.values("name").distinct().count() == uniq
    assert all_tests.filter(is_flagged=True).count() == flagged

    required = set(entries.filter(status="required").values_list("name", flat=True))
    required_tests = all_tests.filter(capability__key__in=required)
    assert len(required) == req_c
    assert required_tests.count() == req_t
    assert required_tests.filter(is_flagged=True).count() == req_f


def test_reimporting_the_same_file_changes_nothing(real_files):
    first = import_file(real_files["2020.06"])
    ids = set(Test.objects.values_list("id", flat=True))

    again = import_file(real_files["2020.06"])

    assert again.outcome == "unchanged"
    assert again.guideline.pk == first.guideline.pk
    assert set(Test.objects.values_list("id", flat=True)) == ids
    assert GuidelineEvent.objects.count() == 1


def test_the_quirks_of_the_real_files_survive_and_are_reported(real_files):
    result = import_file(real_files["2020.06"])
    warnings = dict(result.warnings)
    tokens_delete = Capability.objects.get(
        guideline=result.guideline, key="identity-v3-tokens-delete"
    )
    slo = Capability.objects.get(guideline=result.guideline, key="objectstore-slo-support")

    # Typo keys are kept verbatim and reported with a suggestion.
    assert tokens_delete.extra == {"descriptin": "Delete (revoke) identity token API"}
    assert (
        "did you mean 'description'"
        in warnings["/capabilities/identity-v3-tokens-delete/descriptin"]
    )
    assert "acheivements" in slo.extra
    assert slo.achievements is None
    assert (
        "not among the criteria: ''"
        in warnings["/capabilities/identity-v3-tokens-delete/achievements"]
    )
    assert "defined but not listed" in warnings["/capabilities/images-v2-import"]
    # 2.0 writes the cut-off as a number.
    assert result.guideline.cutoff_score == 74


def test_mixed_required_since_spellings_are_both_understood(real_files):
    guideline = import_file(real_files["2018.02"]).guideline
    caps = Capability.objects.filter(guideline=guideline)

    # 75 capabilities say required-since, 15 required_since (DOMAIN.md section 1).
    dashed = [c for c in caps if "required-since" in c.layout[""]]
    underscored = [c for c in caps if "required_since" in c.layout[""]]
    assert (len(dashed), len(underscored)) == (75, 15)
    assert all(c.required_since is not None for c in dashed + underscored)


def test_schema_1x_cutoff_is_read_from_a_string(real_files):
    guideline = import_file(real_files["2016.08"]).guideline

    assert guideline.cutoff_score == 74
    assert guideline.extra == {}
    assert export(guideline)["cutoff_score"] == "74"


def test_capabilities_listed_but_not_defined_are_kept(real_files):
    result = import_file(real_files["next"])
    removed = ComponentEntry.objects.filter(
        component__guideline=result.guideline, status="removed"
    ).values_list("name", flat=True)
    defined = set(
        Capability.objects.filter(guideline=result.guideline).values_list("key", flat=True)
    )

    undefined = [name for name in removed if name not in defined]
    assert len(undefined) == 14
    assert sum("but not defined" in message for _, message in result.warnings) == 14


def test_schema_1_2_flagged_lists_mark_their_tests(real_files):
    guideline = import_file(real_files["2015.03"]).guideline

    flagged = Test.objects.filter(capability__guideline=guideline, is_flagged=True)
    assert flagged.count() == 9
    # Tests keep their list order.
    first = Capability.objects.get(guideline=guideline, key="compute-images")
    assert (
        first.tests.order_by("position")
        .first()
        .name.endswith("test_list_images_filter_by_server_id")
    )


def test_the_test_list_of_a_component_status_is_queryable(real_files):
    """A capability's status belongs to (guideline, component, capability)."""
    guideline = import_file(real_files["2020.06"]).guideline

    both = (
        ComponentEntry.objects.filter(component__guideline=guideline, status="required")
        .values("name")
        .filter(Q(component__name="os_powered_compute") | Q(component__name="os_powered_storage"))
    )
    names = [row["name"] for row in both]
    assert names.count("identity-v3-tokens-create") == 2


def test_an_import_is_recorded_with_its_file_digest_and_warnings(real_files):
    path = real_files["2020.06"]
    result = import_file(path)

    event = result.guideline.events.get()
    # An operator's command: the change log names the system user.
    assert (event.kind, event.channel, event.actor) == ("imported", "import", system_actor())
    assert event.summary == "Imported from 2020.06.json"
    assert event.data["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert event.data["warnings"] == [list(w) for w in result.warnings]


def test_starting_a_draft_is_recorded_with_its_source(real_files):
    source = import_file(real_files["2020.06"]).guideline

    draft = guideline_start_draft(source=source, actor=system_actor())

    event = draft.events.get()
    assert (event.kind, event.channel, event.data) == (
        "draft_started",
        "command",
        {"source": "2020.06"},
    )
    assert source.events.count() == 1
