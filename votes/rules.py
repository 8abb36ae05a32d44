"""The ballot arithmetic: tally, outcome and what a ballot still needs. Pure functions.

- Quorum: the number of voters who must take part. Recusals do not take
  part; yes, no, abstain and block do. Default: half the electorate, rounded up.
- Threshold: the share of yes among the votes cast that are not abstentions
  (yes, no and block; recusals are out of the base as well). Default two thirds.
- An open block prevents a pass, whatever the count.
- No quorum, or a block, or too few yes: the ballot fails (``no_quorum`` or
  ``failed``); otherwise it passes. At least one yes is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

VALUES = ("yes", "no", "abstain", "recuse", "block")


def default_quorum(electorate: int) -> int:
    return ceil(electorate / 2)


def tally_of(values) -> dict[str, int]:
    """Count current position values: ``{"yes": 3, "no": 1, ...}`` with every key."""
    counts = dict.fromkeys(VALUES, 0)
    for value in values:
        counts[value] += 1
    return counts


@dataclass(frozen=True)
class Rules:
    electorate: int
    quorum: int
    numerator: int  # threshold, as a fraction
    denominator: int

    def taking_part(self, tally: dict[str, int]) -> int:
        return tally["yes"] + tally["no"] + tally["abstain"] + tally["block"]

    def base(self, tally: dict[str, int]) -> int:
        """The votes the threshold is a share of."""
        return tally["yes"] + tally["no"] + tally["block"]

    def threshold_met(self, tally: dict[str, int]) -> bool:
        # yes / base >= n / d, in integers.
        yes = tally["yes"]
        return yes > 0 and yes * self.denominator >= self.numerator * self.base(tally)

    def outcome(self, tally: dict[str, int]) -> str:
        if self.taking_part(tally) < self.quorum:
            return "no_quorum"
        if tally["block"] or not self.threshold_met(tally):
            return "failed"
        return "passed"

    def needs(self, tally: dict[str, int]) -> dict:
        """What the ballot still needs to pass, as counts and as one sentence."""
        more_voters = max(0, self.quorum - self.taking_part(tally))
        more_yes = self.more_yes(tally)
        blocks = tally["block"]
        parts = []
        if more_voters:
            parts.append(f"{more_voters} more position{'s' * (more_voters != 1)} for quorum")
        if more_yes is None:
            parts.append("every no changed (the rule is unanimity)")
        elif more_yes:
            parts.append(f"{more_yes} more yes")
        if blocks:
            parts.append(f"{blocks} block{'s' * (blocks != 1)} lifted")
        text = "needs " + " and ".join(parts) if parts else "would pass if it closed now"
        return {
            "quorum": more_voters,
            "yes": more_yes,
            "blocks": blocks,
            "text": text,
        }

    def more_yes(self, tally: dict[str, int]) -> int | None:
        """The fewest added yes votes that meet the threshold, the others unchanged;
        None if no number of yes votes can (a unanimity rule with a no standing)."""
        yes, others = tally["yes"], tally["no"] + tally["block"]
        n, d = self.numerator, self.denominator
        if n == d:
            return None if others else max(0, 1 - yes)
        # (yes + k) * d >= n * (yes + k + others)  <=>  k >= (n * others - (d - n) * yes) / (d - n)
        needed = -((-(n * others - (d - n) * yes)) // (d - n))  # ceiling, in integers
        return max(needed, 1 - yes, 0)
