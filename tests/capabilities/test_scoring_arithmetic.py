"""The scoring arithmetic and the worksheet format (DOMAIN.md section 3)."""

import json

import pytest

from capabilities.arithmetic import CRITERIA_ORDER, ScoreError, check_value, total
from capabilities.worksheet import WorksheetError, parse, render_csv, render_text
from tests.capabilities.conftest import TABULATED, WORKSHEET
from tests.conftest import DEMO

# next.json / 2020.06 weights, in CRITERIA_ORDER; the 2015 weights for contrast.
WEIGHTS = dict(zip(CRITERIA_ORDER, (8, 6, 10, 11, 8, 9, 8, 8, 9, 9, 6, 8), strict=True))
WEIGHTS_2015 = dict(zip(CRITERIA_ORDER, (8, 9, 8, 9, 8, 9, 8, 8, 9, 8, 8, 8), strict=True))


def line_total(line, weights=WEIGHTS):
    score = parse(line).scores[0]
    return total(score.values, weights, score.non_admin)


def test_worked_example_1_reaches_the_cutoff_exactly():
    line = "network-floating-ips-associate: [1,1,1] [1,1,1] [0,1,0] [0,1,1] [1]"

    result = line_total(line)

    assert result.value == 74 and result.qualifies(74)
    assert line_total(line, WEIGHTS_2015).value == 75


def test_worked_example_2_is_under_the_cutoff():
    result = line_total("compute-images-create: [0,1,1] [0,1,1] [1,1,1] [0,1,1] [1]")

    assert result.value == 72 and not result.qualifies(74)


def test_worked_example_3_the_non_admin_veto():
    result = line_total("network-extensions-provider-add: [1,1,1] [1,1,1] [1,1,0] [1,1,1] [0]")

    assert (result.value, result.vetoed) == (0, True)


def test_worked_example_4_an_undecided_criterion_negates_the_partial_sum():
    result = line_total("x: [1,1,1] [1,?,1] [1,1,1] [1,1,1] [1]")

    assert (result.value, result.complete) == (-92, False)
    assert not result.qualifies(74)
    assert not result.qualifies(-100)  # incomplete: never qualifies


def test_an_undecided_non_admin_is_undecided_not_a_crash():
    result = line_total("x: [1,1,1] [1,1,1] [1,1,1] [1,1,1] [?]")

    assert (result.value, result.complete) == (-100, False)


@pytest.mark.parametrize("value", ["2", "x", "", "yes", None])
def test_a_score_other_than_1_0_or_undecided_is_refused(value):
    with pytest.raises(ScoreError, match="is not 1, 0 or ?"):
        check_value(value, where="clients")


def test_the_shared_worksheet_round_trips_byte_for_byte(interop_data):
    text = (interop_data / "working_materials" / "scoring.txt").read_text()
    csv = (interop_data / "working_materials" / "tabulated_scores.csv").read_text()
    criteria = json.loads((interop_data / "guidelines" / "next.json").read_text())["metadata"][
        "scoring"
    ]["criteria"]
    weights = {key: c["weight"] for key, c in criteria.items()}
    names = {key: c["name"] for key, c in criteria.items()}
    worksheet = parse(text)

    def as_written(line):
        return line.values, line.non_admin

    assert len(worksheet.scores) == 140
    assert render_text(worksheet, as_written, weights, 74) == text
    assert render_csv(worksheet, as_written, weights, names, 74) == csv


def test_the_project_s_worksheet_round_trips_byte_for_byte():
    """The same, on tests/data/capabilities/scoring.txt with the demo's criteria."""
    text = WORKSHEET.read_text(encoding="utf-8")
    csv = TABULATED.read_text(encoding="utf-8")
    criteria = json.loads((DEMO / "2026.06.json").read_text())["metadata"]["scoring"]["criteria"]
    weights = {key: c["weight"] for key, c in criteria.items()}
    names = {key: c["name"] for key, c in criteria.items()}
    worksheet = parse(text)

    def as_written(line):
        return line.values, line.non_admin

    assert len(worksheet.scores) == 12
    assert render_text(worksheet, as_written, weights, 74) == text
    assert render_csv(worksheet, as_written, weights, names, 74) == csv
    # Typed totals, asterisks and all: the totals are recomputed, not copied.
    wrong = text.replace("[1] [94]*", "[1] [93]")
    assert wrong != text
    assert render_text(parse(wrong), as_written, weights, 74) == text


def test_add_on_worksheets_without_spaces_and_with_unconsidered_criteria():
    line = "stack-create: [*,1,1][1,1,1][1,1,0][*,1,*][1] [64]"
    weights = {k: w for k, w in WEIGHTS.items() if k not in {"deployed", "foundation", "proximity"}}

    worksheet = parse(line)
    score = worksheet.scores[0]
    result = total(score.values, weights, score.non_admin)

    assert result.value == 66  # the hand-typed 64 was wrong (DOMAIN.md section 3)
    assert score.typed_total == 64
    assert render_text(worksheet, lambda s: (s.values, s.non_admin), weights, 60) == (
        "stack-create: [*,1,1][1,1,1][1,1,0][*,1,*][1] [66]*"
    )


@pytest.mark.parametrize(
    "line, message",
    [
        ("x: [1,1,1] [1,1,1] [1,1] [1,1,1] [1]", "line 2: 'x' does not have four groups"),
        ("x: [1,1,1] [1,1,1] [1,1,1] [1,1,1]", "line 2: 'x' does not have four groups"),
        ("x: [1,1,1] [1,2,1] [1,1,1] [1,1,1] [1]", "line 2: x: score '2' for complete"),
        ("x: [1,1,1] [1,1,1] [1,1,1] [1,1,1] [y]", "score 'y' for Non-Admin"),
    ],
)
def test_malformed_lines_are_refused_with_their_number(line, message):
    with pytest.raises(WorksheetError, match=message.replace("[", r"\[").replace("?", r"\?")):
        parse("Title\n" + line)


def test_a_name_scored_twice_is_refused():
    with pytest.raises(WorksheetError, match="line 3: 'x' is scored again"):
        parse("x: [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1]\n\nx: [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1]")
