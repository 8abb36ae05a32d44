"""Forms of the workspace pages: they check the shape of the input; the services the rules."""

from __future__ import annotations

import re
from pathlib import PurePath

from django import forms

from capabilities.arithmetic import NON_ADMIN
from guidelines.models import CapabilityStatus

VALUES = [("1", "1"), ("0", "0"), ("?", "?")]
KEEP = [("", "–")]
STATUSES = CapabilityStatus.choices
ADMIN_CHOICES = [("", "not stated"), ("false", "No"), ("true", "Yes")]


def one_line_breaks(text: str) -> str:
    """Browsers send a textarea's lines with CRLF; the documents use LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _CriteriaForm(forms.Form):
    """A select per criterion, in the table's column order, then Non-Admin."""

    # The selects sit in the table's cells, outside the <form> element, which
    # they join through their form attribute.
    form_id = ""

    def __init__(self, *args, columns: list, choices, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [c.key for c in columns] + [NON_ADMIN]
        names = {c.key: c.name for c in columns} | {NON_ADMIN: "Non-Admin"}
        for key in self.keys:
            self.fields[key] = forms.ChoiceField(
                choices=choices,
                required=required,
                label=names[key],
                error_messages={"required": f"choose 1, 0 or ? for {names[key]}"},
                widget=forms.Select(attrs={"form": self.form_id, "aria-label": names[key]}),
            )

    @property
    def fields_in_order(self) -> list:
        """Bound fields in the table's column order, Non-Admin last: one per cell."""
        return [self[key] for key in self.keys]

    def values(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in self.keys}


class ScoreForm(_CriteriaForm):
    """A member's scores of one capability: every criterion, as a line of the worksheet."""

    form_id = "score-form"
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Note",
        widget=forms.TextInput(attrs={"placeholder": "why, optional"}),
    )
    whole_line = forms.BooleanField(
        required=False, label="Record every value as my score, changed or not"
    )

    def __init__(self, *args, columns: list, **kwargs):
        super().__init__(*args, columns=columns, choices=VALUES, required=True, **kwargs)


class ConsensusForm(_CriteriaForm):
    """The chair's decisions: only the criteria given a value change."""

    form_id = "decide-form"

    def __init__(self, *args, columns: list, **kwargs):
        super().__init__(*args, columns=columns, choices=KEEP + VALUES, required=False, **kwargs)

    def decisions(self) -> dict[str, str]:
        return {key: value for key, value in self.values().items() if value}

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(key) for key in self.keys):
            raise forms.ValidationError("choose the value of at least one criterion")
        return cleaned


TEST_LINE = re.compile(r"^(?P<name>\S+)\s+(?P<id>\S+)(?:\s+(?P<aliases>.*))?$")


def parse_test_lines(text: str) -> list[dict]:
    """``name id-uuid [alias ...]`` per line; blank lines skipped."""
    tests = []
    for number, line in enumerate(one_line_breaks(text).split("\n"), start=1):
        if not line.strip():
            continue
        match = TEST_LINE.match(line.strip())
        if match is None:
            raise forms.ValidationError(
                f"line {number}: {line.strip()!r} needs its idempotent id after the name, "
                "like tempest.api.compute.test_x.XTest.test_y id-1b2c3d4e-...",
            )
        tests.append(
            {
                "name": match["name"],
                "idempotent_id": match["id"],
                "aliases": (match["aliases"] or "").split(),
            }
        )
    return tests


class ProposeForm(forms.Form):
    key = forms.CharField(
        label="Name",
        max_length=200,
        help_text="Letters, digits and '-', like compute-servers-rescue",
    )
    component = forms.ChoiceField(label="Component")
    status = forms.ChoiceField(
        label="Status",
        choices=STATUSES,
        initial=CapabilityStatus.ADVISORY,
        help_text="New capabilities start as advisory (2017A A4.6)",
    )
    project = forms.CharField(label="Project", max_length=200, help_text="nova, neutron, ...")
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}))
    admin = forms.BooleanField(label="Needs admin rights", required=False)
    tests = forms.CharField(
        label="Tests",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="One per line: the test's full name, its idempotent id, then any aliases",
    )

    def __init__(self, *args, components: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].choices = [(name, name) for name in components]

    def clean_description(self):
        return one_line_breaks(self.cleaned_data["description"])

    def clean_tests(self):
        return parse_test_lines(self.cleaned_data["tests"])


class CapabilityForm(forms.Form):
    """Edit a capability; ``version`` is the one the editor read (a conflict otherwise)."""

    project = forms.CharField(label="Project", required=False, strip=False, max_length=200)
    description = forms.CharField(
        label="Description", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    admin = forms.ChoiceField(label="Needs admin rights", choices=ADMIN_CHOICES, required=False)
    required_since = forms.CharField(
        label="Required since",
        required=False,
        strip=False,
        max_length=20,
        help_text="The guideline that made it required, like 2016.01; empty if not required",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    FIELDS = ("project", "description", "admin", "required_since")

    @staticmethod
    def initial_from(snapshot: dict) -> dict:
        """Form values of a capability_snapshot (or a Conflict's ``current``)."""
        admin = snapshot.get("admin")
        return {
            "project": snapshot.get("project") or "",
            "description": snapshot.get("description") or "",
            "admin": "" if admin is None else ("true" if admin else "false"),
            "required_since": snapshot.get("required_since") or "",
            "version": snapshot.get("version"),
        }

    def clean_description(self):
        return one_line_breaks(self.cleaned_data["description"])

    def changes(self, current: dict) -> dict:
        """The fields that differ from ``current`` (a snapshot), as the service takes them."""
        shown = self.initial_from(current)
        changed = {}
        for name in self.FIELDS:
            value = self.cleaned_data[name]
            if value == shown[name]:
                continue
            if name == "admin":
                if value == "":
                    self.add_error("admin", "say whether it needs admin rights: yes or no")
                    continue
                changed[name] = value == "true"
            else:
                changed[name] = value
        return changed


class MoveForm(forms.Form):
    component = forms.ChoiceField(label="Component")
    status = forms.ChoiceField(label="Status", choices=STATUSES)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, components: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].choices = [(name, name) for name in components]


class RenameForm(forms.Form):
    new_key = forms.CharField(label="New name", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LineageForm(forms.Form):
    predecessors = forms.CharField(
        label="Made from",
        max_length=4000,
        help_text="Names of capabilities of the previous guideline, separated by spaces or commas",
    )
    note = forms.CharField(label="Note", required=False, max_length=500)

    def clean_predecessors(self):
        return [name for name in re.split(r"[\s,]+", self.cleaned_data["predecessors"]) if name]


class FlagForm(forms.Form):
    date = forms.CharField(
        label="Date",
        max_length=10,
        help_text="YYYY-MM-DD, when the flag was proposed",
        error_messages={"required": "give the date the flag was proposed (YYYY-MM-DD)"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        help_text="Starts with its flag type, [D400] to [D406]",
        error_messages={"required": "give the reason, starting with its flag type like [D404]"},
    )
    action = forms.CharField(
        label="Action",
        max_length=2000,
        help_text="What will resolve it",
        error_messages={"required": "give the action that will resolve the flag"},
    )


class OverrideForm(forms.Form):
    rule = forms.CharField(widget=forms.HiddenInput, max_length=100)
    subject = forms.CharField(widget=forms.HiddenInput)
    justification = forms.CharField(
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "write why the committee accepts this: an override needs a written "
            "justification (2017A A7.2)"
        },
    )

    def clean_justification(self):
        return one_line_breaks(self.cleaned_data["justification"])


class WorksheetForm(forms.Form):
    """A scoring worksheet, pasted or as a file (scoring.txt)."""

    file = forms.FileField(label="File", required=False)
    text = forms.CharField(
        label="Or paste it",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Kept with the guideline; the file's name when empty, else scoring.txt",
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("give a file or paste the worksheet, not both")
        if upload:
            try:
                # As read: a file's bytes come back byte for byte on export.
                cleaned["content"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(
                    f"{upload.name} is not UTF-8 text (byte {exc.start}): save it as UTF-8"
                ) from exc
        elif text.strip():
            cleaned["content"] = one_line_breaks(text)
        else:
            raise forms.ValidationError("choose a worksheet file or paste its text")
        name = (cleaned.get("name") or "").strip() or (upload.name if upload else "scoring.txt")
        cleaned["name"] = PurePath(name.replace("\\", "/")).name or "scoring.txt"
        return cleaned
