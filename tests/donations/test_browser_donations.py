"""A donor on a 360 px phone pledges to a project; staff confirm it; the donor's page and the project show it.

Set SCREENSHOT_DIR to keep screenshots of each step (360 px, and the same pages at 1280 px).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_user
from factories_donations import giving_ready, make_pledge, open_project
from playwright.sync_api import expect

from charity_site.core.formatting import local_today
from charity_site.donations import receiving
from charity_site.donations.models import DonorDisplay
from charity_site.extensions import db

pytestmark = pytest.mark.browser


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def served(sqlite_url, tmp_path):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        giving_ready()
        project = open_project(goal_fen=1_000_000)
        finance = make_user("finance@example.org", roles=("finance",), display_name="陈会计")
        earlier = make_pledge(project, amount_fen=20_000, donor_name="李雷", display=DonorDisplay.FULL_NAME,
                              message="加油！", show_message=True)
        receiving.confirm_receipt(earlier, amount_fen=20_000, received_on=local_today(), channel="", actor=finance)
        db.session.commit()
        with live_server(app) as base_url:
            yield app, base_url, project


def raised(page) -> str:
    return page.locator("[data-fact=campaign-raised]").inner_text()


def test_pledge_confirm_and_see_it_arrive_on_a_phone(served):
    app, base_url, project = served
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        page.goto(f"{base_url}/projects/{project.slug}")
        assert "¥200.00" in raised(page)
        shoot(page, "360-project")
        # The project page offers preset amounts; one leads to the form with the project and amount chosen.
        page.locator(".giving-panel").get_by_role("link", name="¥100", exact=True).click()
        page.wait_for_url(re.compile(r"/donate\?project=\d+&amount=100$"))
        expect(page.locator(f"input[name=designation][value=project-{project.id}]")).to_be_checked()
        expect(page.get_by_label("¥100", exact=True)).to_be_checked()
        page.get_by_label("您的姓名（选填）").fill("韩梅梅")
        page.get_by_label("手机号码").fill("139 1234 5678")
        page.get_by_label("电子邮箱").fill("han@example.org")
        page.get_by_label("我已阅读上述告知").check()
        shoot(page, "360-project-form")
        page.get_by_role("button", name="提交认捐").click()

        page.wait_for_url(re.compile(r"/pledge/[\w-]+$"))
        status_url = page.url
        reference = page.locator("[data-reference]").inner_text().strip()
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", reference)
        expect(page.locator(".pledge-qr-code img")).to_be_visible()
        expect(page.get_by_text(f"请在转账附言中填写认捐编号 {reference}")).to_be_visible()
        shoot(page, "360-pledge")

        page.goto(f"{base_url}/donate/lookup")
        page.get_by_label("认捐编号").fill(reference)
        page.get_by_label("手机号码后4位").fill("5678")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url(status_url)
        expect(page.locator("[data-status]")).to_have_text("待到账")

        # Staff confirm the money arrived.
        page.goto(f"{base_url}/admin/pledges/")
        sign_in(page, "finance@example.org", DEFAULT_TEST_PASSWORD)
        page.wait_for_url(re.compile(r"/admin/pledges/?$"))
        shoot(page, "360-staff-list")
        page.get_by_role("link", name=reference).click()
        page.get_by_role("button", name="确认到账").click()
        expect(page.get_by_text("已确认到账")).to_be_visible()
        shoot(page, "360-staff-confirmed")

        page.goto(status_url)
        expect(page.locator("[data-status]")).to_have_text("已到账")
        expect(page.locator("[data-fact=received]")).to_have_text("¥100.00")
        shoot(page, "360-pledge-received")
        page.locator("[data-certificate]").click()
        expect(page.get_by_text("壹佰元整")).to_be_visible()
        shoot(page, "360-certificate")

        page.goto(f"{base_url}/projects/{project.slug}")
        assert "¥300.00" in raised(page)
        expect(page.locator(".donor-wall").get_by_text("韩**")).to_be_visible()
        page.goto(f"{base_url}/ledger/?project={project.slug}")
        expect(page.get_by_text(f"认捐编号{reference}").first).to_be_visible()

        assert problems["outside"] == [] and problems["console"] == [] and problems["page_errors"] == []

    if os.environ.get("SCREENSHOT_DIR"):
        with chromium_page(base_url, width=1280, height=900) as (page, _problems):
            for name, url in (("project", f"/projects/{project.slug}"), ("donate", "/donate"),
                              ("pledge", status_url.removeprefix(base_url)), ("donors", "/donors"),
                              ("certificate", status_url.removeprefix(base_url) + "/certificate")):
                page.goto(base_url + url)
                shoot(page, f"1280-{name}")
