"""The forms of the seats and account pages: they check the input's shape only;
the services decide (``committee.services``)."""

from django import forms

from committee.models import Role


class SeatForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="An existing user, or a new one: created without a password, which an "
        "operator sets.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    affiliation = forms.CharField(
        max_length=200,
        required=False,
        help_text="The organisation they work for: what a conflict of interest is judged by.",
    )
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        help_text="For a new user: where ballots and replies are sent.",
        # A text input, styled as the others; the field still checks the address.
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )


class SeatEndForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Say why the seat ends: it is recorded with the change."},
    )
