"""The fast paths for whole guidelines give exactly what the plain paths give.

guidelines/bulk.py (instances, maker, insert, cyclic_gc_paused), the write_object
fast path, the prefiltered schema validation, orjson's document bytes and the
streamed guideline_document are each compared with the code they stand in for.
"""

import copy
import gc
import hashlib
import io
import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import signals
from django.utils import timezone

from guidelines import bulk, selectors
from guidelines.interop_format import fields
from guidelines.interop_format.fields import Report
from guidelines.interop_format.reader import FormatError, parse_json, read_document
from guidelines.interop_format.schemas import _validator, _violations, schema_violations
from guidelines.interop_format.writer import write_document
from guidelines.models import Artifact, ArtifactFormat, Capability, Guideline, Test
from guidelines.selectors import (
    document_bytes,
    document_text,
    guideline_bundle,
    guideline_document_bytes,
)
from guidelines.selectors import guideline_document as streamed_document

from .helpers import BY_GENERATION, DATA, import_doc, import_file, project_doc

DEMO = Path(__file__).resolve().parents[2] / "guidelines" / "demo"
DEMO_FILES = sorted(DEMO.glob("*.json"))
PROJECT_FILES = sorted(DATA.glob("*.json"))


def ordered(value):
    """``value`` with every object as a list of pairs: equality then includes key order."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def reference_text(document) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


# -- cyclic_gc_paused -----------------------------------------------------------


@pytest.fixture
def gc_restored():
    before = gc.isenabled()
    holders = bulk._gc_holders
    yield
    # Whatever a failing test left, the other tests run with the collector as it was.
    bulk._gc_holders = holders
    (gc.enable if before else gc.disable)()


def test_cyclic_gc_paused_nests_and_overlaps_and_resumes_after_the_last(gc_restored):
    gc.enable()
    with bulk.cyclic_gc_paused():
        assert not gc.isenabled()
        with bulk.cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner exit resumed the collector under the outer"
    assert gc.isenabled()

    # Overlapping, not nested (two threads: the first to start ends first).
    first, second = bulk.cyclic_gc_paused(), bulk.cyclic_gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled(), "resumed while another holder still builds"
    second.__exit__(None, None, None)
    assert gc.isenabled()

    # An exception inside still ends the pause.
    with pytest.raises(ValueError), bulk.cyclic_gc_paused():
        raise ValueError
    assert gc.isenabled()
    assert bulk._gc_holders == 0


def test_cyclic_gc_paused_leaves_a_disabled_collector_disabled_when_nested(gc_restored):
    gc.disable()
    with bulk.cyclic_gc_paused():
        assert not gc.isenabled()
        with bulk.cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    assert not gc.isenabled(), "enabled a collector that was disabled before"


def test_cyclic_gc_paused_leaves_a_disabled_collector_disabled_when_overlapping(gc_restored):
    gc.disable()
    first, second = bulk.cyclic_gc_paused(), bulk.cyclic_gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    assert not gc.isenabled(), "enabled a collector that was disabled before"


# -- maker -------------------------------------------------------------------------


def field_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.django_db
def test_maker_makes_what_the_model_makes(django_assert_num_queries):
    guideline = Guideline.objects.create(key="made", schema="2.0")
    capability = Capability.objects.create(guideline=guideline, key="cap")
    make_capability, make_test = bulk.maker(Capability), bulk.maker(Test)

    cases = [
        (make_capability, Capability, {"guideline": guideline, "key": "k", "position": 3}),
        (make_capability, Capability, {"key": "k"}),
        (make_test, Test, {"capability": capability, "name": "t", "position": 1}),
        (make_test, Test, {"capability": None, "name": "t", "is_flagged": True}),
        (make_test, Test, {"capability_id": capability.pk, "name": "t"}),
    ]
    for make, model, values in cases:
        with django_assert_num_queries(0):
            made = make(**values)
            expected = model(**values)
            assert type(made) is model
            assert field_values(made) == field_values(expected), values
            assert made._state.adding is True and made._state.db is None
            for relation in ("guideline", "capability"):
                if relation in values and values[relation] is not None:
                    # The object itself, cached: reading it asks nothing of the database.
                    assert getattr(made, relation) is values[relation]

    # Callable defaults are called for each instance: no two share a dict.
    one, two = make_test(name="a"), make_test(name="b")
    one.layout[""] = ["name"]
    one.extra["/x"] = 1
    assert two.layout == {} and two.extra == {}
    assert make_test(name="c").layout == {}

    # An unsaved parent: no id yet, the object cached (the reader makes them so).
    parent = make_capability(guideline=guideline, key="new")
    child = make_test(capability=parent, name="t")
    assert child.capability_id is None and child.capability is parent

    # What it makes saves as the model's own instance would.
    made = make_test(capability=capability, name="saved", aliases=["x"], position=2)
    made.save()
    stored = Test.objects.get(pk=made.pk)
    assert field_values(stored) == field_values(made)


def test_maker_falls_back_to_the_model_when_its_init_signals_are_listened_to():
    def listener(**kwargs):
        pass

    signals.post_init.connect(listener, sender=Test)
    try:
        assert bulk.maker(Test) is Test
    finally:
        signals.post_init.disconnect(listener, sender=Test)
    assert bulk.maker(Test) is not Test


# -- instances -------------------------------------------------------------------


def orm_rows(queryset):
    return [field_values(row) for row in queryset]


@pytest.mark.django_db
def test_instances_gives_the_rows_the_orm_gives(demo, django_assert_num_queries):
    import_doc(project_doc(BY_GENERATION["1.4"]), key="2022.01")
    querysets = [
        Guideline.objects.order_by("pk"),
        Capability.objects.order_by("guideline_id", "position", "pk"),
        Test.objects.order_by("capability_id", "position"),
    ]
    for queryset in querysets:
        expected = orm_rows(queryset)
        assert len(expected) > 1
        with django_assert_num_queries(1):
            made = bulk.instances(queryset)
        assert isinstance(made, list)
        assert [field_values(row) for row in made] == expected
        assert all(type(row) is queryset.model for row in made)
        assert all(row._state.adding is False and row._state.db == "default" for row in made)

        streamed = bulk.instances(queryset, stream=True)
        assert iter(streamed) is streamed, "stream=True gives an iterator, not a list"
        assert [field_values(row) for row in streamed] == expected

    # Flagged tests and aliases came through: the comparison saw JSON lists and booleans.
    assert any(row.aliases for row in Test.objects.all())
    assert Test.objects.filter(is_flagged=True).exists()


@pytest.mark.django_db
def test_instances_gives_each_row_its_own_json_values(demo):
    capability = Capability.objects.filter(guideline=demo).first()
    layout = {"": ["idempotent_id", "aliases", "flagged"], "/flagged": ["date", "reason"]}
    extra = {"/flagged/action": ["kept", "as is"]}  # shaped like a layout
    for n in range(3):
        Test.objects.create(
            capability=capability,
            name=f"same.{n}",
            position=100 + n,
            layout=copy.deepcopy(layout),
            extra=copy.deepcopy(extra),
            aliases=["a", "b"],
        )
    Test.objects.create(
        capability=capability,
        name="other.extra",
        position=200,
        extra={"/odd": {"nested": [1, {"deep": "x"}]}},
    )
    Test.objects.create(
        capability=capability,
        name="other.extra.twin",
        position=201,
        extra={"/odd": {"nested": [1, {"deep": "x"}]}},
    )
    queryset = Test.objects.filter(capability=capability, position__gte=100).order_by("position")

    for stream in (False, True):
        first, second, third, odd, odd_twin = list(bulk.instances(queryset, stream=stream))
        first.layout[""].append("changed")
        first.layout["/new"] = []
        first.extra["/flagged/action"].append("changed")
        first.aliases.append("changed")
        second.layout["/flagged"].clear()
        odd.extra["/odd"]["nested"][1]["deep"] = "changed"
        assert third.layout == layout
        assert third.extra == extra
        assert third.aliases == ["a", "b"]
        assert second.layout[""] == layout[""]
        assert odd_twin.extra == {"/odd": {"nested": [1, {"deep": "x"}]}}


# -- insert ------------------------------------------------------------------------

AWKWARD = [
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\\\N",
    "\\.",
    "ends with a backslash\\",
    "\\t is not a tab",
    "",
    " leading and trailing ",
    "ünïcödé 雪 🙂 \u2028",
    "\x0b\x0c\x1f\x7f",
    "quote \" and ' apostrophe",
    "a\r\n\t\\N\\\n",
]


def awkward_rows(capability_id: int) -> list[tuple]:
    rows = []
    for n, text in enumerate(AWKWARD):
        rows.append(
            (
                n,  # position
                {"": ["name", text], text or "/": [text]},  # layout
                {"/v": text, "/nested": {"k": [text, None, True, 1, {"t": text}]}, "/null": None},
                capability_id,
                f"{n}:{text}",  # name
                text if n % 2 else None,  # idempotent_id: NULL or the text itself
                [text, "\\N", "x\ty"] if n % 3 else None,  # aliases: SQL NULL or a list
                bool(n % 2),  # is_flagged
                "\\N" if n == 0 else None,  # flag_date: the literal text \N
                text,  # flag_reason
                None,  # flag_action
            )
        )
    rows.append((99, {}, {}, capability_id, "empty json", None, [], False, None, None, None))
    return rows


INSERT_COLUMNS = [
    "position",
    "layout",
    "extra",
    "capability_id",
    "name",
    "idempotent_id",
    "aliases",
    "is_flagged",
    "flag_date",
    "flag_reason",
    "flag_action",
]


@pytest.fixture
def capability(db):
    guideline = Guideline.objects.create(key="bulk", schema="2.0")
    return Capability.objects.create(guideline=guideline, key="cap")


def test_insert_stores_awkward_text_json_nulls_and_booleans_exactly(capability):
    rows = awkward_rows(capability.pk)
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        bulk.insert(Test, INSERT_COLUMNS, iter(rows))

    # COPY on PostgreSQL, executemany on SQLite: through the connection's wrappers.
    expected_statement = "COPY" if connection.vendor == "postgresql" else "INSERT"
    assert [sql.split()[0] for sql in seen] == [expected_statement]

    stored = Test.objects.filter(capability=capability).order_by("position")
    back = [tuple(getattr(test, column) for column in INSERT_COLUMNS) for test in stored]
    assert back == rows
    # The JSON columns hold JSON: queried by the database, not only decoded by Python.
    with_aliases = [row for row in rows if row[6]]
    assert Test.objects.filter(capability=capability, aliases__1="\\N").count() == len(with_aliases)
    assert Test.objects.get(capability=capability, name="4:\\N").extra["/v"] == "\\N"
    assert Test.objects.filter(capability=capability, extra__has_key="/v").count() == len(AWKWARD)
    assert Test.objects.filter(capability=capability, flag_date="\\N").count() == 1
    assert Test.objects.filter(capability=capability, idempotent_id__isnull=True).count() == 9
    # And bulk.instances reads them back the same.
    assert [
        tuple(getattr(test, column) for column in INSERT_COLUMNS) for test in bulk.instances(stored)
    ] == rows


def test_insert_streams_many_rows_and_nothing(capability):
    bulk.insert(Test, INSERT_COLUMNS, [])
    assert not Test.objects.filter(capability=capability).exists()

    # Long rows, many of them: COPY reads the stream in pieces that cut rows anywhere.
    long_text = "x\t\\" * 997 + "é\n"
    rows = [
        (n, {"": ["name"]}, {}, capability.pk, f"t{n}", long_text[: n % 3001], None, n % 2 == 0)
        for n in range(3000)
    ]
    # Rows many times longer than a read, between short ones.
    for n, size in ((3000, 200_000), (3001, 1), (3002, 65_537)):
        rows.append((n, {}, {}, capability.pk, f"t{n}", "id", ["\\y\t" * size, "z"], True))
    columns = INSERT_COLUMNS[:8]
    bulk.insert(Test, columns, (row for row in rows))
    stored = Test.objects.filter(capability=capability).order_by("position")
    assert [tuple(getattr(test, c) for c in columns) for test in stored] == rows


def test_insert_is_undone_with_the_transaction(capability):
    with pytest.raises(RuntimeError), transaction.atomic():
        bulk.insert(Test, INSERT_COLUMNS, awkward_rows(capability.pk))
        assert Test.objects.filter(capability=capability).count() == len(AWKWARD) + 1
        raise RuntimeError
    assert not Test.objects.filter(capability=capability).exists()


def test_insert_lets_out_what_its_rows_raise_and_the_transaction_keeps_nothing(capability):
    """A generator that reads as it yields (an import) may refuse a row midway."""

    class Refused(Exception):
        pass

    def rows():
        # Past the first of COPY's reads (8 kB): it has sent rows already.
        for n in range(2000):
            yield (n, {}, {}, capability.pk, f"t{n}", None, None, False, None, None, None)
        raise Refused("the row after 2000 is wrong")

    with pytest.raises(Refused, match="after 2000"), transaction.atomic():
        bulk.insert(Test, INSERT_COLUMNS, rows())
    assert not Test.objects.filter(capability=capability).exists()
    # The connection is usable afterwards.
    assert Test.objects.count() == 0


def test_insert_takes_json_as_text_when_asked(capability):
    rows = [(0, bulk.json_text({"": ["name"]}), "{}", capability.pk, "t", None, '["a"]', False)]
    bulk.insert(Test, INSERT_COLUMNS[:8], rows, json_as_text=True)
    test = Test.objects.get(capability=capability)
    assert (test.layout, test.extra, test.aliases) == ({"": ["name"]}, {}, ["a"])


def test_json_text_writes_what_json_reads_back():
    for value in ({}, {"": ["a", "é"]}, [1, 2.5, None, True], "\\N", 2**70):
        assert json.loads(bulk.json_text(value)) == value
    assert bulk.json_text(None) is None


def test_insert_on_sqlite_does_not_keep_every_row(capability, monkeypatch):
    """Django's SQLite executemany peeks through a tee that keeps every row given."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's cursor")
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    def refuse(*args, **kwargs):
        raise AssertionError("Django's executemany keeps the rows")

    monkeypatch.setattr(SQLiteCursorWrapper, "executemany", refuse)
    bulk.insert(Test, INSERT_COLUMNS, iter(awkward_rows(capability.pk)))
    assert Test.objects.filter(capability=capability).count() == len(AWKWARD) + 1


@pytest.mark.parametrize("size", [0, 1, 5, 4096 * 3 + 7])
def test_insert_with_blob_stores_the_bytes_read_in_pieces(capability, monkeypatch, size):
    monkeypatch.setattr(bulk, "BLOB_PIECE", 4096)
    # Every byte value: backslashes, tabs, newlines and NULs among them.
    body = (bytes(range(256)) * (size // 256 + 1))[:size]
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql.split()[0])
        return execute(sql, params, many, context)

    values = {
        "guideline_id": capability.guideline_id,
        "number": 1,
        "format": ArtifactFormat.JSON,
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": size,
        "validated": False,
        "created_at": timezone.now(),
    }
    with connection.execute_wrapper(spy):
        bulk.insert_with_blob(Artifact, values, "body", io.BytesIO(body), size)
    assert seen == (["COPY"] if connection.vendor == "postgresql" else ["INSERT"])
    stored = Artifact.objects.get(guideline_id=capability.guideline_id)
    assert bytes(stored.body) == body
    assert (stored.size, stored.sha256, stored.validated) == (size, values["sha256"], False)
    assert stored.created_at == values["created_at"]


@pytest.mark.django_db
def test_the_artifact_body_is_the_last_column_where_that_counts():
    """SQLite writes a last blob in place (migration 0011); elsewhere order is moot."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's rows")
    with connection.cursor() as cursor:
        columns = [row[1] for row in cursor.execute("PRAGMA table_info(guidelines_artifact)")]
    assert columns[-1] == "body"


@pytest.mark.django_db
def test_an_import_keeps_awkward_text_through_the_database(system):
    doc = project_doc(BY_GENERATION["2.0"])
    key, capability = next(iter(doc["capabilities"].items()))
    capability["description"] = "tab\tline\nreturn\r back\\slash \\N ünï 🙂"
    capability["project"] = "\\N"
    capability["extra_key"] = {"v": "a\tb\\N\n", "list": ["\\", "\r\n"]}
    name, test = next(iter(capability["tests"].items()))
    test["idempotent_id"] = "id-\\N\t"
    doc["capabilities"][f"{key}\\weird\tname"] = copy.deepcopy(capability)

    guideline = import_doc(doc, key="2024.01").guideline

    assert json.loads(json.dumps(streamed_document(guideline))) == doc
    assert ordered(streamed_document(guideline)) == ordered(doc)


# -- write_object: the fast path for rows without extra ---------------------------


class VerbatimNothing(dict):
    """An empty ``extra`` that is truthy: write_object takes its generic path for it."""

    def __bool__(self):
        return True


def rows_of(bundle):
    yield bundle.guideline
    yield from bundle.criteria
    yield from bundle.test_repositories
    for groups in (bundle.programs, bundle.components, bundle.capabilities):
        for parent, kids in groups:
            yield parent
            yield from kids
    for parent, kids in bundle.designated_sections:
        yield parent
        yield from kids


@contextmanager
def counted_plain_writes(monkeypatch):
    calls = []
    real = fields._write_plain

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(fields, "_write_plain", counting)
    yield calls
    monkeypatch.setattr(fields, "_write_plain", real)


def assert_fast_path_matches_generic(bundle, monkeypatch):
    with counted_plain_writes(monkeypatch) as calls:
        fast = write_document(bundle)
    plain_rows = [row for row in rows_of(bundle) if not row.extra]
    assert calls, "the fast path was not taken: nothing compared"
    saved = [(row, row.extra) for row in plain_rows]
    try:
        for row in plain_rows:
            row.extra = VerbatimNothing()
        with counted_plain_writes(monkeypatch) as calls:
            generic = write_document(bundle)
        assert not calls, "the reference went through the fast path"
    finally:
        for row, extra in saved:
            row.extra = extra
    assert ordered(fast) == ordered(generic)
    return fast


def read_bundle(raw: bytes):
    report = Report()
    return read_document(parse_json(raw, report), report)


@pytest.mark.parametrize("path", DEMO_FILES + PROJECT_FILES, ids=lambda p: p.name)
def test_write_plain_writes_what_the_generic_path_writes(path, monkeypatch):
    raw = path.read_bytes()
    fast = assert_fast_path_matches_generic(read_bundle(raw), monkeypatch)
    # And both give back the document, in its order.
    assert ordered(fast) == ordered(json.loads(raw))


def with_odd_rows(raw: bytes):
    """A bundle whose rows are new (no layout), lack fields in their layout, or carry
    keys the spec does not know of: what services make of imported rows."""
    bundle = read_bundle(raw)
    capabilities = bundle.capabilities
    assert len(capabilities) >= 3
    (new_cap, new_tests), (short_cap, short_tests), (odd_cap, odd_tests) = capabilities[:3]
    # Created in the application: no layout at all, every member written.
    new_cap.layout = {}
    for test in new_tests:
        test.layout = {}
        test.is_flagged = True
        test.flag_reason = "[D404] new"
        test.flag_date = None
    # A layout that lacks fields the row has: they are not written.
    short_cap.layout = {"": [k for k in short_cap.layout[""] if k not in ("admin", "tests")]}
    for test in short_tests:
        test.layout[""] = [k for k in test.layout.get("", []) if k != "idempotent_id"]
        test.is_flagged = True
        test.flag_reason = "[D403] flagged without its place in the layout"
    # Keys the spec has no member for, and the layout of a nested object missing.
    odd_cap.layout[""] = ["unknown", *odd_cap.layout[""], "also-unknown"]
    for test in odd_tests:
        test.layout[""] = ["flagged", *test.layout.get("", [])]
        test.layout.pop("/flagged", None)
        test.is_flagged = True
        test.flag_action = "fix"
    bundle.guideline.layout.pop("/metadata", None)
    return bundle


@pytest.mark.parametrize(
    "path",
    [DEMO / "2026.06.json", *(DATA / f"{key}.json" for key in BY_GENERATION.values())],
    ids=lambda p: p.name,
)
def test_write_plain_matches_for_new_rows_and_partial_layouts(path, monkeypatch):
    bundle = with_odd_rows(path.read_bytes())
    fast = assert_fast_path_matches_generic(bundle, monkeypatch)
    assert ordered(fast) != ordered(json.loads(path.read_bytes())), "the rows were not changed"


@pytest.mark.django_db
def test_write_plain_matches_for_rows_read_from_the_database(demo, monkeypatch):
    guideline = import_file(DEMO / "dns.2026.06.json").guideline
    for stored in (demo, guideline):
        assert_fast_path_matches_generic(guideline_bundle(stored), monkeypatch)


# -- schema_violations: prefiltered by fastjsonschema ---------------------------


def full_walk(document, version):
    return sorted(_violations(_validator(version), document, version))


def faulty_2x():
    doc = project_doc(BY_GENERATION["2.0"])
    doc["metadata"]["id"] = "not a name"
    del doc["metadata"]["source"]
    doc["metadata"]["os_trademark_approval"]["releases"] = ["zed", "zed", "Bad"]
    caps = doc["capabilities"]
    keys = list(caps)
    del caps[keys[0]]["admin"]
    caps[keys[1]]["required_since"] = "2020.13"
    caps[keys[2]]["achievements"] = ["deployed", "tools", "deployed"]
    caps[keys[3]]["admin"] = "yes"  # a wrong type: reported by the reader, not here
    caps[keys[4]]["required_since"] = "2020.06\n"  # $ allows a final newline
    tests = caps[keys[5]]["tests"]
    names = list(tests)
    tests[names[0]]["aliases"] = []
    del tests[names[0]]["idempotent_id"]
    tests[names[-1]]["flagged"] = {"date": "2024-02-30", "reason": "no type", "action": 3}
    caps[keys[6]]["tests"] = ["a", "list"]
    caps["odd/key~with pointer chars"] = {"tests": {"t": {"aliases": ["x", "x"]}}}
    caps["not an object"] = "a string"
    caps["empty"] = {}
    return doc


def faulty_1x(version):
    doc = project_doc(BY_GENERATION[version])
    doc["id"] = "20.1"
    doc["releases"] = []
    caps = doc["capabilities"]
    keys = list(caps)
    del caps[keys[0]]["project"]
    caps[keys[1]]["required-since"] = "next"
    caps[keys[2]]["achievements"] = ["a", "a"]
    caps[keys[3]]["admin"] = 1
    if isinstance(caps[keys[4]]["tests"], dict):
        name = next(iter(caps[keys[4]]["tests"]))
        caps[keys[4]]["tests"][name] = {"aliases": [], "flagged": {"reason": "D5 no"}}
    else:
        caps[keys[4]]["tests"] = ["dup", {"not": "a name"}]
    caps["a/b"] = {"achievements": [], "tests": {}}
    return doc


@pytest.mark.parametrize(
    "version, document",
    [
        ("2.0", faulty_2x),
        ("1.2", lambda: faulty_1x("1.2")),
        ("1.4", lambda: faulty_1x("1.4")),
        ("1.6", lambda: faulty_1x("1.6")),
    ],
)
def test_schema_violations_are_those_of_a_full_walk(version, document):
    doc = document()
    expected = full_walk(doc, version)
    got = schema_violations(doc, version)
    assert got == expected
    # Faults inside capabilities and outside them were found: the comparison means something.
    assert any(path.startswith("capabilities/") for path, _ in got)
    assert any(not path.startswith("capabilities/") for path, _ in got)
    # The document as the project keeps it (it has faults of its own), whichever way.
    kept = project_doc(BY_GENERATION[version])
    assert schema_violations(kept, version) == full_walk(kept, version)


@pytest.mark.parametrize(
    "doc",
    [
        {"metadata": {}, "capabilities": ["a", "list"]},
        {"metadata": {}},
        {"capabilities": {"c": {"tests": {"t": {}}}}},
        ["not", "an", "object"],
    ],
    ids=["capabilities-list", "no-capabilities", "only-capabilities", "list"],
)
def test_schema_violations_of_odd_shapes_are_those_of_a_full_walk(doc):
    for version in ("2.0", "1.5"):
        assert schema_violations(doc, version) == full_walk(doc, version)


def test_schema_violations_each_capability_fault_is_found():
    doc = project_doc(BY_GENERATION["2.0"])
    before = schema_violations(doc, "2.0")
    first = next(iter(doc["capabilities"].values()))
    first["achievements"] = ["x", "x"]
    test = next(iter(first["tests"].values()))
    test["aliases"] = []
    test["flagged"] = {"date": "2024-01-01", "reason": "untyped", "action": "a"}
    got = schema_violations(doc, "2.0")
    assert got == full_walk(doc, "2.0")
    assert len(got) == len(before) + 3, got


# -- parse_json: the constants JSON does not have ------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_parse_json_refuses_the_constants_that_are_not_json(constant):
    for raw in (constant, f'{{"a": {constant}}}', f'{{"a": [1, {{"b": {constant}}}]}}'):
        with pytest.raises(FormatError) as caught:
            parse_json(raw.encode())
        assert constant in str(caught.value)
    # Numbers that merely look alike are numbers.
    assert parse_json(b'{"a": [1e3, -0.5, "NaN"]}') == {"a": [1000.0, -0.5, "NaN"]}


@pytest.mark.django_db
def test_importing_nan_stores_nothing(system):
    raw = json.dumps(project_doc(BY_GENERATION["2.0"])).replace(
        '"cutoff_score": 74', '"cutoff_score": NaN'
    )
    assert "NaN" in raw
    with pytest.raises(FormatError):
        import_doc(raw.encode(), key="2024.01")
    assert not Guideline.objects.exists()


# -- document_bytes --------------------------------------------------------------

AWKWARD_DOCUMENTS = [
    {},
    [],
    {"empty": {}, "list": [], "nested": {"a": [{}, [], [[]], {"b": {}}]}},
    {"text": "".join(chr(c) for c in range(0x20)) + '\x7f \u2028\u2029 "quote" \\ / </script>'},
    {"ünïcödé ключ 雪": "値 🙂 \U0001f600", "emoji🙂": ["é", "\u0301e"]},
    {"numbers": [0, -1, 1, 2**63 - 1, -(2**63), 2**64 - 1], "flags": [True, False, None]},
    {"deep": [[[[[[{"x": [1, [2, [3, {}]]]}]]]]]]},
    {"key with \n newline and \t tab": "", "": "empty key"},
    project_doc(BY_GENERATION["1.4"]),
    json.loads((DEMO / "2026.06.json").read_bytes()),
]
REFUSED_BY_ORJSON = [
    {"big": 2**64},
    {"small": -(2**63) - 1},
    {"nested": [{"bigger": 10**40}]},
    {"big": -(2**70), "text": "é雪\n\x01\u2028", "empty": {}, "list": [], "deep": [[{}]]},
    {"surrogate": "\ud800"},
    {"in a key \udfff": 1},
]


@pytest.mark.parametrize("document", AWKWARD_DOCUMENTS + REFUSED_BY_ORJSON)
def test_document_bytes_are_those_of_json_dumps(document):
    try:
        expected = reference_text(document)
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8: neither way makes bytes of it.
        with pytest.raises(UnicodeEncodeError):
            document_bytes(document)
        return
    assert document_bytes(document) == expected
    assert document_text(document) == expected.decode()


# -- guideline_document: capabilities and tests streamed side by side -------------


def reference_document(guideline):
    return write_document(guideline_bundle(guideline))


def assert_same_document(guideline):
    streamed = streamed_document(guideline)
    reference = reference_document(guideline)
    assert ordered(streamed) == ordered(reference)
    # Written a capability at a time, spliced into the rest: the same bytes.
    with override(selectors, "STREAM_ABOVE", 1):
        assert guideline_document_bytes(guideline) == document_bytes(reference)
    assert guideline_document_bytes(guideline) == document_bytes(reference)
    return streamed


@contextmanager
def override(module, name, value):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


@pytest.mark.django_db
@pytest.mark.parametrize("path", DEMO_FILES + PROJECT_FILES, ids=lambda p: p.name)
def test_guideline_document_streams_what_the_bundle_writes(path, system):
    guideline = import_file(path, key=path.name.removesuffix(".json")).guideline
    document = assert_same_document(guideline)
    assert ordered(document) == ordered(json.loads(path.read_bytes()))


@pytest.mark.django_db
def test_guideline_document_follows_positions_not_ids(demo):
    before = streamed_document(demo)
    keys = list(before["capabilities"])
    assert len(keys) >= 3
    # Positions reversed: the capability stored first is written last.
    for position, key in enumerate(reversed(keys)):
        Capability.objects.filter(guideline=demo, key=key).update(position=position)
    after = assert_same_document(demo)
    assert list(after["capabilities"]) == list(reversed(keys))
    for key in keys:
        assert ordered(after["capabilities"][key]) == ordered(before["capabilities"][key])

    # Ties between positions are broken by id, the same way in both.
    Capability.objects.filter(guideline=demo).update(position=0)
    tied = assert_same_document(demo)
    assert list(tied["capabilities"]) == keys


@pytest.mark.django_db
def test_guideline_document_with_capabilities_without_tests(demo):
    keys = list(streamed_document(demo)["capabilities"])
    # An imported capability emptied, and new capabilities placed first, between and last.
    Test.objects.filter(capability__guideline=demo, capability__key=keys[1]).delete()
    for n, key in enumerate(keys):
        Capability.objects.filter(guideline=demo, key=key).update(position=10 * (n + 1))
    for position, key in ((0, "new-first"), (15, "new-between"), (1000, "new-last")):
        Capability.objects.create(
            guideline=demo,
            key=key,
            position=position,
            achievements=[],
            admin=False,
            description="d",
            project="p",
        )
    document = assert_same_document(demo)
    order = list(document["capabilities"])
    assert order[0] == "new-first" and order[2] == "new-between" and order[-1] == "new-last"
    assert document["capabilities"][keys[1]]["tests"] == {}
    assert document["capabilities"]["new-between"]["tests"] == {}
    assert document["capabilities"][keys[2]]["tests"], "the tests after an empty one are lost"

    # A guideline with no tests at all, and one with no capabilities.
    Test.objects.filter(capability__guideline=demo).delete()
    assert all(not c["tests"] for c in assert_same_document(demo)["capabilities"].values())
    Capability.objects.filter(guideline=demo).delete()
    assert assert_same_document(demo)["capabilities"] == {}


@pytest.mark.django_db(transaction=True)
def test_guideline_document_outside_a_transaction(system):
    # Server-side cursors on PostgreSQL in autocommit, as pages and the API read.
    guideline = import_file(DEMO / "2026.06.json").guideline
    assert not connection.in_atomic_block
    assert ordered(assert_same_document(guideline)) == ordered(
        json.loads((DEMO / "2026.06.json").read_bytes())
    )


@pytest.mark.django_db
def test_guideline_document_bytes_keep_verbatim_values_under_the_capabilities(demo):
    key = next(iter(streamed_document(demo)["capabilities"]))
    # Kept verbatim by the reader: written over what the rows say.
    demo.extra[f"capabilities/{key}/description"] = ["not", "a", "string"]
    demo.save(update_fields=["extra"])
    document = assert_same_document(demo)
    assert document["capabilities"][key]["description"] == ["not", "a", "string"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "verbatim", [{"zzzz": 1, "a": 2, "mm": [1]}, [1.5, "x"], "plain text", [["a"], "b"]]
)
def test_the_first_revision_of_an_import_is_what_the_rows_give_back(verbatim, system):
    # PostgreSQL's jsonb orders an object's keys and spells numbers its way: the
    # stored revision must be what the rows give, as the next revision will be.
    document = json.loads((DATA / "2024.01.json").read_bytes())
    assert document["metadata"]["os_trademark_approval"]["status"] == "approved"
    document["metadata"]["x-custom"] = verbatim
    guideline = import_doc(document, key="2024.01").guideline
    stored = bytes(guideline.artifacts.documents().get(number=1).body)

    assert stored == guideline_document_bytes(Guideline.objects.get(pk=guideline.pk))
    assert json.loads(stored)["metadata"]["x-custom"] == verbatim


# -- the query count does not grow with the guideline --------------------------------


def cloned(copies: int) -> dict:
    """The demo 2026.06 with each capability (and its tests) copied ``copies`` times."""
    document = json.loads((DEMO / "2026.06.json").read_bytes())
    originals = document["capabilities"]
    document["capabilities"] = {
        f"{key}-{n}": {
            **capability,
            "tests": {f"{t}{n}": v for t, v in capability["tests"].items()},
        }
        for n in range(copies)
        for key, capability in originals.items()
    }
    for component in document["components"].values():
        for status, names in component["capabilities"].items():
            component["capabilities"][status] = [
                f"{name}-{n}" for n in range(copies) for name in names
            ]
    return document


@contextmanager
def counted():
    # Through the execute wrappers, as the benchmark counts: COPY included.
    calls: list[str] = []

    def count(execute, sql, params, many, context):
        calls.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield calls


@pytest.mark.django_db
def test_import_and_export_cost_the_same_queries_whatever_the_size(system):
    # 50 copies: 350 capabilities and 450 tests, past any batch of the old bulk_create
    # (SQLite allows 999 parameters a statement: 83 tests).
    queries = {}
    for copies in (1, 50):
        document = cloned(copies)
        with counted() as imported:
            guideline = import_doc(document, key=f"size-{copies}").guideline
        with counted() as exported:
            body = guideline_document_bytes(guideline)
        with override(selectors, "STREAM_ABOVE", 1), counted() as streamed:
            assert guideline_document_bytes(guideline) == body
        assert json.loads(body) == document
        queries[copies] = (len(imported), len(exported), len(streamed))

    assert queries[1] == queries[50], queries
    assert all(queries[1]), queries
