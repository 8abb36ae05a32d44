"""Scores, consensus, criteria and the achievements derived from them (2017A A4).

Scores and criteria freeze once the draft leaves draft status (A4.3): every
service here locks the guideline and checks that its status still takes
scoring (``guidelines.lifecycle.Change.SCORING``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from capabilities.arithmetic import NON_ADMIN, ScoreError, check_value
from capabilities.models import Consensus, ConsensusSource, Score, ScoreValue, WrittenAchievements
from capabilities.services.editing import capability_change_begin
from committee.permissions import Action, require
from guidelines.errors import GuidelineError
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.specs import generation_of
from guidelines.lifecycle import Change
from guidelines.models import Capability, Criterion, EventChannel, EventKind, Guideline
from guidelines.services import guideline_change_begin, guideline_record_change


def criteria_keys(guideline: Guideline) -> list[str]:
    return list(guideline.criteria.order_by("position").values_list("key", flat=True))


def _check_criteria(capability: Capability, criteria) -> None:
    known = criteria_keys(capability.guideline)
    for criterion in criteria:
        if criterion not in known and criterion != NON_ADMIN:
            raise GuidelineError(
                f"{criterion!r} is not a criterion of {capability.guideline.key}: use one of "
                f"{', '.join(known)} or {NON_ADMIN}"
            )


def _checked_values(capability: Capability, values: Mapping[str, str]) -> dict[str, str]:
    """``values`` (criterion -> 1/0/?) after checking each criterion and value."""
    if not values:
        raise GuidelineError(f"give at least one criterion's score for {capability.key}")
    _check_criteria(capability, values)
    for criterion, value in values.items():
        try:
            check_value(value, where=f"{capability.key}/{criterion}")
        except ScoreError as exc:
            raise GuidelineError(str(exc)) from exc
    return dict(values)


def _consensus_refresh(capability: Capability, criterion: str) -> None:
    """Automatic consensus: when every scorer agrees and the chair has not decided."""
    consensus = Consensus.objects.filter(capability=capability, criterion=criterion).first()
    if consensus is not None and consensus.source != ConsensusSource.UNANIMOUS:
        return
    values = set(
        Score.objects.filter(capability=capability, criterion=criterion).values_list(
            "value", flat=True
        )
    )
    if len(values) == 1:
        Consensus.objects.update_or_create(
            capability=capability,
            criterion=criterion,
            defaults={"value": values.pop(), "source": ConsensusSource.UNANIMOUS, "set_by": None},
        )
    elif consensus is not None:
        # Scorers disagree now, or nobody scores any more: the chair decides.
        consensus.delete()


MISSPELLED = "acheivements"  # objectstore-slo/dlo-support in 2018.02 and later


def achievements_derive(capability: Capability) -> None:
    """Once fully scored, a capability's achievements are the criteria its consensus meets.

    Until every criterion has a decided consensus (1 or 0) the document's own
    achievements stand: one member's first score must not wipe the rest, and
    when the consensus becomes incomplete again (scores withdrawn, scorers
    disagreeing) the achievements the document wrote come back
    (``WrittenAchievements``). Callers hold the capability's lock.
    """
    keys = criteria_keys(capability.guideline)
    agreed = dict(
        Consensus.objects.filter(capability=capability, criterion__in=keys).values_list(
            "criterion", "value"
        )
    )
    written = WrittenAchievements.objects.filter(capability=capability).first()
    spec = generation_of(capability.guideline).capability
    if any(agreed.get(key) not in (ScoreValue.MET, ScoreValue.NOT_MET) for key in keys):
        if written is not None:
            field_set(
                capability, spec, "achievements", written.achievements if written.listed else None
            )
            if written.misspelled is not None:
                capability.extra[MISSPELLED] = written.misspelled
            capability.save(update_fields=["achievements", "layout", "extra"])
            written.delete()
        return
    derived = [key for key in keys if agreed[key] == ScoreValue.MET]
    if derived == capability.achievements:
        return
    if written is None:
        WrittenAchievements.objects.create(
            capability=capability,
            achievements=capability.achievements,
            listed=not capability.layout or "achievements" in capability.layout.get("", []),
            misspelled=capability.extra.get(MISSPELLED),
        )
    field_set(capability, spec, "achievements", derived)
    # A misspelled copy would contradict the derived list.
    capability.extra.pop(MISSPELLED, None)
    capability.save(update_fields=["achievements", "layout", "extra"])


def _scores_summary(values: Mapping[str, str | None]) -> str:
    return ", ".join(f"{criterion}={value}" for criterion, value in values.items())


@transaction.atomic
def scores_cast(
    *,
    capability: Capability,
    actor,
    values: Mapping[str, str],
    note: str = "",
    channel: str = EventChannel.WEB,
) -> list[Score]:
    """A committee member's own scores (1, 0 or ?) of a capability: one criterion or many.

    All of them or none, recorded as one event.
    """
    require(actor, Action.SCORE)
    capability = capability_change_begin(capability, change=Change.SCORING, what="scoring")
    values = _checked_values(capability, values)
    mine = {
        score.criterion: score
        for score in Score.objects.filter(capability=capability, scorer=actor, criterion__in=values)
    }
    # Scores already given as they are, note included, are not a change.
    changed = {
        criterion: value
        for criterion, value in values.items()
        if criterion not in mine or (mine[criterion].value, mine[criterion].note) != (value, note)
    }
    if not changed:
        return list(mine.values())
    for criterion, value in changed.items():
        Score.objects.update_or_create(
            capability=capability,
            scorer=actor,
            criterion=criterion,
            defaults={"value": value, "note": note},
        )
        _consensus_refresh(capability, criterion)
    achievements_derive(capability)
    guideline_record_change(
        guideline=capability.guideline,
        kind=EventKind.SCORED,
        actor=actor,
        channel=channel,
        subject=capability.key,
        summary=f"{actor} scored {capability.key}: {_scores_summary(changed)}",
        before={
            criterion: mine[criterion].value if criterion in mine else None for criterion in changed
        },
        after=changed,
        data={"note": note} if note else None,
    )
    return list(Score.objects.filter(capability=capability, scorer=actor, criterion__in=values))


@transaction.atomic
def scores_withdraw(
    *,
    capability: Capability,
    actor,
    criteria: list[str] | None = None,
    channel: str = EventChannel.WEB,
) -> list[str]:
    """Withdraw the actor's own scores of a capability: on ``criteria``, or all of them.

    What they leave behind follows: a unanimous consensus is recomputed from
    the remaining scores (and dropped if none remain); the chair's stays.
    Returns the criteria withdrawn; none is not an error.
    """
    require(actor, Action.SCORE)
    capability = capability_change_begin(
        capability, change=Change.SCORING, what="withdrawing scores of"
    )
    mine = Score.objects.filter(capability=capability, scorer=actor)
    if criteria is not None:
        _check_criteria(capability, criteria)
        mine = mine.filter(criterion__in=criteria)
    before = dict(mine.values_list("criterion", "value"))
    if not before:
        return []
    mine.delete()
    for criterion in before:
        _consensus_refresh(capability, criterion)
    achievements_derive(capability)
    guideline_record_change(
        guideline=capability.guideline,
        kind=EventKind.SCORE_WITHDRAWN,
        actor=actor,
        channel=channel,
        subject=capability.key,
        summary=f"{actor} withdrew their scores of {capability.key}: {', '.join(before)}",
        before=before,
        after=dict.fromkeys(before),
    )
    return list(before)


@transaction.atomic
def consensus_set(
    *,
    capability: Capability,
    actor,
    values: Mapping[str, str],
    channel: str = EventChannel.WEB,
) -> list[Consensus]:
    """The chair sets the committee's score where scorers disagree (or overrules them).

    One criterion or many, all of them or none, recorded as one event.
    """
    require(actor, Action.CONSENSUS_SET)
    capability = capability_change_begin(
        capability, change=Change.SCORING, what="setting the consensus of"
    )
    values = _checked_values(capability, values)
    before = dict(
        Consensus.objects.filter(capability=capability, criterion__in=values).values_list(
            "criterion", "value"
        )
    )
    rows = [
        Consensus.objects.update_or_create(
            capability=capability,
            criterion=criterion,
            defaults={"value": value, "source": ConsensusSource.CHAIR, "set_by": actor},
        )[0]
        for criterion, value in values.items()
    ]
    achievements_derive(capability)
    guideline_record_change(
        guideline=capability.guideline,
        kind=EventKind.CONSENSUS_SET,
        actor=actor,
        channel=channel,
        subject=capability.key,
        summary=f"Consensus for {capability.key}: {_scores_summary(values)}",
        before={criterion: before.get(criterion) for criterion in values},
        after=dict(values),
    )
    return rows


CRITERION_FIELDS = ("name", "description", "weight")


# The column's bound (a 32-bit integer on PostgreSQL); real weights are below 20.
MAX_WEIGHT = 2**31 - 1


@transaction.atomic
def criterion_update(
    *, criterion: Criterion, changes: dict, actor, channel: str = EventChannel.WEB
) -> Criterion:
    """Change a criterion's name, description or weight: only while the guideline is a draft.

    Criteria and weights need Board approval and cannot change once the draft
    is published (2017A A4.1-A4.3); totals follow the new weight at once.
    """
    require(actor, Action.CRITERION_EDIT)
    unknown = set(changes) - set(CRITERION_FIELDS)
    if unknown:
        raise GuidelineError(
            f"cannot change {', '.join(sorted(unknown))}; editable: {', '.join(CRITERION_FIELDS)}"
        )
    guideline = guideline_change_begin(
        criterion.guideline_id, change=Change.SCORING, what=f"changing criterion {criterion.key}"
    )
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    criterion.guideline = guideline
    weight = changes.get("weight", criterion.weight)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= MAX_WEIGHT:
        raise GuidelineError(f"weight {weight!r} is not a whole number from 0 to {MAX_WEIGHT}")
    for name in ("name", "description"):
        if name in changes and not str(changes[name] or "").strip():
            raise GuidelineError(f"a criterion's {name} cannot be empty")
    before = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
    generation = generation_of(guideline)
    for name, value in changes.items():
        field_set(criterion, generation.criterion, name, value)
    criterion.save()
    # Criteria kept verbatim as a list of names (orchestration.2020.06) give
    # way to the rows once the committee edits them.
    if guideline.extra.pop(generation.criteria_path, None) is not None:
        guideline.save(update_fields=["extra"])
    after = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.CRITERION_CHANGED,
        actor=actor,
        channel=channel,
        subject=criterion.key,
        summary=f"Changed criterion {criterion.key}: "
        + ", ".join(f"{k} {before[k]!r} -> {after[k]!r}" for k in changes if before[k] != after[k]),
        before=before,
        after=after,
    )
    return criterion
