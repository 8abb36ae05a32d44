"""Scoring worksheets (scoring.txt) into the committee's consensus, and back."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from capabilities.arithmetic import NON_ADMIN, NOT_CONSIDERED, total
from capabilities.models import Consensus, ConsensusSource, Worksheet
from capabilities.services.scoring import achievements_derive
from capabilities.worksheet import WorksheetError, parse
from committee.permissions import Action, require
from guidelines.errors import GuidelineError
from guidelines.lifecycle import Change
from guidelines.models import EventChannel, EventKind, Guideline
from guidelines.services import guideline_change_begin, guideline_record_change


@dataclass
class WorksheetReport:
    worksheet: Worksheet
    matched: int = 0
    # "line 40: network-floating-ips-associate is not a capability of next; kept as written"
    notes: list[str] = field(default_factory=list)


NAME_MAX = 200  # Worksheet.name


def worksheet_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a worksheet, or None.

    The name is a URL path segment of its downloads and their file name in a
    Content-Disposition header: no slashes, quotes or control characters (a line
    break would end the header).
    """
    if not name.strip():
        return "A worksheet needs a name, such as scoring.txt."
    if len(name) > NAME_MAX:
        return f"A worksheet name has at most {NAME_MAX} characters."
    if "/" in name or "\\" in name:
        return "A worksheet name cannot contain '/' or '\\'."
    if '"' in name:
        return "A worksheet name cannot contain a double quote."
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "A worksheet name cannot contain line breaks or other control characters."
    return None


@transaction.atomic
def worksheet_import(
    *,
    guideline: Guideline,
    text: str,
    name: str = "scoring.txt",
    actor,
    channel: str = EventChannel.IMPORT,
) -> WorksheetReport:
    """Read a worksheet: its scores become the consensus of the capabilities it names.

    Lines naming no capability of the guideline are kept, with their scores,
    and reported; so are typed totals the arithmetic disagrees with.
    """
    require(actor, Action.WORKSHEET_IMPORT)
    problem = worksheet_name_problem(name)
    if problem:
        raise GuidelineError(f"{name!r}: {problem}")
    guideline = guideline_change_begin(
        guideline, change=Change.SCORING, what=f"importing worksheet {name}"
    )
    try:
        parsed = parse(text)
    except WorksheetError as exc:
        raise GuidelineError(f"{name}: {exc}") from exc
    criteria = {c.key: c.weight or 0 for c in guideline.criteria.all()}
    capabilities = {c.key: c for c in guideline.capabilities.all()}
    report = WorksheetReport(worksheet=Worksheet(guideline=guideline, name=name))
    lines: list = []
    consensus = []
    touched = []
    for line in parsed.lines:
        if isinstance(line, str):
            lines.append(line)
            continue
        capability = capabilities.get(line.name)
        lines.append(line.to_json(keep_values=capability is None))
        result = total(line.values, criteria, line.non_admin)
        if line.typed_total is not None and line.typed_total != result.value:
            report.notes.append(
                f"line {line.number}: {line.name}: typed total [{line.typed_total}] but the "
                f"scores give {result.value} with the weights of {guideline.key}"
            )
        elif line.typed_total is not None and line.typed_star != result.qualifies(
            guideline.cutoff_score
        ):
            report.notes.append(
                f"line {line.number}: {line.name}: the asterisk does not match the cut-off "
                f"{guideline.cutoff_score}"
            )
        if capability is None:
            report.notes.append(
                f"line {line.number}: {line.name} is not a capability of {guideline.key}; "
                "kept as written"
            )
            continue
        report.matched += 1
        touched.append(capability)
        answers = {**line.values, NON_ADMIN: line.non_admin}
        for criterion, value in answers.items():
            if criterion != NON_ADMIN and criterion not in criteria:
                continue  # a criterion this guideline does not have ("*" in add-ons)
            if value == NOT_CONSIDERED:
                report.notes.append(
                    f"line {line.number}: {line.name}: {criterion} is marked not considered "
                    f"(*) but is a criterion of {guideline.key}; left unscored"
                )
                continue
            consensus.append(
                Consensus(
                    capability=capability,
                    criterion=criterion,
                    value=value,
                    source=ConsensusSource.WORKSHEET,
                    set_by=actor,
                )
            )
    Consensus.objects.filter(capability__in=touched).delete()
    Consensus.objects.bulk_create(consensus)
    for capability in touched:
        achievements_derive(capability)
    worksheet, _ = Worksheet.objects.update_or_create(
        guideline=guideline, name=name, defaults={"lines": lines}
    )
    report.worksheet = worksheet
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.WORKSHEET_IMPORTED,
        actor=actor,
        channel=channel,
        subject=name,
        summary=f"Imported worksheet {name}: {report.matched} capabilities scored, "
        f"{len(parsed.scores) - report.matched} lines kept for names not in {guideline.key}",
        data={"notes": report.notes},
    )
    return report
