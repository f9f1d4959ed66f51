"""Chart geometry (finance/charts.py): pure functions, no database."""

from __future__ import annotations

from charity_site.finance import charts
from charity_site.finance.charts import FONT, LABEL_LINES, Series, bar_chart, bar_length
from charity_site.finance.svg_text import CLOSING, fit_label, text_width, wrap_label

ONE = [Series("expense", "支出")]
TWO = [Series("income", "收入"), Series("expense", "支出")]


def bars(chart):
    return [bar for row in chart.rows for bar in row.bars]


def test_bar_lengths_are_proportional_to_the_amounts():
    chart = bar_chart([("救助", (400_00,)), ("慰问", (200_00,)), ("助学", (100_00,))], ONE)
    widths = [bar.width for bar in bars(chart)]
    assert widths[0] > 0
    assert abs(widths[1] - widths[0] / 2) <= 0.1
    assert abs(widths[2] - widths[0] / 4) <= 0.1


def test_two_series_share_one_scale_and_are_labelled_in_words():
    chart = bar_chart([("2024年1月", (300_00, 100_00)), ("2024年2月", (0, 600_00))], TWO)
    income, expense, no_income, big_expense = bars(chart)
    assert abs(income.width - big_expense.width / 2) <= 0.1
    assert abs(expense.width - big_expense.width / 6) <= 0.1
    assert no_income.width == 0 and no_income.text == "收入 ¥0.00"
    assert expense.text.startswith("支出 ")
    assert [item.label for item in chart.legend] == ["收入", "支出"]


def test_everything_fits_inside_every_drawing():
    chart = bar_chart([("很长很长的项目名称" * 10, (123_456_789_00, 1)), ("短", (5, 0))], TWO)
    assert [drawing.width for drawing in chart.drawings] == list(charts.WIDTHS)
    for drawing in chart.drawings:
        for bar in bars(drawing):
            assert bar.x >= 0 and bar.x + bar.width <= drawing.width
            assert bar.text_x + text_width(bar.text, FONT) <= drawing.width + 1
            assert bar.y + bar.height <= drawing.height
        room = charts.label_column(drawing.width) or drawing.width
        assert all(text_width(line, FONT) <= room for row in drawing.rows for line in row.lines)
        long = drawing.rows[0]
        assert len(long.lines) == charts.LABEL_LINES and long.shortened and long.lines[-1].endswith("…")
        assert long.full_label.startswith("很长")


def test_one_huge_amount_leaves_small_ones_visible():
    chart = bar_chart([("巨额", (10**12,)), ("小额", (1,)), ("零", (0,))], ONE)
    huge, tiny, zero = bars(chart)
    assert huge.width <= chart.width
    assert tiny.width == charts.MIN_BAR
    assert zero.width == 0


def test_empty_and_all_zero_data():
    assert bar_chart([], ONE).empty
    chart = bar_chart([("甲", (0,)), ("乙", (0,))], ONE)
    assert not chart.empty and all(bar.width == 0 for bar in bars(chart))
    assert bar_length(5, 0, 100) == 0 and bar_length(-3, 10, 100) == 0


def test_rows_do_not_overlap_and_the_height_grows_with_rows():
    few = bar_chart([("甲", (1, 2))], TWO)
    many = bar_chart([(f"{n}月", (n, n)) for n in range(1, 13)], TWO)
    assert many.height > few.height
    tops = [bar.y for bar in bars(many)]
    assert all(later >= earlier + charts.BAR for earlier, later in zip(tops, tops[1:], strict=False))


def test_a_missing_budget_draws_only_the_spending_and_the_chart_says_so_once():
    chart = charts.budget_chart([("项目甲", None, 500_00), ("项目乙", 1000_00, 250_00)], "预算", "已支出")
    assert chart.missing
    no_budget, with_budget = chart.rows
    assert [bar.series for bar in no_budget.bars] == ["spent"]
    assert [bar.series for bar in with_budget.bars] == ["budget", "spent"]
    spent, budget, spent_b = bars(chart)
    assert spent.width > 0 and abs(spent_b.width - budget.width / 4) <= 0.1
    assert not charts.budget_chart([("项目乙", 1000_00, 250_00)], "预算", "已支出").missing


def test_category_values_carry_their_share():
    chart = charts.category_chart([("救助", 750_00), ("慰问", 250_00)], "支出")
    assert [bar.text for bar in bars(chart)] == ["¥750.00 (75%)", "¥250.00 (25%)"]


def test_labels_are_shortened_only_when_needed():
    assert fit_label("慈善救助", charts.WIDTH, FONT) == "慈善救助"
    long = fit_label("番" * 60, 100, FONT)
    assert long.endswith("…") and text_width(long, FONT) <= 100


def test_latest_months_keeps_the_last_twelve_oldest_first():
    from charity_site.finance.money import MonthTotals

    months = [MonthTotals(2023 + (n - 1) // 12, (n - 1) % 12 + 1, n, 0) for n in range(1, 16)]
    rows = charts.latest_months(months)
    assert len(rows) == 12
    assert rows[0][0] == "2023年4月" and rows[-1][0] == "2024年3月"


def test_a_long_name_wraps_onto_two_lines_before_it_is_shortened():
    name = "番禺区慈善业务综合服务阵地打造项目（穗救易·共助空间）"
    lines = wrap_label(name, 260, FONT, LABEL_LINES)
    assert len(lines) == 2 and "".join(lines) == name  # nothing cut: the second line holds the rest
    assert all(text_width(line, FONT) <= 260 for line in lines)
    assert wrap_label("慈善救助", 200, FONT, LABEL_LINES) == ("慈善救助",)
    assert wrap_label("短", 10, FONT, LABEL_LINES) == ("短",)


def test_wrapping_keeps_latin_words_and_numbers_whole_and_no_line_starts_with_a_closing_mark():
    assert wrap_label("社区基金 Community Fund", 150, FONT, LABEL_LINES) == ("社区基金", "Community Fund")
    assert wrap_label("2024年社区慈善交流会", 88, FONT, LABEL_LINES) == ("2024年社区", "慈善交流会")
    lines = wrap_label("一二三四五六七八九十（示例）", 12 * 16, FONT, LABEL_LINES)
    assert not any(line[0] in CLOSING for line in lines)


def test_wider_drawings_give_the_bars_more_room_and_keep_the_text_size():
    chart = charts.category_chart([("救助", 750_00), ("慰问", 250_00)], "支出")
    narrow, *wider = chart.drawings
    lengths = [bars(drawing)[0].width for drawing in chart.drawings]
    assert min(lengths[1:]) > 1.6 * lengths[0]
    assert {drawing.font for drawing in chart.drawings} == {charts.FONT}
    # The widest drawing puts the names in a column left of the bars.
    assert bars(wider[-1])[0].x >= charts.label_column(wider[-1].width) > 0 and bars(narrow)[0].x == 0


def test_the_values_of_one_chart_share_one_unit():
    chart = charts.category_chart([("救助", 350_000_00), ("慰问", 30_00), ("零星", 0)], "支出")
    assert [bar.text for bar in bars(chart)] == ["35.00万元 (>99%)", "不足0.01万元 (<1%)", "0.00万元 (0%)"]
    small = charts.monthly_chart([("2024年1月", 99_999_99, 0)], "收入", "支出")
    assert [bar.text for bar in bars(small)] == ["收入 ¥99,999.99", "支出 ¥0.00"]
