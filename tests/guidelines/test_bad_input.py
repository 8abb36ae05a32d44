"""Bad input gets a clear error that says what and where, and stores nothing."""

import json

import pytest

from guidelines import bulk
from guidelines.errors import GuidelineError
from guidelines.interop_format.reader import FormatError
from guidelines.models import Capability, Criterion, Guideline, GuidelineEvent, Test

from .helpers import export, import_doc, project_doc

pytestmark = pytest.mark.django_db


def assert_nothing_stored():
    assert Guideline.objects.count() == 0
    assert Capability.objects.count() == 0
    assert Test.objects.count() == 0
    assert Criterion.objects.count() == 0
    assert GuidelineEvent.objects.count() == 0


def minimal_2x(**capability):
    return {
        "metadata": {"id": "x", "schema": "2.0", "reference": "r", "source": "s"},
        "components": {"c": {"capabilities": {"required": ["cap"]}}},
        "capabilities": {"cap": {"tests": {}, **capability}},
        "designated_sections": {},
        "test_repositories": {},
    }


@pytest.mark.parametrize(
    "raw, where, message",
    [
        (b"", "", "the file is empty"),
        (b"  \n\t\n", "", "the file is empty"),
        (b'{"schema": "1.2",\n "id": "x",\n}', "line 3, column 1", "invalid JSON"),
        (b'{"id": "unclosed}', "line 1, column 8", "invalid JSON"),
        (b"[1, 2]", "/", "a guideline is a JSON object, not a list"),
        (b'"a string"', "/", "a guideline is a JSON object, not a string"),
        (b'{"id": "2020.06"}', "/", "not a guideline: no 'schema'"),
        (b"\xff\xfe{}", "byte 0", "not UTF-8"),
        # A repeated key is read as json.load reads it (tests/test_robustness.py):
        # here the last value is an unknown schema.
        (b'{"schema": "1.2", "schema": "9.9"}', "/schema", "unknown schema generation '9.9'"),
        # Values no database stores: refused before anything is written.
        (b'{"schema": "1.2", "a": {"b": ["\\ud800"]}}', "/a/b/0", "\\ud800 is half of a"),
        (b'{"schema": "1.2", "\\udc00": 1}', "/", "\\udc00 is half of a"),
        (b'{"schema": "1.2", "cutoff_score": 1e400}', "", "1e400 is too large a number"),
        (b'{"schema": "1.2", "cutoff_score": -Infinity}', "", "-Infinity is not a JSON number"),
    ],
)
def test_unreadable_files_are_refused_with_the_place_of_the_fault(raw, where, message):
    with pytest.raises(FormatError) as caught:
        import_doc(raw, key="bad")

    assert caught.value.where == where
    assert message in str(caught.value)
    assert_nothing_stored()


@pytest.mark.parametrize("schema", ["3.0", "1.1", "1.0", 2.0, None])
def test_an_unknown_schema_generation_is_refused(schema):
    doc = minimal_2x()
    doc["metadata"]["schema"] = schema

    with pytest.raises(FormatError) as caught:
        import_doc(doc, key="bad")

    assert caught.value.where == "/metadata/schema"
    assert f"unknown schema generation {schema!r}" in str(caught.value)
    assert "supported: 1.2, 1.3, 1.4, 1.5, 1.6, 2.0" in str(caught.value)
    assert_nothing_stored()


def test_a_1x_schema_in_2x_metadata_is_refused():
    doc = minimal_2x()
    doc["metadata"]["schema"] = "1.6"

    with pytest.raises(FormatError, match="unknown schema generation '1.6'"):
        import_doc(doc, key="bad")


@pytest.mark.parametrize("tests", ["tempest.api.x", 42, None, True])
def test_tests_that_are_neither_a_list_nor_an_object_are_refused(tests):
    doc = minimal_2x(tests=tests)

    with pytest.raises(FormatError) as caught:
        import_doc(doc, key="bad")

    assert caught.value.where == "/capabilities/cap/tests"
    assert "a list of names or an object keyed by name" in str(caught.value)
    assert_nothing_stored()


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda d: d.update(capabilities=[]), "/capabilities"),
        (lambda d: d.pop("capabilities"), "/"),
        (lambda d: d["capabilities"].update(cap="text"), "/capabilities/cap"),
        (lambda d: d["capabilities"]["cap"]["tests"].update(t="id-1"), "/capabilities/cap/tests/t"),
        (lambda d: d.update(components={"c": []}), "/components/c"),
        (
            lambda d: d["components"]["c"]["capabilities"].update(required="cap"),
            "/components/c/capabilities/required",
        ),
        (lambda d: d["capabilities"]["cap"].update(tests=["a", 1]), "/capabilities/cap/tests/1"),
    ],
)
def test_capabilities_tests_and_components_of_the_wrong_shape_are_refused(change, where):
    doc = minimal_2x()
    change(doc)

    with pytest.raises(FormatError) as caught:
        import_doc(doc, key="bad")

    assert caught.value.where == where
    assert_nothing_stored()


LONG = "n" * 2001
WIDE = "é" * 1001  # 2,002 bytes in UTF-8


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda d: d["capabilities"].update({LONG: {"tests": {}}}), "/capabilities/" + LONG[:40]),
        (lambda d: d["capabilities"]["cap"]["tests"].update({WIDE: {}}), "/capabilities/cap/tests"),
        (
            lambda d: d["capabilities"]["cap"]["tests"].update(t={"idempotent_id": LONG}),
            "/capabilities/cap/tests/t",
        ),
        (lambda d: d["components"]["c"]["capabilities"]["required"].append(LONG), "/components/c"),
        (lambda d: d["test_repositories"].update({LONG: {}}), "/test_repositories/" + LONG[:40]),
    ],
)
def test_names_too_long_to_store_are_refused_with_their_place(change, where):
    # PostgreSQL indexes at most 2,704 bytes a row: such a name failed at the INSERT.
    doc = minimal_2x()
    change(doc)

    with pytest.raises(FormatError) as caught:
        import_doc(doc, key="bad")

    assert caught.value.where == where
    assert "stored and indexed up to 2,000 bytes" in str(caught.value)
    assert_nothing_stored()


def test_names_up_to_the_limit_are_stored():
    doc = minimal_2x()
    doc["capabilities"]["cap"]["tests"] = {"é" * 1000: {"idempotent_id": "n" * 2000}}
    import_doc(doc, key="long")
    assert Test.objects.get().name == "é" * 1000


def test_a_fault_late_in_a_large_file_leaves_nothing_behind():
    doc = project_doc("2024.01")
    last = list(doc["capabilities"])[-1]
    doc["capabilities"][last]["tests"] = "broken"

    with pytest.raises(FormatError, match=f"/capabilities/{last}/tests"):
        import_doc(doc, key="2024.01")
    assert_nothing_stored()


def test_a_database_failure_midway_rolls_the_whole_file_back(monkeypatch):
    real_insert = bulk.insert

    def fail(model, columns, rows):
        if model is Test:  # the capabilities are in by now
            raise RuntimeError("disk full")
        real_insert(model, columns, rows)

    monkeypatch.setattr(bulk, "insert", fail)

    with pytest.raises(RuntimeError, match="disk full"):
        import_doc(project_doc("2024.01"), key="2024.01")
    assert_nothing_stored()


def test_a_different_document_under_an_existing_name_is_refused_unless_replacing():
    # A draft: a published guideline is never replaced (test_published_immutability).
    original = project_doc("next")
    first = import_doc(original, key="next").guideline
    changed = json.loads(json.dumps(original))
    changed["metadata"]["os_trademark_approval"]["releases"].append("2024.2")
    del changed["capabilities"]["images-v2-import"]

    with pytest.raises(GuidelineError, match="already exists with different content"):
        import_doc(changed, key="next")
    assert export(Guideline.objects.get(key="next")) == original
    assert Capability.objects.count() == 13

    replaced = import_doc(changed, key="next", replace=True)
    assert replaced.outcome == "replaced"
    assert replaced.guideline.pk == first.pk
    assert export(Guideline.objects.get(key="next")) == changed
    assert Capability.objects.count() == 12
    assert list(GuidelineEvent.objects.values_list("kind", flat=True)) == [
        "replaced",
        "imported",
    ]


@pytest.mark.parametrize("key", ["", "../etc/passwd", "a b", ".hidden", "x" * 101])
def test_unusable_guideline_names_are_refused(key):
    with pytest.raises(GuidelineError, match="not a usable guideline name"):
        import_doc(minimal_2x(), key=key)
    assert_nothing_stored()
