"""WeChat's own browser cannot download files, add to a calendar or print: there the pages say what to do instead.

The notes are in every page's HTML, hidden, and shown by site.js only when the user agent is WeChat's, so a
cached page is the same for everyone. Elsewhere the notes stay hidden and the buttons work as before.
"""

from __future__ import annotations

import re

import pytest
from browser import chromium_page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2183A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160083 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
          "(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64")


def open_print_page(page, base_url):
    page.goto(base_url + "/disclosures/")
    page.locator("main article a, main li a").filter(has_text="公示").first.click()
    page.locator(".item-tools a", has_text="打印版").first.click()
    page.wait_for_url(re.compile(r"/print$"))


def pledge(page, base_url):
    page.goto(base_url + "/donate")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("我已阅读上述告知").check()
    page.get_by_role("button", name="提交认捐").click()
    page.wait_for_url(re.compile(r"/pledge/[\w-]+$"))


def sign_up(page, base_url):
    page.goto(base_url + "/volunteer")
    page.locator("main a[href^='/volunteer/']").first.click()
    page.get_by_role("link", name="报名这个班次").first.click()
    page.get_by_label("姓名").fill("李阿姨")
    page.get_by_label("手机号").first.fill("13800001234")
    page.get_by_label("出生年份").fill("1958")
    page.get_by_label("我已阅读上面的告知").check()
    page.get_by_role("button", name="报名").click()
    page.wait_for_url(re.compile(r"/volunteer/signup/\w+\?new=1$"))


def test_in_wechat_the_pages_say_to_open_them_in_a_browser_and_hide_what_would_do_nothing(served_demo):
    with chromium_page(served_demo, width=360, user_agent=WECHAT) as (page, problems):
        page.goto(served_demo + "/open-data/")
        note = page.locator(".wechat-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("请点右上角「···」，选择「在浏览器打开」")
        expect(page.locator(".download-list").first).to_be_hidden()  # buttons that would do nothing there
        note.get_by_role("link", name="收支明细").click()  # what can be read without downloading
        page.wait_for_url(re.compile(r"/ledger/$"))
        expect(page.locator("a", has_text="下载这些记录（CSV 表格）")).to_be_hidden()

        open_print_page(page, served_demo)
        expect(page.locator(".print-toolbar .wechat-note")).to_contain_text("微信里不能打印")
        expect(page.locator("[data-print]")).to_be_hidden()

        pledge(page, served_demo)
        expect(page.locator(".pledge-qr .wechat-note")).to_contain_text("长按上面的二维码，选择「保存图片」")
        expect(page.get_by_role("link", name="保存二维码图片")).to_be_hidden()

        sign_up(page, served_demo)
        expect(page.locator(".wechat-note")).to_contain_text("微信里不能加入日历")
        assert not problems["console"] and not problems["outside"]


def test_in_other_browsers_the_notes_stay_hidden_and_the_buttons_work(served_demo):
    with chromium_page(served_demo, width=360) as (page, problems):
        page.goto(served_demo + "/open-data/")
        expect(page.locator(".download-list").first).to_be_visible()
        page.goto(served_demo + "/ledger/")
        expect(page.locator("a", has_text="下载这些记录（CSV 表格）")).to_be_visible()

        open_print_page(page, served_demo)
        expect(page.locator("[data-print]")).to_be_visible()  # shown by site.js: it has run
        pledge(page, served_demo)
        expect(page.get_by_role("link", name="保存二维码图片")).to_be_visible()
        sign_up(page, served_demo)
        expect(page.get_by_role("link", name="加入日历（.ics）")).to_be_visible()
        # site.js has run on every page above (the print button proves it), and no note was shown anywhere
        for path in ("/open-data/", "/ledger/"):
            page.goto(served_demo + path)
            expect(page.locator("[data-wechat-only]").first).to_be_hidden()
        assert not problems["console"] and not problems["outside"]
