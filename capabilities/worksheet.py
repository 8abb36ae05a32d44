"""The committee's scoring worksheet (working_materials/scoring.txt), both ways.

Each score line reads ``name:<spaces>[d,t,c] [f,c,s] [d,d,s] [f,a,p] [n] [total]*``:
twelve criteria in ``CRITERIA_ORDER`` and Non-Admin. Every other line is
prose and comes back exactly as written. On the way out, like
tabulate_scores.py, everything after the values is rewritten: `` [total]``
and ``*`` when the total reaches the cut-off. The spacing of each line (the
alignment after the colon, the spaces between groups, which add-on worksheets
leave out) is kept, so an unchanged worksheet comes back byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .arithmetic import CRITERIA_ORDER, NOT_CONSIDERED, VALUES, Total, total

# A line that starts like a score line: a name, a colon, a bracket.
LOOKS_SCORED = re.compile(r"^(\S+):\s+\[")
# Four groups of three values and one Non-Admin value, spaced or not.
SCORED = re.compile(
    r"^(?P<name>\S+):(?P<gap>\s+)"
    r"(?P<values>(?:\[[^\]\s,],[^\]\s,],[^\]\s,]\]\s?){4}\[[^\]\s,]\])"
    r"(?P<rest>.*)$"
)
TYPED_TOTAL = re.compile(r"^\s*\[(?P<total>-?\d+)\](?P<star>\*?)")
VALUE = re.compile(r"(?<=[\[,])[^\],\s](?=[\],])")


class WorksheetError(ValueError):
    """A worksheet that cannot be read; the message names the line."""


@dataclass(frozen=True)
class ScoreLine:
    number: int  # 1-based line number in the file
    name: str
    prefix: str  # "name:" and the alignment after it
    template: str  # the values with each value replaced by {}
    values: dict[str, str]  # criterion key -> 1/0/?/*
    non_admin: str
    typed_total: int | None
    typed_star: bool

    def to_json(self, *, keep_values: bool) -> dict:
        """What is stored of the line; its values only when no capability holds them."""
        stored = {"name": self.name, "prefix": self.prefix, "template": self.template}
        if keep_values:
            stored.update(values=self.values, non_admin=self.non_admin)
        return stored

    @classmethod
    def from_json(cls, stored: dict) -> ScoreLine:
        return cls(
            number=0,
            name=stored["name"],
            prefix=stored["prefix"],
            template=stored["template"],
            values=stored.get("values", {}),
            non_admin=stored.get("non_admin", "?"),
            typed_total=None,
            typed_star=False,
        )

    def render(self, values: Mapping[str, str], non_admin: str, result: Total, cutoff) -> str:
        filled = self.template.format(*[values[key] for key in CRITERIA_ORDER], non_admin)
        star = "*" if result.qualifies(cutoff) else ""
        return f"{self.prefix}{filled} [{result.value}]{star}"


@dataclass(frozen=True)
class Worksheet:
    lines: list[str | ScoreLine]

    @property
    def scores(self) -> list[ScoreLine]:
        return [line for line in self.lines if isinstance(line, ScoreLine)]


def parse(text: str) -> Worksheet:
    """Read a worksheet. Raises WorksheetError for a malformed score line or value."""
    lines: list[str | ScoreLine] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not LOOKS_SCORED.match(line):
            lines.append(line)
            continue
        match = SCORED.match(line)
        if match is None:
            raise WorksheetError(
                f"line {number}: {line.split(':')[0]!r} does not have four groups of three "
                "scores and a Non-Admin score, like [1,1,1] [1,0,1] [1,1,?] [0,1,1] [1]"
            )
        name = match["name"]
        if name in seen:
            raise WorksheetError(
                f"line {number}: {name!r} is scored again (first on line {seen[name]})"
            )
        seen[name] = number
        raw = VALUE.findall(match["values"])
        for key, value in zip((*CRITERIA_ORDER, "Non-Admin"), raw, strict=True):
            if value not in VALUES and value != NOT_CONSIDERED:
                raise WorksheetError(
                    f"line {number}: {name}: score {value!r} for {key} is not 1, 0 or ? "
                    "(? means not decided yet; * marks a criterion an add-on does not consider)"
                )
        typed = TYPED_TOTAL.match(match["rest"])
        lines.append(
            ScoreLine(
                number=number,
                name=name,
                prefix=f"{name}:{match['gap']}",
                template=VALUE.sub("{}", match["values"]),
                values=dict(zip(CRITERIA_ORDER, raw[:12], strict=True)),
                non_admin=raw[12],
                typed_total=int(typed["total"]) if typed else None,
                typed_star=bool(typed and typed["star"]),
            )
        )
    return Worksheet(lines)


def render_text(
    worksheet: Worksheet,
    scores: Callable[[ScoreLine], tuple[Mapping[str, str], str]],
    weights: Mapping[str, int],
    cutoff: int | None,
) -> str:
    """The worksheet with each score line's values from ``scores`` and its total recomputed."""
    out = []
    for line in worksheet.lines:
        if isinstance(line, str):
            out.append(line)
            continue
        values, non_admin = scores(line)
        out.append(line.render(values, non_admin, total(values, weights, non_admin), cutoff))
    return "\n".join(out)


def render_csv(
    worksheet: Worksheet,
    scores: Callable[[ScoreLine], tuple[Mapping[str, str], str]],
    weights: Mapping[str, int],
    names: Mapping[str, str],
    cutoff: int | None,
) -> str:
    """tabulated_scores.csv: a header of criterion names, then one row per score line."""
    header = ["Capability", *(names.get(key, key) for key in CRITERIA_ORDER), "Non-Admin", "Total"]
    rows = [",".join(header)]
    for line in worksheet.scores:
        values, non_admin = scores(line)
        result = total(values, weights, non_admin)
        if result.vetoed:
            rows.append(f"{line.name},0")  # as tabulate_scores.py writes a Non-Admin 0
            continue
        star = "*" if result.qualifies(cutoff) else ""
        cells = [line.name, *(values[key] for key in CRITERIA_ORDER), non_admin]
        rows.append(",".join(cells) + f",{result.value}{star}")
    return "\n".join(rows) + "\n"
