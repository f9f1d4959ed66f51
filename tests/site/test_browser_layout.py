"""The layout at the widths people use: the home page's sections line up with the header and footer.

At 1440 px and wider a rule that set every margin of a section (`margin: 2rem 0`) cancelled the
centring of the page's wrapper, so the sections stuck to the left edge under a centred header.
"""

from __future__ import annotations

import pytest
from browser import chromium_page, demo_site

pytestmark = pytest.mark.browser


@pytest.fixture
def served_demo(sqlite_url, tmp_path):
    with demo_site(sqlite_url, tmp_path) as (_app, base_url):
        yield base_url


@pytest.mark.parametrize("width", [1440, 1920])
def test_home_sections_line_up_with_the_header_on_a_wide_screen(served_demo, width):
    with chromium_page(served_demo, width=width, height=1000) as (page, problems):
        page.goto(served_demo + "/")
        header_left = page.locator(".site-header .header-top").bounding_box()["x"]
        footer_left = page.locator(".site-footer .footer-grid, footer .footer-grid").first.bounding_box()["x"]
        sections = page.locator("main section.wrap")
        assert sections.count() >= 3
        lefts = [sections.nth(index).bounding_box()["x"] for index in range(sections.count())]
        assert header_left > 50  # centred: the wrapper is narrower than the screen
        assert footer_left == pytest.approx(header_left, abs=1)
        assert lefts == pytest.approx([header_left] * len(lefts), abs=1), (header_left, lefts)
        assert not problems["console"] and not problems["outside"]
