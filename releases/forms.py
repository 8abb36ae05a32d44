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
        help_text="A passed approval ballot on this draft as it is now.",
    )

    def __init__(self, *args, ballots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ballot"].choices = [
            (ballot.pk, f"Ballot {ballot.pk}: {ballot.question[:80]}") for ballot in ballots
        ]
