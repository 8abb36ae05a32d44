"""Fidelity of the renderings on the committee's real files (../shared/interop-data).

The committee's own RST of 2018.02 (guidelines/2018.02.rst, what tools/jsonToRst.py
wrote) is read with the same reader as ours and compared part by part. These
tests skip without the real data (tests/conftest.py ``real_files``).
"""

from __future__ import annotations

import io
import json
import re

import pytest

from guidelines.models import Capability, ComponentEntry, DesignatedSection
from guidelines.renderings import FORMATS, render
from guidelines.renderings.notes import release_notes_markdown

from .helpers import import_file
from .test_renderings import read_html, read_markdown, read_rst

pytestmark = pytest.mark.django_db

OPENDEV = "https://opendev.org/openstack/interop/raw/branch/master/"


def undefined_listed(guideline) -> set[str]:
    listed = ComponentEntry.objects.filter(component__guideline=guideline, kind="capabilities")
    defined = Capability.objects.filter(guideline=guideline).values_list("key", flat=True)
    return set(listed.values_list("name", flat=True)) - set(defined)


def test_our_rst_of_2018_02_has_the_structure_of_the_committees(real_files, interop_data):
    """Every part of the committee's 2018.02.rst but what its staleness explains.

    Compared exactly: the section titles in order with their underline character
    and length, the header's boilerplate, :Replaces:, the releases line, the
    platform components fields, each component's capability lines by status, the
    designated sections entries (wrapped text joined) and their introduction.

    Tolerated, each checked to be exactly that (DOMAIN.md section 4: the
    committed RSTs are stale; 2018.02.rst was generated from next.json before
    2018.02 got its name, and jsonToRst read only schema 1.x):
    - the title and JSON Master name ``next``: ours use the guideline's id, and
      the committee's https URL (the document's own ``source`` names the DNS
      add-on's file, copied by mistake, DOMAIN.md section 1);
    - :Status: approved: 2018.02 is superseded since 5f7a8cf ("Approve
      2020.06, supersede 2018.02"), the commit the data was copied at;
    - the project of volumes-v2/v3-attach-detach, "(Cinder)" in theirs: 2018.02.json
      lists them as removed without defining them (DOMAIN.md section 1, "listed
      but undefined"; jsonToRst needed the definitions, e604818), so ours gives
      the names alone;
    - Keystone's deprecated designated section: 2018.02.json, in schema 2.0, has
      only required and informational designated sections; the 1.x next.json it
      was rendered from had the five statuses (DOMAIN.md section 1).
    """
    guideline = import_file(real_files["2018.02"]).guideline
    ours = read_rst(render(guideline, "rst"))
    theirs = read_rst((interop_data / "guidelines" / "2018.02.rst").read_text(encoding="utf-8"))

    assert ours.sections == theirs.sections
    assert ours.sections[:2] == [("Releases Covered", "=", 30), ("Platform Components", "=", 30)]
    assert ours.releases == theirs.releases == ["Applies to Newton, Ocata, Pike, Queens"]
    assert ours.platform == theirs.platform
    assert ours.platform["Required"] == "Compute, Object"
    assert ours.intro == theirs.intro

    # Header: the title's id, the status, the JSON Master.
    assert (theirs.title, ours.title) == (
        "OpenStack Interoperability Guideline next",
        "OpenStack Interoperability Guideline 2018.02",
    )
    assert ours.fields["Replaces"] == theirs.fields["Replaces"] == "2017.09"
    assert (theirs.fields["Status"], ours.fields["Status"]) == ("approved", "superseded")
    assert theirs.fields["JSON Master"] == (
        "http://opendev.org/openstack/interop/raw/branch/master/next.json"
    )
    assert ours.fields["JSON Master"] == f"{OPENDEV}2018.02.json"
    assert ours.header[:-1] == theirs.header[:-1]
    assert theirs.header[-1] == (
        "This document was generated from the `master JSON version <next.json>`_."
    )
    assert ours.header[-1] == theirs.header[-1].replace("next.json", f"{OPENDEV}2018.02.json")

    # Capabilities: theirs with the project of the two undefined capabilities taken off.
    undefined = undefined_listed(guideline)
    assert undefined == {"volumes-v2-attach-detach", "volumes-v3-attach-detach"}
    expected = [
        (
            component,
            [
                (status, [re.sub(r" \(Cinder\)$", "", line) if line.split(" ")[0] in undefined
                          else line for line in lines])
                for status, lines in statuses
            ],
        )
        for component, statuses in theirs.components
    ]  # fmt: skip
    assert ours.components == expected
    assert (
        sum(len(lines) for _, statuses in ours.components for _, lines in statuses) == 92
    )  # DOMAIN.md section 5: 68/3/0/2 and 17/2/0/0

    # Designated sections: theirs without Keystone's deprecated entry, which 2018.02.json lacks.
    assert not DesignatedSection.objects.filter(guideline=guideline, status="deprecated").exists()
    assert dict(theirs.designated)["Deprecated"] == [
        "Keystone : Designation is outlined per API grouping."
    ]
    expected_sections = [
        (status, [] if status == "Deprecated" else entries) for status, entries in theirs.designated
    ]
    assert ours.designated == expected_sections
    assert len(dict(ours.designated)["Required"]) == 6


def test_our_rst_of_2018_02_differs_from_the_committees_only_on_the_tolerated_lines(
    real_files, interop_data
):
    """Byte for byte, blank lines and wrapping included, but for the lines the
    structural comparison above tolerates: eight lines, each named here."""
    guideline = import_file(real_files["2018.02"]).guideline
    ours = render(guideline, "rst").split("\n")
    theirs = (interop_data / "guidelines" / "2018.02.rst").read_text(encoding="utf-8").split("\n")

    assert len(ours) == len(theirs)
    differing = [(a, b) for a, b in zip(theirs, ours, strict=True) if a != b]
    assert [a for a, _ in differing] == [
        "=" * 41,
        "OpenStack Interoperability Guideline next",
        "=" * 41,
        ":Status: approved",
        ":JSON Master: http://opendev.org/openstack/interop/raw/branch/master/next.json",
        "This document was generated from the `master JSON version <next.json>`_.",
        "* volumes-v2-attach-detach (Cinder)",
        "* volumes-v3-attach-detach (Cinder)",
        "* Keystone : Designation is outlined per API grouping.",
    ]
    assert differing[-1][1] == "None"


REQUIRED_COUNTS = {"2015.03": 10, "2020.06": 78, "orchestration.2020.06": 23}  # DOMAIN.md 5


def required_names(guideline) -> list[str]:
    entries = ComponentEntry.objects.filter(
        component__guideline=guideline, kind="capabilities", status="required"
    ).order_by("component__name", "position")
    return list(dict.fromkeys(entries.values_list("name", flat=True)))


def rendered_required(fmt: str, text: str) -> list[str]:
    """Capability names listed as required in a rendering, in order, once each."""
    if fmt == "json":
        doc = json.loads(text)
        lists = [
            c["capabilities"]["required"] if "capabilities" in c else c["required"]
            for _, c in sorted(doc["components"].items())
        ]
        names = [name for names in lists for name in names]
    elif fmt == "rst":
        doc = read_rst(text)
        names = [line.split(" ")[0] for _, s in doc.components for st, lines in s for line in lines
                 if st == "Required"]  # fmt: skip
    else:
        blocks = read_markdown(text) if fmt == "md" else read_html(text).blocks
        names = [
            item.split(" ")[0]
            for block in blocks
            if block.title == "Required Capabilities"
            for item in block.items
        ]
    return list(dict.fromkeys(names))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", ["2015.03", "2020.06", "orchestration.2020.06"])
def test_each_format_lists_every_required_capability(real_files, key, fmt):
    guideline = import_file(real_files[key]).guideline

    text = render(guideline, fmt)

    expected = required_names(guideline)
    assert len(expected) == REQUIRED_COUNTS[key]
    assert rendered_required(fmt, text) == expected
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("key", ["2015.03", "2018.02", "2020.06", "orchestration.2020.06"])
def test_our_rst_parses_with_docutils_without_a_warning(real_files, key):
    docutils_core = pytest.importorskip("docutils.core", reason="docutils is not installed")
    guideline = import_file(real_files[key]).guideline
    warnings = io.StringIO()

    docutils_core.publish_doctree(
        render(guideline, "rst"),
        settings_overrides={"warning_stream": warnings, "report_level": 2, "halt_level": 5},
    )

    assert warnings.getvalue() == ""


def test_release_notes_from_2018_02_to_2020_06_follow_the_lifecycle(real_files):
    old = import_file(real_files["2018.02"]).guideline
    new = import_file(real_files["2020.06"]).guideline
    before = json.loads(real_files["2018.02"].read_bytes())["components"]
    after = json.loads(real_files["2020.06"].read_bytes())["components"]

    blocks = read_markdown(release_notes_markdown(new, old))

    groups = {b.title: b.items for b in blocks if b.level == 3}
    for name, title in (("os_powered_compute", "Compute"), ("os_powered_storage", "Object")):
        was, now = before[name]["capabilities"], after[name]["capabilities"]
        promoted = [c for c in now["required"] if c in was["advisory"]]
        listed_before = {c for names in was.values() for c in names}
        listed_now = {c for names in now.values() for c in names}
        added = [c for c in now["required"] if c not in listed_before]
        deleted = {c for c in listed_before if c not in listed_now}
        assert groups[f"{title}: newly required ({len(promoted)})"] == [
            f"{c} (was advisory)" for c in promoted
        ]
        assert groups[f"{title}: added ({len(added)})"] == [f"{c} as required" for c in added]
        if deleted:
            items = groups[f"{title}: deleted ({len(deleted)})"]
            assert {item.split(" ")[0] for item in items} == deleted
    # 2018.11 deprecated the 13 Cinder v2 capabilities and volumes-v3-reserve, 2019.06
    # removed them, 2019.11 deleted them (DOMAIN.md section 2.7); with the two
    # attach-detach capabilities 2018.02 listed as removed, 16 are gone.
    assert len(groups["Compute: deleted (16)"]) == 16


def test_release_notes_of_the_first_guideline_count_what_domain_md_counts(real_files):
    guideline = import_file(real_files["2015.03"]).guideline

    blocks = read_markdown(release_notes_markdown(guideline, None))

    contents = next(b.items for b in blocks if b.title == "Contents")
    # DOMAIN.md section 5: compute 9/2/0/3, object 1/0/0/0, 15 capabilities, 127 tests, 9 flagged.
    assert contents[:4] == [
        "Compute component: 9 required, 2 advisory, 0 deprecated, 3 removed",
        "Object component: 1 required, 0 advisory, 0 deprecated, 0 removed",
        "15 capabilities defined",
        "127 tests, 9 flagged",
    ]
