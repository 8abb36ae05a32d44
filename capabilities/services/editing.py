"""Capabilities, tests, flags and lineage in the drafting workspace.

Every function is one transaction, checks the actor's role and the process
rules it enforces, and records the change (guidelines.services.
guideline_record_change): who, when, what before and after, through which
channel. ``actor=None`` is an operator on the command line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from capabilities.models import Capability, Lineage, Test
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.patterns import DATE, FLAG_REASON, IDEMPOTENT_ID
from guidelines.interop_format.specs import GENERATIONS
from guidelines.models import (
    CapabilityStatus,
    Component,
    ComponentEntry,
    EntryKind,
    EventChannel,
    EventKind,
    Guideline,
    GuidelineStatus,
)
from guidelines.services import (
    Conflict,
    GuidelineError,
    NotAllowed,
    guideline_record_change,
    guideline_require_editable,
)
from votes.selectors import is_chair, is_member

CAPABILITY_KEY = re.compile(r"^[a-z0-9][A-Za-z0-9-]*$")
EDITABLE_FIELDS = ("project", "description", "admin", "required_since")


def require_member(actor, what: str) -> None:
    if actor is not None and not is_member(actor):
        raise NotAllowed(f"{what} is for committee members; reviewers may read and comment")


def require_chair(actor, what: str) -> None:
    if actor is not None and not is_chair(actor):
        raise NotAllowed(f"{what} is for the chair")


def capability_snapshot(capability: Capability) -> dict:
    """What an editor sees of a capability: the 'before' and 'after' of its changes."""
    return {
        "key": capability.key,
        "version": capability.version,
        **{name: getattr(capability, name) for name in EDITABLE_FIELDS},
        "achievements": capability.achievements,
    }


def _spec(guideline: Guideline):
    return GENERATIONS[guideline.schema]


def _locked(capability: Capability, expected_version: int | None) -> Capability:
    """The capability, row-locked; Conflict if it changed since the editor read it."""
    # Two editors saving the same capability: the lock orders them, the
    # version tells the second that the first got there before.
    current = (
        Capability.objects.select_for_update().select_related("guideline").get(pk=capability.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            f"{current.key} was changed by someone else (version {current.version}, you edited "
            f"version {expected_version}); review the current values and save again",
            current=capability_snapshot(current),
        )
    return current


def _editable(capability: Capability, expected_version: int | None, actor, what: str):
    """The capability locked for an edit by a member, in a guideline that takes edits."""
    require_member(actor, what.capitalize())
    capability = _locked(capability, expected_version)
    guideline_require_editable(capability.guideline, what=f"{what} {capability.key}")
    return capability, capability.guideline


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def _check_tests(tests: Iterable[dict], *, existing: set[str] = frozenset()) -> list[dict]:
    checked, names, ids = [], set(existing), set()
    for number, test in enumerate(tests, start=1):
        name = (test.get("name") or "").strip()
        test_id = (test.get("idempotent_id") or "").strip()
        aliases = [a.strip() for a in test.get("aliases") or [] if a.strip()]
        if not name:
            raise GuidelineError(f"test {number}: a test needs its fully qualified name")
        if name in names:
            raise GuidelineError(f"test {number}: {name} is listed twice")
        if not IDEMPOTENT_ID.match(test_id):
            raise GuidelineError(
                f"test {number} ({name}): idempotent id {test_id!r} is not id-<uuid> or a uuid "
                "(2017A A2.4)"
            )
        if test_id in ids:
            raise GuidelineError(f"test {number} ({name}): idempotent id {test_id} is used twice")
        names.add(name)
        ids.add(test_id)
        checked.append({"name": name, "idempotent_id": test_id, "aliases": aliases or None})
    return checked


@transaction.atomic
def capability_propose(
    *,
    guideline: Guideline,
    key: str,
    component: str,
    status: str = CapabilityStatus.ADVISORY,
    project: str,
    description: str,
    admin: bool = False,
    tests: Iterable[dict] = (),
    actor=None,
    channel: str = EventChannel.WEB,
) -> Capability:
    """A new capability in a draft, listed in one component (advisory by default, A4.6)."""
    require_member(actor, "Proposing a capability")
    guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
    guideline_require_editable(guideline, what="proposing a capability")
    if not CAPABILITY_KEY.match(key):
        raise GuidelineError(f"{key!r} is not a capability name: use letters, digits and '-'")
    if guideline.capabilities.filter(key=key).exists():
        raise GuidelineError(f"{guideline.key} already has a capability {key}")
    if status not in CapabilityStatus.values:
        raise GuidelineError(
            f"status {status!r} is not one of {', '.join(CapabilityStatus.values)}"
        )
    target = Component.objects.filter(guideline=guideline, name=component).first()
    if target is None:
        names = ", ".join(guideline.components.values_list("name", flat=True))
        raise GuidelineError(f"{guideline.key} has no component {component!r} (it has {names})")
    if not project.strip():
        raise GuidelineError("a capability needs the project that provides it")
    checked = _check_tests(tests)
    capability = Capability(
        guideline=guideline,
        key=key,
        position=_next_position(guideline.capabilities.all()),
        achievements=[],
        admin=admin,
        description=description,
        project=project.strip(),
        required_since="",
    )
    capability.full_clean(exclude=["layout", "extra"])
    capability.save()
    Test.objects.bulk_create(
        Test(capability=capability, position=position, **test)
        for position, test in enumerate(checked)
    )
    ComponentEntry.objects.create(
        component=target,
        kind=EntryKind.CAPABILITY,
        status=status,
        name=key,
        position=_next_position(target.entries.all()),
    )
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.CAPABILITY_PROPOSED,
        actor=actor,
        channel=channel,
        subject=key,
        summary=f"Proposed {key} as {status} in {component}",
        after={**capability_snapshot(capability), "tests": checked},
    )
    return capability


@transaction.atomic
def capability_update(
    *,
    capability: Capability,
    expected_version: int | None,
    changes: dict,
    actor=None,
    channel: str = EventChannel.WEB,
) -> Capability:
    """Change a capability's project, description, admin flag or required_since."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise GuidelineError(
            f"cannot change {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE_FIELDS)}"
        )
    capability, guideline = _editable(capability, expected_version, actor, "editing")
    if "admin" in changes and not isinstance(changes["admin"], bool):
        raise GuidelineError("admin must be true or false")
    before = capability_snapshot(capability)
    spec = _spec(guideline).capability
    for name, value in changes.items():
        field_set(capability, spec, name, value)
    capability.version += 1
    capability.full_clean(exclude=["layout", "extra", "guideline"])
    capability.save()
    after = capability_snapshot(capability)
    changed = [name for name in EDITABLE_FIELDS if before[name] != after[name]]
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.CAPABILITY_CHANGED,
        actor=actor,
        channel=channel,
        subject=capability.key,
        summary=f"Changed {', '.join(changed) or 'nothing'} of {capability.key}",
        before=before,
        after=after,
    )
    return capability


@transaction.atomic
def capability_move(
    *,
    capability: Capability,
    component: str,
    status: str,
    expected_version: int | None = None,
    actor=None,
    channel: str = EventChannel.WEB,
) -> Capability:
    """List a capability under ``status`` in ``component``, and under no other status there."""
    capability, guideline = _editable(capability, expected_version, actor, "moving")
    if status not in CapabilityStatus.values:
        raise GuidelineError(
            f"status {status!r} is not one of {', '.join(CapabilityStatus.values)}"
        )
    target = Component.objects.filter(guideline=guideline, name=component).first()
    if target is None:
        raise GuidelineError(f"{guideline.key} has no component {component!r}")
    listed = ComponentEntry.objects.filter(
        component=target, kind=EntryKind.CAPABILITY, name=capability.key
    )
    before = sorted(listed.values_list("status", flat=True))
    if before == [status]:
        return capability
    listed.delete()
    ComponentEntry.objects.create(
        component=target,
        kind=EntryKind.CAPABILITY,
        status=status,
        name=capability.key,
        position=_next_position(target.entries.all()),
    )
    capability.version += 1
    capability.save(update_fields=["version"])
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.CAPABILITY_MOVED,
        actor=actor,
        channel=channel,
        subject=capability.key,
        summary=f"Moved {capability.key} in {component}: {'/'.join(before) or 'unlisted'} -> "
        f"{status}",
        before={"component": component, "statuses": before},
        after={"component": component, "statuses": [status]},
    )
    return capability


@transaction.atomic
def capability_rename(
    *,
    capability: Capability,
    new_key: str,
    expected_version: int | None = None,
    actor=None,
    channel: str = EventChannel.WEB,
) -> Capability:
    """Rename a capability everywhere in its guideline, recording the old name as lineage."""
    capability, guideline = _editable(capability, expected_version, actor, "renaming")
    if not CAPABILITY_KEY.match(new_key):
        raise GuidelineError(f"{new_key!r} is not a capability name: use letters, digits and '-'")
    if guideline.capabilities.filter(key=new_key).exists():
        raise GuidelineError(f"{guideline.key} already has a capability {new_key}")
    old_key = capability.key
    ComponentEntry.objects.filter(
        component__guideline=guideline, kind=EntryKind.CAPABILITY, name=old_key
    ).update(name=new_key)
    capability.key = new_key
    capability.version += 1
    capability.save(update_fields=["key", "version"])
    if not capability.lineage.exists():
        Lineage.objects.create(capability=capability, predecessor=old_key, note="renamed")
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.CAPABILITIES_REGROUPED,
        actor=actor,
        channel=channel,
        subject=new_key,
        summary=f"Renamed {old_key} to {new_key}",
        before={"key": old_key},
        after={"key": new_key},
    )
    return capability


@transaction.atomic
def lineage_record(
    *,
    capability: Capability,
    predecessors: list[str],
    note: str = "",
    actor=None,
    channel: str = EventChannel.WEB,
) -> list[Lineage]:
    """Record that ``capability`` was made from ``predecessors`` of the previous guideline.

    Regroups (2015.07 regrouped 46 capabilities) are a proposed capability
    plus its lineage; the A4.5/A4.6 checks then follow the capability.
    """
    capability, _ = _editable(capability, None, actor, "recording a regroup of")
    names = [p.strip() for p in predecessors if p.strip()]
    if not names:
        raise GuidelineError("name at least one capability of the previous guideline")
    before = sorted(capability.lineage.values_list("predecessor", flat=True))
    rows = [
        Lineage.objects.get_or_create(
            capability=capability, predecessor=name, defaults={"note": note}
        )[0]
        for name in names
    ]
    guideline_record_change(
        guideline=capability.guideline,
        kind=EventKind.CAPABILITIES_REGROUPED,
        actor=actor,
        channel=channel,
        subject=capability.key,
        summary=f"{capability.key} is made from {', '.join(names)}",
        before={"predecessors": before},
        after={"predecessors": sorted({*before, *names})},
        data={"note": note},
    )
    return rows


def _flag_snapshot(test: Test) -> dict | None:
    if not test.is_flagged:
        return None
    return {"date": test.flag_date, "reason": test.flag_reason, "action": test.flag_action}


@transaction.atomic
def flag_set(
    *,
    test: Test,
    date: str,
    reason: str,
    action: str,
    actor=None,
    channel: str = EventChannel.WEB,
) -> Test:
    """Flag a test: it is no longer required (2017A D2). Allowed after approval (D2.1)."""
    require_member(actor, "Flagging a test")
    test = Test.objects.select_for_update().select_related("capability__guideline").get(pk=test.pk)
    guideline = test.capability.guideline
    problems = []
    if not DATE.match(date or ""):
        problems.append("a date (YYYY-MM-DD, when the flag was proposed)")
    if not FLAG_REASON.match(reason or ""):
        problems.append("a reason starting with its flag type, [D400] to [D406] (D309)")
    if not (action or "").strip():
        problems.append("the action that will resolve it")
    if problems:
        raise GuidelineError(f"a flag needs {'; '.join(problems)} (HACKING D307)")
    before = _flag_snapshot(test)
    spec = _spec(guideline).test
    test.is_flagged = True
    for name, value in (("flag_date", date), ("flag_reason", reason), ("flag_action", action)):
        field_set(test, spec, name, value.strip())
    test.save()
    _legacy_flag_list(test, flagged=True)
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.TEST_FLAGGED,
        actor=actor,
        channel=channel,
        subject=test.name,
        summary=f"Flagged {test.name}: {reason}",
        before=before,
        after=_flag_snapshot(test),
        data={"capability": test.capability.key},
    )
    return test


@transaction.atomic
def flag_clear(*, test: Test, actor=None, channel: str = EventChannel.WEB) -> Test:
    """Remove a flag. Refused on a published guideline: a flag stays for that guideline (D311)."""
    require_member(actor, "Unflagging a test")
    test = Test.objects.select_for_update().select_related("capability__guideline").get(pk=test.pk)
    guideline = test.capability.guideline
    if guideline.status not in {GuidelineStatus.DRAFT, GuidelineStatus.REVIEW}:
        raise NotAllowed(
            f"{guideline.key} is {guideline.status}: a flag stays for that guideline (HACKING D311)"
        )
    if not test.is_flagged:
        return test
    before = _flag_snapshot(test)
    spec = _spec(guideline).test
    for name in ("flag_date", "flag_reason", "flag_action"):
        field_set(test, spec, name, None)
    test.is_flagged = False
    test.extra = {k: v for k, v in test.extra.items() if k.split("/")[0] not in {"flagged", "flag"}}
    test.save()
    _legacy_flag_list(test, flagged=False)
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.TEST_UNFLAGGED,
        actor=actor,
        channel=channel,
        subject=test.name,
        summary=f"Unflagged {test.name}",
        before=before,
        after=None,
        data={"capability": test.capability.key},
    )
    return test


def _legacy_flag_list(test: Test, *, flagged: bool) -> None:
    """Schema 1.2 keeps flagged test names in a list on the capability."""
    capability = test.capability
    if capability.guideline.schema != "1.2":
        return
    names = [n for n in capability.extra.get("flagged", []) if n != test.name]
    if flagged:
        names.append(test.name)
    capability.extra["flagged"] = names
    capability.save(update_fields=["extra"])
