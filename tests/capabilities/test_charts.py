"""The workspace's pictures: the numbers behind the bars, and the SVG they become."""

import xml.etree.ElementTree as ET

import pytest

from capabilities import charts
from capabilities.charts import CriterionItem, TotalItem, criteria_chart, render_svg, totals_chart
from capabilities.pages import criteria_svg, ordered_columns, totals_svg
from capabilities.selectors import scoring_table
from tests.capabilities.conftest import SCORED_CAPABILITIES
from tests.guidelines.helpers import import_file


def approx(value):
    """Coordinates are rounded to hundredths of a pixel."""
    return pytest.approx(value, abs=0.011)


ITEMS = [
    TotalItem("compute-a", 100, "required"),
    TotalItem("compute-b", 50, "advisory"),
    TotalItem("compute-c", 74, "required"),
    TotalItem("compute-d", 72, "required"),
    TotalItem("compute-e", 25, "deprecated"),
    TotalItem("compute-f", -92, "advisory", complete=False),
    TotalItem("network-x", 0, "removed", vetoed=True),
]


@pytest.fixture
def chart():
    return totals_chart(ITEMS, cutoff=74, maximum=100)


def test_a_bar_s_length_is_proportional_to_its_total(chart):
    full = chart.bar("compute-a").width

    assert full == approx(chart.plot_width)
    assert chart.bar("compute-b").width == approx(full / 2)
    assert chart.bar("compute-e").width == approx(full / 4)
    assert chart.bar("compute-d").width == approx(full * 0.72)


def test_the_cut_off_line_sits_at_the_cut_off_on_the_same_scale(chart):
    assert chart.cutoff_x == approx(chart.plot_left + 0.74 * chart.plot_width)
    assert chart.cutoff_x == approx(chart.x(74))
    # A bar reaches the line exactly when its total is at or over the cut-off.
    reaches = {b.key for b in chart.bars if b.x + b.width >= chart.cutoff_x - 1e-6}
    assert reaches == {"compute-a", "compute-c", "compute-f"}  # f: 92 drawn, but incomplete


def test_bars_are_grouped_by_status_required_first_longest_first(chart):
    assert [b.key for b in chart.bars] == [
        "compute-a",
        "compute-c",
        "compute-d",  # required
        "compute-b",
        "compute-f",  # advisory
        "compute-e",  # deprecated
        "network-x",  # removed
    ]
    assert [h.text for h in chart.headings] == [
        "Required (3)",
        "Advisory (2)",
        "Deprecated (1)",
        "Removed (1)",
    ]
    ys = [b.y for b in chart.bars]
    assert ys == sorted(ys)
    assert chart.bar("compute-a").colour == charts.STATUS_COLOURS["required"]
    assert chart.bar("network-x").colour == charts.STATUS_COLOURS["removed"]
    assert [label for label, _ in chart.legend] == ["Required", "Advisory", "Deprecated", "Removed"]


def test_incomplete_and_vetoed_totals_are_drawn_and_labelled_as_such(chart):
    incomplete, vetoed = chart.bar("compute-f"), chart.bar("network-x")

    assert incomplete.incomplete and incomplete.width == approx(0.92 * chart.plot_width)
    assert incomplete.value_text == "-92 ?"
    assert "incomplete: 92 so far" in incomplete.title
    assert (vetoed.width, vetoed.value_text) == (0, "0 veto")
    assert "Non-Admin veto" in vetoed.title
    assert chart.bar("compute-d").title == (
        "compute-d: total 72, required; under the cut-off 74 by 2"
    )
    assert chart.bar("compute-c").title.endswith("at or over the cut-off 74: qualifies")


def test_the_scale_stretches_to_the_largest_total():
    chart = totals_chart([TotalItem("big", 120, "required")], cutoff=74, maximum=100)

    assert chart.maximum == 120
    assert chart.bar("big").width == approx(chart.plot_width)
    assert [t.value for t in chart.ticks] == [0, 25, 50, 75, 100]


def test_without_a_cut_off_there_is_no_line():
    chart = totals_chart([TotalItem("a", 10, "advisory")], cutoff=None, maximum=100)

    assert chart.cutoff_x is None
    assert 'class="cutoff"' not in render_svg(chart, chart_id="c")


def test_a_criterion_bar_is_how_many_capabilities_meet_it():
    chart = criteria_chart(
        [
            CriterionItem("deployed", "Widely Deployed", 8, 74),
            CriterionItem("sticky", "Core in Last Release", 9, 33),
            CriterionItem("tools", "Used by Tools", 6, 0),
        ],
        capabilities=79,
    )

    assert chart.bar("deployed").width == approx(74 / 79 * chart.plot_width)
    assert chart.bar("sticky").width == approx(33 / 79 * chart.plot_width)
    assert chart.bar("tools").width == 0
    assert chart.bar("deployed").label == "Widely Deployed (8)"
    assert chart.bar("deployed").value_text == "74 of 79"
    assert chart.cutoff_x is None


def test_the_svg_is_well_formed_accessible_and_escapes_names(chart):
    sneaky = totals_chart(
        [TotalItem('<script>alert("x")</script>', 80, "required")], cutoff=74, maximum=100
    )

    for svg in (render_svg(chart, chart_id="totals"), render_svg(sneaky, chart_id="s")):
        assert ET.fromstring(svg).tag == "svg"  # well-formed; inline in HTML, no namespace
    text = render_svg(sneaky, chart_id="s")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    svg = render_svg(chart, chart_id="totals")
    assert 'aria-labelledby="totals-title totals-desc"' in svg
    assert '<title id="totals-title">' in svg
    assert '<desc id="totals-desc">7 capabilities; 2 at or over the cut-off 74.</desc>' in svg
    assert svg.count('<g class="bar"') == 7
    assert '<a href="#row-compute-a">' in svg
    cutoff_x = charts._n(chart.cutoff_x)
    assert f'<line x1="{cutoff_x}"' in svg and "cut-off 74</text>" in svg
    bar = chart.bar("compute-d")
    assert f'width="{charts._n(bar.width)}"' in svg


def table_chart(guideline):
    table = scoring_table(guideline)
    items = [
        TotalItem(r.key, r.total.value, r.main_status, r.total.complete, r.total.vetoed)
        for r in table.rows
    ]
    return table, totals_chart(items, cutoff=table.cutoff, maximum=sum(table.weights.values()))


def test_a_guideline_s_scores_draw_their_totals_and_criteria(scored):
    """The project's 2026.12: totals from its achievements, one at the cut-off exactly."""
    table, chart = table_chart(scored)
    met = table.met_counts()

    assert chart.maximum == 100
    assert len(chart.bars) == SCORED_CAPABILITIES
    images = chart.bar("compute-images-create")
    assert images.width == approx(0.72 * chart.plot_width)
    assert images.x + images.width < chart.cutoff_x
    flavors = chart.bar("compute-flavors-list")
    assert flavors.x + flavors.width == approx(chart.cutoff_x)
    routers = chart.bar("networks-routers-create")
    assert (routers.width, routers.value_text) == (0, "0 veto")
    assert [h.text for h in chart.headings] == ["Required (9)", "Advisory (1)"]
    # Every capability of 2026.12 but compute-images-create is widely deployed.
    assert met["deployed"] == SCORED_CAPABILITIES - 1
    svg = str(criteria_svg(table, ordered_columns(table.criteria)))
    assert f">9 of {SCORED_CAPABILITIES}</text>" in svg
    assert ">Widely Deployed (8)</text>" in svg
    assert 'data-key="compute-images-create"' in str(totals_svg(table))


def test_the_real_2020_06_scores_draw_their_totals_and_criteria(db, real_files):
    """Fidelity: the committee's 2020.06 as they wrote it."""
    guideline = import_file(real_files["2020.06"]).guideline
    table, chart = table_chart(guideline)
    met = table.met_counts()

    assert chart.maximum == 100
    assert len(chart.bars) == 79
    images = chart.bar("compute-images-create")
    assert images.width == approx(0.72 * chart.plot_width)
    assert images.x + images.width < chart.cutoff_x
    assert chart.bar("compute-flavors-list").x + chart.bar("compute-flavors-list").width == (
        approx(chart.cutoff_x)
    )
    svg = str(criteria_svg(table, ordered_columns(table.criteria)))
    assert f">{met['deployed']} of 79</text>" in svg
    assert ">Widely Deployed (8)</text>" in svg
    assert 'data-key="compute-images-create"' in str(totals_svg(table))


def test_the_phone_s_dot_plot_puts_each_capability_at_its_total_stacking_equal_ones():
    items = [
        *ITEMS,
        TotalItem("compute-g", 100, "required"),
        TotalItem("compute-h", 100, "required"),
    ]
    chart = charts.dots_chart(items, cutoff=74, maximum=100)

    assert chart.width == charts.NARROW_WIDTH and not chart.bars
    assert len(chart.dots) == len(items)
    for item in items:
        shown = 0 if item.vetoed else abs(item.total)
        assert chart.dot(item.key).cx == approx(chart.x(shown))
    assert chart.cutoff_x == approx(chart.x(74))
    # Three capabilities at 100 stack upwards in one column, a step apart.
    stack = sorted((chart.dot(k).cy for k in ("compute-a", "compute-g", "compute-h")), reverse=True)
    assert stack[0] - stack[1] == approx(charts.DOT_STEP)
    assert stack[1] - stack[2] == approx(charts.DOT_STEP)
    # Rows by status, top to bottom: required above advisory above deprecated.
    assert chart.dot("compute-c").cy < chart.dot("compute-b").cy < chart.dot("compute-e").cy
    assert chart.dot("compute-f").incomplete
    svg = render_svg(chart, chart_id="dots", css_class="chart chart--narrow")
    assert ET.fromstring(svg).tag == "svg"
    assert svg.count('<a href="#row-') == len(items)
    assert "<title>compute-d: total 72, required; under the cut-off 74 by 2</title>" in svg
