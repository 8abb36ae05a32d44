"""The committee's process rules, checked on a guideline against its predecessor.

Each finding names its rule (2017A A3.1 ... A4.6, HACKING D307/D309, the
Non-Admin veto of CoreCriteria) and what it is about, so a chair can answer
it with a written justification (2017A A7.2). The checker only reads: it
takes two ``Bundle``s and, for A4.4, each capability's total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from guidelines.diff import COMPONENTS_1X_AS_2_0
from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.patterns import FLAG_REASON, IDEMPOTENT_ID
from guidelines.models import CapabilityStatus, EntryKind


@dataclass(frozen=True)
class Finding:
    rule: str  # "2017A A4.6", "HACKING D307", "Non-Admin", ...
    subject: str  # what it is about: a capability, "component/project", a test
    message: str

    @property
    def key(self) -> tuple[str, str]:
        """What a chair's override answers: the rule and the subject."""
        return (self.rule, self.subject)


def _canonical(bundle: Bundle):
    """Component names comparable across generations: 1.x compute/object are 2.0's."""
    if bundle.guideline.schema.startswith("1."):
        return lambda name: COMPONENTS_1X_AS_2_0.get(name, name)
    return lambda name: name


def _statuses(bundle: Bundle, kind: str, *, flat: bool = False) -> dict[tuple[str, str], list[str]]:
    """(canonical component, name) -> statuses it is listed under, in list order.

    ``flat``: designated sections by project for the whole guideline (component
    "*"), as 1.x keeps them, so a 1.x and a 2.0 guideline can be compared.
    """
    canonical = _canonical(bundle)
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    if kind == EntryKind.DESIGNATED_SECTION and bundle.guideline.schema.startswith("1."):
        for section, _ in bundle.designated_sections:
            found[("*", section.project)].append(section.status)
        return found
    for component, entries in bundle.components:
        for entry in entries:
            if entry.kind == kind:
                where = "*" if flat else canonical(component.name)
                if entry.status not in found[(where, entry.name)] or not flat:
                    found[(where, entry.name)].append(entry.status)
    return found


def _component_names(bundle: Bundle) -> dict[str, str]:
    canonical = _canonical(bundle)
    return {canonical(c.name): c.name for c, _ in bundle.components}


def _lifecycle(
    draft: Bundle,
    previous: Bundle,
    kind: str,
    rules: tuple[str, str],
    noun: str,
    lineage: Mapping[str, list[str]],
) -> list[Finding]:
    """A4.5/A4.6 for capabilities, A3.1/A3.2 for designated sections."""
    removal_rule, addition_rule = rules
    flat = kind == EntryKind.DESIGNATED_SECTION and any(
        b.guideline.schema.startswith("1.") for b in (draft, previous)
    )
    now = _statuses(draft, kind, flat=flat)
    before = _statuses(previous, kind, flat=flat)
    names = _component_names(draft) | {"*": "designated sections"}
    prev_key = previous.guideline.key
    findings = []

    def previous_statuses(component: str, name: str) -> list[str]:
        # A regrouped capability inherits the statuses of what it was made from.
        found = list(before.get((component, name), []))
        for origin in lineage.get(name, []):
            found += before.get((component, origin), [])
        return found

    successors = defaultdict(list)
    for name, origins in lineage.items():
        for origin in origins:
            successors[origin].append(name)

    for (component, name), statuses in now.items():
        if "required" in statuses:
            earlier = previous_statuses(component, name)
            if not {"advisory", "required"} & set(earlier):
                was = "/".join(earlier) or "not listed"
                where = names.get(component, component)
                findings.append(
                    Finding(
                        addition_rule,
                        f"{where}/{name}",
                        f"{addition_rule}: {name} becomes required in {where} "
                        f"but was not advisory in {prev_key} ({was})",
                    )
                )
    for (component, name), statuses in before.items():
        if "required" not in statuses:
            continue
        current = set(now.get((component, name), []))
        for successor in successors.get(name, []):
            current |= set(now.get((component, successor), []))
        if current & {"required", "deprecated"}:
            continue
        where = names.get(component, component)
        state = "/".join(sorted(current, key=CapabilityStatus.rank)) or "no longer listed"
        findings.append(
            Finding(
                removal_rule,
                f"{where}/{name}",
                f"{removal_rule}: {noun} {name} leaves the required list of {where} ({state}) "
                f"without having been deprecated in {prev_key}",
            )
        )
    return findings


def check(
    draft: Bundle,
    previous: Bundle | None,
    *,
    totals: Mapping[str, int | None] | None = None,
    lineage: Mapping[str, list[str]] | None = None,
) -> list[Finding]:
    """Every finding on ``draft``. ``totals``: capability key -> total (None: not scored)."""
    lineage = lineage or {}
    findings: list[Finding] = []
    if previous is not None:
        findings += _lifecycle(
            draft,
            previous,
            EntryKind.CAPABILITY,
            ("2017A A4.5", "2017A A4.6"),
            "capability",
            lineage,
        )
        findings += _lifecycle(
            draft,
            previous,
            EntryKind.DESIGNATED_SECTION,
            ("2017A A3.2", "2017A A3.1"),
            "designated section",
            {},
        )
    findings += _listing(draft)
    findings += _requirements(draft, totals or {})
    findings += _tests(draft)
    return findings


def _listing(draft: Bundle) -> list[Finding]:
    findings = []
    defined = {capability.key for capability, _ in draft.capabilities}
    for component, entries in draft.components:
        statuses: dict[str, list[str]] = defaultdict(list)
        for entry in entries:
            if entry.kind != EntryKind.CAPABILITY:
                continue
            statuses[entry.name].append(entry.status)
            if entry.name not in defined:
                findings.append(
                    Finding(
                        "Listed capabilities defined",
                        f"{component.name}/{entry.name}",
                        f"{entry.name} is listed as {entry.status} in {component.name} but not "
                        "defined in the guideline",
                    )
                )
        for name, listed in statuses.items():
            if len(listed) > 1:
                findings.append(
                    Finding(
                        "One status per component",
                        f"{component.name}/{name}",
                        f"{name} is listed {len(listed)} times in {component.name} "
                        f"({', '.join(sorted(listed, key=CapabilityStatus.rank))}); "
                        "a capability has one status per component",
                    )
                )
    return findings


def _requirements(draft: Bundle, totals: Mapping[str, int | None]) -> list[Finding]:
    findings = []
    required = {
        entry.name
        for _, entries in draft.components
        for entry in entries
        if entry.kind == EntryKind.CAPABILITY and entry.status == "required"
    }
    cutoff = draft.guideline.cutoff_score
    for capability, _ in draft.capabilities:
        if capability.key not in required:
            continue
        if capability.admin:
            findings.append(
                Finding(
                    "Non-Admin",
                    capability.key,
                    f"Non-Admin: {capability.key} is required but needs admin rights; "
                    "an admin-only capability cannot be required (CoreCriteria)",
                )
            )
        score = totals.get(capability.key)
        if cutoff is not None and score is not None and score < cutoff:
            state = f"scores {score}" if score >= 0 else f"is not fully scored ({score})"
            findings.append(
                Finding(
                    "2017A A4.4",
                    capability.key,
                    f"2017A A4.4: {capability.key} is required but {state}, "
                    f"under the cut-off {cutoff}",
                )
            )
    return findings


def _tests(draft: Bundle) -> list[Finding]:
    if draft.guideline.schema == "1.2":
        return []  # 1.2 tests are bare names: no ids, no flag objects
    findings = []
    names_by_id: dict[str, set[str]] = defaultdict(set)
    for capability, tests in draft.capabilities:
        for test in tests:
            subject = f"{capability.key}/{test.name}"
            if not test.idempotent_id or not IDEMPOTENT_ID.match(test.idempotent_id):
                findings.append(
                    Finding(
                        "2017A A2.4",
                        subject,
                        f"2017A A2.4: {test.name} in {capability.key} has no well-formed "
                        f"idempotent id ({test.idempotent_id!r})",
                    )
                )
            else:
                names_by_id[test.idempotent_id].add(test.name)
            if not test.is_flagged:
                continue
            flag = {"date": test.flag_date, "reason": test.flag_reason, "action": test.flag_action}
            missing = [name for name, value in flag.items() if not value]
            if missing:
                findings.append(
                    Finding(
                        "HACKING D307",
                        subject,
                        f"HACKING D307: the flag on {test.name} has no {', '.join(missing)}",
                    )
                )
            elif not FLAG_REASON.match(test.flag_reason):
                findings.append(
                    Finding(
                        "HACKING D309",
                        subject,
                        f"HACKING D309: the flag reason on {test.name} does not start with its "
                        f"flag type ([D400] to [D406]): {test.flag_reason[:60]!r}",
                    )
                )
    for test_id, names in sorted(names_by_id.items()):
        if len(names) > 1:
            findings.append(
                Finding(
                    "2017A A2.4",
                    test_id,
                    f"2017A A2.4: idempotent id {test_id} names {len(names)} different tests: "
                    f"{', '.join(sorted(names))}",
                )
            )
    return findings
