"""Worksheets through the database: import scoring.txt into a draft and back.

The project's worksheet (tests/data/capabilities/scoring.txt) scores the demo's
capabilities, imported into ``next``, the draft started from the demo 2026.06.
The committee's own worksheet against their next.json is the fidelity test.
"""

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
from tests.capabilities.conftest import WORKSHEET, WORKSHEET_KEPT, WORKSHEET_MATCHED
from tests.guidelines.helpers import export, import_file

pytestmark = pytest.mark.django_db

# The demo's compute-keypairs-create meets seven criteria; the worksheet adds Future Direction.
KEYPAIRS = "compute-keypairs-create"


@pytest.fixture
def next_draft(demo_draft):
    return demo_draft


# The committee's worksheet against their next.json: fidelity to their files.


@pytest.fixture
def real_next(real_files):
    return import_file(real_files["next"]).guideline


@pytest.fixture
def real_worksheet(interop_data):
    folder = interop_data / "working_materials"
    return (folder / "scoring.txt").read_text(), (folder / "tabulated_scores.csv").read_text()


def test_the_committee_s_scoring_txt_against_next_round_trips_byte_for_byte(
    real_next, real_worksheet
):
    text, csv = real_worksheet

    report = worksheet_import(guideline=real_next, text=text, actor=system_actor())

    assert report.matched == 74
    assert worksheet_text(report.worksheet) == text
    assert worksheet_csv(report.worksheet) == csv


def test_the_committee_s_lines_naming_no_capability_are_kept_and_reported(
    real_next, real_worksheet
):
    report = worksheet_import(guideline=real_next, text=real_worksheet[0], actor=system_actor())

    kept = [n for n in report.notes if "is not a capability of next; kept as written" in n]
    assert len(kept) == 66
    assert kept[0].startswith("line 31: network-floating-ips-associate")


def test_the_committee_s_misspelled_achievements_give_way_to_the_consensus(
    real_next, real_worksheet
):
    worksheet_import(guideline=real_next, text=real_worksheet[0], actor=system_actor())

    slo = Capability.objects.get(guideline=real_next, key="objectstore-slo-support")
    consensus = dict(Consensus.objects.filter(capability=slo).values_list("criterion", "value"))
    assert slo.achievements == [
        key
        for key in real_next.criteria.order_by("position").values_list("key", flat=True)
        if consensus[key] == "1"
    ]
    # The misspelled copy is gone: the derived list is the one truth.
    assert "acheivements" not in export(real_next)["capabilities"]["objectstore-slo-support"]


# The project's worksheet against the demo's draft.


def test_scoring_txt_against_next_round_trips_byte_for_byte(next_draft, worksheet_files):
    text, csv = worksheet_files

    report = worksheet_import(guideline=next_draft, text=text, actor=system_actor())

    assert report.matched == WORKSHEET_MATCHED
    assert report.notes == [
        f"line {number}: {name} is not a capability of next; kept as written"
        for number, name in (
            (26, "compute-servers-rescue"),
            (27, "compute-servers-migrate"),
            (36, "networks-floating-ips-create"),
            (41, "images-v2-import"),
            (46, "objectstore-container-quotas"),
        )
    ]
    assert worksheet_text(report.worksheet) == text
    assert worksheet_csv(report.worksheet) == csv


def test_the_worksheet_s_undecided_score_is_the_consensus_and_comes_back(
    next_draft, worksheet_files
):
    worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=system_actor())

    images = Capability.objects.get(guideline=next_draft, key="images-v1-list")
    consensus = dict(Consensus.objects.filter(capability=images).values_list("criterion", "value"))
    assert consensus["doc"] == "?" and consensus["stable"] == "1"
    # Not fully scored: the document's achievements stand.
    assert images.achievements == ["stable", "doc"]


def test_lines_naming_no_capability_are_kept_and_reported(next_draft, worksheet_files):
    report = worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=system_actor())

    kept = [n for n in report.notes if "is not a capability of next; kept as written" in n]
    assert len(kept) == WORKSHEET_KEPT
    assert kept[0].startswith("line 26: compute-servers-rescue")
    assert not Capability.objects.filter(guideline=next_draft, key="compute-servers-rescue")


def test_the_consensus_drives_achievements(next_draft, worksheet_files):
    written = export(next_draft)["capabilities"][KEYPAIRS]["achievements"]

    worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=system_actor())

    keypairs = Capability.objects.get(guideline=next_draft, key=KEYPAIRS)
    consensus = dict(
        Consensus.objects.filter(capability=keypairs).values_list("criterion", "value")
    )
    derived = [
        key
        for key in next_draft.criteria.order_by("position").values_list("key", flat=True)
        if consensus[key] == "1"
    ]
    assert "future" not in written and "future" in derived
    assert keypairs.achievements == derived
    assert export(next_draft)["capabilities"][KEYPAIRS]["achievements"] == derived


def test_a_misspelled_achievements_key_gives_way_to_the_worksheet(
    next_draft, worksheet_files, system
):
    from tests.guidelines.helpers import import_doc

    document = export(next_draft)
    entry = document["capabilities"][KEYPAIRS]
    # As objectstore-slo-support is written in the committee's 2018.02.
    entry["acheivements"] = entry.pop("achievements")
    draft = import_doc(document, key="next", replace=True, if_match=None).guideline

    worksheet_import(guideline=draft, text=worksheet_files[0], actor=system_actor())

    exported = export(draft)["capabilities"][KEYPAIRS]
    assert "acheivements" not in exported
    assert "future" in exported["achievements"]


def test_a_wrong_typed_total_is_reported_per_line(next_draft, worksheet_files):
    text = worksheet_files[0].replace(
        "objectstore-container-quotas: [0,0,0] [1,0,0] [0,0,0] [0,0,0] [1] [11]",
        "objectstore-container-quotas: [0,0,0] [1,0,0] [0,0,0] [0,0,0] [1] [12]",
    )
    assert text != worksheet_files[0]

    report = worksheet_import(guideline=next_draft, text=text, actor=system_actor())

    assert (
        "line 46: objectstore-container-quotas: typed total [12] but the scores give 11 "
        "with the weights of next"
    ) in report.notes


def test_a_wrong_asterisk_is_reported_per_line(next_draft, worksheet_files):
    text = worksheet_files[0].replace("[1,1,1] [1] [94]*", "[1,1,1] [1] [94]")
    assert text != worksheet_files[0]

    report = worksheet_import(guideline=next_draft, text=text, actor=system_actor())

    assert (
        "line 35: networks-create-delete: the asterisk does not match the cut-off 74"
        in report.notes
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
    assert not Consensus.objects.exists()

    report = worksheet_import(guideline=next_draft, text=worksheet_files[0], actor=chair)
    event = next_draft.events.get(kind="worksheet_imported")
    assert report.matched == WORKSHEET_MATCHED
    assert (event.actor, event.channel) == (chair, "import")


def test_a_published_guideline_takes_no_scores(demo, worksheet_files):
    with pytest.raises(RuleRefused, match="2017A A4.3"):
        worksheet_import(guideline=demo, text=worksheet_files[0], actor=system_actor())
    assert not Consensus.objects.exists()


def test_the_worksheet_commands(next_draft, tmp_path, worksheet_files):
    out = StringIO()
    call_command("import_worksheet", str(WORKSHEET), "--guideline", "next", stdout=out)
    target = tmp_path / "out.csv"
    call_command(
        "export_worksheet", "--guideline", "next", "--format", "csv", "--output", str(target)
    )
    text = StringIO()
    call_command("export_worksheet", "--guideline", "next", stdout=text)

    assert f"imported into next: {WORKSHEET_MATCHED} capabilities scored" in out.getvalue()
    assert target.read_text() == worksheet_files[1]
    assert text.getvalue() == worksheet_files[0]
    with pytest.raises(CommandError, match="no guideline named"):
        call_command("export_worksheet", "--guideline", "2099.01")
