"""What changed from one guideline to another: the changelog reviewers and vendors ask for.

``guideline_diff(a, b)`` reads both guidelines with ``guideline_bundle`` (a fixed
number of queries each, whatever their size) and compares them in memory. It
only reports; it decides nothing about either guideline. The result is plain
JSON (see ``guideline_diff``), ordered by document order: what exists in ``b``
in ``b``'s order, what only ``a`` had in ``a``'s order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.patterns import IDEMPOTENT_ID
from guidelines.models import (
    Capability,
    CapabilityStatus,
    Component,
    ComponentEntry,
    EntryKind,
    Guideline,
    SchemaGeneration,
    Test,
)
from guidelines.selectors import guideline_bundle

METADATA_FIELDS = (
    "key",
    "schema",
    "status",
    "doc_id",
    "replaces",
    "releases",
    "target_approval",
    "cutoff_score",
    "source",
    "reference",
)
CRITERION_FIELDS = ("name", "description", "weight")
CAPABILITY_FIELDS = ("project", "admin", "description", "required_since", "achievements")

# Schema 2.0 renamed the 1.x components (DOMAIN.md section 1): the 1.x compute
# and object components are the 2.0 os_powered_compute and os_powered_storage.
# Matched by name alone, a diff from 2016.08 (1.6) to 2018.02 (2.0) would report
# two components removed, two added, and every capability removed and added again.
COMPONENTS_1X_AS_2_0 = {"compute": "os_powered_compute", "object": "os_powered_storage"}

# The kinds of change, in the order the summary (and the page) lists them.
SUMMARY_KINDS = (
    "metadata",
    "criteria_added",
    "criteria_removed",
    "criteria_changed",
    "components_added",
    "components_removed",
    "capabilities_added",
    "capabilities_removed",
    "capabilities_moved",
    "capabilities_defined",
    "capabilities_undefined",
    "capabilities_changed",
    "tests_added",
    "tests_removed",
    "tests_renamed",
    "tests_moved",
    "tests_aliases_changed",
    "tests_idempotent_id_changed",
    "tests_flagged",
    "tests_unflagged",
    "tests_flag_changed",
)
TEST_KINDS = (
    "added",
    "removed",
    "renamed",
    "moved",
    "aliases_changed",
    "idempotent_id_changed",
    "flagged",
    "unflagged",
    "flag_changed",
)


def guideline_diff(a: Guideline, b: Guideline) -> dict:
    """Every change from guideline ``a`` to guideline ``b``, as JSON.

    ::

        {"from": {"key": "2018.02", "schema": "2.0", "status": "superseded"},
         "to": {"key": "2020.06", ...},
         "summary": {"metadata": 7, "capabilities_removed": 16, ..., "total": 126},
         "metadata": [{"field": "status", "from": "superseded", "to": "approved"}],
         "criteria": {"added": [], "removed": [], "changed": [
             {"key": "deployed", "changes": [{"field": "weight", "from": 8, "to": 6}]}]},
         "components": [{"name": "os_powered_compute", "from": "compute",
                         "to": "os_powered_compute", "added": [{"capability", "status"}],
                         "removed": [...], "moved": [{"capability", "from", "to"}]}],
         "capabilities": {"defined": [{"capability", "project"}], "undefined": [...],
                          "changed": [{"capability", "changes": [{"field", "from", "to"}]}]},
         "tests": {"added": [{"name", "capability", "idempotent_id"}], "removed": [...],
                   "renamed": [{"from", "to", "capability", "idempotent_id"}],
                   "moved": [{"name", "from", "to", "idempotent_id"}], ...}}

    ``components`` has every component of either guideline, changed or not;
    ``from``/``to`` is None for a component only one of them has.
    """
    old, new = guideline_bundle(a), guideline_bundle(b)
    changes = {
        "metadata": _field_changes(a, b, METADATA_FIELDS),
        "criteria": _criteria(old, new),
        "components": _components(old, new),
        "capabilities": _capabilities(old, new),
        "tests": _tests(old, new),
    }
    return {"from": _identity(a), "to": _identity(b), "summary": _summary(changes), **changes}


def _identity(guideline: Guideline) -> dict:
    return {"key": guideline.key, "schema": guideline.schema, "status": guideline.status}


def _field_changes(old, new, fields: Iterable[str]) -> list[dict]:
    return [
        {"field": name, "from": getattr(old, name), "to": getattr(new, name)}
        for name in fields
        if not _same(name, getattr(old, name), getattr(new, name))
    ]


def _same(field: str, old, new) -> bool:
    # Achievements are the set of criteria a capability meets: written in another
    # order they say the same thing, so a reordering is not reported as a change.
    if field == "achievements":
        return sorted(old or [], key=str) == sorted(new or [], key=str)
    return old == new


def _keyed_changes(old_rows, new_rows, key: str, label: str, fields, describe) -> dict:
    """added / removed / changed for rows with a key (criteria, capability definitions)."""
    old_by_key = {getattr(row, key): row for row in old_rows}
    new_keys = {getattr(row, key) for row in new_rows}
    changed = []
    for row in new_rows:
        before = old_by_key.get(getattr(row, key))
        if before is not None and (changes := _field_changes(before, row, fields)):
            changed.append({label: getattr(row, key), "changes": changes})
    return {
        "added": [describe(row) for row in new_rows if getattr(row, key) not in old_by_key],
        "removed": [describe(row) for row in old_rows if getattr(row, key) not in new_keys],
        "changed": changed,
    }


# Criteria


def _criteria(old: Bundle, new: Bundle) -> dict:
    return _keyed_changes(
        old.criteria,
        new.criteria,
        "key",
        "key",
        CRITERION_FIELDS,
        lambda c: {"key": c.key, "name": c.name, "weight": c.weight},
    )


# Components: which capabilities each lists, and with what status


def _is_1x(guideline: Guideline) -> bool:
    return guideline.schema != SchemaGeneration.V2_0


def _match_names(guideline: Guideline, other: Guideline) -> Callable[[str], str]:
    """The name a component of ``guideline`` is matched by against ``other``'s components."""
    if _is_1x(guideline) and not _is_1x(other):
        return lambda name: COMPONENTS_1X_AS_2_0.get(name, name)
    return lambda name: name


def _listed(entries: list[ComponentEntry]) -> dict[str, str]:
    """Capability name -> status, in list order.

    A name listed under two statuses of one component (a bad rebase, ccb7c1e)
    gets both, in the committee's status order: "advisory/required".
    """
    statuses: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.kind == EntryKind.CAPABILITY and entry.status not in statuses[entry.name]:
            statuses[entry.name].append(entry.status)
    return {
        name: "/".join(sorted(found, key=CapabilityStatus.rank)) for name, found in statuses.items()
    }


def _components(old: Bundle, new: Bundle) -> list[dict]:
    old_name = _match_names(old.guideline, new.guideline)
    new_name = _match_names(new.guideline, old.guideline)
    old_by_name = {old_name(c.name): (c, entries) for c, entries in old.components}
    pairs: list[tuple[Component | None, list, Component | None, list]] = []
    for component, entries in new.components:
        before, before_entries = old_by_name.pop(new_name(component.name), (None, []))
        pairs.append((before, before_entries, component, entries))
    pairs += [(c, entries, None, []) for c, entries in old_by_name.values()]

    result = []
    for before, before_entries, after, after_entries in pairs:
        was, now = _listed(before_entries), _listed(after_entries)
        result.append(
            {
                "name": (after or before).name,
                "from": before.name if before else None,
                "to": after.name if after else None,
                "added": [
                    {"capability": name, "status": status}
                    for name, status in now.items()
                    if name not in was
                ],
                "removed": [
                    {"capability": name, "status": status}
                    for name, status in was.items()
                    if name not in now
                ],
                "moved": [
                    {"capability": name, "from": was[name], "to": status}
                    for name, status in now.items()
                    if name in was and was[name] != status
                ],
            }
        )
    return result


# Capability definitions


def _capabilities(old: Bundle, new: Bundle) -> dict:
    found = _keyed_changes(
        [cap for cap, _ in old.capabilities],
        [cap for cap, _ in new.capabilities],
        "key",
        "capability",
        CAPABILITY_FIELDS,
        lambda cap: {"capability": cap.key, "project": cap.project},
    )
    return {
        "defined": found["added"],
        "undefined": found["removed"],
        "changed": found["changed"],
    }


# Tests


@dataclass(frozen=True)
class _Place:
    """A test where it stands in its guideline: in which capability, at which index."""

    index: int
    capability: Capability
    test: Test

    @property
    def uid(self) -> str | None:
        """The idempotent id to match by (bare uuid), if well-formed (2017A A2.4)."""
        raw = self.test.idempotent_id
        if raw and IDEMPOTENT_ID.match(raw):
            return raw.removeprefix("id-")
        return None

    @property
    def names(self) -> set[str]:
        return {self.test.name, *(self.test.aliases or [])}


def _places(bundle: Bundle) -> list[_Place]:
    places = []
    for capability, tests in bundle.capabilities:
        for test in tests:
            places.append(_Place(len(places), capability, test))
    return places


def _same_capability(a: _Place, b: _Place) -> bool:
    return a.capability.key == b.capability.key


def _same_name(a: _Place, b: _Place) -> bool:
    return a.test.name == b.test.name


def _aliased(a: _Place, b: _Place) -> bool:
    # Approved guidelines keep the old name as key and add the new one as an
    # alias; later guidelines swap them (DOMAIN.md section 1, schema 1.4).
    return a.test.name in b.names or b.test.name in a.names


# Tests that share an idempotent id are paired by the strongest evidence first:
# the same name in the same capability, then a name the other lists as an alias,
# then the same name elsewhere (moved), and only then by document order. One id
# can name several tests in a guideline (ServersTestJSON and ServersTestManualDisk
# in 2016.08, duplicates in 2018.02), so an id alone does not decide the pair.
_BY_ID = (
    lambda a, b: _same_capability(a, b) and _same_name(a, b),
    lambda a, b: _same_capability(a, b) and _aliased(a, b),
    _same_name,
    _aliased,
    _same_capability,
    lambda a, b: True,
)
# Tests matched by name (no well-formed id on one side, or the id changed).
_BY_NAME = (_same_capability, lambda a, b: True)


class _Pairing:
    """Pairs of (old place, new place), built up rule by rule."""

    def __init__(self):
        self.pairs: list[tuple[_Place, _Place]] = []
        self.old: set[int] = set()  # indexes of paired old places
        self.new: set[int] = set()

    def pair(self, old: list[_Place], new: list[_Place], rules) -> None:
        """For each rule, pair each unpaired new place with the first unpaired old one it fits."""
        for rule in rules:
            for after in new:
                if after.index in self.new:
                    continue
                for before in old:
                    if before.index not in self.old and rule(before, after):
                        self.pairs.append((before, after))
                        self.old.add(before.index)
                        self.new.add(after.index)
                        break


def _group(places: list[_Place], key) -> dict[str, list[_Place]]:
    groups: dict[str, list[_Place]] = defaultdict(list)
    for place in places:
        if (value := key(place)) is not None:
            groups[value].append(place)
    return groups


def _match_tests(old: list[_Place], new: list[_Place]):
    """(pairs, removed, added): by well-formed idempotent id, then by name."""
    found = _Pairing()
    old_by_id = _group(old, lambda p: p.uid)
    for uid, group in _group(new, lambda p: p.uid).items():
        found.pair(old_by_id.get(uid, []), group, _BY_ID)
    old_left = [p for p in old if p.index not in found.old]
    new_left = [p for p in new if p.index not in found.new]
    old_by_name = _group(old_left, lambda p: p.test.name)
    for name, group in _group(new_left, lambda p: p.test.name).items():
        found.pair(old_by_name.get(name, []), group, _BY_NAME)
    return (
        sorted(found.pairs, key=lambda pair: pair[1].index),
        [p for p in old if p.index not in found.old],
        [p for p in new if p.index not in found.new],
    )


def _flag(test: Test) -> dict:
    return {"date": test.flag_date, "reason": test.flag_reason, "action": test.flag_action}


def _test(place: _Place) -> dict:
    return {
        "name": place.test.name,
        "capability": place.capability.key,
        "idempotent_id": place.test.idempotent_id,
    }


def _tests(old: Bundle, new: Bundle) -> dict:
    pairs, removed, added = _match_tests(_places(old), _places(new))
    found: dict[str, list[dict]] = {kind: [] for kind in TEST_KINDS}
    found["added"] = [_test(place) for place in added]
    found["removed"] = [_test(place) for place in removed]
    for before, after in pairs:
        was, now, test = before.test, after.test, _test(after)
        if was.name != now.name:
            found["renamed"].append(
                {
                    "from": was.name,
                    "to": now.name,
                    "capability": after.capability.key,
                    "idempotent_id": now.idempotent_id,
                }
            )
        if before.capability.key != after.capability.key:
            found["moved"].append(
                {
                    "name": now.name,
                    "from": before.capability.key,
                    "to": after.capability.key,
                    "idempotent_id": now.idempotent_id,
                }
            )
        # Aliases are a set of other names; their order in the document means nothing.
        if set(was.aliases or []) != set(now.aliases or []):
            found["aliases_changed"].append(
                {**test, "from": was.aliases or [], "to": now.aliases or []}
            )
        if was.idempotent_id != now.idempotent_id:
            found["idempotent_id_changed"].append(
                {**test, "from": was.idempotent_id, "to": now.idempotent_id}
            )
        if now.is_flagged and not was.is_flagged:
            found["flagged"].append({**test, "flag": _flag(now)})
        elif was.is_flagged and not now.is_flagged:
            found["unflagged"].append({**test, "flag": _flag(was)})
        elif was.is_flagged and _flag(was) != _flag(now):
            found["flag_changed"].append({**test, "from": _flag(was), "to": _flag(now)})
    return found


# Summary


def _summary(diff: dict) -> dict[str, int]:
    """How many changes of each kind (SUMMARY_KINDS), and their ``total``."""
    components = diff["components"]
    counts = {
        "metadata": len(diff["metadata"]),
        **{f"criteria_{kind}": len(rows) for kind, rows in diff["criteria"].items()},
        "components_added": sum(1 for c in components if c["from"] is None),
        "components_removed": sum(1 for c in components if c["to"] is None),
        **{
            f"capabilities_{kind}": sum(len(c[kind]) for c in components)
            for kind in ("added", "removed", "moved")
        },
        **{f"capabilities_{kind}": len(rows) for kind, rows in diff["capabilities"].items()},
        **{f"tests_{kind}": len(rows) for kind, rows in diff["tests"].items()},
    }
    summary = {kind: counts[kind] for kind in SUMMARY_KINDS}
    summary["total"] = sum(summary.values())
    return summary
