"""How the pages write a value of a guideline or of a change: one convention everywhere.

Absent (``None``) is a dash, an empty string "(empty)", an empty list "(none)":
a reader of the diff and of the change log must tell "no such key" from "an
empty value", and both pages must say it the same way.
"""

from __future__ import annotations

ABSENT = "—"
EMPTY = "(empty)"
NONE = "(none)"


def shown(value) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown(item) if item != "" else '""' for item in value) or NONE
    if isinstance(value, dict):
        return "; ".join(f"{key}: {shown(item)}" for key, item in value.items()) or NONE
    if value == "":
        return EMPTY
    return str(value)
