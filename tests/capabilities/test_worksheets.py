"""Worksheets through the database: import scoring.txt against next.json and back."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from capabilities.models import Consensus
from capabilities.selectors import worksheet_csv, worksheet_text
from capabilities.services import worksheet_import
from committee.permissions import NotAllowed
from committee.system import system_actor
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import Capability
from tests.guidelines.helpers import export, import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_draft(real_files):
    return import_file(real_files["next"]).guideline


@pytest.fixture
def worksheet_files(interop_data):
    folder = interop_data / "working_materials"
    return (folder / "scoring.txt").read_text(), (folder / "tabulated_scores.csv").read_text()


def test_scoring_txt_against_next_round_trips_byte_for_byte(next_draft, worksheet_files):
    text, csv = worksheet_files

    report = worksheet_import(guideline=next_draft, text=text, actor=system_actor())

    assert report.matched == 74
    assert worksheet_text(report.worksheet) == text
    assert worksheet_csv(report.worksheet) == csv


def test_lines_naming_no_capability_are_kept_and_reported(next_draft, worksheet_files):
    report = worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=system_actor())

    kept = [n for n in report.notes if "is not a capability of next; kept as written" in n]
    assert len(kept) == 66
    assert kept[0].startswith("line 31: network-floating-ips-associate")


def test_the_consensus_drives_achievements(next_draft, worksheet_files):
    worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=system_actor())

    slo = Capability.objects.get(guideline=next_draft, key="objectstore-slo-support")
    consensus = dict(Consensus.objects.filter(capability=slo).values_list("criterion", "value"))
    assert slo.achievements == [
        key
        for key in next_draft.criteria.order_by("position").values_list("key", flat=True)
        if consensus[key] == "1"
    ]
    # The misspelled copy is gone: the derived list is the one truth.
    assert "acheivements" not in export(next_draft)["capabilities"]["objectstore-slo-support"]


def test_a_wrong_typed_total_is_reported_per_line(next_draft, worksheet_files):
    text = worksheet_files[0].replace(
        "network-l3-convert:                   [0,0,0] [1,0,0] [0,0,0] [0,0,0] [1] [11]",
        "network-l3-convert:                   [0,0,0] [1,0,0] [0,0,0] [0,0,0] [1] [12]",
    )

    report = worksheet_import(guideline=next_draft, text=text, actor=system_actor())

    assert any(
        "network-l3-convert: typed total [12] but the scores give 11 with the weights of next" in n
        for n in report.notes
    )


@pytest.mark.parametrize(
    "line, message",
    [
        ("new-capability: [1,1,1] [1,1] [1,1,0] [1,1,1] [1]", "does not have four"),
        ("new-capability: [1,1,1] [1,2,1] [1,1,0] [1,1,1] [1]", "score '2'"),
    ],
)
def test_a_malformed_worksheet_changes_nothing(next_draft, worksheet_files, line, message):
    text = worksheet_files[0] + line + "\n"

    with pytest.raises(GuidelineError, match=message):
        worksheet_import(guideline=next_draft, text=text, actor=system_actor())
    assert not Consensus.objects.exists()
    assert not next_draft.worksheets.exists()


def test_only_the_chair_imports_a_worksheet(next_draft, worksheet_files, member, chair):
    with pytest.raises(NotAllowed, match="for the chair"):
        worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=member)

    report = worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=chair)
    event = next_draft.events.get(kind="worksheet_imported")
    assert report.matched == 74
    assert (event.actor, event.channel) == (chair, "import")


def test_a_published_guideline_takes_no_scores(real_files, worksheet_files):
    approved = import_file(real_files["2020.06"]).guideline

    with pytest.raises(RuleRefused, match="2017A A4.3"):
        worksheet_import(guideline=approved, text=worksheet_files[0], actor=system_actor())


def test_the_worksheet_commands(next_draft, interop_data, tmp_path, worksheet_files):
    out = StringIO()
    call_command(
        "import_worksheet",
        str(interop_data / "working_materials" / "scoring.txt"),
        "--guideline",
        "next",
        stdout=out,
    )
    target = tmp_path / "out.csv"
    call_command(
        "export_worksheet", "--guideline", "next", "--format", "csv", "--output", str(target)
    )
    text = StringIO()
    call_command("export_worksheet", "--guideline", "next", stdout=text)

    assert "imported into next: 74 capabilities scored" in out.getvalue()
    assert target.read_text() == worksheet_files[1]
    assert text.getvalue() == worksheet_files[0]
    with pytest.raises(CommandError, match="no guideline named"):
        call_command("export_worksheet", "--guideline", "2099.01")
