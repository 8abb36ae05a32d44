"""Scores, consensus and the achievements derived from them (2017A A4)."""

from __future__ import annotations

from django.db import transaction

from capabilities.models import (
    NON_ADMIN,
    Capability,
    Consensus,
    ConsensusSource,
    Criterion,
    Score,
    ScoreValue,
)
from capabilities.scoring import ScoreError, check_value
from capabilities.services.editing import _locked, _spec, require_chair, require_member
from guidelines.interop_format.fields import field_set
from guidelines.models import EventChannel, EventKind, Guideline, GuidelineStatus
from guidelines.services import GuidelineError, NotAllowed, guideline_record_change


def criteria_keys(guideline: Guideline) -> list[str]:
    return list(guideline.criteria.order_by("position").values_list("key", flat=True))


def _check_criterion(guideline: Guideline, criterion: str) -> None:
    known = criteria_keys(guideline)
    if criterion not in known and criterion != NON_ADMIN:
        raise GuidelineError(
            f"{criterion!r} is not a criterion of {guideline.key}: use one of "
            f"{', '.join(known)} or {NON_ADMIN}"
        )


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
        consensus.delete()  # scorers disagree now: the chair decides


def achievements_derive(capability: Capability) -> None:
    """Once fully scored, a capability's achievements are the criteria its consensus meets.

    Until every criterion has a decided consensus (1 or 0) the document's
    achievements stand: one member's first score must not wipe the rest.
    """
    keys = criteria_keys(capability.guideline)
    agreed = dict(
        Consensus.objects.filter(capability=capability, criterion__in=keys).values_list(
            "criterion", "value"
        )
    )
    if any(agreed.get(key) not in (ScoreValue.MET, ScoreValue.NOT_MET) for key in keys):
        return
    derived = [key for key in keys if agreed[key] == ScoreValue.MET]
    if derived != capability.achievements:
        field_set(capability, _spec(capability.guideline).capability, "achievements", derived)
        # A misspelled copy ("acheivements") would contradict the derived list.
        capability.extra.pop("acheivements", None)
        capability.save(update_fields=["achievements", "layout", "extra"])


def _scorable(capability: Capability, criterion: str, value: str) -> Capability:
    """The capability locked for a score on ``criterion``, with the value checked."""
    capability = _locked(capability, None)
    _require_scoring_open(capability.guideline)
    _check_criterion(capability.guideline, criterion)
    try:
        check_value(value, where=f"{capability.key}/{criterion}")
    except ScoreError as exc:
        raise GuidelineError(str(exc)) from exc
    return capability


def _require_scoring_open(guideline: Guideline) -> None:
    if guideline.status != GuidelineStatus.DRAFT:
        raise NotAllowed(
            f"{guideline.key} is {guideline.status}: scores and criteria are frozen once the "
            "draft leaves draft status (2017A A4.3)"
        )


@transaction.atomic
def score_cast(
    *,
    capability: Capability,
    scorer,
    criterion: str,
    value: str,
    note: str = "",
    channel: str = EventChannel.WEB,
) -> Score:
    """A committee member's score (1, 0 or ?) of a capability on one criterion."""
    require_member(scorer, "Scoring")
    if scorer is None:
        raise NotAllowed("a score belongs to a committee member; sign in to score")
    capability = _scorable(capability, criterion, value)
    guideline = capability.guideline
    previous = Score.objects.filter(capability=capability, scorer=scorer, criterion=criterion)
    before = previous.values_list("value", flat=True).first()
    score, _ = Score.objects.update_or_create(
        capability=capability,
        scorer=scorer,
        criterion=criterion,
        defaults={"value": value, "note": note},
    )
    _consensus_refresh(capability, criterion)
    achievements_derive(capability)
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.SCORED,
        actor=scorer,
        channel=channel,
        subject=capability.key,
        summary=f"{scorer} scored {capability.key} {criterion}={value}",
        before={"criterion": criterion, "value": before},
        after={"criterion": criterion, "value": value, "note": note},
    )
    return score


@transaction.atomic
def consensus_set(
    *,
    capability: Capability,
    criterion: str,
    value: str,
    chair,
    channel: str = EventChannel.WEB,
) -> Consensus:
    """The chair sets the committee's score where scorers disagree (or overrule them)."""
    require_chair(chair, "Setting the consensus score")
    capability = _scorable(capability, criterion, value)
    guideline = capability.guideline
    before = (
        Consensus.objects.filter(capability=capability, criterion=criterion)
        .values_list("value", flat=True)
        .first()
    )
    consensus, _ = Consensus.objects.update_or_create(
        capability=capability,
        criterion=criterion,
        defaults={
            "value": value,
            "source": ConsensusSource.CHAIR,
            "set_by": chair if chair is not None else None,
        },
    )
    achievements_derive(capability)
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.CONSENSUS_SET,
        actor=chair,
        channel=channel,
        subject=capability.key,
        summary=f"Consensus for {capability.key} {criterion}: {value}",
        before={"criterion": criterion, "value": before},
        after={"criterion": criterion, "value": value},
    )
    return consensus


CRITERION_FIELDS = ("name", "description", "weight")


@transaction.atomic
def criterion_update(
    *, criterion: Criterion, changes: dict, actor=None, channel: str = EventChannel.WEB
) -> Criterion:
    """Change a criterion's name, description or weight: only while the guideline is a draft.

    Criteria and weights need Board approval and cannot change once the draft
    is published (2017A A4.1-A4.3); totals follow the new weight at once.
    """
    require_chair(actor, "Changing criteria and weights")
    unknown = set(changes) - set(CRITERION_FIELDS)
    if unknown:
        raise GuidelineError(
            f"cannot change {', '.join(sorted(unknown))}; editable: {', '.join(CRITERION_FIELDS)}"
        )
    criterion = (
        Criterion.objects.select_for_update().select_related("guideline").get(pk=criterion.pk)
    )
    guideline = criterion.guideline
    if guideline.status != GuidelineStatus.DRAFT:
        raise NotAllowed(
            f"{guideline.key} is {guideline.status}: criteria and weights are frozen once the "
            "draft leaves draft status (2017A A4.3)"
        )
    weight = changes.get("weight", criterion.weight)
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
        raise GuidelineError(f"weight {weight!r} is not a whole number of 0 or more")
    for name in ("name", "description"):
        if name in changes and not str(changes[name] or "").strip():
            raise GuidelineError(f"a criterion's {name} cannot be empty")
    before = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
    spec = _spec(guideline).criterion
    for name, value in changes.items():
        field_set(criterion, spec, name, value)
    criterion.save()
    # Criteria kept verbatim as a list of names (orchestration.2020.06) give
    # way to the rows once the committee edits them.
    if guideline.extra.pop(_spec(guideline).criteria_path, None) is not None:
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
