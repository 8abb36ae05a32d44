"""The cycle pages' forms: they check the input's shape (a date is a date); the
services judge the rest (``cycles.services``) and name the field they refuse."""

from __future__ import annotations

from django import forms

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.Form):
    # Longer than YYYY.MM on purpose: the service says what a name looks like.
    name = forms.CharField(
        max_length=100,
        label="Guideline name",
        help_text="YYYY.MM: the year and month the Board is to approve it (2017A D4), "
        "such as 2026.06",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    summit = forms.DateField(
        label="Summit date",
        widget=DATE_WIDGET,
        help_text="YYYY-MM-DD; the milestones are counted from it in months",
    )
    guideline = forms.CharField(
        max_length=100,
        required=False,
        label="Draft it prepares",
        help_text="The draft guideline's name, such as next",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class SummitForm(forms.Form):
    name = forms.CharField(max_length=100, widget=forms.HiddenInput)
    summit = forms.DateField(
        label="New summit date",
        widget=DATE_WIDGET,
        help_text="YYYY-MM-DD; every milestone moves with it",
    )
    reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Why it moves",
        help_text="Recorded with the change",
    )
