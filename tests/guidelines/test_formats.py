"""Every schema generation and the quirks of the committee's files.

The importer is written for the schemas, not for the shared files: the
committee has guidelines of every generation (1.2 to 2.0), DNS add-ons, the
NFV vertical. The project's own documents (tests/data/guidelines, one per
generation, invented content) go in and come out exactly; their documented
quirks (DOMAIN.md section 1) are rebuilt here on those documents, and each must
come back exactly too. Fidelity to the committee's real files is in
test_real_guidelines.py.
"""

import copy
import hashlib
import json

import pytest
from django.db.models import Q
from jsonschema import Draft202012Validator

from committee.system import system_actor
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.schemas import schema_for
from guidelines.interop_format.specs import GENERATIONS
from guidelines.models import (
    Capability,
    ComponentEntry,
    Criterion,
    EntryKind,
    Guideline,
    GuidelineEvent,
    Program,
    Test,
)
from guidelines.services import guideline_start_draft

from .helpers import (
    BY_GENERATION,
    DATA,
    export,
    import_doc,
    import_file,
    project_doc,
    project_path,
    with_draft_metadata,
)

pytestmark = pytest.mark.django_db

PROJECT = sorted(path.name.removesuffix(".json") for path in DATA.glob("*.json"))


@pytest.fixture
def doc_of():
    return project_doc


def first_test(doc, capability=None):
    caps = doc["capabilities"]
    cap = caps[capability or next(iter(caps))]
    name = next(iter(cap["tests"]))
    return cap, name, cap["tests"][name]


def warnings_text(result):
    return "\n".join(f"{where}: {message}" for where, message in result.warnings)


# The project's own documents, one per generation: each comes back exactly.


def test_there_is_a_document_for_every_generation():
    assert sorted(BY_GENERATION) == sorted(GENERATIONS)
    for version, key in BY_GENERATION.items():
        doc = project_doc(key)
        assert doc.get("schema", doc.get("metadata", {}).get("schema")) == version


@pytest.mark.parametrize("key", PROJECT)
def test_export_gives_back_each_project_document(key):
    path = project_path(key)

    result = import_file(path)

    assert result.outcome == "created"
    assert export(result.guideline) == json.loads(path.read_bytes())


@pytest.mark.parametrize("version", sorted(BY_GENERATION))
def test_each_generation_document_imports_as_its_generation(version):
    result = import_file(project_path(BY_GENERATION[version]))

    assert result.guideline.schema == version
    if version != "2.0":
        # Written to each generation's schema: nothing to report.
        assert result.warnings == []


@pytest.mark.parametrize("key", PROJECT)
def test_a_draft_of_each_document_exports_as_its_source_with_only_the_draft_metadata(key):
    source = import_file(project_path(key)).guideline

    draft = guideline_start_draft(source=source, name=f"{key}-draft", actor=system_actor())

    written = project_doc(key)
    assert draft.status == "draft"
    assert export(draft) == with_draft_metadata(written, name=f"{key}-draft", replaces=key)
    assert export(Guideline.objects.get(key=key)) == written


# Counted as DOMAIN.md section 5 counts (count.py): components R/A/D/X, caps, tests,
# uniq, flagged, reqC, reqT, reqF. Worked out by hand from the documents.
PROJECT_COUNTS = {
    "2021.01": ({"compute": (4, 2, 0, 1), "object": (1, 2, 0, 0)}, 9, 14, 14, 2, 5, 10, 2),
    "2021.06": ({"compute": (6, 1, 0, 0), "object": (2, 1, 0, 0)}, 9, 13, 13, 1, 8, 12, 1),
    "2022.01": ({"compute": (8, 0, 0, 0), "object": (3, 0, 0, 0)}, 10, 15, 15, 1, 10, 15, 1),
    "2022.06": ({"compute": (6, 3, 1, 1), "object": (3, 0, 0, 0)}, 13, 19, 19, 1, 8, 13, 1),
    "2023.01": ({"compute": (9, 1, 0, 1), "object": (3, 0, 0, 0)}, 13, 19, 19, 1, 11, 17, 1),
    "2023.06": (
        {"os_powered_compute": (11, 1, 0, 1), "os_powered_storage": (3, 0, 0, 0)},
        15,
        22,
        22,
        2,
        13,
        19,
        2,
    ),
    "2024.01": (
        {"os_powered_compute": (10, 0, 0, 0), "os_powered_storage": (3, 0, 0, 0)},
        13,
        19,
        19,
        3,
        12,
        18,
        3,
    ),
    "next": (
        {"os_powered_compute": (7, 3, 0, 2), "os_powered_storage": (2, 1, 0, 0)},
        13,
        19,
        19,
        3,
        9,
        13,
        3,
    ),
    "orchestration.2024.01": ({"os_powered_orchestration": (3, 0, 0, 0)}, 3, 5, 5, 0, 3, 5, 0),
}


def test_every_project_document_is_counted():
    assert sorted(PROJECT_COUNTS) == PROJECT


@pytest.mark.parametrize("key", sorted(PROJECT_COUNTS))
def test_counts_after_import_match_the_documents(key):
    guideline = import_file(project_path(key)).guideline
    components, caps, tests, uniq, flagged, req_c, req_t, req_f = PROJECT_COUNTS[key]

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


def test_reimporting_the_same_document_changes_nothing():
    first = import_file(project_path("2024.01"))
    ids = set(Test.objects.values_list("id", flat=True))

    again = import_file(project_path("2024.01"))

    assert again.outcome == "unchanged"
    assert again.guideline.pk == first.guideline.pk
    assert set(Test.objects.values_list("id", flat=True)) == ids
    assert GuidelineEvent.objects.count() == 1


def test_the_2_0_quirks_survive_and_are_reported():
    result = import_file(project_path("2024.01"))
    warnings = dict(result.warnings)
    flavors = Capability.objects.get(guideline=result.guideline, key="compute-flavors-list")
    image_import = Capability.objects.get(guideline=result.guideline, key="images-v2-import")

    # Typo keys are kept verbatim and reported with a suggestion (DOMAIN.md section 1).
    assert flavors.extra == {"descriptin": "List and show flavors"}
    assert flavors.description is None
    assert "did you mean 'description'" in warnings["/capabilities/compute-flavors-list/descriptin"]
    assert "acheivements" in image_import.extra
    assert image_import.achievements is None
    assert (
        "not among the criteria: ''" in warnings["/capabilities/compute-flavors-list/achievements"]
    )
    assert [m for w, m in result.warnings if w == "/capabilities/images-v2-import"] == [
        "capability is defined but not listed in any component",
        "'achievements' is a required property (schema 2.0)",
    ]
    # 2.0 writes the cut-off as a number.
    assert result.guideline.cutoff_score == 74


def test_mixed_required_since_spellings_are_both_understood():
    guideline = import_file(project_path("2023.06")).guideline
    caps = Capability.objects.filter(guideline=guideline)

    # 2023.06 spells it required-since for 7 capabilities, required_since for 8.
    dashed = [c for c in caps if "required-since" in c.layout[""]]
    underscored = [c for c in caps if "required_since" in c.layout[""]]
    assert (len(dashed), len(underscored)) == (7, 8)
    assert all(c.required_since is not None for c in dashed + underscored)
    assert Capability.objects.get(guideline=guideline, key="networks-list").required_since == (
        "2023.06"
    )


def test_schema_1x_cutoff_is_read_from_a_string():
    guideline = import_file(project_path("2023.01")).guideline

    assert guideline.cutoff_score == 74
    assert guideline.extra == {}
    assert export(guideline)["cutoff_score"] == "74"


def test_capabilities_listed_but_not_defined_are_kept():
    result = import_file(project_path("next"))
    removed = ComponentEntry.objects.filter(
        component__guideline=result.guideline, status="removed"
    ).values_list("name", flat=True)
    defined = set(
        Capability.objects.filter(guideline=result.guideline).values_list("key", flat=True)
    )

    assert [name for name in removed if name not in defined] == [
        "volumes-v2-list",
        "volumes-v2-create-delete",
    ]
    assert sum("but not defined" in message for _, message in result.warnings) == 2


def test_schema_1_2_flagged_lists_mark_their_tests():
    guideline = import_file(project_path("2021.01")).guideline

    flagged = Test.objects.filter(capability__guideline=guideline, is_flagged=True)
    assert sorted(flagged.values_list("name", flat=True)) == sorted(
        name for cap in project_doc("2021.01")["capabilities"].values() for name in cap["flagged"]
    )
    assert flagged.count() == 2
    # Tests keep their list order.
    auth = Capability.objects.get(guideline=guideline, key="compute-auth")
    assert [t.name for t in auth.tests.order_by("position")] == [
        "tempest.api.compute.test_authorization.AuthorizationTestJSON"
        ".test_get_server_for_alt_account_fails",
        "tempest.api.compute.test_authorization.AuthorizationTestJSON"
        ".test_create_server_fails_when_tenant_incorrect",
    ]
    assert [t.is_flagged for t in auth.tests.order_by("position")] == [False, True]


def test_the_test_list_of_a_component_status_is_queryable():
    """A capability's status belongs to (guideline, component, capability)."""
    guideline = import_file(project_path("2024.01")).guideline

    both = (
        ComponentEntry.objects.filter(component__guideline=guideline, status="required")
        .values("name")
        .filter(Q(component__name="os_powered_compute") | Q(component__name="os_powered_storage"))
    )
    names = [row["name"] for row in both]
    assert names.count("identity-v3-tokens-create") == 2
    assert names.count("compute-servers-list") == 1


def test_an_import_is_recorded_with_its_file_digest_and_warnings():
    path = project_path("2024.01")
    result = import_file(path)

    event = result.guideline.events.get()
    # An operator's command: the change log names the system user.
    assert (event.kind, event.channel, event.actor) == ("imported", "import", system_actor())
    assert event.summary == "Imported from 2024.01.json"
    assert event.data["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert event.data["warnings"] == [list(w) for w in result.warnings]
    assert len(event.data["warnings"]) == 6


def test_starting_a_draft_is_recorded_with_its_source():
    source = import_file(project_path("2024.01")).guideline

    draft = guideline_start_draft(source=source, actor=system_actor())

    event = draft.events.get()
    assert draft.key == "next"
    assert (event.kind, event.channel, event.data) == (
        "draft_started",
        "command",
        {"source": "2024.01"},
    )
    assert source.events.count() == 1


# Each variant turns a project document into one shaped like a file the committee
# has (or had), quirks included.
def v_2021_03_schema_1_2(doc):
    """Like 2015.05: a capability required in one component and advisory in another."""
    doc["id"] = "2021.03"
    doc["components"]["object"]["advisory"] = ["compute-auth"]
    return doc


def v_2021_06_at_approval_schema_1_3(doc):
    """Like 2015.07 at approval: admin as a string, flag for flagged."""
    cap, test, body = first_test(doc)
    cap["admin"] = "false"  # fixed in e91213e
    assert cap["status"] == "required"  # 1.3 still carried the status
    body.pop("flagged", None)
    body["flag"] = {"date": "2021-06-01", "reason": "[D404] flaky", "action": "fix"}
    return doc


def v_2022_01_suffixed_ids_schema_1_4(doc):
    """Like 2016.01: idempotent ids with suffixes (29 in 2016.01)."""
    _, _, body = first_test(doc)
    body["idempotent_id"] += ",negative"
    return doc


def v_2023_01_superceded_schema_1_6(doc):
    """Like 2017.01: 'superceded' (17 files until 02698b5), a placeholder test."""
    doc["status"] = "superceded"
    cap = next(iter(doc["capabilities"].values()))
    cap["tests"]["tempest.api.volume.NEED_TEST"] = {"idempotent_id": ""}
    return doc


def v_advisory_and_spellings_schema_2_0(doc):
    """Like 2019.06: review spelled advisory, required_since empty, missing, dashed."""
    doc["metadata"]["id"] = "2023.12"
    doc["metadata"]["os_trademark_approval"]["status"] = "advisory"  # 2.0 spelling of review
    caps = list(doc["capabilities"].values())
    caps[0]["required_since"] = ""
    del caps[1]["required_since"]
    caps[2]["required-since"] = caps[2].pop("required_since")
    doc["metadata"]["x-unknown"] = {"kept": [1, 2.5, None, True]}
    doc["unknown_top_level"] = "kept"
    return doc


def v_dns_add_on(doc):
    addon_name, component = next(iter(doc["add-ons"])), next(iter(doc["components"]))
    doc["metadata"]["id"] = "dns.2024.01"
    addon = doc["add-ons"].pop(addon_name)
    addon["components"] = [{"name": "os_powered_dns"}]
    addon["optional_platform_components"] = [{"name": "os_powered_storage", "source": "x"}]
    doc["add-ons"]["DNS"] = addon
    doc["components"]["os_powered_dns"] = doc["components"].pop(component)
    return doc


def v_nfv_vertical(doc):
    """nfv.next is shaped like a platform file and refers to another file's component."""
    doc["metadata"]["id"] = "nfv.next"
    doc["platforms"] = {
        "OpenStack Powered NFV": {
            "components": [
                {"name": "os_powered_compute", "source": "https://example.org/2023.01.json"},
                {"name": "os_nfv"},
            ]
        }
    }
    doc["components"] = {"os_nfv": {"capabilities": {"required": ["networks-list"]}}}
    return doc


VARIANTS = {
    "2021.03 (1.2)": ("2021.01", v_2021_03_schema_1_2, []),
    "2021.06 at approval (1.3)": (
        "2021.06",
        v_2021_06_at_approval_schema_1_3,
        ["'false' read as False"],
    ),
    "2022.01 with suffixed ids (1.4)": (
        "2022.01",
        v_2022_01_suffixed_ids_schema_1_4,
        ["malformed idempotent id"],
    ),
    "2023.01 superceded (1.6)": (
        "2023.01",
        v_2023_01_superceded_schema_1_6,
        ["'superceded' read as 'superseded'", "malformed idempotent id ''"],
    ),
    "2023.12 (2.0)": ("2024.01", v_advisory_and_spellings_schema_2_0, ["unknown key 'x-unknown'"]),
    "dns add-on (2.0)": ("orchestration.2024.01", v_dns_add_on, []),
    "nfv vertical (2.0)": ("2024.01", v_nfv_vertical, ["defined but not listed"]),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_other_committee_files_come_back_exactly(doc_of, variant):
    source, change, expected_warnings = VARIANTS[variant]
    doc = change(copy.deepcopy(doc_of(source)))
    assert doc != doc_of(source)

    result = import_doc(doc, key="variant")

    assert export(result.guideline) == doc
    text = warnings_text(result)
    for expected in expected_warnings:
        assert expected in text


def test_quirky_values_are_interpreted_and_kept_as_written(doc_of):
    doc = v_2021_06_at_approval_schema_1_3(copy.deepcopy(doc_of("2021.06")))
    guideline = import_doc(doc, key="2021.06").guideline
    cap_key, cap = next(iter(doc["capabilities"].items()))
    test_name = next(iter(cap["tests"]))

    capability = Capability.objects.get(guideline=guideline, key=cap_key)
    test = Test.objects.get(capability=capability, name=test_name)
    assert capability.admin is False
    assert capability.extra["admin"] == "false"
    assert test.is_flagged and test.flag_reason == "[D404] flaky"
    assert guideline.schema == "1.3"


def test_status_spellings_map_to_the_workflow(doc_of):
    superseded = import_doc(v_2023_01_superceded_schema_1_6(doc_of("2023.01")), key="a").guideline
    review = import_doc(v_advisory_and_spellings_schema_2_0(doc_of("2024.01")), key="b").guideline

    assert superseded.status == "superseded"
    assert review.status == "review"
    assert export(review)["metadata"]["os_trademark_approval"]["status"] == "advisory"


def test_criteria_listed_by_name_are_kept_as_a_list(doc_of):
    doc = doc_of("orchestration.2024.01")
    doc["metadata"]["scoring"]["criteria"] = ["atomic", "clients", "doc"]

    result = import_doc(doc, key="orchestration.2024.01")

    assert list(Criterion.objects.values_list("key", "weight")) == [
        ("atomic", None),
        ("clients", None),
        ("doc", None),
    ]
    assert export(result.guideline) == doc
    assert "listed by name, without weights" in warnings_text(result)


def test_a_missing_status_stays_missing(doc_of):
    doc = doc_of("orchestration.2024.01")
    del doc["metadata"]["os_trademark_approval"]

    guideline = import_doc(doc, key="independent").guideline

    assert guideline.status == "draft"  # what the application treats it as
    assert "os_trademark_approval" not in export(guideline)["metadata"]


def test_tests_written_in_the_other_form_are_kept(doc_of):
    doc = doc_of("2022.06")
    cap = next(iter(doc["capabilities"].values()))
    cap["tests"] = list(cap["tests"])

    result = import_doc(doc, key="mixed")

    assert export(result.guideline) == doc
    assert "writes tests as an object keyed by name" in warnings_text(result)


def test_a_changed_field_drops_its_verbatim_copy(doc_of):
    doc = v_2021_06_at_approval_schema_1_3(doc_of("2021.06"))
    guideline = import_doc(doc, key="2021.06").guideline
    capability = Capability.objects.get(guideline=guideline, key=next(iter(doc["capabilities"])))

    field_set(capability, GENERATIONS["1.3"].capability, "admin", True)
    capability.save()

    assert export(guideline)["capabilities"][capability.key]["admin"] is True


def test_a_field_set_on_a_row_that_lacked_it_is_written(doc_of):
    doc = doc_of("orchestration.2024.01")
    del doc["metadata"]["os_trademark_approval"]
    guideline = import_doc(doc, key="independent").guideline

    field_set(guideline, GENERATIONS["2.0"].guideline, "replaces", "orchestration.2023.06")
    guideline.save()

    assert export(guideline)["metadata"]["os_trademark_approval"] == {
        "replaces": "orchestration.2023.06"
    }


def test_the_1x_platform_is_one_unnamed_program(doc_of):
    guideline = import_doc(doc_of("2023.01"), key="2023.01").guideline

    program = Program.objects.get(guideline=guideline)
    assert program.name == ""
    assert list(program.components.values_list("status", "name")) == [
        ("required", "compute"),
        ("required", "object"),
    ]


def test_guideline_family_groups_add_ons():
    names = {"2020.06": "", "next": "", "2015.next": "", "orchestration.next": "orchestration"}
    for key, family in names.items():
        assert Guideline(key=key).family == family


@pytest.mark.parametrize("version", sorted(GENERATIONS))
def test_each_generation_has_a_valid_json_schema(version):
    Draft202012Validator.check_schema(schema_for(version))


def test_schema_violations_are_reported_with_their_place(doc_of):
    doc = doc_of("2024.01")
    caps = doc["capabilities"]
    del caps["compute-servers-list"]["project"]
    caps["networks-list"]["required_since"] = "2023.13"
    cap, name, body = first_test(doc, "images-v2-list")
    body["flagged"]["reason"] = "flaky on some clouds"
    doc["metadata"]["os_trademark_approval"]["releases"].append("Bobcat")

    warnings = dict(import_doc(doc, key="2024.01").warnings)

    assert warnings["/capabilities/compute-servers-list"] == (
        "'project' is a required property (schema 2.0)"
    )
    assert (
        "'2023.13' is not a guideline id (YYYY.MM)"
        in warnings["/capabilities/networks-list/required_since"]
    )
    assert (
        "starting with its flag type, e.g. [D404]"
        in warnings[f"/capabilities/images-v2-list/tests/{name}/flagged/reason"]
    )
    assert (
        "'Bobcat' is not a release name in lower case"
        in warnings["/metadata/os_trademark_approval/releases/3"]
    )


def test_what_the_committee_does_on_purpose_is_not_a_violation(doc_of):
    """'' for a capability that is not required (d096a9f), [D40x] reasons (D309)."""
    doc = doc_of("2024.01")
    doc["capabilities"]["networks-list"]["required_since"] = ""
    _, name, body = first_test(doc, "images-v2-list")
    body["flagged"]["reason"] = "[D404] flaky on some clouds"

    warnings = dict(import_doc(doc, key="2024.01").warnings)

    assert "/capabilities/networks-list/required_since" not in warnings
    assert f"/capabilities/images-v2-list/tests/{name}/flagged/reason" not in warnings
    # The document's own quirks are still reported.
    assert "/capabilities/compute-flavors-list/descriptin" in warnings


def test_a_value_kept_verbatim_is_reported_once(doc_of):
    result = import_doc(v_2023_01_superceded_schema_1_6(doc_of("2023.01")), key="2023.01")

    assert [w for w, _ in result.warnings].count("/status") == 1
