"""Geometry of the server-drawn SVG charts. Pure functions: data in, shapes out; templates only draw.

Every chart is a list of horizontal bars, one row per name with one or two bars and their value written
next to them, never relying on colour alone. Amounts are integer fen.

Each chart is drawn at several widths (WIDTHS) and the page shows the one that fits its column (CSS
container queries on .chart; without them the narrowest): the text is FONT units in every drawing and
each drawing is shown at most at its own width in rem, so the text keeps its size while a wide column
gets longer bars. In the narrow drawing (a phone) a row's name stands on its own line(s) above its
bars; in the wider ones it stands in a column left of them. A long name wraps onto LABEL_LINES lines
and only then is shortened with …, its full text kept for the <title>.

Values on the bars follow the panel rule of core/formatting.py: one unit for the whole chart, chosen by
money_unit() of all its amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from charity_site.core.formatting import format_amount, money_unit, percent_text
from charity_site.finance.svg_text import text_width, was_shortened, wrap_label

WIDTH = 320  # the narrow drawing: a 360 px phone shows it at nearly 1:1 (text of 16 units stays above 14 px)
# Every drawing of a chart. site.css shows a drawing of W units at most W/16 rem wide (its text then
# is 1rem, the size of the page's text at every font setting) and picks the widest that fits.
WIDTHS = (WIDTH, 480, 720)
SIDE_LABELS_FROM = 720  # from this width on, names stand left of the bars instead of above them
LABEL_SHARE = 0.34  # the share of the width the name column takes in a wide drawing...
LABEL_MAX = 260  # ...at most this
LABEL_GAP = 12  # between the name column and the bars
LABEL_LINES = 2  # a long name wraps onto this many lines before it is shortened with …
FONT = 16  # label and value text, in drawing units
LABEL_LINE = 21  # height of one line of a row's name
BAR = 18  # bar thickness
BAR_GAP = 5  # between the bars of one row
ROW_GAP = 14  # between rows
LEGEND_LINE = 28
VALUE_GAP = 6  # between a bar's end and its value
MIN_BAR = 2  # a non-zero amount is never drawn invisible
MAX_VALUE_SHARE = 0.6  # the value text may take at most this share of the bars' room


@dataclass(frozen=True)
class Series:
    key: str  # CSS class suffix: bar-<key>
    label: str  # legend text, and the prefix of each value when there are several series


@dataclass(frozen=True)
class Bar:
    series: str
    x: float
    y: float
    width: float
    height: float
    value_fen: int
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Row:
    lines: tuple[str, ...]  # the name, wrapped (and, beyond LABEL_LINES lines, shortened)
    full_label: str
    label_x: float
    label_y: float  # baseline of the first line
    bars: tuple[Bar, ...]

    @property
    def label(self) -> str:
        return "".join(self.lines)

    @property
    def shortened(self) -> bool:
        return was_shortened(self.lines, self.full_label)


@dataclass(frozen=True)
class LegendItem:
    series: str
    label: str
    x: float
    y: float  # top of the swatch
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    rows: tuple[Row, ...]
    legend: tuple[LegendItem, ...]
    font: float = FONT
    line: float = LABEL_LINE  # from one line of a wrapped name to the next
    missing: bool = False  # some amount was None (a budget never set): its row draws no bar for it
    wider: tuple[Chart, ...] = field(default=())  # the same chart drawn for wider columns

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def drawings(self) -> tuple[Chart, ...]:
        return (self, *self.wider)


def bar_length(value: int, largest: int, room: float) -> float:
    """Length proportional to ``value`` (``largest`` gets ``room``); tiny non-zero values stay visible."""
    if value <= 0 or largest <= 0 or room <= 0:
        return 0.0
    return round(max(MIN_BAR, room * value / largest), 1)


def label_column(width: float) -> float:
    """Width of the name column left of the bars; 0 in a narrow drawing, where names stand above."""
    return 0.0 if width < SIDE_LABELS_FROM else min(LABEL_MAX, round(width * LABEL_SHARE))


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int | None]]],
    series: Sequence[Series],
    value_text: Callable[[int], str] | None = None,
    widths: Sequence[float] = WIDTHS,
    share_of: int | None = None,
) -> Chart:
    """Horizontal bars: ``rows`` are (label, one amount per series). All bars share one scale.

    Values read in one unit for the whole chart (money_unit of all its amounts), followed by their share
    of ``share_of`` when given; ``value_text`` replaces that. An amount of None (a budget never set)
    draws no bar and no value: the page says once what a missing bar means (Chart.missing).
    """
    series = tuple(series)
    if value_text is None:
        unit = money_unit(*(value for _label, values in rows for value in values))

        def value_text(fen: int) -> str:
            shown = format_amount(fen, unit)
            return f"{shown} ({percent_text(fen, share_of)})" if share_of else shown

    prefix = len(series) > 1
    texts = [
        [None if value is None else (f"{serie.label} " if prefix else "") + value_text(max(0, int(value)))
         for serie, value in zip(series, values, strict=False)]
        for _label, values in rows
    ]
    drawings = [_draw(rows, series, texts, width) for width in widths]
    return Chart(**{**drawings[0], "wider": tuple(Chart(**drawing) for drawing in drawings[1:])})


def _draw(rows, series: tuple[Series, ...], texts: list[list[str | None]], width: float) -> dict:
    """The fields of one Chart: ``rows`` with their value ``texts`` drawn ``width`` units wide."""
    if not rows:
        return {"width": width, "height": 0, "rows": (), "legend": ()}
    names = label_column(width)
    bars_x = names + LABEL_GAP if names else 0.0
    widest_text = max((text_width(text, FONT) for row in texts for text in row if text), default=0)
    room = max((width - bars_x) * (1 - MAX_VALUE_SHARE), width - bars_x - VALUE_GAP - widest_text - 2)
    largest = max((int(value) for _label, values in rows for value in values if value is not None), default=0)

    legend = []
    y = 0.0
    if len(series) > 1:
        x = bars_x
        for serie in series:
            legend.append(LegendItem(serie.key, serie.label, x, y + 6, x + 20, y + 6 + FONT - 2))
            x += 20 + text_width(serie.label, FONT) + 18
        y += LEGEND_LINE

    drawn = []
    for (label, values), row_texts in zip(rows, texts, strict=False):
        lines = wrap_label(label, names or width, FONT, LABEL_LINES)
        shown = [(serie, value, text) for serie, value, text in zip(series, values, row_texts, strict=False)
                 if value is not None]
        names_height = len(lines) * LABEL_LINE
        bars_height = len(shown) * (BAR + BAR_GAP) - BAR_GAP if shown else 0
        if names:  # the name beside its bars, both centred on the row
            row_height = max(names_height, bars_height)
            label_y = y + (row_height - names_height) / 2 + FONT
            bar_y = y + (row_height - bars_height) / 2
        else:  # the name above its bars
            row_height = names_height + 2 + bars_height
            label_y = y + FONT
            bar_y = y + names_height + 2
        bars = []
        for serie, value, text in shown:
            length = bar_length(max(0, int(value)), largest, room)
            bars.append(Bar(serie.key, bars_x, round(bar_y, 1), length, BAR, max(0, int(value)), text,
                            round(bars_x + length + VALUE_GAP, 1), round(bar_y + BAR / 2 + FONT * 0.35, 1)))
            bar_y += BAR + BAR_GAP
        drawn.append(Row(lines, label, 0.0, round(label_y, 1), tuple(bars)))
        y += row_height + ROW_GAP
    return {"width": width, "height": round(y - ROW_GAP + 4, 1), "rows": tuple(drawn), "legend": tuple(legend),
            "missing": any(value is None for _label, values in rows for value in values)}


# --- The three charts of the money pages ------------------------------------------------------


def category_chart(amounts: Sequence[tuple[str, int]], label: str) -> Chart:
    """Spending by category: (category, fen) largest first, one series; each value with its share."""
    total = sum(max(0, fen) for _name, fen in amounts)
    return bar_chart([(name, (fen,)) for name, fen in amounts], [Series("expense", label)], share_of=total or None)


def monthly_chart(months: Sequence[tuple[str, int, int]], income_label: str, expense_label: str) -> Chart:
    """Income and expense per month: (month label, income fen, expense fen), two series."""
    return bar_chart([(name, (income, expense)) for name, income, expense in months],
                     [Series("income", income_label), Series("expense", expense_label)])


def budget_chart(projects: Sequence[tuple[str, int | None, int]], budget_label: str, spent_label: str) -> Chart:
    """Budget against spending per project: (title, budget fen or None, spent fen), two series.

    A project without a budget shows only its spending bar; Chart.missing tells the page to say so once.
    """
    return bar_chart([(title, (budget, spent)) for title, budget, spent in projects],
                     [Series("budget", budget_label), Series("spent", spent_label)])


CHART_MONTHS = 12  # the monthly chart shows the latest months; its table shows them all


def month_label(year: int, month: int) -> str:
    return f"{year}年{month}月"


def latest_months(months: Sequence, count: int = CHART_MONTHS) -> list[tuple[str, int, int]]:
    """(label, income, expense) of the latest ``count`` months with lines, oldest first, from MonthTotals."""
    return [(month_label(m.year, m.month), m.income_fen, m.expense_fen) for m in list(months)[-count:]]


@dataclass(frozen=True)
class MoneyCharts:
    monthly: Chart
    category: Chart


def money_charts(summary, income_label: str, expense_label: str) -> MoneyCharts:
    """The charts of a fund or project page, from its money.MoneySummary: latest months, spending by category."""
    return MoneyCharts(monthly_chart(latest_months(summary.months), income_label, expense_label),
                       category_chart(summary.spending, expense_label))
