"""善款去向 (/flows) in Chromium on the demo content: on a 360 px phone the money-flow diagram is shown whole,
scaled to the screen (it used to be a box to swipe through that showed one bar and then blank space), and on a
desktop it is shown at full size with the funds' names beside, not on, the bands."""

from __future__ import annotations

import pytest
from browser import chromium_page

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const figure = document.querySelector('.flow-figure').getBoundingClientRect();
  const svg = document.querySelector('.flow-svg');
  const box = svg.getBoundingClientRect();
  const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
  return {page: document.documentElement.scrollWidth, figureLeft: figure.left, figureRight: figure.right,
          left: box.left, right: box.right, width: box.width, height: box.height, ratio: width / height};
}"""


def test_on_a_phone_the_whole_diagram_fits_the_screen(served_demo):
    with chromium_page(served_demo, width=360, height=740) as (page, problems):
        page.goto(served_demo + "/flows/")
        shown = page.evaluate(MEASURE)
        assert shown["page"] <= 360, shown  # nothing to swipe sideways
        assert shown["left"] >= shown["figureLeft"] - 0.5 and shown["right"] <= shown["figureRight"] + 0.5, shown
        assert shown["width"] / shown["height"] == pytest.approx(shown["ratio"], rel=0.02), shown  # scaled, not cut
        assert shown["height"] < 400, shown  # no tall empty box under the first column
        page.get_by_text("查看数据").first.click()
        assert page.locator("#table-flow").is_visible()  # the same figures, readable
        flow_list = page.locator(".flow-list")  # and written out fund by fund, in the page's own type
        assert flow_list.is_visible() and flow_list.locator(".flow-list-fund").count() >= 3
        smallest = page.evaluate("() => Math.min(...[...document.querySelectorAll('.flow-list *')]"
                                 ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
        assert smallest >= 15, smallest
        assert not problems["console"] and not problems["outside"]


def test_on_a_desktop_the_diagram_is_shown_at_full_size(served_demo):
    with chromium_page(served_demo, width=1280, height=900) as (page, problems):
        page.goto(served_demo + "/flows/")
        shown = page.evaluate(MEASURE)
        assert shown["page"] <= 1280, shown
        assert shown["width"] >= 1000, shown  # the text at its full size (15 units, at least 15 px)
        assert not page.locator(".flow-list").is_visible()  # the diagram itself is readable here
        assert shown["right"] <= shown["figureRight"] + 0.5, shown
        assert not problems["console"] and not problems["outside"]
