"""Shares as people read them: 4.20万元 of 650.52万元 is "1%", a sliver is "<1%", never "0%"; and a progress bar
is neither empty while something was raised nor full before its goal."""

from __future__ import annotations

import pytest

from charity_site.core.formatting import percent, percent_text


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (0, 100_00, "0%"),  # nothing: the only share that reads 0%
        (None, 100_00, "0%"),
        (1, 100_000_00, "<1%"),  # a tiny share above 0
        (49, 10_000, "<1%"),  # 0.49%
        (50, 10_000, "1%"),  # 0.5% rounds half up to the nearest whole percent
        (4_20_00_00, 650_52_00_00, "1%"),  # 个人 4.20万元 of 650.52万元 (0.65%), which read "0%" when cut off
        (646_32_00_00, 650_52_00_00, "99%"),  # 99.35%
        (8_960, 10_000, "90%"),  # 89.6%: the nearest, not cut off to 89%
        (9_949, 10_000, "99%"),
        (9_960, 10_000, ">99%"),  # 99.6% is not all of it
        (9_999_999, 10_000_000, ">99%"),
        (100_00, 100_00, "100%"),  # all of it
        (150_00, 100_00, "150%"),  # more than the whole reads as it is
        (5, 0, "0%"),  # no whole
        (5, None, "0%"),
        (-5, 100, "0%"),
    ],
)
def test_a_share_reads_to_the_nearest_percent_and_never_0_or_100_when_it_is_not(part, whole, shown):
    assert percent_text(part, whole) == shown


@pytest.mark.parametrize(
    ("part", "whole", "value"),
    [
        (0, 100_00, 0),  # nothing raised: an empty bar
        (1, 100_000_00, 1),  # something raised: the bar is never drawn empty
        (50, 10_000, 1),
        (8_960, 10_000, 90),  # to the nearest
        (17_937_000, 19_930_000, 90),
        (9_960, 10_000, 99),  # the goal is not reached: the bar is not full
        (100_00, 100_00, 100),
        (300, 200, 100),  # overspent or over the goal: a full bar, never more
        (None, 100, 0),
        (5, 0, 0),
    ],
)
def test_a_progress_bar_is_empty_only_for_nothing_and_full_only_at_the_whole(part, whole, value):
    assert percent(part, whole) == value
