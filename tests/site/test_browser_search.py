"""A donor on a phone searches for a two-character word, opens a project and enlarges the text."""

from __future__ import annotations

import re

import pytest
from browser import chromium_page

pytestmark = pytest.mark.browser


def test_search_a_two_character_word_open_a_project_and_enlarge_the_text(served_demo):
    base_url = served_demo
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        page.goto(base_url + "/")
        page.get_by_role("searchbox", name="搜索本站").fill("救助")
        page.get_by_role("button", name="搜索").first.click()
        page.wait_for_url(re.compile(r"/search\?q="))
        results = page.locator("main a[href^='/projects/']")
        assert results.count() >= 1
        assert page.locator("main mark", has_text="救助").count() >= 1

        title = results.first.inner_text().strip()
        results.first.click()
        page.wait_for_url(re.compile(r"/projects/[a-z0-9-]+$"))
        assert page.locator("h1").inner_text().strip() == title

        page.get_by_role("link", name="字体：大").click()
        page.wait_for_url(re.compile(r"/projects/[a-z0-9-]+$"))
        assert "font-large" in page.locator("html").get_attribute("class")
        assert page.locator("h1").inner_text().strip() == title
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
        donate = page.get_by_role("link", name="我要捐赠").last
        box = donate.bounding_box()
        assert box and box["height"] >= 44

    assert problems["outside"] == [], problems["outside"]
    assert problems["console"] == [], problems["console"]
    assert problems["page_errors"] == []
