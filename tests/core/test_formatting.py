"""Money and date formatting as readers see it: yuan with fen, 万元, Beijing time, masked names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from charity_site.core.formatting import (
    WAN,
    YUAN,
    MoneyFormatError,
    format_amount,
    format_date,
    format_datetime,
    format_wan,
    format_yuan,
    local_to_utc,
    mask_person_name,
    money_unit,
    percent,
    yuan_text,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (0, "¥0.00"),
        (1, "¥0.01"),
        (99, "¥0.99"),
        (100, "¥1.00"),
        (19_930_000, "¥199,300.00"),
        (123_456_789, "¥1,234,567.89"),
        (-500, "-¥5.00"),
        (-123_456_789, "-¥1,234,567.89"),
    ],
)
def test_format_yuan_shows_yuan_with_thousands_separators_and_two_decimals(fen, shown):
    assert format_yuan(fen) == shown


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (5, "0.05"), (123_450, "1234.50"), (-5, "-0.05"),
                                         (-150, "-1.50"), (1_019_850_000, "10198500.00"), (None, None)])
def test_yuan_text_is_plain_exact_yuan_for_files_and_inputs(fen, text):
    assert yuan_text(fen) == text
    if fen is not None:
        assert yuan_to_fen(text) == fen


def test_format_yuan_shows_a_dash_for_a_missing_amount():
    assert format_yuan(None) == "—"
    assert format_yuan(None, blank="未设") == "未设"


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (1_019_850_000, "1019.85万元"),  # 10,198,500 yuan
        (101_985_000_000, "101985.00万元"),
        (1_000_000, "1.00万元"),
        (0, "0.00万元"),
        (25_000, "0.03万元"),  # 0.025 rounds half up, not half to even
        (24_999, "0.02万元"),
        (1_234_500, "1.23万元"),
        (1_235_000, "1.24万元"),
        (-25_000, "-0.03万元"),
        (4_999, "不足0.01万元"),  # a payment of ¥49.99 is not shown as nothing
        (-4_999, "-不足0.01万元"),
        (5_000, "0.01万元"),
    ],
)
def test_format_wan_rounds_half_up_to_two_decimals_of_wan_yuan(fen, shown):
    assert format_wan(fen) == shown


def test_a_single_figure_switches_to_wan_from_one_hundred_thousand_yuan():
    assert format_amount(9_999_999) == "¥99,999.99"
    assert format_amount(10_000_000) == "10.00万元"
    assert format_amount(-10_000_000) == "-10.00万元"
    assert format_amount(-9_999_999) == "-¥99,999.99"
    assert format_amount(0) == "¥0.00"
    assert format_amount(None) == "—"


@pytest.mark.parametrize(
    ("amounts", "unit"),
    [
        ((9_999_999,), YUAN),
        ((10_000_000,), WAN),
        ((-10_000_000, 5), WAN),  # a large deficit counts like a large balance
        ((0, 0, 0), YUAN),
        ((None, 0), YUAN),
        ((), YUAN),
        ((0, None, 350_000_000), WAN),
    ],
)
def test_a_panel_takes_its_unit_from_its_largest_amount(amounts, unit):
    assert money_unit(*amounts) == unit


def test_every_figure_of_a_panel_shares_the_panel_unit():
    """A card with nothing spent yet and a budget of 30万元 reads 0.00万元 / 30.00万元, not ¥0.00 / 30.00万元."""
    spent, budget = 0, 30_000_000
    unit = money_unit(spent, budget)
    assert (format_amount(spent, unit), format_amount(budget, unit)) == ("0.00万元", "30.00万元")
    small = money_unit(9_999_999, 123)
    assert (format_amount(9_999_999, small), format_amount(123, small)) == ("¥99,999.99", "¥1.23")
    assert format_amount(None, WAN) == "—"


@pytest.mark.parametrize(
    ("written", "fen"),
    [
        ("0", 0),
        ("1234", 123_400),
        ("1234.5", 123_450),
        ("1234.56", 123_456),
        ("1,234.56", 123_456),
        ("1，234.56", 123_456),
        ("¥1,234.56", 123_456),
        ("￥1,234.56", 123_456),
        ("1234.56元", 123_456),
        ("  199,300.00 ", 19_930_000),
        ("-5.00", -500),
        (1234, 123_400),
        (0, 0),
        (Decimal("1234.5"), 123_450),
        (Decimal("0.01"), 1),
    ],
)
def test_yuan_to_fen_reads_amounts_as_staff_write_them(written, fen):
    assert yuan_to_fen(written) == fen


@pytest.mark.parametrize(
    "written",
    [12.5, 0.1, 12.0, True, "12.345", Decimal("1.234"), "", "abc", "12元5角", "1.2.3", "１２.３４５", "1e3", "¥", "--5"],
)
def test_yuan_to_fen_refuses_floats_fractions_of_fen_and_junk(written):
    with pytest.raises(MoneyFormatError):
        yuan_to_fen(written)


def test_format_date_and_datetime_show_utc_moments_in_beijing_time():
    new_year_in_beijing = datetime(2024, 12, 31, 17, 0, tzinfo=UTC)

    assert format_date(new_year_in_beijing) == "2025年1月1日"
    assert format_datetime(new_year_in_beijing) == "2025年1月1日 01:00"


def test_format_datetime_treats_a_naive_datetime_as_utc():
    assert format_datetime(datetime(2025, 1, 15, 2, 30)) == "2025年1月15日 10:30"


def test_format_datetime_converts_other_zones_too():
    new_york = timezone(timedelta(hours=-5))
    assert format_datetime(datetime(2024, 12, 31, 12, 0, tzinfo=new_york)) == "2025年1月1日 01:00"


def test_format_date_keeps_a_plain_date_and_blanks_none():
    assert format_date(date(2024, 11, 18)) == "2024年11月18日"
    assert format_date(None) == ""
    assert format_datetime(None) == ""


def test_local_to_utc_reads_naive_times_as_beijing_wall_clock():
    assert local_to_utc(datetime(2025, 1, 1, 1, 0)) == datetime(2024, 12, 31, 17, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2025, 1, 15, 10, 30)).utcoffset() == timedelta(0)


def test_local_to_utc_converts_aware_times_without_shifting_them_twice():
    already_utc = datetime(2025, 1, 15, 2, 30, tzinfo=UTC)
    assert local_to_utc(already_utc) == already_utc


def test_local_to_utc_and_format_datetime_round_trip():
    assert format_datetime(local_to_utc(datetime(2024, 12, 19, 15, 0))) == "2024年12月19日 15:00"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张三丰", "张**"),
        ("李四", "李**"),
        ("欧阳娜娜", "欧**"),
        ("王", "王**"),
        ("  陈志明 ", "陈**"),
        ("王" + "某" * 15, "王**"),  # the mask does not tell the name's length
        ("Zhang San", "Z**"),
        ("", "匿名"),
        ("   ", "匿名"),
        (None, "匿名"),
    ],
)
def test_mask_person_name_keeps_only_the_family_name(name, shown):
    assert mask_person_name(name) == shown


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (17_937_000, 19_930_000, 90),
        (50, 100, 50),
        (100, 100, 100),
        (300, 200, 100),
        (0, 100, 0),
        (None, 100, 0),
        (5, 0, 0),
        (5, None, 0),
        (-5, 100, 0),
    ],
)
def test_percent_is_a_whole_number_capped_at_one_hundred(part, whole, shown):
    assert percent(part, whole) == shown
