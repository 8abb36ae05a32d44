"""The ballot pages' forms."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from django import forms
from django.utils import timezone

from votes.models import BallotKind, PositionValue

THRESHOLD = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")


class BallotOpenForm(forms.Form):
    kind = forms.ChoiceField(choices=BallotKind.choices, label="Kind of ballot")
    question = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Question"
    )
    closes_at = forms.DateTimeField(
        label="Closes at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Date and time, in UTC",
    )
    quorum = forms.IntegerField(
        required=False, min_value=1, label="Quorum", help_text="Default: half the electorate"
    )
    threshold = forms.RegexField(
        THRESHOLD, required=False, label="Threshold", help_text='A fraction; default "2/3"'
    )
    positions_visible = forms.BooleanField(
        required=False, initial=True, label="Show positions and the tally while it is open"
    )
    changes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Capability changes",
        help_text="For a capabilities ballot, one per line: capability component status",
    )
    test = forms.IntegerField(
        required=False, min_value=1, label="Test id", help_text="For a flag ballot"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"closes_at": timezone.now() + timedelta(days=7), "positions_visible": True}
        )
        super().__init__(*args, **kwargs)

    def clean_closes_at(self):
        value = self.cleaned_data["closes_at"]
        # datetime-local has no zone: the form says UTC.
        return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value

    def threshold_pair(self) -> tuple[int, int]:
        match = THRESHOLD.match(self.cleaned_data.get("threshold") or "2/3")
        return int(match[1]), int(match[2])

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned:
            cleaned["subject"] = self.subject_of(cleaned)
        return cleaned

    def subject_of(self, cleaned):
        kind = cleaned["kind"]
        if kind == BallotKind.CAPABILITIES:
            changes = []
            for n, line in enumerate((cleaned.get("changes") or "").splitlines()):
                if not line.strip():
                    continue
                parts = line.split()
                if len(parts) != 3:
                    raise forms.ValidationError(
                        f"Line {n + 1} of the changes: give capability, component and status."
                    )
                changes.append(dict(zip(("capability", "component", "status"), parts, strict=True)))
            return changes
        if kind == BallotKind.FLAG:
            return {"test": cleaned.get("test")}
        return {}


class PositionForm(forms.Form):
    position = forms.ChoiceField(
        choices=PositionValue.choices, widget=forms.RadioSelect, label="Your position"
    )
    reason = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Required for block (why) and recuse (the conflict of interest)",
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason",
        help_text="Required to close before the deadline or to withdraw",
    )
    withdraw = forms.BooleanField(required=False, label="Withdraw it instead (no outcome)")
