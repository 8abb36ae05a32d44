"""The committee's scoring arithmetic, as working_materials/tabulate_scores.py does it.

A capability is scored on twelve criteria, each 1 (met), 0 (not met) or ``?``
(not decided), plus the Non-Admin question. Its total is the sum of the
weights of the criteria it meets (DOMAIN.md section 3):

- Non-Admin 1: the sum; if any criterion is ``?`` the total is negated, a
  negative total meaning "incomplete, at least this much".
- Non-Admin 0: the Non-Admin veto, total 0 (an admin-only API cannot be
  required).
- Non-Admin ``?``: tabulate_scores.py crashes (``int('?')``); here it is
  treated as undecided like any other ``?``: the partial sum, negated.

A total at or over the cut-off qualifies the capability as required (2017A
A4.4); a negative total never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The worksheet's value order: four groups of three criteria, then Non-Admin.
CRITERIA_GROUPS = (
    ("deployed", "tools", "clients"),
    ("future", "complete", "stable"),
    ("discover", "doc", "sticky"),
    ("foundation", "atomic", "proximity"),
)
CRITERIA_ORDER = tuple(key for group in CRITERIA_GROUPS for key in group)
NON_ADMIN = "non-admin"
VALUES = ("1", "0", "?")
UNDECIDED = "?"
# Add-on worksheets mark criteria the add-on program does not consider.
NOT_CONSIDERED = "*"


class ScoreError(ValueError):
    """A score that is not 1, 0 or ?."""


def check_value(value: str, *, where: str = "") -> str:
    if value not in VALUES:
        place = f"{where}: " if where else ""
        raise ScoreError(f"{place}score {value!r} is not 1, 0 or ? (? means not decided yet)")
    return value


@dataclass(frozen=True)
class Total:
    value: int
    complete: bool  # no criterion and no Non-Admin answer is undecided
    vetoed: bool  # Non-Admin is 0

    def qualifies(self, cutoff: int | None) -> bool:
        """At or over the cut-off (2017A A4.4); an incomplete total never qualifies."""
        return cutoff is not None and self.complete and self.value >= cutoff


def total(values: Mapping[str, str], weights: Mapping[str, int], non_admin: str) -> Total:
    """Total of ``values`` (criterion key -> 1/0/?/*) with ``weights`` (key -> weight).

    Criteria without a weight (or marked ``*``, not considered) add nothing.
    """
    if non_admin == "0":
        return Total(0, complete=True, vetoed=True)
    points = 0
    undecided = non_admin == UNDECIDED
    for key, value in values.items():
        if value == UNDECIDED:
            undecided = True
        elif value == "1":
            points += weights.get(key) or 0
    return Total(-points if undecided else points, complete=not undecided, vetoed=False)
