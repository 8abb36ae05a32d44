"""The approve page's form."""

from __future__ import annotations

from django import forms


class ApprovalForm(forms.Form):
    name = forms.CharField(
        label="Release name",
        max_length=100,
        help_text="YYYY.MM: the year and month of the approval (2017A D4.1).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "decimal"}),
    )
    ballot = forms.TypedChoiceField(
        label="Approval ballot",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="A passed approval ballot on this draft.",
    )
    approved_elsewhere = forms.CharField(
        label="Or: approved elsewhere",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only for history approved before this site: say where and when.",
    )

    def __init__(self, *args, ballots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ballot"].choices = [("", "No ballot")] + [
            (ballot.pk, f"Ballot {ballot.pk}: {ballot.question[:80]}") for ballot in ballots
        ]

    def clean(self):
        cleaned = super().clean()
        has_ballot = cleaned.get("ballot") is not None
        has_reason = bool((cleaned.get("approved_elsewhere") or "").strip())
        if has_ballot == has_reason and not self.errors:
            raise forms.ValidationError(
                "Choose the passed approval ballot, or (for history approved elsewhere) say "
                "where it was approved: one of the two."
            )
        return cleaned
