"""The workspace's pictures: the totals (bars, and dots for a phone) and the criteria met."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from capabilities import charts
from capabilities.pages.table import Column
from capabilities.selectors import ScoringTable


def _total_items(table: ScoringTable) -> list[charts.TotalItem]:
    return [
        charts.TotalItem(
            key=row.key,
            total=row.total.value,
            status=row.main_status,
            complete=row.total.complete,
            vetoed=row.total.vetoed,
        )
        for row in table.rows
    ]


def totals_svg(table: ScoringTable) -> SafeString:
    maximum = sum(table.weights.values())
    chart = charts.totals_chart(_total_items(table), cutoff=table.cutoff, maximum=maximum)
    # render_svg escapes every text it writes.
    return mark_safe(charts.render_svg(chart, chart_id="chart-totals"))


def dots_svg(table: ScoringTable) -> SafeString:
    """The same totals for a phone, where a bar per named capability does not fit."""
    maximum = sum(table.weights.values())
    chart = charts.dots_chart(_total_items(table), cutoff=table.cutoff, maximum=maximum)
    return mark_safe(
        charts.render_svg(chart, chart_id="chart-dots", css_class="chart chart--narrow")
    )


def criteria_svg(table: ScoringTable, columns: list[Column]) -> SafeString:
    met = table.met_counts()
    items = [charts.CriterionItem(c.key, c.name, c.weight or 0, met.get(c.key, 0)) for c in columns]
    chart = charts.criteria_chart(items, capabilities=len(table.rows))
    return mark_safe(
        charts.render_svg(chart, chart_id="chart-criteria", css_class="chart chart--criteria")
    )
