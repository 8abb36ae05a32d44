"""Read a guideline document of any schema generation into unsaved rows.

Structural faults that leave no guideline to speak of (not JSON, not an
object, no known schema, capabilities or tests of the wrong shape) raise
``FormatError``. Everything else the committee may have written is kept, and
what looks wrong is reported as a warning: the committee decides what to fix.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from guidelines.bulk import maker
from guidelines.models import (
    Capability,
    Component,
    ComponentEntry,
    Criterion,
    DesignatedSection,
    EntryKind,
    Guideline,
    Program,
    ProgramComponent,
    ProgramComponentRole,
    ProgramKind,
    Section,
    Test,
    TestRepository,
)

from .bundle import Bundle
from .fields import ChildValue, Report, describe, pointer_join, read_object
from .nesting import TooDeep, loads_bounded, max_depth
from .patterns import IDEMPOTENT_ID
from .schemas import capability_violations, outline_violations
from .specs import GENERATIONS, SECTION_STATUSES, Generation

# A large guideline has 100,000 tests: made without Django's field-by-field __init__.
new_capability = maker(Capability)
new_test = maker(Test)
new_entry = maker(ComponentEntry)


class FormatError(Exception):
    """The document cannot be read as a guideline. ``where`` locates the fault."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


def parse_json(raw: bytes, report: Report | None = None) -> Any:
    """Decode a file's bytes as JSON, with errors that give line and column.

    A key repeated in one object keeps its last value, as ``json.load`` does
    (every tool the committee used read their files that way, and one historic
    file repeats keys); each repetition is reported with its JSON pointer.
    Nesting deeper than MAX_JSON_DEPTH is refused.
    """
    if not raw.strip():
        raise FormatError("", "the file is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"byte {exc.start}", "the file is not UTF-8 text") from exc
    return parse_text(text, report)


def parse_text(text: str, report: Report | None, *, at: str = "", depth: int = 0) -> Any:
    """``parse_json`` of text that is the value at ``at`` in a document, ``depth`` levels down."""
    repeated: list[tuple[dict, list[str]]] = []

    def last_value_wins(pairs):
        obj = dict(pairs)
        if len(obj) != len(pairs):
            counts = Counter(key for key, _ in pairs)
            repeated.append((obj, [key for key, n in counts.items() if n > 1]))
        return obj

    def not_json(constant):
        raise FormatError("", f"{constant} is not a JSON number (RFC 8259); write a number")

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise FormatError("", f"{number} is too large a number to store; write a smaller one")
        return value

    def whole(number: str) -> int:
        try:
            return int(number)
        except ValueError:  # Python reads at most 4,300 digits (sys.int_info)
            raise FormatError(
                "", f"a number of {len(number):,} digits is too long to read; write a shorter one"
            ) from None

    try:
        doc = loads_bounded(
            json.loads,
            text,
            max_depth() - depth,
            object_pairs_hook=last_value_wins,
            parse_constant=not_json,
            parse_float=finite,
            parse_int=whole,
        )
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from exc
    except TooDeep:
        raise FormatError("", str(TooDeep(max_depth()))) from None
    if SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(doc, at)
    if repeated and report is not None:
        _report_repeated_keys(doc, repeated, report, at)
    return doc


# \ud800-\udfff: half of a character written as two escapes (emoji in an ASCII
# file); alone, it is not text, and no database stores it.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse_lone_surrogates(doc, at: str = "") -> None:
    stack: list[tuple[Any, str]] = [(doc, at)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                _text_or_refuse(key, path)
                stack.append((child, pointer_join(path, key)))
        elif isinstance(value, list):
            stack.extend((child, pointer_join(path, str(i))) for i, child in enumerate(value))
        else:
            _text_or_refuse(value, path)


def _text_or_refuse(value, path: str) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise FormatError(
                "/" + path,
                f"\\u{ord(value[exc.start]):04x} is half of a UTF-16 surrogate pair, not a "
                "character: write the character, or both halves",
            ) from None


def _report_repeated_keys(
    doc, repeated: list[tuple[dict, list[str]]], report: Report, at: str = ""
) -> None:
    # Only the objects are known, not where they are: find their pointers.
    # Reported in the order of their pointers, however the document was read
    # (whole, or a capability at a time).
    wanted = {id(obj): keys for obj, keys in repeated}
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(doc, at)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            found += [(pointer_join(path, key), key) for key in wanted.get(id(value), ())]
            stack.extend((child, pointer_join(path, key)) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((child, pointer_join(path, str(i))) for i, child in enumerate(value))
    for where, key in sorted(found):
        report.warn(
            where,
            f"key {key!r} appears more than once in this object; "
            "the last value is kept, as json.load does",
        )


def detect_generation(doc: Any) -> Generation:
    if not isinstance(doc, dict):
        raise FormatError("/", f"a guideline is a JSON object, not {describe(doc)}")
    metadata = doc.get("metadata")
    if isinstance(metadata, dict) and "schema" in metadata:
        schema, where = metadata["schema"], "/metadata/schema"
    elif "schema" in doc:
        schema, where = doc["schema"], "/schema"
    else:
        raise FormatError("/", "not a guideline: no 'schema' (1.x) or 'metadata.schema' (2.0) key")
    generation = GENERATIONS.get(schema) if isinstance(schema, str) else None
    if generation is None or generation.v2 != (where == "/metadata/schema"):
        supported = ", ".join(GENERATIONS)
        raise FormatError(where, f"unknown schema generation {schema!r}; supported: {supported}")
    return generation


KEPT = ("kept as is", "kept as written")
GUIDELINE_ID = re.compile(r"^\d{4}\.\d{2}$")


def read_document(doc: Any, report: Report) -> Bundle:
    """Read a parsed document, whole, into a bundle of unsaved rows."""
    reading = Reading(doc)
    for position, (key, obj) in enumerate(reading.capabilities_value.items()):
        capability, tests = reading.capability(key, obj, position)
        reading.bundle.capabilities.append((capability, tests))
    report.warnings += reading.warnings()
    return reading.bundle


class Reading:
    """A guideline document read in two steps: all but its capabilities, then each of them.

    ``read_document`` takes the capabilities from a parsed document. The
    importer reads a large file's capabilities one at a time from their text
    and stores each as it goes (``guidelines.interop_format.outline``), so
    that the document's objects are never all in memory at once. Either way,
    the warnings are those of reading the document whole, in the same order.
    """

    def __init__(self, doc: Any, repeated: Iterable[tuple[str, str]] = ()):
        """``doc``: the document, its capabilities included or left out (an empty
        object in their place); ``repeated``: the warnings of keys its parsing
        found repeated (those in the capabilities' own text are added here)."""
        self.generation = detect_generation(doc)
        self.outline = doc
        self._repeated = Report()
        self._repeated.warnings = list(repeated)
        self._top, self._capabilities, self._sections = Report(), Report(), Report()
        self._reader = _Reader(self.generation, self._top)
        self.bundle, child = self._reader.outline(doc, self._sections)
        self.capabilities_value: dict = child.value
        self._at = child.doc_path
        _refuse_unstorable_outline(self.bundle)
        self._checks = _CrossChecks(self.generation, self.bundle)
        self._violations = outline_violations(doc, self.generation.version)

    def capability(self, key: str, obj: Any, position: int) -> tuple[Capability, list[Test]]:
        """Read one capability, ``position`` in the document, and check it."""
        self._reader.report = self._capabilities
        capability, tests = self._reader.capability(self.bundle, key, obj, position, self._at)
        _refuse_unstorable_capability(capability, tests)
        self._checks.add(capability, tests)
        self._violations += capability_violations(key, obj, self.generation.version)
        return capability, tests

    def parse_capability(self, key: str, piece: bytes) -> Any:
        """Parse a capability's own bytes, as ``parse_json`` parses the document."""
        _text_or_refuse(key, self._at)  # the key is not in the piece
        at = pointer_join(self._at, key)
        return parse_text(piece.decode("utf-8"), self._repeated, at=at, depth=2)

    def warnings(self) -> list[tuple[str, str]]:
        """Everything noticed, once every capability is read."""
        read = self._top.warnings + self._capabilities.warnings + self._sections.warnings
        # Repeated keys by place, as ``parse_json`` reports them in a whole document.
        found = sorted(self._repeated.warnings) + read + self._checks.warnings()
        # Validation adds missing keys, patterns and enums; a value the reader
        # already reported and kept verbatim is not reported twice.
        noticed = {where for where, message in read if message.endswith(KEPT)}
        for path, message in sorted(self._violations):
            where = "/" + path
            # The place itself or any object above it: /a/b/c is under /a/b and /a.
            above = [where[:i] for i in range(len(where)) if where[i] == "/" and i > 0]
            if where not in noticed and noticed.isdisjoint(above):
                found.append(("/" + path if path else "/", message))
        return found


# Names are indexed; PostgreSQL's index rows hold at most 2,704 bytes.
MAX_NAME_BYTES = 2000


def name_too_long(value) -> int | None:
    """The size in bytes of a name or id too long to be stored and indexed; else None."""
    # Four bytes a character at most: only long names are measured.
    if not isinstance(value, str) or len(value) * 4 <= MAX_NAME_BYTES:
        return None
    size = len(value.encode("utf-8", "surrogatepass"))
    return size if size > MAX_NAME_BYTES else None


def _refuse_if_unstorable(value, *where: str) -> None:
    size = name_too_long(value)
    if size is not None:
        path = ""
        for part in where:
            path = pointer_join(path, part[:40])
        raise FormatError(
            "/" + path,
            f"{value[:40]!r}... is {size:,} bytes long: a name or id is stored "
            f"and indexed up to {MAX_NAME_BYTES:,} bytes; shorten it",
        )


def _refuse_unstorable_outline(bundle: Bundle) -> None:
    """FormatError at the first name too long to be stored (and indexed), but for the
    capabilities' (``_refuse_unstorable_capability``, as each is read)."""
    check = _refuse_if_unstorable
    for criterion in bundle.criteria:
        check(criterion.key, "criteria", criterion.key)
    for repository in bundle.test_repositories:
        check(repository.name, "test_repositories", repository.name)
    for program, _ in bundle.programs:
        check(program.name, "platforms", program.name)
    for component, entries in bundle.components:
        check(component.name, "components", component.name)
        for entry in entries:
            check(entry.name, "components", component.name)
    for section, parts in bundle.designated_sections:
        check(section.project, "designated_sections", section.project)
        for part in parts:
            check(part.name, "designated_sections", section.project)


def _refuse_unstorable_capability(capability: Capability, tests: list[Test]) -> None:
    check = _refuse_if_unstorable
    check(capability.key, "capabilities", capability.key)
    for test in tests:
        check(test.name, "capabilities", capability.key, "tests")
        check(test.idempotent_id, "capabilities", capability.key, "tests", test.name)


class _Reader:
    def __init__(self, generation: Generation, report: Report):
        self.gen = generation
        self.report = report

    def outline(self, doc: dict, sections: Report) -> tuple[Bundle, ChildValue]:
        """Read all but the capabilities; their value (an object of objects) comes back."""
        guideline = Guideline(schema=self.gen.version)
        children = read_object(guideline, self.gen.guideline, doc, report=self.report, doc_path="")
        bundle = Bundle(guideline=guideline)
        for name in ("capabilities", "components"):
            if name not in children:
                raise FormatError("/", f"not a guideline: no '{name}' object")
        self.object_of_objects(guideline, children["capabilities"], core=True)
        self.report = sections
        self.components(bundle, children["components"])
        if "criteria" in children:
            self.criteria(bundle, children["criteria"])
        if "platform" in children:
            self.platform_1x(bundle, children["platform"])
        for name, kind, spec in (
            ("platforms", ProgramKind.PLATFORM, self.gen.platform),
            ("add_ons", ProgramKind.ADD_ON, self.gen.add_on),
        ):
            if name in children:
                self.programs_2x(bundle, children[name], kind, spec)
        if "designated_sections" in children:
            self.designated_sections(bundle, children["designated_sections"])
        if "test_repositories" in children:
            self.test_repositories(bundle, children["test_repositories"])
        return bundle, children["capabilities"]

    # -- helpers -----------------------------------------------------------

    def keep(self, row, child: ChildValue, message: str) -> None:
        """Keep a value the model cannot hold, verbatim, and say so."""
        row.extra[child.row_path] = child.value
        self.report.warn(child.doc_path, message + "; kept as is")

    def object_of_objects(self, row, child: ChildValue, *, core: bool) -> dict | None:
        if isinstance(child.value, dict):
            return child.value
        message = f"expected an object, got {describe(child.value)}"
        if core:
            raise FormatError("/" + child.doc_path, message)
        self.keep(row, child, message)
        return None

    # -- sections of the document -----------------------------------------

    def capability(
        self, bundle: Bundle, key: str, obj: Any, position: int, base: str
    ) -> tuple[Capability, list[Test]]:
        at = pointer_join(base, key)
        if not isinstance(obj, dict):
            raise FormatError("/" + at, f"a capability is an object, not {describe(obj)}")
        capability = new_capability(guideline=bundle.guideline, key=key, position=position)
        kids = read_object(capability, self.gen.capability, obj, report=self.report, doc_path=at)
        tests = self.tests(capability, kids["tests"]) if "tests" in kids else []
        return capability, tests

    def tests(self, capability: Capability, child: ChildValue) -> list[Test]:
        value = child.value
        tests: list[Test] = []
        if isinstance(value, list):
            for position, name in enumerate(value):
                if not isinstance(name, str):
                    raise FormatError(
                        f"/{child.doc_path}/{position}",
                        f"a test name is a string, not {describe(name)}",
                    )
                tests.append(Test(capability=capability, name=name, position=position))
            names = Counter(value)
            repeated = [name for name, n in names.items() if n > 1]
            if repeated:
                raise FormatError("/" + child.doc_path, f"test listed twice: {', '.join(repeated)}")
            flagged = capability.extra.get("flagged")
            if isinstance(flagged, list):
                by_name = {test.name: test for test in tests}
                for name in flagged:
                    if name in by_name:
                        by_name[name].is_flagged = True
                    else:
                        self.report.warn(
                            pointer_join(capability.key, "flagged"),
                            f"flagged test {name!r} is not among the tests",
                        )
        elif isinstance(value, dict):
            for position, (name, obj) in enumerate(value.items()):
                at = pointer_join(child.doc_path, name)
                if not isinstance(obj, dict):
                    raise FormatError("/" + at, f"a test is an object, not {describe(obj)}")
                test = new_test(capability=capability, name=name, position=position)
                read_object(test, self.gen.test, obj, report=self.report, doc_path=at)
                tests.append(test)
        else:
            raise FormatError(
                "/" + child.doc_path,
                f"tests must be a list of names or an object keyed by name, not {describe(value)}",
            )
        if isinstance(value, list) != self.gen.tests_as_list:
            form = "a list of names" if self.gen.tests_as_list else "an object keyed by name"
            capability.extra[child.row_path] = value
            self.report.warn(
                child.doc_path, f"schema {self.gen.version} writes tests as {form}; kept as is"
            )
        return tests

    def components(self, bundle: Bundle, child: ChildValue) -> None:
        comps = self.object_of_objects(bundle.guideline, child, core=True)
        for position, (name, obj) in enumerate(comps.items()):
            at = pointer_join(child.doc_path, name)
            if not isinstance(obj, dict):
                raise FormatError("/" + at, f"a component is an object, not {describe(obj)}")
            component = Component(guideline=bundle.guideline, name=name, position=position)
            kids = read_object(component, self.gen.component, obj, report=self.report, doc_path=at)
            entries = []
            for list_name, list_child in kids.items():
                kind, status = list_name.split("/")
                entries += [
                    new_entry(component=component, kind=kind, status=status, name=n, position=pos)
                    for pos, n in enumerate(self.names(list_child))
                ]
            bundle.components.append((component, entries))

    def names(self, child: ChildValue) -> list[str]:
        if not isinstance(child.value, list) or not all(
            isinstance(item, str) for item in child.value
        ):
            raise FormatError(
                "/" + child.doc_path, f"expected a list of names, got {describe(child.value)}"
            )
        return child.value

    def criteria(self, bundle: Bundle, child: ChildValue) -> None:
        guideline = bundle.guideline
        value = child.value
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            # orchestration.2020.06 lists criterion names without weights.
            bundle.criteria = [
                Criterion(guideline=guideline, key=key, position=position)
                for position, key in enumerate(dict.fromkeys(value))
            ]
            self.keep(guideline, child, "criteria are listed by name, without weights")
            return
        criteria = self.object_of_objects(guideline, child, core=False) or {}
        for position, (key, obj) in enumerate(criteria.items()):
            at = pointer_join(child.doc_path, key)
            if not isinstance(obj, dict):
                self.keep(
                    guideline,
                    ChildValue(obj, at, pointer_join(child.row_path, key)),
                    f"a criterion is an object, not {describe(obj)}",
                )
                continue
            criterion = Criterion(guideline=guideline, key=key, position=position)
            read_object(criterion, self.gen.criterion, obj, report=self.report, doc_path=at)
            bundle.criteria.append(criterion)

    def platform_1x(self, bundle: Bundle, child: ChildValue) -> None:
        if not isinstance(child.value, dict):
            self.keep(bundle.guideline, child, f"expected an object, got {describe(child.value)}")
            return
        program = Program(guideline=bundle.guideline, kind=ProgramKind.PLATFORM, name="")
        kids = read_object(
            program, self.gen.platform, child.value, report=self.report, doc_path=child.doc_path
        )
        refs = []
        for list_name, list_child in kids.items():
            status = list_name.split("/")[1]
            if not isinstance(list_child.value, list) or not all(
                isinstance(item, str) for item in list_child.value
            ):
                self.keep(program, list_child, "expected a list of component names")
                continue
            refs += [
                ProgramComponent(
                    program=program,
                    role=ProgramComponentRole.MEMBER,
                    status=status,
                    name=name,
                    position=position,
                )
                for position, name in enumerate(list_child.value)
            ]
        bundle.programs.append((program, refs))

    def programs_2x(self, bundle: Bundle, child: ChildValue, kind: str, spec) -> None:
        programs = self.object_of_objects(bundle.guideline, child, core=False) or {}
        for position, (name, obj) in enumerate(programs.items()):
            at = pointer_join(child.doc_path, name)
            if not isinstance(obj, dict):
                self.keep(
                    bundle.guideline,
                    ChildValue(obj, at, pointer_join(child.row_path, name)),
                    f"expected an object, got {describe(obj)}",
                )
                continue
            program = Program(guideline=bundle.guideline, kind=kind, name=name, position=position)
            kids = read_object(program, spec, obj, report=self.report, doc_path=at)
            refs = []
            for role, list_child in kids.items():
                items = list_child.value
                if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                    self.keep(program, list_child, "expected a list of component objects")
                    continue
                for index, item in enumerate(items):
                    ref = ProgramComponent(program=program, role=role, position=index)
                    read_object(
                        ref,
                        self.gen.program_component,
                        item,
                        report=self.report,
                        doc_path=pointer_join(list_child.doc_path, str(index)),
                    )
                    refs.append(ref)
            bundle.programs.append((program, refs))

    def designated_sections(self, bundle: Bundle, child: ChildValue) -> None:
        guideline = bundle.guideline
        outer = self.object_of_objects(guideline, child, core=False)
        if outer is None:
            return
        guideline.layout[child.row_path] = list(outer)
        position = 0
        for outer_key, inner in outer.items():
            outer_child = ChildValue(
                inner,
                pointer_join(child.doc_path, outer_key),
                pointer_join(child.row_path, outer_key),
            )
            if not self.gen.v2 and outer_key not in SECTION_STATUSES:
                self.keep(
                    guideline, outer_child, f"unknown designated-section status '{outer_key}'"
                )
                continue
            if not isinstance(inner, dict):
                self.keep(guideline, outer_child, f"expected an object, got {describe(inner)}")
                continue
            for inner_key, obj in inner.items():
                status, project = (inner_key, outer_key) if self.gen.v2 else (outer_key, inner_key)
                at = ChildValue(
                    obj,
                    pointer_join(outer_child.doc_path, inner_key),
                    pointer_join(outer_child.row_path, inner_key),
                )
                if status not in SECTION_STATUSES:
                    self.keep(guideline, at, f"unknown designated-section status '{status}'")
                    continue
                if not isinstance(obj, dict):
                    self.keep(guideline, at, f"expected an object, got {describe(obj)}")
                    continue
                row = DesignatedSection(
                    guideline=guideline, project=project, status=status, position=position
                )
                position += 1
                kids = read_object(
                    row, self.gen.designated_section, obj, report=self.report, doc_path=at.doc_path
                )
                sections = []
                if "sections" in kids:
                    named = self.object_of_objects(row, kids["sections"], core=False) or {}
                    for index, (name, section_obj) in enumerate(named.items()):
                        where = pointer_join(kids["sections"].doc_path, name)
                        if not isinstance(section_obj, dict):
                            self.keep(
                                row,
                                ChildValue(section_obj, where, pointer_join("sections", name)),
                                f"expected an object, got {describe(section_obj)}",
                            )
                            continue
                        section = Section(designated_section=row, name=name, position=index)
                        read_object(
                            section,
                            self.gen.section,
                            section_obj,
                            report=self.report,
                            doc_path=where,
                        )
                        sections.append(section)
                bundle.designated_sections.append((row, sections))

    def test_repositories(self, bundle: Bundle, child: ChildValue) -> None:
        repos = self.object_of_objects(bundle.guideline, child, core=False) or {}
        for position, (name, obj) in enumerate(repos.items()):
            at = pointer_join(child.doc_path, name)
            if not isinstance(obj, dict):
                self.keep(
                    bundle.guideline,
                    ChildValue(obj, at, pointer_join(child.row_path, name)),
                    f"expected an object, got {describe(obj)}",
                )
                continue
            repo = TestRepository(guideline=bundle.guideline, name=name, position=position)
            read_object(repo, self.gen.test_repository, obj, report=self.report, doc_path=at)
            bundle.test_repositories.append(repo)


# A warning names this many tests at most: it is read by a person.
SHOWN_NAMES = 5


class _CrossChecks:
    """What the committee would want to know of the document as a whole.

    Capabilities are added one at a time; only what the checks need of each
    is kept (its key, its tests' ids and names).
    """

    def __init__(self, generation: Generation, bundle: Bundle):
        self.gen = generation
        self.bundle = bundle
        self.criteria = {criterion.key for criterion in bundle.criteria}
        self.defined: set[str] = set()
        self.each = Report()  # what is found of each capability, in their order
        # idempotent id -> the name of its test, or the names when several
        self.names_by_id: dict[str, str | set[str]] = {}

    def add(self, capability: Capability, tests: list[Test]) -> None:
        warn = self.each.warn
        self.defined.add(capability.key)
        where = f"capabilities/{capability.key}"
        if self.criteria and capability.achievements:
            unknown = [a for a in capability.achievements if a not in self.criteria]
            if unknown:
                warn(
                    f"{where}/achievements",
                    f"not among the criteria: {', '.join(map(repr, unknown))}",
                )
        since = capability.required_since
        if since and not GUIDELINE_ID.match(since):
            warn(f"{where}/required_since", f"'{since}' is not a guideline id (YYYY.MM)")
        if self.gen.tests_as_list:
            return
        names_by_id = self.names_by_id
        for test in tests:
            test_at = f"{where}/tests/{test.name}"
            if test.idempotent_id is None:
                warn(test_at, "test has no idempotent_id")
            elif not IDEMPOTENT_ID.match(test.idempotent_id):
                warn(
                    f"{test_at}/idempotent_id",
                    f"malformed idempotent id {test.idempotent_id!r} "
                    "(expected id-<uuid> or a bare uuid)",
                )
            else:
                named = names_by_id.setdefault(test.idempotent_id, test.name)
                if named != test.name:
                    if isinstance(named, str):
                        named = names_by_id[test.idempotent_id] = {named}
                    named.add(test.name)
            if test.is_flagged:
                missing = [
                    f
                    for f, v in (
                        ("date", test.flag_date),
                        ("reason", test.flag_reason),
                        ("action", test.flag_action),
                    )
                    if not v
                ]
                if missing:
                    warn(
                        f"{test_at}/flagged",
                        f"flag without {', '.join(missing)} (HACKING D307)",
                    )

    def warnings(self) -> list[tuple[str, str]]:
        report = Report()
        warn = report.warn
        listed = set()
        for component, entries in self.bundle.components:
            for entry in entries:
                if entry.kind != EntryKind.CAPABILITY:
                    continue
                listed.add(entry.name)
                if entry.name not in self.defined:
                    warn(
                        f"components/{component.name}",
                        f"capability '{entry.name}' is listed as {entry.status} but not defined",
                    )
        for key in sorted(self.defined - listed):
            warn(f"capabilities/{key}", "capability is defined but not listed in any component")
        report.warnings += self.each.warnings
        for test_id, names in sorted(self.names_by_id.items()):
            if not isinstance(names, str):
                shown = sorted(names)[:SHOWN_NAMES]
                more = f" and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
                warn(
                    "capabilities",
                    f"idempotent id {test_id} names different tests: "
                    f"{', '.join(shown)}{more} (2017A A2.4)",
                )
        return report.warnings
