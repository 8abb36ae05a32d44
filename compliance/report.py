"""The compliance report: does a run pass a guideline, capability by capability?

RefStack's browser UI compared a guideline and a run client-side. Here, for a
target (the platform, a component or an add-on, as the test lists name them):

- a capability's test is present when the run has it under its name, one of its
  aliases, or its idempotent id (tempest renames tests; ids stay);
- a capability passes when every unflagged test is present; flagged tests never
  count against it (2017A D2);
- the run complies when every required capability passes. Advisory, deprecated
  and removed capabilities are reported and decide nothing.

A missing test is also listed as ``failed`` or ``skipped`` when the run came as a
subunit stream that says so; otherwise it was not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.models import TestRun
from compliance.upload import bare_uuid
from guidelines.interop_format.bundle import Bundle
from guidelines.models import CapabilityStatus, EntryKind
from guidelines.testlist import TestListError, default_target, targets


@dataclass
class CapabilityResult:
    name: str
    status: str
    passed: bool
    tests: dict[str, list[str]] = field(default_factory=dict)  # passed, missing, flagged


@dataclass
class Report:
    guideline: str
    target: str
    compliant: bool
    capabilities: list[CapabilityResult]


def target_of(bundle: Bundle, asked: str | None) -> str:
    found = targets(bundle)
    target = (asked or "").strip().lower() or default_target(bundle, found)
    if target not in found:
        raise TestListError(
            f"target {target!r} is not one of {bundle.guideline.key}'s: {', '.join(sorted(found))}"
        )
    return target


def capability_statuses(bundle: Bundle, target: str) -> dict[str, str]:
    """{capability key: status} of the capabilities of ``target`` (already checked)."""
    components = set(targets(bundle)[target])
    statuses: dict[str, str] = {}
    order = CapabilityStatus.values
    for component, entries in bundle.components:
        if component.name not in components:
            continue
        for entry in entries:
            if entry.kind != EntryKind.CAPABILITY:
                continue
            # A capability in two components takes the status that decides most.
            known = statuses.get(entry.name)
            if known is None or order.index(entry.status) < order.index(known):
                statuses[entry.name] = entry.status
    return statuses


def report(run: TestRun, bundle: Bundle, target: str | None = None) -> Report:
    """The report of ``run`` against the guideline in ``bundle``; TestListError for a bad target."""
    target = target_of(bundle, target)
    statuses = capability_statuses(bundle, target)
    order = CapabilityStatus.values
    names = {name for name, _ in run.tests}
    ids = {uuid for _, uuid in run.tests if uuid}
    # A subunit stream says why a test is missing: it failed, or it was skipped.
    failed = {n for n, _ in run.failed} | {u for _, u in run.failed if u}
    skipped = {n for n, _ in run.skipped} | {u for _, u in run.skipped if u}
    results = []
    for capability, tests in bundle.capabilities:
        status = statuses.get(capability.key)
        if status is None:
            continue
        found: dict[str, list[str]] = {
            "passed": [],
            "missing": [],
            "flagged": [],
            "failed": [],
            "skipped": [],
        }
        for test in tests:
            if test.is_flagged:
                found["flagged"].append(test.name)
                continue
            known_id = bare_uuid(test.idempotent_id or "")
            present = (
                test.name in names
                or any(alias in names for alias in test.aliases or [])
                or (known_id is not None and known_id in ids)
            )
            found["passed" if present else "missing"].append(test.name)
            if not present:
                known = {test.name, *(test.aliases or []), known_id}
                if known & failed:
                    found["failed"].append(test.name)
                elif known & skipped:
                    found["skipped"].append(test.name)
        results.append(
            CapabilityResult(
                name=capability.key, status=status, passed=not found["missing"], tests=found
            )
        )
    results.sort(key=lambda r: (order.index(r.status), r.name))
    compliant = all(r.passed for r in results if r.status == CapabilityStatus.REQUIRED)
    return Report(
        guideline=bundle.guideline.key, target=target, compliant=compliant, capabilities=results
    )


@dataclass
class Standing:
    guideline: str
    target: str
    compliant: bool
    failing: list[str]  # required capabilities that do not pass


def summary(run: TestRun) -> list[Standing]:
    """Which approved guidelines and targets ``run`` satisfies, each one checked."""
    from guidelines.models import Guideline
    from guidelines.selectors import guideline_bundle

    found = []
    for guideline in Guideline.objects.approved().order_by("-key"):
        bundle = guideline_bundle(guideline)
        for target in sorted(targets(bundle)):
            checked = report(run, bundle, target)
            failing = [
                c.name
                for c in checked.capabilities
                if c.status == CapabilityStatus.REQUIRED and not c.passed
            ]
            found.append(Standing(guideline.key, target, checked.compliant, failing))
    return found
