"""Capabilities and their lineage in the drafting workspace.

Every function is one transaction: it asks ``committee.permissions`` whether
the actor may act, locks the guideline and checks what its status allows
(``guidelines.services.guideline_change_begin``), then makes the change and
records it (``guideline_record_change``): who, when, what before and after,
through which channel. Flags are ``guidelines.services.flags``: a published
guideline takes them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from capabilities.models import Lineage
from committee.permissions import Action, require
from guidelines.errors import GuidelineError, VersionConflict
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.patterns import IDEMPOTENT_ID
from guidelines.interop_format.reader import MAX_NAME_BYTES, name_too_long
from guidelines.interop_format.specs import generation_of
from guidelines.lifecycle import Change
from guidelines.models import (
    Capability,
    CapabilityStatus,
    Component,
    ComponentEntry,
    EntryKind,
    EventChannel,
    EventKind,
    Guideline,
    Test,
)
from guidelines.services import guideline_change_begin, guideline_record_change

CAPABILITY_KEY = re.compile(r"^[a-z0-9][A-Za-z0-9-]*$")
EDITABLE_FIELDS = ("project", "description", "admin", "required_since")


def capability_snapshot(capability: Capability) -> dict:
    """What an editor sees of a capability: the 'before' and 'after' of its changes."""
    return {
        "key": capability.key,
        "version": capability.version,
        **{name: getattr(capability, name) for name in EDITABLE_FIELDS},
        "achievements": capability.achievements,
    }


def capability_change_begin(
    capability: Capability, *, change: Change, what: str, expected_version: int | None = None
) -> Capability:
    """The capability locked for a change its guideline's status takes.

    The guideline is locked first (``guideline_change_begin``), then the
    capability: every writer locks in that order. With ``expected_version``,
    VersionConflict if someone saved the capability since the editor read it:
    the lock orders two editors, the version tells the second that the first
    got there before.
    """
    guideline = guideline_change_begin(
        capability.guideline_id, change=change, what=f"{what} {capability.key}"
    )
    current = Capability.objects.select_for_update().get(pk=capability.pk)
    current.guideline = guideline
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict(
            f"{current.key} was changed by someone else (version {current.version}, you edited "
            f"version {expected_version}); review the current values and save again",
            current=capability_snapshot(current),
        )
    return current


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def _refuse_long_name(value: str, what: str) -> None:
    """Names are indexed: one too long for the index is refused, as an import refuses it."""
    size = name_too_long(value)
    if size is not None:
        raise GuidelineError(
            f"{what} is {size:,} bytes long; a name is stored and indexed up to "
            f"{MAX_NAME_BYTES:,} bytes: shorten it"
        )


def _check_tests(tests: Iterable[dict], *, existing: set[str] = frozenset()) -> list[dict]:
    checked, names, ids = [], set(existing), set()
    for number, test in enumerate(tests, start=1):
        name = (test.get("name") or "").strip()
        test_id = (test.get("idempotent_id") or "").strip()
        aliases = [a.strip() for a in test.get("aliases") or [] if a.strip()]
        if not name:
            raise GuidelineError(f"test {number}: a test needs its fully qualified name")
        _refuse_long_name(name, f"test {number}: its name")
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
    actor,
    channel: str = EventChannel.WEB,
) -> Capability:
    """A new capability in a draft, listed in one component (advisory by default, A4.6)."""
    require(actor, Action.CAPABILITY_PROPOSE)
    guideline = guideline_change_begin(
        guideline, change=Change.CONTENT, what="proposing a capability"
    )
    if not CAPABILITY_KEY.match(key):
        raise GuidelineError(f"{key!r} is not a capability name: use letters, digits and '-'")
    _refuse_long_name(key, "the capability's name")
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
    actor,
    channel: str = EventChannel.WEB,
) -> Capability:
    """Change a capability's project, description, admin flag or required_since."""
    require(actor, Action.CAPABILITY_EDIT)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise GuidelineError(
            f"cannot change {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE_FIELDS)}"
        )
    if "admin" in changes and not isinstance(changes["admin"], bool):
        raise GuidelineError("admin must be true or false")
    capability = capability_change_begin(
        capability, change=Change.CONTENT, what="editing", expected_version=expected_version
    )
    guideline = capability.guideline
    before = capability_snapshot(capability)
    spec = generation_of(guideline).capability
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
    actor,
    channel: str = EventChannel.WEB,
) -> Capability:
    """List a capability under ``status`` in ``component``, and under no other status there."""
    require(actor, Action.CAPABILITY_EDIT)
    if status not in CapabilityStatus.values:
        raise GuidelineError(
            f"status {status!r} is not one of {', '.join(CapabilityStatus.values)}"
        )
    capability = capability_change_begin(
        capability, change=Change.CONTENT, what="moving", expected_version=expected_version
    )
    guideline = capability.guideline
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
    actor,
    channel: str = EventChannel.WEB,
) -> Capability:
    """Rename a capability everywhere in its guideline, recording the old name as lineage."""
    require(actor, Action.CAPABILITY_EDIT)
    if not CAPABILITY_KEY.match(new_key):
        raise GuidelineError(f"{new_key!r} is not a capability name: use letters, digits and '-'")
    _refuse_long_name(new_key, "the capability's new name")
    capability = capability_change_begin(
        capability, change=Change.CONTENT, what="renaming", expected_version=expected_version
    )
    guideline = capability.guideline
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
        kind=EventKind.CAPABILITY_RENAMED,
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
    actor,
    channel: str = EventChannel.WEB,
) -> list[Lineage]:
    """Record that ``capability`` was made from ``predecessors`` of the previous guideline.

    Regroups (2015.07 regrouped 46 capabilities) are a proposed capability
    plus its lineage; the A4.5/A4.6 checks then follow the capability.
    """
    require(actor, Action.CAPABILITY_EDIT)
    names = [p.strip() for p in predecessors if p.strip()]
    if not names:
        raise GuidelineError("name at least one capability of the previous guideline")
    capability = capability_change_begin(
        capability, change=Change.CONTENT, what="recording a regroup of"
    )
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
