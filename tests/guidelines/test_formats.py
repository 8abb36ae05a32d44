"""Every schema generation and the quirks of the committee's other files.

The importer is written for the schemas, not for the shared files: the
committee has guidelines of every generation (2015.04 ... 2019.11, DNS
add-ons, the NFV vertical). Their documented quirks (DOMAIN.md section 1) are
rebuilt here from the real files, and each must come back exactly.
"""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from guidelines.interop_format.fields import field_set
from guidelines.interop_format.schemas import schema_for
from guidelines.interop_format.specs import GENERATIONS
from guidelines.models import Capability, Criterion, Guideline, Program, Test

from .helpers import export, import_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc_of(real_files):
    def load(key):
        return json.loads(real_files[key].read_bytes())

    return load


def first_test(doc, capability=None):
    caps = doc["capabilities"]
    cap = caps[capability or next(iter(caps))]
    name = next(iter(cap["tests"]))
    return cap, name, cap["tests"][name]


def warnings_text(result):
    return "\n".join(f"{where}: {message}" for where, message in result.warnings)


# Each variant turns a real file into one the committee has (or had).
def v_2015_05_schema_1_2(doc):
    doc["id"] = "2015.05"
    doc["components"]["object"]["advisory"] = ["compute-auth"]
    return doc


def v_2015_07_at_approval_schema_1_3(doc):
    doc["schema"] = "1.3"
    for name in ("target_approval",):
        doc.pop(name)
    cap, test, body = first_test(doc)
    cap["admin"] = "false"  # fixed in e91213e
    cap["status"] = "required"  # 1.3 still carried the status
    body.pop("flagged", None)
    body["flag"] = {"date": "2015-07-01", "reason": "[D404] flaky", "action": "fix"}
    return doc


def v_2016_01_schema_1_4(doc):
    doc["schema"] = "1.4"
    doc["id"] = "2016.01"
    doc["cutoff_score"] = "74"
    _, _, body = first_test(doc)
    body["idempotent_id"] += ",negative"  # 29 such suffixes in 2016.01
    return doc


def v_2017_01_schema_1_6(doc):
    doc["id"] = "2017.01"
    doc["status"] = "superceded"  # in 17 files until 02698b5
    cap = next(iter(doc["capabilities"].values()))
    cap["tests"]["tempest.api.volume.NEED_TEST"] = {"idempotent_id": ""}
    return doc


def v_2019_06_schema_2_0(doc):
    doc["metadata"]["id"] = "2019.06"
    doc["metadata"]["os_trademark_approval"]["status"] = "advisory"  # 2.0 spelling of review
    caps = list(doc["capabilities"].values())
    caps[0]["required_since"] = ""
    del caps[1]["required_since"]
    caps[2]["required-since"] = caps[2].pop("required_since")
    doc["metadata"]["x-unknown"] = {"kept": [1, 2.5, None, True]}
    doc["unknown_top_level"] = "kept"
    return doc


def v_dns_add_on(doc):
    doc["metadata"]["id"] = "dns.2020.06"
    addon = doc["add-ons"].pop("Orchestration")
    addon["components"] = [{"name": "os_powered_dns"}]
    addon["optional_platform_components"] = [{"name": "os_powered_storage", "source": "x"}]
    doc["add-ons"]["DNS"] = addon
    doc["components"]["os_powered_dns"] = doc["components"].pop("os_powered_orchestration")
    return doc


def v_nfv_vertical(doc):
    """nfv.next is shaped like a platform file and refers to another file's component."""
    doc["metadata"]["id"] = "nfv.next"
    doc["platforms"] = {
        "OpenStack Powered NFV": {
            "components": [
                {"name": "os_powered_compute", "source": "https://example.org/2017.09.json"},
                {"name": "os_nfv"},
            ]
        }
    }
    doc["components"] = {"os_nfv": {"capabilities": {"required": ["bgpvpn-crud"]}}}
    return doc


VARIANTS = {
    "2015.05 (1.2)": ("2015.03", v_2015_05_schema_1_2, []),
    "2015.07 at approval (1.3)": (
        "2015.07",
        v_2015_07_at_approval_schema_1_3,
        ["'false' read as False"],
    ),
    "2016.01 (1.4)": ("2015.07", v_2016_01_schema_1_4, ["malformed idempotent id"]),
    "2017.01 (1.6)": (
        "2016.08",
        v_2017_01_schema_1_6,
        ["'superceded' read as 'superseded'", "malformed idempotent id ''"],
    ),
    "2019.06 (2.0)": ("2020.06", v_2019_06_schema_2_0, ["unknown key 'x-unknown'"]),
    "dns add-on (2.0)": ("orchestration.2020.06", v_dns_add_on, []),
    "nfv vertical (2.0)": ("2020.06", v_nfv_vertical, ["defined but not listed"]),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_other_committee_files_come_back_exactly(doc_of, variant):
    source, change, expected_warnings = VARIANTS[variant]
    doc = change(copy.deepcopy(doc_of(source)))

    result = import_doc(doc, key="variant")

    assert export(result.guideline) == doc
    text = warnings_text(result)
    for expected in expected_warnings:
        assert expected in text


def test_quirky_values_are_interpreted_and_kept_as_written(doc_of):
    doc = v_2015_07_at_approval_schema_1_3(copy.deepcopy(doc_of("2015.07")))
    guideline = import_doc(doc, key="2015.07").guideline
    cap_key, cap = next(iter(doc["capabilities"].items()))
    test_name = next(iter(cap["tests"]))

    capability = Capability.objects.get(guideline=guideline, key=cap_key)
    test = Test.objects.get(capability=capability, name=test_name)
    assert capability.admin is False
    assert capability.extra["admin"] == "false"
    assert test.is_flagged and test.flag_reason == "[D404] flaky"
    assert guideline.schema == "1.3"


def test_status_spellings_map_to_the_workflow(doc_of):
    superseded = import_doc(v_2017_01_schema_1_6(doc_of("2016.08")), key="a").guideline
    review = import_doc(v_2019_06_schema_2_0(doc_of("2020.06")), key="b").guideline

    assert superseded.status == "superseded"
    assert review.status == "review"
    assert export(review)["metadata"]["os_trademark_approval"]["status"] == "advisory"


def test_criteria_listed_by_name_are_kept_as_a_list(doc_of):
    doc = doc_of("orchestration.2020.06")
    doc["metadata"]["scoring"]["criteria"] = ["atomic", "clients", "doc"]

    result = import_doc(doc, key="orchestration.2020.06")

    assert list(Criterion.objects.values_list("key", "weight")) == [
        ("atomic", None),
        ("clients", None),
        ("doc", None),
    ]
    assert export(result.guideline) == doc
    assert "listed by name, without weights" in warnings_text(result)


def test_a_missing_status_stays_missing(doc_of):
    doc = doc_of("orchestration.2020.06")
    del doc["metadata"]["os_trademark_approval"]

    guideline = import_doc(doc, key="independent").guideline

    assert guideline.status == "draft"  # what the application treats it as
    assert "os_trademark_approval" not in export(guideline)["metadata"]


def test_tests_written_in_the_other_form_are_kept(doc_of):
    doc = doc_of("2015.07")
    cap = next(iter(doc["capabilities"].values()))
    cap["tests"] = list(cap["tests"])

    result = import_doc(doc, key="mixed")

    assert export(result.guideline) == doc
    assert "writes tests as an object keyed by name" in warnings_text(result)


def test_a_changed_field_drops_its_verbatim_copy(doc_of):
    doc = v_2015_07_at_approval_schema_1_3(doc_of("2015.07"))
    guideline = import_doc(doc, key="2015.07").guideline
    capability = Capability.objects.get(guideline=guideline, key=next(iter(doc["capabilities"])))

    field_set(capability, GENERATIONS["1.3"].capability, "admin", True)
    capability.save()

    assert export(guideline)["capabilities"][capability.key]["admin"] is True


def test_a_field_set_on_a_row_that_lacked_it_is_written(doc_of):
    doc = doc_of("orchestration.2020.06")
    del doc["metadata"]["os_trademark_approval"]
    guideline = import_doc(doc, key="independent").guideline

    field_set(guideline, GENERATIONS["2.0"].guideline, "replaces", "orchestration.2019.11")
    guideline.save()

    assert export(guideline)["metadata"]["os_trademark_approval"] == {
        "replaces": "orchestration.2019.11"
    }


def test_the_1x_platform_is_one_unnamed_program(doc_of):
    guideline = import_doc(doc_of("2016.08"), key="2016.08").guideline

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
    doc = doc_of("2020.06")
    caps = doc["capabilities"]
    del caps["compute-list-api-versions"]["project"]
    caps["compute-quotas-get"]["required_since"] = "2018.13"
    cap, name, body = first_test(doc, "compute-servers-resize")
    body["flagged"]["reason"] = "flaky on some clouds"
    doc["metadata"]["os_trademark_approval"]["releases"].append("Train")

    warnings = dict(import_doc(doc, key="2020.06").warnings)

    assert warnings["/capabilities/compute-list-api-versions"] == (
        "'project' is a required property (schema 2.0)"
    )
    assert (
        "'2018.13' is not a guideline id (YYYY.MM)"
        in warnings["/capabilities/compute-quotas-get/required_since"]
    )
    assert (
        "starting with its flag type, e.g. [D404]"
        in warnings[f"/capabilities/compute-servers-resize/tests/{name}/flagged/reason"]
    )
    assert (
        "'Train' is not a release name in lower case"
        in warnings["/metadata/os_trademark_approval/releases/4"]
    )


def test_what_the_committee_does_on_purpose_is_not_a_violation(doc_of):
    """'' for a capability that is not required (d096a9f), [D40x] reasons (D309)."""
    doc = doc_of("2020.06")
    doc["capabilities"]["compute-quotas-get"]["required_since"] = ""
    _, name, body = first_test(doc, "compute-servers-resize")
    body["flagged"]["reason"] = "[D404] flaky on some clouds"

    warnings = dict(import_doc(doc, key="2020.06").warnings)

    assert "/capabilities/compute-quotas-get/required_since" not in warnings
    assert f"/capabilities/compute-servers-resize/tests/{name}/flagged/reason" not in warnings


def test_a_value_kept_verbatim_is_reported_once(doc_of):
    result = import_doc(v_2017_01_schema_1_6(doc_of("2016.08")), key="2017.01")

    assert [w for w, _ in result.warnings].count("/status") == 1
