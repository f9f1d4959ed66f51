"""A finance officer's import in Chromium, and what the public then sees.

The officer signs in, uploads an .xlsx of ledger lines as Excel in China writes it (title row,
Chinese headings, date cells), checks the preview and confirms. The fund page and the public
ledger then show the new totals, and the printable 公示 of a disclosure on that fund renders
with its foot and QR code.
"""

from __future__ import annotations

import re
from datetime import date

import openpyxl
import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_disclosure, make_fund, make_site_settings, make_user
from playwright.sync_api import expect

from charity_site.extensions import db

pytestmark = pytest.mark.browser

FUND_TITLE = "大岭村社区慈善基金"
IMPORTED = [  # date, 收支, amount (yuan), summary, voucher
    (date(2024, 10, 8), "收入", 12_000.00, "大岭村乡贤重阳节捐赠", "DL-2024-101"),
    (date(2024, 10, 11), "收入", 3_456.78, "村民小额捐赠汇总", "DL-2024-102"),
    (date(2024, 10, 23), "支出", 8_800.50, "重阳节慰问长者 88 人", "DL-2024-103"),
]


def spreadsheet(path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["大岭村社区慈善基金2024年10月收支明细"])  # a title row above the headings
    sheet.append(["日期", "收支", "金额（元）", "摘要", "凭证号", "基金", "类别", "对方", "对方类型"])
    for occurred_on, kind, amount, summary, voucher in IMPORTED:
        category = "捐赠收入" if kind == "收入" else "慰问"
        sheet.append([occurred_on, kind, amount, summary, voucher, FUND_TITLE, category, "大岭村村民委员会", "机构"])
    workbook.save(path)
    return path


@pytest.fixture
def served(sqlite_url, tmp_path):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        make_site_settings(org_name="广州市番禺区慈善会", supervision_phone="020-84820000")
        fund = make_fund(title=FUND_TITLE, slug="dalingcun")
        make_disclosure(title="关于大岭村社区慈善基金2024年10月收支情况的公示", fund_id=fund.id,
                        period_start=date(2024, 10, 1), period_end=date(2024, 10, 31),
                        body_md="| 项目 | 金额（元） |\n|---|---|\n| 重阳节慰问 | 8,800.50 |\n")
        make_user("finance@example.org", roles=("finance",), display_name="陈会计")
        db.session.commit()
        with live_server(app) as base_url:
            yield app, base_url, fund


def money_text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


def test_finance_imports_an_xlsx_and_the_public_pages_show_the_new_totals(served, tmp_path):
    app, base_url, fund = served
    with chromium_page(base_url, width=1280, height=900) as (page, problems):
        page.goto(base_url + "/admin/ledger/import")
        sign_in(page, "finance@example.org", DEFAULT_TEST_PASSWORD)
        page.wait_for_url(re.compile(r"/admin/ledger/import$"))

        page.locator("input[type=file]").set_input_files(str(spreadsheet(tmp_path / "十月收支.xlsx")))
        page.get_by_role("button", name="上传并检查").click()
        page.wait_for_url(re.compile(r"/admin/ledger/import/[\w-]+$"))
        for _occurred_on, _kind, _amount, summary, _voucher in IMPORTED:
            expect(page.get_by_text(summary).first).to_be_visible()
        page.get_by_role("button", name="确认导入 3 条").click()
        page.wait_for_url(re.compile(r"/admin/ledger/batches/\d+$"))  # the import's batch page, its lines listed
        expect(page.get_by_text("已导入 3 条收支记录")).to_be_visible()

        # The fund page: income 15,456.78, expenditure 8,800.50, balance 6,656.28.
        page.goto(f"{base_url}/funds/{fund.slug}")
        body = page.locator("main").inner_text()
        for figure in ("15,456.78", "8,800.50", "6,656.28"):
            assert figure in body, figure
        expect(page.get_by_text("重阳节慰问长者 88 人").first).to_be_visible()

        # The public ledger for this fund: the same totals, the three lines and the running balance.
        page.goto(f"{base_url}/ledger/?fund={fund.slug}")
        ledger = page.locator("main").inner_text()
        for figure in ("15,456.78", "8,800.50", "6,656.28"):
            assert figure in ledger, figure
        for _occurred_on, _kind, _amount, summary, _voucher in IMPORTED:
            assert summary in ledger

        # The printable 公示 of the fund's disclosure, with its ledger summary, foot and QR code.
        page.goto(base_url + "/disclosures/")
        page.get_by_role("link", name=re.compile("关于大岭村社区慈善基金2024年10月收支情况的公示")).first.click()
        page.wait_for_url(re.compile(r"/disclosures/\d+$"))
        page.get_by_role("link", name=re.compile("打印")).first.click()
        page.wait_for_url(re.compile(r"/disclosures/\d+/print$"))
        page.emulate_media(media="print")
        printed = page.locator("body").inner_text()
        assert "关于大岭村社区慈善基金2024年10月收支情况的公示" in printed
        assert "广州市番禺区慈善会" in printed and "020-84820000" in printed
        assert "8,800.50" in printed  # the ledger summary of the period, from the imported lines
        assert page.locator("svg").count() >= 1
        assert not page.locator(".site-header").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 5_000

        assert problems["outside"] == [] and problems["console"] == [] and problems["page_errors"] == []

    with app.app_context():
        from charity_site.finance import money
        from charity_site.models import LedgerEntry

        totals = money.ledger_totals(LedgerEntry.fund_id == fund.id)
        assert (totals.income_fen, totals.expense_fen) == (15_456_78, 8_800_50)
