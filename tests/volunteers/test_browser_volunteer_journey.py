"""A volunteer on a 360 px phone: sign up, confirmation and .ics, cancel, sign up again; a coordinator
checks them in and confirms the hours; the volunteer's own page shows the hours and the certificate."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_user
from factories_volunteers import make_opportunity

pytestmark = pytest.mark.browser

SCREENSHOTS = __import__("os").environ.get("VOLUNTEER_SCREENSHOTS")  # a folder to keep screenshots in


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_sign_up_cancel_sign_up_again_check_in_hours_and_certificate_on_a_phone(sqlite_url, tmp_path):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        opportunity = make_opportunity(capacity=5, starts_in=timedelta(minutes=30), title="社区长者探访",
                                       risks="需要上下楼梯，请穿防滑鞋。", insurance_arranged=True)
        make_user("coordinator@example.org", roles=("coordinator",))
        with live_server(app) as base_url, chromium_page(base_url, width=360, height=740) as (page, problems):
            page.goto(base_url + "/volunteer")
            assert no_sideways_scroll(page)
            shot(page, "1-list")
            page.get_by_role("link", name="社区长者探访").click()
            page.get_by_role("link", name="报名这个班次").click()
            assert no_sideways_scroll(page)

            def fill_form():
                page.get_by_label("姓名").fill("李阿姨")
                page.get_by_label("手机号").first.fill("13800001234")
                page.get_by_label("出生年份").fill("1958")
                page.get_by_label("我已阅读上面的告知").check()

            page.get_by_role("button", name="报名").click()  # nothing filled in: errors beside the fields
            assert page.locator(".field-error").count() >= 3
            shot(page, "2-form-errors")
            fill_form()
            page.get_by_role("button", name="报名").click()
            page.wait_for_url(re.compile(r"/volunteer/signup/[A-Z0-9]+\?new=1"))
            assert "报名成功" in page.content() and "138****1234" in page.content()
            assert no_sideways_scroll(page)
            shot(page, "3-confirmation")
            code = page.locator("[data-code]").inner_text().strip()
            with page.expect_download() as download:
                page.get_by_role("link", name="加入日历（.ics）").click()
            assert "BEGIN:VEVENT" in Path(download.value.path()).read_text(encoding="utf-8")

            asked = []

            def answer(dialog, accept):
                asked.append(dialog.message)
                dialog.accept() if accept else dialog.dismiss()

            posts = []
            page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
            page.once("dialog", lambda dialog: answer(dialog, accept=False))  # a tap by mistake: 取消 in the dialog
            page.get_by_role("button", name="取消我的报名").click()
            page.wait_for_timeout(300)
            assert posts == [] and "已报名" in page.locator("[data-status]").inner_text()
            page.once("dialog", lambda dialog: answer(dialog, accept=True))
            page.get_by_role("button", name="取消我的报名").click()
            page.wait_for_function("() => document.querySelector('[data-status]').innerText.includes('已取消')")
            assert len(asked) == 2 and asked[0].startswith("确定取消这次报名吗？")

            page.goto(base_url + f"/volunteer/{opportunity.slug}")
            page.get_by_role("link", name="报名这个班次").click()
            fill_form()
            page.get_by_role("button", name="报名").click()
            page.wait_for_url(re.compile(r"\?new=1"))
            code = page.locator("[data-code]").inner_text().strip()

            # the coordinator, on the same phone: check in and confirm hours
            page.goto(base_url + f"/admin/volunteers/shifts/{opportunity.shifts[0].id}")
            sign_in(page, "coordinator@example.org", DEFAULT_TEST_PASSWORD)
            page.get_by_role("button", name="签到").first.click()
            assert "已签到" in page.content()
            shot(page, "4-roster")
            page.get_by_role("link", name="确认时长").click()
            page.get_by_label("小时数").fill("3")
            page.get_by_role("button", name="确认时长").click()
            assert "已确认 3 小时" in page.content()

            page.goto(base_url + "/volunteer/me")
            page.get_by_label("手机号").fill("13800001234")
            page.get_by_label("个人码").fill(code)
            page.get_by_role("button", name="查询").click()
            assert page.locator("[data-stat=my-hours]").inner_text().startswith("3")
            assert no_sideways_scroll(page)
            shot(page, "5-my-record")
            page.get_by_role("button", name="出具我的志愿服务记录证明").click()
            assert "志愿服务记录证明" in page.locator("h1").inner_text()
            assert "3 小时" in page.locator("[data-certificate-hours]").inner_text()
            shot(page, "6-certificate")

        # the empty form was answered 400 on purpose; nothing else may go wrong
        console = [message for message in problems["console"] if "status of 400" not in message]
        assert problems["outside"] == [] and console == [] and problems["page_errors"] == []
