"""Server-rendered bar charts (SVG): geometry computed here, drawn by ``templates/reports/_bar_chart.svg``.

No script and no inline style: colours come from classes in the stylesheet, so the chart obeys the content
security policy. Each chart has a <title> and <desc> and the page shows the same figures as a table.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from core.money import format_gbp

LABEL_WIDTH = 170
VALUE_WIDTH = 120
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 18
TOP = 10
AXIS_HEIGHT = 28


@dataclass
class Bar:
    css: str
    label: str
    x: float
    y: float
    width: float
    height: float
    value_text: str
    title: str
    text_x: float
    text_y: float


@dataclass
class Group:
    label: str
    y: float  # baseline of the group's label
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    desc: str
    width: int
    height: int
    groups: list[Group]
    ticks: list[tuple[float, str]]
    plot_left: int
    plot_bottom: float

    @property
    def label_x(self) -> int:
        return self.plot_left - 8

    @property
    def tick_label_y(self) -> float:
        return self.plot_bottom + 18


def _nice_step(value: Decimal) -> Decimal:
    """The smallest round step (1, 2 or 5 times a power of ten) at least ``value``."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, 5, 10):
        candidate = Decimal(step).scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(1).scaleb(exponent + 1)


def axis_ticks(axis_max: Decimal) -> list[Decimal]:
    """Gridline values for an axis that ends at ``axis_max`` (the largest figure shown): 0, then round steps
    (about four to the axis), then ``axis_max`` itself, so the last label is the largest figure. A round tick too
    close to the end to be read apart from it (within an eighth of the axis) is left out."""
    if axis_max <= 0:
        return [Decimal(0)]
    step = _nice_step(axis_max / 5)
    ticks = [Decimal(0)]
    value = step
    while value < axis_max and axis_max - value >= axis_max / 8:
        ticks.append(value)
        value += step
    return ticks + [axis_max]


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _short(value: Decimal) -> str:
    """An axis label: £2.14m, £534.4k, £750 (three significant figures at least)."""
    if value >= 1_000_000:
        return f"£{_trim(f'{value / 1_000_000:.2f}')}m"
    if value >= 1_000:
        return f"£{_trim(f'{value / 1_000:.1f}')}k"
    return f"£{value:.0f}"


def bar_chart(
    *, title: str, desc: str, groups: list[tuple[str, list[tuple[str, str, Decimal]]]], width: int = 1000
) -> Chart:
    """Horizontal grouped bars. ``groups``: (group label, [(series label, css class, value), ...]).

    The axis is scaled to the largest figure shown: its bar spans the whole plot and the last axis label is that
    figure (``axis_ticks``)."""
    top_value = max((value for _, bars in groups for _, _, value in bars), default=Decimal(0))
    axis_max = top_value if top_value > 0 else Decimal(1)
    plot_width = width - LABEL_WIDTH - VALUE_WIDTH
    scale = Decimal(plot_width) / axis_max
    y = TOP
    out = []
    for label, bars in groups:
        group = Group(label=label, y=y + (len(bars) * (BAR_HEIGHT + BAR_GAP)) / 2 + 4)
        for series, css, value in bars:
            bar_width = float(max(value, Decimal(0)) * scale)
            group.bars.append(
                Bar(
                    css=css,
                    label=series,
                    x=LABEL_WIDTH,
                    y=y,
                    width=round(bar_width, 1),
                    height=BAR_HEIGHT,
                    value_text=format_gbp(value),
                    title=f"{series}: {format_gbp(value)}",
                    text_x=round(LABEL_WIDTH + bar_width + 6, 1),
                    text_y=y + BAR_HEIGHT - 4,
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        out.append(group)
        y += GROUP_GAP
    values = axis_ticks(top_value) if top_value > 0 else [Decimal(0)]
    ticks = [(round(LABEL_WIDTH + float(value * scale), 1), _short(value)) for value in values]
    return Chart(
        title=title,
        desc=desc,
        width=width,
        height=int(y + AXIS_HEIGHT),
        groups=out,
        ticks=ticks,
        plot_left=LABEL_WIDTH,
        plot_bottom=y,
    )
