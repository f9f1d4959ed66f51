"""Geometry of the server-drawn SVG charts. Pure functions: data in, shapes out; templates only draw.

Every chart is a list of horizontal bars, each row a label line above one or two bars with their
value written next to them, so it stays readable on a 360 px phone (the drawing is 320 units wide
and scales to the width of the page: text of 16 units stays above 14 px on the narrowest phone)
and never relies on colour alone. Amounts are integer fen.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from charity_site.core.formatting import format_amount, percent

WIDTH = 320
FONT = 16  # label and value text, in drawing units
LABEL_LINE = 23  # height of a row's label line
BAR = 18  # bar thickness
BAR_GAP = 5  # between the bars of one row
ROW_GAP = 14  # between rows
LEGEND_LINE = 28
VALUE_GAP = 6  # between a bar's end and its value
MIN_BAR = 2  # a non-zero amount is never drawn invisible
MAX_VALUE_SHARE = 0.6  # the value text may take at most this share of the width


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
    label: str  # shortened to fit
    full_label: str
    label_y: float
    bars: tuple[Bar, ...]


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

    @property
    def empty(self) -> bool:
        return not self.rows


def text_width(text: str, font: float = FONT) -> float:
    """Rough rendered width: wide (CJK, full-width) characters 1 em, others about 0.6 em."""
    return sum(font if unicodedata.east_asian_width(char) in "WF" else font * 0.6 for char in text)


def fit_label(text: str, width: float = WIDTH, font: float = FONT) -> str:
    """``text`` shortened with … so that it fits ``width``."""
    if text_width(text, font) <= width:
        return text
    while text and text_width(text + "…", font) > width:
        text = text[:-1]
    return text + "…"


def bar_length(value: int, largest: int, room: float) -> float:
    """Length proportional to ``value`` (``largest`` gets ``room``); tiny non-zero values stay visible."""
    if value <= 0 or largest <= 0 or room <= 0:
        return 0.0
    return round(max(MIN_BAR, room * value / largest), 1)


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[Series],
    value_text=format_amount,
    width: float = WIDTH,
    missing_text: str = "—",
) -> Chart:
    """Horizontal bars: ``rows`` are (label, one amount per series). All bars share one scale.

    An amount of None (a budget that was never set) draws no bar and reads ``missing_text``.
    """
    series = tuple(series)
    if not rows:
        return Chart(width, 0, (), ())
    prefix = len(series) > 1
    texts = [
        [(f"{serie.label} " if prefix else "") + (missing_text if value is None else value_text(max(0, int(value))))
         for serie, value in zip(series, values, strict=False)]
        for _label, values in rows
    ]
    widest_text = max(text_width(text) for row in texts for text in row)
    room = max(width * (1 - MAX_VALUE_SHARE), width - VALUE_GAP - widest_text - 2)
    largest = max((int(value) for _label, values in rows for value in values if value is not None), default=0)

    legend = []
    y = 0.0
    if prefix:
        x = 0.0
        for serie in series:
            legend.append(LegendItem(serie.key, serie.label, x, y + 6, x + 20, y + 6 + FONT - 2))
            x += 20 + text_width(serie.label) + 18
        y += LEGEND_LINE

    drawn = []
    for (label, values), row_texts in zip(rows, texts, strict=False):
        label_y = y + FONT
        y += LABEL_LINE
        bars = []
        for serie, value, text in zip(series, values, row_texts, strict=False):
            amount = max(0, int(value or 0))
            length = bar_length(amount, largest, room)
            bars.append(Bar(serie.key, 0, y, length, BAR, amount, text,
                            length + VALUE_GAP, y + BAR / 2 + FONT * 0.35))
            y += BAR + BAR_GAP
        y += ROW_GAP - BAR_GAP
        drawn.append(Row(fit_label(label, width), label, label_y, tuple(bars)))
    return Chart(width, round(y, 1), tuple(drawn), tuple(legend))


# --- The three charts of the money pages ------------------------------------------------------


def category_chart(amounts: Sequence[tuple[str, int]], label: str) -> Chart:
    """Spending by category: (category, fen) largest first, one series; each value with its share."""
    total = sum(max(0, fen) for _name, fen in amounts)

    def with_share(fen: int) -> str:
        return f"{format_amount(fen)} ({percent(fen, total)}%)" if total else format_amount(fen)

    return bar_chart([(name, (fen,)) for name, fen in amounts], [Series("expense", label)], value_text=with_share)


def monthly_chart(months: Sequence[tuple[str, int, int]], income_label: str, expense_label: str) -> Chart:
    """Income and expense per month: (month label, income fen, expense fen), two series."""
    return bar_chart([(name, (income, expense)) for name, income, expense in months],
                     [Series("income", income_label), Series("expense", expense_label)])


def budget_chart(projects: Sequence[tuple[str, int | None, int]], budget_label: str, spent_label: str,
                 no_budget: str = "—") -> Chart:
    """Budget against spending per project: (title, budget fen or None, spent fen), two series."""
    return bar_chart([(title, (budget, spent)) for title, budget, spent in projects],
                     [Series("budget", budget_label), Series("spent", spent_label)], missing_text=no_budget)


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
