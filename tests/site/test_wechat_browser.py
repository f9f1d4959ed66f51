"""WeChat's own browser cannot download files, add to a calendar or print: there the pages say what to do instead.

The notes are in every page's HTML, hidden, and shown by site.js only when the user agent is WeChat's, so a
cached page is the same for everyone. Elsewhere the notes stay hidden and the print buttons work as before.
"""

from __future__ import annotations

import pytest
from browser import chromium_page, demo_site

pytestmark = pytest.mark.browser

WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2183A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160083 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
          "(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64")


@pytest.fixture
def served_demo(sqlite_url, tmp_path):
    with demo_site(sqlite_url, tmp_path) as (_app, base_url):
        yield base_url


def _print_page(page, base_url):
    page.goto(base_url + "/disclosures/")
    page.locator("main article a, main li a").filter(has_text="公示").first.click()
    page.locator(".item-tools a", has_text="打印版").first.click()


def test_in_wechat_the_download_and_print_pages_say_to_open_the_page_in_a_browser(served_demo):
    with chromium_page(served_demo, width=360, user_agent=WECHAT) as (page, problems):
        page.goto(served_demo + "/open-data/")
        note = page.locator(".wechat-note")
        assert note.is_visible()
        assert "请点右上角「···」，选择「在浏览器打开」" in note.inner_text()
        note.get_by_role("link", name="收支明细").click()  # what can be read without downloading
        assert page.url.endswith("/ledger/")
        csv_link = page.locator("a", has_text="下载这些记录（CSV 表格）")
        assert csv_link.count() == 1 and not csv_link.is_visible()  # a link that would do nothing there

        _print_page(page, served_demo)
        assert page.locator(".print-toolbar .wechat-note").is_visible()
        assert "微信里不能打印" in page.locator(".print-toolbar .wechat-note").inner_text()
        assert not page.locator("[data-print]").is_visible()
        assert not problems["console"] and not problems["outside"]


def test_in_other_browsers_the_notes_stay_hidden_and_printing_works(served_demo):
    with chromium_page(served_demo, width=360) as (page, problems):
        page.goto(served_demo + "/open-data/")
        assert page.locator(".wechat-note").count() == 1
        assert not page.locator(".wechat-note").is_visible()
        page.goto(served_demo + "/ledger/")
        assert page.locator("a", has_text="下载这些记录（CSV 表格）").is_visible()

        _print_page(page, served_demo)
        assert not page.locator(".wechat-note").is_visible()
        assert page.locator("[data-print]").is_visible()
        assert not problems["console"] and not problems["outside"]
