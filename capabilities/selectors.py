"""Reads for scoring: each capability's values, total, and where scorers disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from capabilities.arithmetic import (
    CRITERIA_ORDER,
    NON_ADMIN,
    NOT_CONSIDERED,
    UNDECIDED,
    Total,
    total,
)
from capabilities.charts import UNLISTED
from capabilities.models import Consensus, Lineage, Score, Worksheet
from capabilities.worksheet import ScoreLine, render_csv, render_text
from capabilities.worksheet import Worksheet as WorksheetDocument
from guidelines.models import (
    Capability,
    CapabilityStatus,
    ComponentEntry,
    Criterion,
    EntryKind,
    Guideline,
    RuleOverride,
)
from guidelines.rules import Finding, check
from guidelines.selectors import guideline_bundle


def non_admin_of(capability: Capability) -> str:
    """The Non-Admin answer a capability's document gives: its ``admin`` flag."""
    if capability.admin is None:
        return UNDECIDED
    return "0" if capability.admin else "1"


@dataclass
class CapabilityScore:
    capability: Capability
    values: dict[str, str]  # criterion key -> 1/0/? (the consensus, or the document's)
    non_admin: str
    total: Total
    scored: bool  # every criterion and Non-Admin has the committee's consensus
    from_document: list[str]  # criteria still valued from the document's achievements
    statuses: list[tuple[str, str]]  # (component, status)
    # criterion -> {scorer name: value}, only where scorers disagree
    disagreements: dict[str, dict[str, str]] = field(default_factory=dict)
    scores: dict[str, dict[str, str]] = field(default_factory=dict)  # criterion -> scorer -> value

    @property
    def key(self) -> str:
        return self.capability.key

    @property
    def main_status(self) -> str:
        found = [s for _, s in self.statuses]
        return next((s for s in CapabilityStatus.values if s in found), UNLISTED)


@dataclass
class ScoringTable:
    guideline: Guideline
    criteria: list[Criterion]
    rows: list[CapabilityScore]

    @property
    def weights(self) -> dict[str, int]:
        return {c.key: c.weight or 0 for c in self.criteria}

    @property
    def cutoff(self) -> int | None:
        return self.guideline.cutoff_score

    def totals(self) -> dict[str, int | None]:
        return {row.key: row.total.value for row in self.rows}

    def met_counts(self) -> dict[str, int]:
        """How many capabilities meet each criterion."""
        return {
            c.key: sum(1 for row in self.rows if row.values.get(c.key) == "1")
            for c in self.criteria
        }


def scoring_table(guideline: Guideline) -> ScoringTable:
    """Every capability of a guideline with its values and total: five queries."""
    criteria = list(guideline.criteria.order_by("position"))
    weights = {c.key: c.weight or 0 for c in criteria}
    capabilities = list(guideline.capabilities.order_by("position"))
    consensus: dict[int, dict[str, str]] = defaultdict(dict)
    for row in Consensus.objects.filter(capability__guideline=guideline):
        consensus[row.capability_id][row.criterion] = row.value
    scores: dict[int, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for row in Score.objects.filter(capability__guideline=guideline).select_related("scorer"):
        scores[row.capability_id][row.criterion][row.scorer.get_username()] = row.value
    statuses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for component, name, status in ComponentEntry.objects.filter(
        component__guideline=guideline, kind=EntryKind.CAPABILITY
    ).values_list("component__name", "name", "status"):
        statuses[name].append((component, status))

    rows = []
    for capability in capabilities:
        # The committee's consensus where it has one; elsewhere what the
        # document says (its achievements and admin flag), so scoring starts
        # from the guideline as it stands.
        agreed = consensus.get(capability.pk, {})
        met = set(capability.achievements or [])
        values = {key: agreed.get(key, "1" if key in met else "0") for key in weights}
        non_admin = agreed.get(NON_ADMIN, non_admin_of(capability))
        by_scorer = {k: dict(v) for k, v in scores.get(capability.pk, {}).items()}
        rows.append(
            CapabilityScore(
                capability=capability,
                values=values,
                non_admin=non_admin,
                total=total(values, weights, non_admin),
                scored=all(key in agreed for key in (*weights, NON_ADMIN)),
                from_document=[key for key in weights if key not in agreed],
                statuses=statuses.get(capability.key, []),
                disagreements={k: v for k, v in by_scorer.items() if len(set(v.values())) > 1},
                scores=by_scorer,
            )
        )
    return ScoringTable(guideline=guideline, criteria=criteria, rows=rows)


def worksheet_lines(worksheet: Worksheet) -> WorksheetDocument:
    return WorksheetDocument(
        [line if isinstance(line, str) else ScoreLine.from_json(line) for line in worksheet.lines]
    )


def _line_values(guideline: Guideline):
    """Each score line's values: its capability's (consensus, or document), else as kept."""
    rows = {row.key: row for row in scoring_table(guideline).rows}

    def values(line: ScoreLine):
        row = rows.get(line.name)
        if row is None:
            return line.values, line.non_admin
        return (
            {key: row.values.get(key, NOT_CONSIDERED) for key in CRITERIA_ORDER},
            row.non_admin,
        )

    return values


def worksheet_filename(worksheet: Worksheet, *, csv: bool) -> str:
    """The name a download is saved under: as imported, or with .csv for the table."""
    if not csv:
        return worksheet.name
    stem = worksheet.name.rsplit(".", 1)[0] if "." in worksheet.name else worksheet.name
    return f"{stem}.csv"


def worksheet_text(worksheet: Worksheet) -> str:
    """The worksheet as the committee writes it, totals and asterisks recomputed."""
    guideline = worksheet.guideline
    weights = {c.key: c.weight or 0 for c in guideline.criteria.all()}
    return render_text(
        worksheet_lines(worksheet), _line_values(guideline), weights, guideline.cutoff_score
    )


def worksheet_csv(worksheet: Worksheet) -> str:
    """tabulated_scores.csv for the worksheet."""
    guideline = worksheet.guideline
    criteria = list(guideline.criteria.all())
    return render_csv(
        worksheet_lines(worksheet),
        _line_values(guideline),
        {c.key: c.weight or 0 for c in criteria},
        {c.key: c.name or c.key for c in criteria},
        guideline.cutoff_score,
    )


@dataclass
class FindingView:
    finding: Finding
    override: RuleOverride | None


def draft_findings(guideline: Guideline, *, table: ScoringTable | None = None) -> list[FindingView]:
    """The process findings on a guideline against the one it replaces, with chair overrides.

    ``table`` is the guideline's scoring table when the caller has built it
    already (the workspace page), which spares reading it again.
    """
    if table is None:
        table = scoring_table(guideline)
    previous = (
        Guideline.objects.filter(key=guideline.replaces).first() if guideline.replaces else None
    )
    lineage: dict[str, list[str]] = defaultdict(list)
    for key, predecessor in Lineage.objects.filter(capability__guideline=guideline).values_list(
        "capability__key", "predecessor"
    ):
        lineage[key].append(predecessor)
    found = check(
        guideline_bundle(guideline),
        guideline_bundle(previous) if previous is not None else None,
        totals=table.totals(),
        lineage=lineage,
    )
    overrides = {(o.rule, o.subject): o for o in guideline.overrides.select_related("by")}
    return [FindingView(finding, overrides.get(finding.key)) for finding in found]
