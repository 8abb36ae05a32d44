"""A document is imported a capability at a time, with the result of reading it whole.

``guidelines.interop_format.outline`` finds each capability's bytes; the
importer reads, checks and stores them one at a time, so that memory never
holds the document's objects (``make bench`` measures it). These tests hold
the streamed import to what reading the document whole gives: the same
warnings in the same order, the same rows and bytes, the same refusals, and
nothing stored when a capability late in the document is refused.
"""

import hashlib
import json

import pytest

from guidelines.interop_format import outline as outline_module
from guidelines.interop_format import reader
from guidelines.interop_format.fields import Report
from guidelines.interop_format.outline import outline
from guidelines.interop_format.reader import FormatError, parse_json, read_document
from guidelines.interop_format.writer import write_document
from guidelines.models import Artifact, Capability, Guideline, Test
from guidelines.selectors import document_bytes, guideline_document_bytes
from tests.guidelines.conftest_paths import REPO
from tests.guidelines.helpers import BY_GENERATION, DATA, import_doc

DEMO = REPO / "guidelines" / "demo" / "2026.06.json"


def own_files():
    return [DEMO, *sorted(DATA.glob("*.json"))]


def read_whole(raw: bytes):
    """The document read whole, as before the import streamed: (bundle, warnings)."""
    report = Report()
    bundle = read_document(parse_json(raw, report), report)
    return bundle, report.warnings


def capabilities_doc(**capabilities) -> dict:
    doc = json.loads(DEMO.read_bytes())
    doc["capabilities"] = capabilities
    return doc


# -- finding the capabilities ---------------------------------------------------


def test_outline_finds_each_capability_s_bytes_and_leaves_an_empty_object_in_their_place():
    raw = DEMO.read_bytes()
    found = outline(raw)
    doc = json.loads(raw)
    assert [key for key, _, _ in found.capabilities] == list(doc["capabilities"])
    for key, start, end in found.capabilities:
        assert json.loads(raw[start:end]) == doc["capabilities"][key]
    assert json.loads(found.document) == {**doc, "capabilities": {}}


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"], ids=["plain", "byte order mark"])
def test_outline_counts_bytes_not_characters(prefix):
    # Characters of two, three and four bytes before and inside the capabilities.
    doc = {
        "metadata": {"note": "caf\u00e9 \u2014 \U0001f600"},
        "capabilities": {
            "a-\u00e9": {"description": "\u2014 \U0001f600 x"},
            "b": {"description": "plain"},
        },
        "after": "\u00e9",
    }
    raw = prefix + json.dumps(doc, ensure_ascii=False, indent=2).encode()
    found = outline(raw)
    assert [json.loads(raw[s:e]) for _, s, e in found.capabilities] == list(
        doc["capabilities"].values()
    )
    assert json.loads(found.document) == {**doc, "capabilities": {}}


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"[1, 2]",
        b'{"capabilities": [1]}',
        b'{"capabilities": {"a": {}}, "x": 1, "x": 2}',  # a key given twice: read whole
        b'{"capabilities": {"a": {}, "a": {"b": 1}}}',
        b'{"capabilities": {"a": {}}} trailing',
        b'{"capabilities": {"a": {]}}',
        b'{"capabilities": {"a": {}}',
        b'{"metadata": {}}',  # no capabilities at all
        b'{"capabilities": {"a" {}}}',
        b"\xff\xfe",
    ],
)
def test_outline_leaves_what_it_does_not_expect_to_the_whole_reading(text):
    assert outline(text) is None


# -- the same result as a whole reading ------------------------------------------

BASELINE = REPO / "tests" / "data" / "import_baseline"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted(json.loads((BASELINE / "expected.json").read_bytes())), ids=str
)
def test_an_import_warns_and_exports_as_the_whole_reading_did_before(name):
    """Against what the importer gave before it streamed (tests/data/import_baseline)."""
    expected = json.loads((BASELINE / "expected.json").read_bytes())[name]
    raw = (REPO / name).read_bytes()
    assert outline(raw) is not None
    result = import_doc(raw, "baseline")
    assert [list(warning) for warning in result.warnings] == expected["warnings"]
    body = guideline_document_bytes(result.guideline)
    assert hashlib.sha256(body).hexdigest() == expected["export_sha256"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", own_files(), ids=lambda path: path.name)
def test_a_streamed_import_warns_and_stores_what_a_whole_reading_gives(path):
    raw = path.read_bytes()
    bundle, warnings = read_whole(raw)
    result = import_doc(raw, "streamed")
    assert result.warnings == warnings
    assert result.capabilities == len(bundle.capabilities)
    assert result.tests == bundle.test_count
    expected = document_bytes(write_document(bundle))
    assert guideline_document_bytes(result.guideline) == expected


@pytest.mark.django_db
def test_every_real_guideline_imports_streamed_as_it_reads_whole(real_files):
    for name, path in real_files.items():
        raw = path.read_bytes()
        bundle, warnings = read_whole(raw)
        result = import_doc(raw, f"real-{name}")
        assert result.warnings == warnings, name
        expected = document_bytes(write_document(bundle))
        assert guideline_document_bytes(result.guideline) == expected, name


@pytest.mark.django_db
def test_a_published_import_stores_its_first_revision_as_written_while_streaming():
    raw = DEMO.read_bytes()
    result = import_doc(raw, "published")
    artifact = Artifact.objects.get(guideline=result.guideline)
    body = bytes(artifact.body)
    assert body == guideline_document_bytes(result.guideline)
    assert artifact.size == len(body)
    assert artifact.number == 1


@pytest.mark.django_db
def test_a_document_is_never_parsed_whole(monkeypatch):
    """What is parsed is the outline, then each capability's own text: never the document."""
    raw = json.dumps(json.loads(DEMO.read_bytes()), indent=2).encode()
    found = outline(raw)
    parsed: list[int] = []
    real = reader.parse_text

    def parse_text(text, *args, **kwargs):
        parsed.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(reader, "parse_text", parse_text)
    import_doc(raw, "streamed")
    assert parsed == [len(found.document)] + [end - start for _, start, end in found.capabilities]
    assert len(found.capabilities) > 1


@pytest.mark.django_db
def test_a_capability_key_given_twice_is_read_whole_the_last_one_kept():
    text = json.dumps(capabilities_doc(), indent=2)
    one = json.dumps({"achievements": [], "admin": False, "description": "first", "tests": {}})
    two = json.dumps({"achievements": [], "admin": False, "description": "second", "tests": {}})
    raw = text.replace('"capabilities": {}', f'"capabilities": {{"x": {one}, "x": {two}}}').encode()
    assert outline(raw) is None
    bundle, warnings = read_whole(raw)
    result = import_doc(raw, "twice")
    assert result.warnings == warnings
    assert any(where == "/capabilities/x" and "more than once" in m for where, m in warnings)
    assert Capability.objects.get(guideline=result.guideline, key="x").description == "second"


@pytest.mark.django_db
def test_a_key_repeated_inside_a_capability_is_reported_at_its_place():
    text = json.dumps(capabilities_doc(), indent=2)
    inner = '{"achievements": [], "admin": false, "description": "a", "description": "b"}'
    raw = text.replace('"capabilities": {}', f'"capabilities": {{"x": {inner}}}').encode()
    assert outline(raw) is not None
    result = import_doc(raw, "repeated")
    assert (
        "/capabilities/x/description",
        "key 'description' appears more than once in this object; "
        "the last value is kept, as json.load does",
    ) in result.warnings
    assert Capability.objects.get(guideline=result.guideline, key="x").description == "b"


# -- refusals: the same, and nothing stored -------------------------------------


def late_fault(fault: str) -> bytes:
    """The demo guideline with ``fault`` written first in its last capability."""
    doc = json.loads(DEMO.read_bytes())
    *_, last = doc["capabilities"]
    text = json.dumps(doc, indent=2)
    marker = json.dumps(last) + ": {"
    assert text.count(marker) == 1
    return text.replace(marker, marker + fault).encode()


def late_capability(value) -> bytes:
    """The demo guideline with its last capability replaced by ``value``."""
    doc = json.loads(DEMO.read_bytes())
    *_, last = doc["capabilities"]
    doc["capabilities"][last] = value
    return json.dumps(doc, indent=2).encode()


def long_test_name() -> bytes:
    doc = json.loads(DEMO.read_bytes())
    *_, last = doc["capabilities"]
    doc["capabilities"][last]["tests"] = {"t" * 3000: {"idempotent_id": "id-x"}}
    return json.dumps(doc, indent=2).encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (late_capability(5), "a capability is an object, not a number"),
        (late_capability({"tests": 5}), "tests must be a list of names or an object keyed"),
        (late_fault('"nan": NaN, '), "NaN is not a JSON number"),
        (late_fault('"big": 1e999, '), "too large a number"),
        (late_fault('"odd": "\\ud800", '), "half of a UTF-16 surrogate pair"),
        (late_fault('"deep": ' + "[" * 200 + "]" * 200 + ", "), "nested deeper than"),
        (long_test_name(), "bytes long"),
    ],
    ids=["not-an-object", "tests", "nan", "overflow", "surrogate", "depth", "long-name"],
)
def test_a_fault_late_in_the_document_is_refused_as_whole_and_nothing_is_stored(raw, message):
    assert outline(raw) is not None
    with pytest.raises(FormatError) as whole:
        read_whole(raw)
    with pytest.raises(FormatError) as streamed:
        import_doc(raw, "faulty")
    assert message in str(streamed.value)
    assert str(streamed.value) == str(whole.value)
    assert not Guideline.objects.filter(key="faulty").exists()
    assert not Capability.objects.exists()
    assert not Test.objects.exists()


# -- a guideline that exists already ---------------------------------------------


@pytest.mark.django_db
def test_the_same_document_in_another_order_of_keys_is_unchanged():
    doc = json.loads((DATA / f"{BY_GENERATION['2.0']}.json").read_bytes())
    import_doc(doc, "same")
    reordered = dict(reversed(list(doc.items())))
    reordered["capabilities"] = dict(reversed(list(doc["capabilities"].items())))
    for key, capability in reordered["capabilities"].items():
        reordered["capabilities"][key] = dict(reversed(list(capability.items())))
    assert import_doc(reordered, "same").outcome == "unchanged"
    assert Guideline.objects.get(key="same").revision == 1


@pytest.mark.django_db
def test_a_document_that_differs_in_one_capability_is_not_unchanged():
    doc = json.loads((DATA / "next.json").read_bytes())  # a draft: it takes a new document
    import_doc(doc, "differs")
    *_, last = doc["capabilities"]
    doc["capabilities"][last]["description"] += " (amended)"
    assert import_doc(doc, "differs", replace=True).outcome == "replaced"
    assert Guideline.objects.get(key="differs").revision == 2


def test_the_digest_tells_1_from_1_0_and_true():
    from guidelines.selectors import _canonical

    assert len({_canonical([1]), _canonical([1.0]), _canonical([True])}) == 3
    assert _canonical({"b": 1, "a": 2}) == _canonical({"a": 2, "b": 1})
    assert _canonical([2**70]) == b"[" + str(2**70).encode() + b"]\n"


def test_outline_skips_values_without_keeping_them():
    # The skipping decoder makes no objects: what it parses comes back as nothing.
    assert outline_module._skip('{"a": {"b": [1, {"c": 2}]}}', 0) == (None, 27)


# -- found by review --------------------------------------------------------------


def many_capabilities(count: int) -> dict:
    """The demo guideline with its capabilities cloned ``count`` times over."""
    doc = json.loads(DEMO.read_bytes())
    doc["capabilities"] = {
        f"{key}-{n:03d}": value for n in range(count) for key, value in doc["capabilities"].items()
    }
    return doc


@pytest.mark.django_db(transaction=True)
def test_a_fault_after_many_capabilities_are_sent_is_still_the_document_s_fault():
    """COPY has sent rows (it reads 8 kB at a time) when the last capability is refused."""
    doc = many_capabilities(60)
    *_, last = doc["capabilities"]
    doc["capabilities"][last]["tests"] = 5
    raw = json.dumps(doc, indent=2).encode()
    assert len(raw) > 100_000
    with pytest.raises(FormatError, match="tests must be a list of names"):
        import_doc(raw, "late")
    assert not Guideline.objects.filter(key="late").exists()
    assert not Capability.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_half_a_surrogate_pair_in_a_capability_s_name_is_refused_as_whole():
    raw = late_fault("").replace(b'"compute-servers-create": {', b'"compute-\\ud800": {', 1)
    assert b"\\ud800" in raw
    with pytest.raises(FormatError) as whole:
        read_whole(raw)
    with pytest.raises(FormatError) as streamed:
        import_doc(raw, "surrogate")
    assert str(streamed.value) == str(whole.value)
    assert streamed.value.where == "/capabilities"
    assert not Guideline.objects.filter(key="surrogate").exists()


@pytest.mark.django_db
def test_a_published_document_with_a_negative_zero_is_unchanged_when_imported_again():
    # PostgreSQL's jsonb gives -0.0 back as 0.0: the same JSON value.
    doc = json.loads(DEMO.read_bytes())
    doc["metadata"]["x_note"] = -0.0
    raw = json.dumps(doc).encode()
    assert import_doc(raw, "zero").outcome == "created"
    assert import_doc(raw, "zero").outcome == "unchanged"


@pytest.mark.django_db
def test_keys_given_twice_are_reported_in_the_same_order_however_the_document_is_read():
    text = (BASELINE / "quirky.json").read_text()
    raw = text.replace('"schema": "2.0"', '"schema": "2.0", "schema": "2.0"').encode()
    assert outline(raw) is not None
    _, warnings = read_whole(raw)
    repeated = [w for w in warnings if "more than once" in w[1]]
    assert len(repeated) == 3
    assert repeated == sorted(repeated)
    assert import_doc(raw, "twice").warnings == warnings


@pytest.mark.django_db
def test_a_document_that_cannot_be_read_says_so_before_a_missing_guideline_is_named():
    raw = late_capability(5)
    with pytest.raises(FormatError, match="a capability is an object"):
        import_doc(raw, "nothing-here", if_match='"abc"')


@pytest.mark.django_db
def test_characters_of_every_width_in_capability_names_import_as_read_whole():
    doc = json.loads(DEMO.read_bytes())
    key = "compute-caf\u00e9-\u2014-\U0001f600"
    doc["capabilities"][key] = doc["capabilities"].pop("compute-servers-create")
    for encoded in (json.dumps(doc, ensure_ascii=False), json.dumps(doc)):
        raw = encoded.encode()
        found = outline(raw)
        assert key in [name for name, _, _ in found.capabilities]
        _, warnings = read_whole(raw)
        result = import_doc(raw, f"wide-{len(raw)}")
        assert result.warnings == warnings
        assert Capability.objects.filter(guideline=result.guideline, key=key).exists()


def test_the_outline_of_a_file_that_is_not_utf8_is_left_to_the_whole_reading():
    assert outline(b'{"capabilities": {"a": {"d": "\xe9"}}}') is None
    assert outline(b'{"capabilities": {"a": {"d": "\xc3\xa9"}}}') is not None


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["metadata", "capability"])
def test_a_number_too_long_to_read_is_the_document_s_fault(where):
    digits = "1" * 5000
    if where == "metadata":
        text = json.dumps(json.loads(DEMO.read_bytes()))
        raw = text.replace('"metadata": {', f'"metadata": {{"x_long": {digits}, ', 1).encode()
    else:
        raw = late_fault(f'"x_long": {digits}, ')
    with pytest.raises(FormatError, match="5,000 digits is too long to read") as whole:
        read_whole(raw)
    with pytest.raises(FormatError) as streamed:
        import_doc(raw, "long-number")
    assert str(streamed.value) == str(whole.value)


@pytest.mark.django_db
def test_a_document_with_a_float_postgresql_keeps_as_an_integer_is_unchanged_imported_again():
    # jsonb gives 1e20 back as 100000000000000000000: the same number.
    doc = json.loads(DEMO.read_bytes())
    doc["metadata"]["x_big"] = 1e20
    doc["metadata"]["x_bigger"] = [1.5e300, -0.0, 2.5]
    raw = json.dumps(doc).encode()
    assert import_doc(raw, "floats").outcome == "created"
    assert import_doc(raw, "floats").outcome == "unchanged"
