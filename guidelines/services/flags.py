"""Flagging tests: the one change a published guideline takes (2017A D2, D2.1).

A flagged test is no longer required. A flag needs a date, a reason starting
with its type ([D400] to [D406]) and an action (HACKING D307, D309); once a
guideline is published, a flag stays for it (D311).
"""

from __future__ import annotations

from django.db import transaction

from committee.permissions import Action, require
from guidelines.errors import GuidelineError
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.patterns import DATE, FLAG_REASON
from guidelines.interop_format.specs import generation_of
from guidelines.lifecycle import Change
from guidelines.models import EventChannel, EventKind, SchemaGeneration, Test
from guidelines.services.artifacts import (
    document_revision_after_change,
    document_revision_before_change,
)
from guidelines.services.changes import guideline_change_begin, guideline_record_change

FLAG_FIELDS = ("flag_date", "flag_reason", "flag_action")


def flag_snapshot(test: Test) -> dict | None:
    """A test's flag as the change log shows it; None when it has none."""
    if not test.is_flagged:
        return None
    return {"date": test.flag_date, "reason": test.flag_reason, "action": test.flag_action}


def _locked_test(test: Test, *, change: Change, what: str) -> Test:
    guideline = guideline_change_begin(
        test.capability.guideline_id, change=change, what=f"{what} {test.name}"
    )
    # What tooling was served before the change stays downloadable (a published revision).
    document_revision_before_change(guideline)
    locked = Test.objects.select_for_update().select_related("capability").get(pk=test.pk)
    locked.capability.guideline = guideline
    return locked


@transaction.atomic
def flag_set(
    *, test: Test, date: str, reason: str, action: str, actor, channel: str = EventChannel.WEB
) -> Test:
    """Flag a test, or change its flag: it is no longer required (2017A D2, D2.1)."""
    require(actor, Action.TEST_FLAG)
    problems = []
    if not DATE.match(date or ""):
        problems.append("a date (YYYY-MM-DD, when the flag was proposed)")
    if not FLAG_REASON.match(reason or ""):
        problems.append("a reason starting with its flag type, [D400] to [D406] (D309)")
    if not (action or "").strip():
        problems.append("the action that will resolve it")
    if problems:
        raise GuidelineError(f"a flag needs {'; '.join(problems)} (HACKING D307)")
    test = _locked_test(test, change=Change.FLAG, what="flagging")
    guideline = test.capability.guideline
    before = flag_snapshot(test)
    spec = generation_of(guideline).test
    test.is_flagged = True
    for name, value in zip(FLAG_FIELDS, (date, reason, action), strict=True):
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
        after=flag_snapshot(test),
        data={"capability": test.capability.key},
    )
    # A published guideline's flag change is a new revision, with its own digest.
    document_revision_after_change(guideline)
    return test


@transaction.atomic
def flag_clear(*, test: Test, actor, channel: str = EventChannel.WEB) -> Test:
    """Remove a test's flag. Refused once published: a flag stays for that guideline (D311)."""
    require(actor, Action.TEST_UNFLAG)
    test = _locked_test(test, change=Change.UNFLAG, what="unflagging")
    guideline = test.capability.guideline
    if not test.is_flagged:
        return test
    before = flag_snapshot(test)
    spec = generation_of(guideline).test
    for name in FLAG_FIELDS:
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
    if capability.guideline.schema != SchemaGeneration.V1_2:
        return
    names = [n for n in capability.extra.get("flagged", []) if n != test.name]
    if flagged:
        names.append(test.name)
    capability.extra["flagged"] = names
    capability.save(update_fields=["extra"])
