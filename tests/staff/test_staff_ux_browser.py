"""The staff pages on a 360 px phone, in Chromium: the roster's 签到 buttons are on the screen and 取消报名 asks
first; the volunteer editor has its formatting buttons; the editors' 插入图片 panel is folded on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_user
from playwright.sync_api import expect
from volunteers.factories_volunteers import details, make_opportunity

from charity_site.extensions import db
from charity_site.volunteers import signups
from charity_site.volunteers.models import Signup, SignupStatus

pytestmark = pytest.mark.browser

PEOPLE = ("李阿姨", "陈伯伯", "黄姨")


@pytest.fixture
def served(sqlite_url, tmp_path):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        opportunity = make_opportunity(capacity=5, starts_in=timedelta(minutes=30), title="慈善健康行")
        shift = opportunity.shifts[0]
        made = [signups.sign_up(shift, details(number, name=name)) for number, name in enumerate(PEOPLE, start=1)]
        db.session.commit()
        make_user("coordinator@example.org", roles=("coordinator",))
        make_user("editor@example.org", roles=("editor",))
        with live_server(app) as base_url:
            yield {"base_url": base_url, "shift": shift, "opportunity": opportunity, "signups": made}


def signed_in(page, base_url, email):
    page.goto(base_url + "/admin/")
    sign_in(page, email, DEFAULT_TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/admin/$"))


def status_of(signup_id: int) -> SignupStatus:
    db.session.expire_all()
    return db.session.get(Signup, signup_id).status


def test_on_a_phone_the_rosters_check_in_buttons_are_on_screen_and_cancelling_asks_first(served):
    base_url, shift = served["base_url"], served["shift"]
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        signed_in(page, base_url, "coordinator@example.org")
        page.goto(f"{base_url}/admin/volunteers/shifts/{shift.id}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        check_in = page.get_by_role("button", name="签到", exact=True)
        expect(check_in).to_have_count(len(PEOPLE))
        for index in range(len(PEOPLE)):
            box = check_in.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box  # was at x≈491, past the screen's edge
            scroller = check_in.nth(index).evaluate("b => { const s = b.closest('.table-scroll'); "
                                                    "return s ? s.scrollWidth - s.clientWidth : 0; }")
            assert scroller <= 1  # and not inside a box that scrolls sideways

        first = served["signups"][0]
        row = page.locator(f'tr[data-signup="{first.id}"]')
        posts: list[str] = []
        page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
        asked: list[str] = []

        def dismiss(dialog):
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        row.locator("form[data-confirm] button").click()
        page.wait_for_timeout(300)
        assert asked and "李阿姨" in asked[0], asked
        assert posts == [] and status_of(first.id) is SignupStatus.SIGNED_UP  # 取消 in the dialog: nothing sent

        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            row.locator("form[data-confirm] button").click()
        assert "报名已取消" in page.locator(".flash").inner_text()
        assert status_of(first.id) is SignupStatus.CANCELLED  # accepted: the form was sent with its CSRF token

        # 签到 is the everyday button: it is sent at once, without a question.
        second = served["signups"][1]
        with page.expect_navigation():
            page.locator(f'tr[data-signup="{second.id}"]').get_by_role("button", name="签到", exact=True).click()
        assert status_of(second.id) is SignupStatus.ATTENDED
        assert not problems["console"] and not problems["page_errors"] and not problems["outside"], problems


def test_the_volunteer_editor_has_its_formatting_buttons_on_a_phone(served):
    base_url, opportunity = served["base_url"], served["opportunity"]
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        signed_in(page, base_url, "coordinator@example.org")
        page.goto(f"{base_url}/admin/volunteers/{opportunity.id}/edit")
        toolbar = page.get_by_role("toolbar", name="格式")
        expect(toolbar).to_be_visible()
        body = page.locator("textarea[name=body_md]")
        body.fill("报名须知")
        body.evaluate("area => area.setSelectionRange(0, area.value.length)")
        toolbar.get_by_role("button", name="加粗").click()
        assert body.input_value() == "**报名须知**"
        assert not problems["console"] and not problems["page_errors"] and not problems["outside"], problems


def test_the_image_panel_is_folded_on_a_phone_and_the_toolbar_opens_it(served):
    base_url = served["base_url"]
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        signed_in(page, base_url, "editor@example.org")
        page.goto(base_url + "/admin/news/new")
        panel = page.locator(".image-picker-panel")
        upload_title = panel.locator("input[name='upload-title']")
        expect(panel.locator("summary", has_text="插入图片")).to_be_visible()
        assert not panel.evaluate("details => details.open") and not upload_title.is_visible()
        save = page.get_by_role("button", name="保存", exact=True)
        assert save.bounding_box()["y"] - panel.bounding_box()["y"] < 1500  # the panel no longer pushes 保存 away

        page.get_by_role("toolbar", name="格式").get_by_role("button", name="图片").click()
        assert panel.evaluate("details => details.open")
        expect(upload_title).to_be_visible()
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        assert not problems["console"] and not problems["page_errors"] and not problems["outside"], problems

    with chromium_page(base_url, width=1280, height=900) as (page, _problems):
        signed_in(page, base_url, "editor@example.org")
        page.goto(base_url + "/admin/news/new")
        panel = page.locator(".image-picker-panel")
        expect(panel.locator("input[name='upload-title']")).to_be_visible()  # wide screens: open, as before


def test_on_a_phone_the_import_pages_wide_headings_table_can_be_scrolled_from_the_keyboard(served, tmp_path):
    """The table of recognised headings is wider than a phone and holds no link: its scroll box takes the focus."""
    make_user("finance@example.org", roles=("finance",))
    with chromium_page(served["base_url"], width=360) as (page, problems):
        signed_in(page, served["base_url"], "finance@example.org")
        page.goto(served["base_url"] + "/admin/ledger/import")
        box = page.locator(".table-scroll").filter(has=page.locator("table.import-headings"))
        assert page.evaluate("el => el.scrollWidth > el.clientWidth", box.element_handle())
        box.focus()
        assert page.evaluate("el => document.activeElement === el", box.element_handle())
        page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())
        assert box.get_attribute("aria-label") == "可识别的列标题"
        assert not problems["console"] and not problems["outside"]
