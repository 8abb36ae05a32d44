"""The forms of the run page, the keys page and the vendors' pages.

They check the input's shape only (a text is not too long, a UUID is a UUID);
the services (``compliance.services``) decide the rest and name the field they
refuse, which ``show_refusal`` puts beside it.
"""

from __future__ import annotations

import re

from django import forms

from committee.errors import Refused
from compliance.models import ProductKind

NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


# The run page


class RunShareForm(forms.Form):
    shared = forms.BooleanField(required=False)


class RunLinkForm(forms.Form):
    # A UUID, not a choice among the versions offered: whether the user may link to
    # it is the service's to say (403), not a "select a valid choice" (400).
    product_version = forms.UUIDField(
        required=False,
        label="Product version",
        help_text="Versions of the products of the vendors you administer; none to unlink the run.",
    )

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "None: not linked")]
        choices += [
            (str(version.pk), _version_label(version))
            for version in versions  # select_related("product__vendor")
        ]
        self.fields["product_version"].widget = forms.Select(choices=choices)


def _version_label(version) -> str:
    cpid = f" (cloud {version.cpid})" if version.cpid else ""
    return f"{version.product.vendor.name} {version.product.name} {version.version}{cpid}"


class RunVerifyForm(forms.Form):
    guideline = forms.CharField(max_length=100, widget=forms.HiddenInput)
    target = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)


# Public keys


class PublicKeyForm(forms.Form):
    raw_key = forms.CharField(
        label="Public key",
        max_length=16384,
        strip=True,
        help_text="The OpenSSH RSA public key, as ~/.ssh/id_rsa.pub holds it: ssh-rsa AAAA...",
        widget=forms.Textarea(attrs={"rows": 4, **NO_AUTOFILL}),
    )
    self_signature = forms.CharField(
        label="Self-signature",
        max_length=4096,
        strip=True,
        help_text="What refstack-client sign printed: the hex of the key's signature of "
        "the word “signature”.",
        widget=forms.Textarea(attrs={"rows": 4, **NO_AUTOFILL}),
    )


# Vendors and products


class _Described(forms.Form):
    """What a vendor and a product both say of themselves."""

    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(
        label="Web site",
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text="An http or https address",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )


class VendorForm(_Described):
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs=NO_AUTOFILL))
    field_order = ["name", "description", "url"]


class VendorReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: the vendor becomes official"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason",
        help_text="Needed to decline: the vendor's admins read it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason"):
            self.add_error("reason", "Say why the vendor is declined: its admins read it.")
        return cleaned


class InvitationAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class VendorAdminForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        label="Username",
        help_text="Someone signed up on this site",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ProductForm(_Described):
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs=NO_AUTOFILL))
    kind = forms.ChoiceField(choices=ProductKind.choices)
    public = forms.BooleanField(
        required=False, label="Public: listed in the directory once the vendor is official"
    )
    field_order = ["name", "kind", "description", "url", "public"]


class VersionForm(forms.Form):
    version = forms.CharField(max_length=50, widget=forms.TextInput(attrs=NO_AUTOFILL))
    cpid = forms.CharField(
        max_length=128,
        required=False,
        label="Cloud id (cpid)",
        help_text="The id refstack-client reads from the cloud that runs this version: "
        "its signed runs are then linked to it.",
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )


class ProductVisibilityForm(forms.Form):
    public = forms.BooleanField(required=False)


# Refusals beside their field

# "raw_key: malformed public key": the services name the field first.
NAMED = re.compile(r"^(?P<field>[a-z_]+): (?P<problem>.+)$", re.DOTALL)
# Where a service's name for a field is not the form's.
ALIASES = {"product_version_id": "product_version"}


def show_refusal(form: forms.Form, refusal: Refused) -> str:
    """Put a refusal that names one of ``form``'s visible fields beside it; return what
    is to be shown above the form instead (the whole message, if it names none)."""
    found = NAMED.match(str(refusal))
    if found:
        field = ALIASES.get(found["field"], found["field"])
        if field in form.fields and not form.fields[field].widget.is_hidden:
            problem = found["problem"]
            form.add_error(field, problem[:1].upper() + problem[1:])
            return "Nothing was changed: see the field marked below."
    return str(refusal)
