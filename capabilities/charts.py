"""The workspace's pictures, as inline SVG built on the server: no script, no network.

Two charts, one drawing routine:

- ``totals_chart``: a horizontal bar per capability, its length the total, a
  dashed line at the cut-off, the bars coloured by status and grouped by it
  (required first), so a required capability under the line stands out.
- ``criteria_chart``: a bar per criterion, its length how many capabilities
  meet it (``ScoringTable.met_counts()``).

The geometry is computed here, in plain numbers the tests check (a bar's
length is proportional to its value, the cut-off line sits at its value on
the same scale); ``render_svg`` only writes it out, escaping every text.
Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from guidelines.models import CapabilityStatus

# A capability no component lists has no status: the charts call it this.
UNLISTED = "unlisted"
# Required first: a required capability under the cut-off is what the chair looks for.
STATUS_ORDER = (*CapabilityStatus.values, UNLISTED)
STATUS_LABELS = {**dict(CapabilityStatus.choices), UNLISTED: "Not listed"}
# Darker than the badges' backgrounds, for bars on white; each passes 3:1 against it.
STATUS_COLOURS = {
    "required": "#1a7f37",
    "advisory": "#0969da",
    "deprecated": "#9a6700",
    "removed": "#cf222e",
    UNLISTED: "#6e7781",
}
CRITERION_COLOUR = "#0b5cad"
CUTOFF_COLOUR = "#6639ba"

WIDTH = 760
ROW = 15  # height of one bar's row
BAR = 10  # height of a bar
HEADING = 22  # height of a status group's heading
LEGEND = 26  # the legend's row at the top
AXIS = 20  # the tick labels under the legend
VALUE_SPACE = 92  # right of the plot, for "-92 ?" and "0 veto"
CHAR = 6.7  # width of one character of 11px monospace text
NARROW_WIDTH = 340  # the dot plot: a phone's width, drawn at its natural size
CRITERIA_WIDTH = 400  # twelve short bars: small enough for a phone
DOT = 2.8  # a dot's radius
DOT_STEP = 6.5  # from one stacked dot to the next
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace"
SANS = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass(frozen=True)
class TotalItem:
    """One capability as the totals chart needs it."""

    key: str
    total: int  # negative: incomplete (some criterion is ?), the partial sum negated
    status: str  # required, advisory, deprecated, removed or unlisted
    complete: bool = True
    vetoed: bool = False  # Non-Admin is 0: total 0 whatever it meets


@dataclass(frozen=True)
class CriterionItem:
    key: str
    name: str
    weight: int
    met: int  # how many capabilities meet it


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    x: float
    y: float
    width: float
    height: float
    colour: str
    value_text: str
    title: str
    incomplete: bool = False
    href: str = ""


@dataclass(frozen=True)
class Dot:
    key: str
    cx: float
    cy: float
    colour: str
    title: str
    incomplete: bool = False
    href: str = ""


@dataclass(frozen=True)
class Heading:
    text: str
    y: float


@dataclass(frozen=True)
class Tick:
    value: int
    x: float


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: float
    height: float
    plot_left: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    maximum: int
    bars: list[Bar]
    ticks: list[Tick]
    headings: list[Heading] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour)
    cutoff: int | None = None
    cutoff_x: float | None = None
    dots: list[Dot] = field(default_factory=list)

    def x(self, value: float) -> float:
        """Where ``value`` falls on the horizontal scale."""
        return self.plot_left + scaled(value, self.maximum, self.plot_width)

    def bar(self, key: str) -> Bar:
        return next(bar for bar in self.bars if bar.key == key)

    def dot(self, key: str) -> Dot:
        return next(dot for dot in self.dots if dot.key == key)


def scaled(value: float, maximum: int, length: float) -> float:
    """``value`` as a length on a scale where ``maximum`` is ``length``; never negative."""
    if maximum <= 0:
        return 0.0
    return round(max(0.0, min(value, maximum)) / maximum * length, 2)


def nice_ticks(maximum: int) -> list[int]:
    """0 and round steps up to ``maximum``: 0, 25, 50, 75, 100 for 100."""
    if maximum <= 0:
        return [0]
    step = next(
        (s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if maximum / s <= 5), 1000
    )
    return list(range(0, maximum + 1, step))


def _label_width(labels: Sequence[str]) -> float:
    longest = max((len(label) for label in labels), default=8)
    return round(min(max(longest, 8) * CHAR + 12, 300), 2)


def value_text(item: TotalItem) -> str:
    if item.vetoed:
        return "0 veto"
    if not item.complete:
        return f"{item.total} ?"
    return str(item.total)


def _total_title(item: TotalItem, cutoff: int | None) -> str:
    status = STATUS_LABELS.get(item.status, item.status).lower()
    if item.vetoed:
        verdict = "Non-Admin veto: it needs admin rights, so its total is 0"
    elif not item.complete:
        verdict = f"incomplete: {abs(item.total)} so far, some criteria are not decided (?)"
    elif cutoff is None:
        verdict = "no cut-off set"
    elif item.total >= cutoff:
        verdict = f"at or over the cut-off {cutoff}: qualifies"
    else:
        verdict = f"under the cut-off {cutoff} by {cutoff - item.total}"
    return f"{item.key}: total {item.total}, {status}; {verdict}"


def totals_chart(items: Sequence[TotalItem], *, cutoff: int | None, maximum: int) -> Chart:
    """A bar per capability, grouped by status, longest first within a group.

    ``maximum`` is the end of the scale: the sum of the weights (100), or more
    if a total is larger. An incomplete total is drawn at its partial sum,
    paler; a vetoed one has no bar.
    """
    maximum = max([maximum, cutoff or 0, *(abs(i.total) for i in items)])
    plot_left = _label_width([i.key for i in items])
    plot_width = round(WIDTH - plot_left - VALUE_SPACE, 2)
    top = LEGEND + AXIS
    y = top
    bars: list[Bar] = []
    headings: list[Heading] = []
    groups = {status: [i for i in items if _status(i) == status] for status in STATUS_ORDER}
    for status, group in groups.items():
        if not group:
            continue
        headings.append(Heading(f"{STATUS_LABELS[status]} ({len(group)})", y + HEADING - 7))
        y += HEADING
        for item in sorted(group, key=lambda i: (-i.total, i.key)):
            bars.append(
                Bar(
                    key=item.key,
                    label=item.key,
                    x=plot_left,
                    y=y + (ROW - BAR) / 2,
                    width=0.0 if item.vetoed else scaled(abs(item.total), maximum, plot_width),
                    height=BAR,
                    colour=STATUS_COLOURS[status],
                    value_text=value_text(item),
                    title=_total_title(item, cutoff),
                    incomplete=not item.complete,
                    href=f"#row-{item.key}",
                )
            )
            y += ROW
    qualifying = sum(
        1 for i in items if cutoff is not None and i.complete and not i.vetoed and i.total >= cutoff
    )
    description = (
        f"{len(items)} capabilities; {qualifying} at or over the cut-off {cutoff}."
        if cutoff is not None
        else f"{len(items)} capabilities; the guideline sets no cut-off."
    )
    present = [s for s in STATUS_ORDER if groups[s]]
    return Chart(
        title="Each capability's total against the cut-off",
        description=description,
        width=WIDTH,
        height=y + 6,
        plot_left=plot_left,
        plot_width=plot_width,
        plot_top=top,
        plot_bottom=y,
        maximum=maximum,
        bars=bars,
        ticks=[Tick(v, plot_left + scaled(v, maximum, plot_width)) for v in nice_ticks(maximum)],
        headings=headings,
        legend=[(STATUS_LABELS[s], STATUS_COLOURS[s]) for s in present],
        cutoff=cutoff,
        cutoff_x=None if cutoff is None else plot_left + scaled(cutoff, maximum, plot_width),
    )


def dots_chart(items: Sequence[TotalItem], *, cutoff: int | None, maximum: int) -> Chart:
    """The totals as a dot plot narrow enough for a phone: a row per status, a dot per capability.

    Each dot sits at its total on the same kind of scale as ``totals_chart``;
    capabilities with the same total are stacked upwards, so the height of a
    stack counts them. No names: the table under the picture has them.
    """
    maximum = max([maximum, cutoff or 0, *(abs(i.total) for i in items)])
    plot_left, plot_width = 10.0, NARROW_WIDTH - 20.0
    top = AXIS
    y = top
    dots: list[Dot] = []
    headings: list[Heading] = []
    for status in STATUS_ORDER:
        group = sorted((i for i in items if _status(i) == status), key=lambda i: (-i.total, i.key))
        if not group:
            continue
        headings.append(Heading(f"{STATUS_LABELS[status]} ({len(group)})", y + HEADING - 7))
        y += HEADING
        stacks: dict[int, list[TotalItem]] = {}
        for item in group:
            stacks.setdefault(0 if item.vetoed else abs(item.total), []).append(item)
        baseline = y + max(len(stack) for stack in stacks.values()) * DOT_STEP
        for value, stack in stacks.items():
            for height, item in enumerate(stack):
                dots.append(
                    Dot(
                        key=item.key,
                        cx=plot_left + scaled(value, maximum, plot_width),
                        cy=round(baseline - DOT_STEP / 2 - height * DOT_STEP, 2),
                        colour=STATUS_COLOURS[status],
                        title=_total_title(item, cutoff),
                        incomplete=not item.complete,
                        href=f"#row-{item.key}",
                    )
                )
        y = baseline + 4
    qualifying = sum(
        1 for i in items if cutoff is not None and i.complete and not i.vetoed and i.total >= cutoff
    )
    return Chart(
        title="Each capability's total against the cut-off, as dots",
        description=f"{len(items)} capabilities, one dot each at its total; {qualifying} at or "
        f"over the cut-off {cutoff}.",
        width=NARROW_WIDTH,
        height=y + 4,
        plot_left=plot_left,
        plot_width=plot_width,
        plot_top=top,
        plot_bottom=y,
        maximum=maximum,
        bars=[],
        dots=dots,
        ticks=[Tick(v, plot_left + scaled(v, maximum, plot_width)) for v in nice_ticks(maximum)],
        headings=headings,
        cutoff=cutoff,
        cutoff_x=None if cutoff is None else plot_left + scaled(cutoff, maximum, plot_width),
    )


def _status(item: TotalItem) -> str:
    return item.status if item.status in STATUS_COLOURS else UNLISTED


def criteria_chart(items: Sequence[CriterionItem], *, capabilities: int) -> Chart:
    """A bar per criterion: how many of the ``capabilities`` meet it, on a scale to all of them."""
    labels = [f"{i.name} ({i.weight})" for i in items]
    plot_left = _label_width(labels)
    plot_width = round(CRITERIA_WIDTH - plot_left - 64, 2)  # 64: room for "74 of 79"
    top = AXIS
    bars = [
        Bar(
            key=item.key,
            label=label,
            x=plot_left,
            y=top + n * ROW + (ROW - BAR) / 2,
            width=scaled(item.met, capabilities, plot_width),
            height=BAR,
            colour=CRITERION_COLOUR,
            value_text=f"{item.met} of {capabilities}",
            title=f"{item.name} (weight {item.weight}): met by {item.met} of {capabilities} "
            "capabilities",
        )
        for n, (item, label) in enumerate(zip(items, labels, strict=True))
    ]
    bottom = top + len(items) * ROW
    maximum = max(capabilities, 0)
    return Chart(
        title="How many capabilities meet each criterion",
        description=f"{len(items)} criteria, {capabilities} capabilities.",
        width=CRITERIA_WIDTH,
        height=bottom + 6,
        plot_left=plot_left,
        plot_width=plot_width,
        plot_top=top,
        plot_bottom=bottom,
        maximum=maximum,
        bars=bars,
        ticks=[Tick(v, plot_left + scaled(v, maximum, plot_width)) for v in nice_ticks(maximum)],
    )


def _n(value: float) -> str:
    """A coordinate without a trailing .0."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render_svg(chart: Chart, *, chart_id: str, css_class: str = "chart") -> str:
    """The chart as an inline ``<svg>`` element; every text is escaped."""
    e = escape
    out = [
        f'<svg class="{e(css_class)}" id="{e(chart_id)}" viewBox="0 0 {_n(chart.width)} '
        f'{_n(chart.height)}" width="{_n(chart.width)}" height="{_n(chart.height)}" '
        f'role="group" aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc" '
        f'font-family="{SANS}" font-size="11">',
        f'<title id="{e(chart_id)}-title">{e(chart.title)}</title>',
        f'<desc id="{e(chart_id)}-desc">{e(chart.description)}</desc>',
    ]
    if chart.legend:
        out.append('<g class="legend" aria-hidden="true">')
        x = 0.0
        for label, colour in chart.legend:
            out.append(
                f'<rect x="{_n(x)}" y="6" width="12" height="12" rx="2" fill="{colour}"/>'
                f'<text x="{_n(x + 17)}" y="16" fill="#1f2328">{e(label)}</text>'
            )
            x += 17 + len(label) * 6.4 + 18
        out.append(
            f'<rect x="{_n(x)}" y="6" width="12" height="12" rx="2" fill="#6e7781" '
            f'fill-opacity="0.3" stroke="#6e7781" stroke-dasharray="2 2"/>'
            f'<text x="{_n(x + 17)}" y="16" fill="#1f2328">incomplete (?)</text>'
        )
        out.append("</g>")
    axis_y = chart.plot_top - 6
    out.append('<g class="axis" aria-hidden="true">')
    for tick in chart.ticks:
        out.append(
            f'<line x1="{_n(tick.x)}" y1="{_n(chart.plot_top)}" x2="{_n(tick.x)}" '
            f'y2="{_n(chart.plot_bottom)}" stroke="#d1d9e0" stroke-width="1"/>'
            f'<text x="{_n(tick.x)}" y="{_n(axis_y)}" text-anchor="middle" '
            f'fill="#59636e">{tick.value}</text>'
        )
    out.append("</g>")
    for heading in chart.headings:
        out.append(
            f'<text class="group" x="0" y="{_n(heading.y)}" font-weight="600" '
            f'fill="#1f2328">{e(heading.text)}</text>'
        )
    if chart.cutoff_x is not None:
        # Under the bars: a bar reaching the cut-off covers the line, and no
        # number is crossed out by it.
        out.append(
            f'<g class="cutoff"><title>Cut-off {chart.cutoff}: a capability at or over it '
            f'qualifies as required</title><line x1="{_n(chart.cutoff_x)}" '
            f'y1="{_n(chart.plot_top - 2)}" x2="{_n(chart.cutoff_x)}" '
            f'y2="{_n(chart.plot_bottom)}" stroke="{CUTOFF_COLOUR}" stroke-width="2"/>'
            f'<text x="{_n(chart.cutoff_x + 4)}" y="{_n(chart.plot_top + 9)}" '
            f'fill="{CUTOFF_COLOUR}" font-weight="600">cut-off {chart.cutoff}</text></g>'
        )
    for bar in chart.bars:
        text_y = bar.y + bar.height - 1.5
        label = (
            f'<text class="label" x="{_n(bar.x - 6)}" y="{_n(text_y)}" text-anchor="end" '
            f'font-family="{MONO}" fill="#1f2328">{e(bar.label)}</text>'
        )
        if bar.href:
            label = f'<a href="{e(bar.href)}">{label}</a>'
        fill = (
            f'fill="{bar.colour}" fill-opacity="0.35" stroke="{bar.colour}" stroke-dasharray="3 2"'
            if bar.incomplete
            else f'fill="{bar.colour}"'
        )
        out.append(
            f'<g class="bar" data-key="{e(bar.key)}"><title>{e(bar.title)}</title>{label}'
            f'<rect x="{_n(bar.x)}" y="{_n(bar.y)}" width="{_n(bar.width)}" '
            f'height="{_n(bar.height)}" rx="1.5" {fill}/>'
            f'<text class="total" x="{_n(bar.x + bar.width + 5)}" y="{_n(text_y)}" '
            f'fill="#1f2328" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f"{e(bar.value_text)}</text></g>"
        )
    for dot in chart.dots:
        fill = (
            f'fill="#ffffff" stroke="{dot.colour}" stroke-width="1.2"'
            if dot.incomplete
            else f'fill="{dot.colour}"'
        )
        out.append(
            f'<a href="{e(dot.href)}" class="dot" data-key="{e(dot.key)}">'
            f'<circle cx="{_n(dot.cx)}" cy="{_n(dot.cy)}" r="{DOT}" {fill}>'
            f"<title>{e(dot.title)}</title></circle></a>"
        )
    out.append("</svg>")
    return "".join(out)
