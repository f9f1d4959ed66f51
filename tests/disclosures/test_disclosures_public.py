"""Public disclosure pages: filters, corrections with their history and diff, withdrawal, ledger summary, print."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from factories import make_disclosure, make_entry, make_fund, make_project, make_site_settings, make_user
from sqlalchemy import case, func, select

from charity_site.disclosures import operations as service
from charity_site.extensions import db
from charity_site.models import Disclosure, DisclosureKind, DisclosureStatus, EntryKind, LedgerEntry, utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


def corrected_disclosure():
    staff = make_user("finance@example.org", roles=("finance",))
    disclosure = make_disclosure(title="关于助学金使用情况的公示", body_md="第一段\n\n支出合计 12,000 元。\n\n<b>加粗</b>")
    db.session.commit()
    values = {"kind": disclosure.kind, "title": disclosure.title, "summary": "", "period_start": None,
              "period_end": None, "project_ids": [], "fund_id": None,
              "body_md": "第一段\n\n支出合计 12,600 元。\n\n<b>加粗</b>"}
    service.revise(disclosure, values, "支出合计误写，更正为12,600元。", actor=staff)
    return disclosure


def test_drafts_do_not_exist_for_visitors(app, client):
    draft = make_disclosure(status=DisclosureStatus.DRAFT, published_at=None, title="内部草稿公示")
    db.session.commit()
    for url in (f"/disclosures/{draft.id}", f"/disclosures/{draft.id}/print",
                f"/disclosures/{draft.id}/revisions/1", f"/disclosures/{draft.id}/diff?from=1&to=2"):
        assert client.get(url).status_code == 404, url
    assert "内部草稿公示" not in text(client.get("/disclosures/"))


def test_the_list_shows_date_type_period_and_marks(app, client):
    make_site_settings(charity_china_url="https://cszg.mca.gov.cn/example")
    make_disclosure(title="关于三季度的公示", period_start=date(2024, 7, 1), period_end=date(2024, 9, 30))
    withdrawn = make_disclosure(title="关于已撤回事项的公示")
    withdrawn.status, withdrawn.withdrawn_at, withdrawn.withdrawn_reason = DisclosureStatus.WITHDRAWN, utcnow(), "有误"
    db.session.commit()
    corrected_disclosure()
    page = text(client.get("/disclosures/"))
    assert "2024年7月1日 至 2024年9月30日" in page
    assert "经费使用情况公示" in page
    assert "已撤回" in page and "已更正" in page
    assert 'href="https://cszg.mca.gov.cn/example"' in page and "全国慈善信息公开平台" in page


def test_public_filters_combine_and_stay_in_pagination_links(app, client):
    fund = make_fund(slug="zhuxue")
    project = make_project(slug="yuanmeng", fund_id=fund.id)
    make_disclosure(title="甲：项目进展2024", kind=DisclosureKind.PROGRESS_REPORT, project_id=project.id,
                    period_start=date(2024, 1, 1), period_end=date(2024, 3, 31))
    make_disclosure(title="乙：项目进展2023", kind=DisclosureKind.PROGRESS_REPORT, project_id=project.id,
                    period_start=date(2023, 1, 1), period_end=date(2023, 3, 31))
    make_disclosure(title="丙：基金使用2024", kind=DisclosureKind.FUND_USE, fund_id=fund.id,
                    period_end=date(2024, 6, 30))
    make_disclosure(title="丁：年报无期间", kind=DisclosureKind.ANNUAL_REPORT,
                    published_at=utcnow().replace(year=2022) - timedelta(days=1))
    db.session.commit()

    def titles(query):
        return set(re.findall(r"[甲乙丙丁]：[^<]+", text(client.get("/disclosures/" + query))))

    assert titles("?type=progress_report") == {"甲：项目进展2024", "乙：项目进展2023"}
    assert titles("?type=progress_report&year=2024") == {"甲：项目进展2024"}
    assert titles("?year=2024") == {"甲：项目进展2024", "丙：基金使用2024"}
    assert titles("?fund=zhuxue") == {"丙：基金使用2024"}
    assert titles("?project=yuanmeng&year=2023") == {"乙：项目进展2023"}
    assert titles("?year=2022") == {"丁：年报无期间"}
    assert titles("?type=nonsense") == {"甲：项目进展2024", "乙：项目进展2023", "丙：基金使用2024", "丁：年报无期间"}
    assert "没有符合条件的公示" in text(client.get("/disclosures/?type=major_event"))

    for n in range(25):
        make_disclosure(title=f"戊{n}", kind=DisclosureKind.FUND_USE, period_end=date(2024, 5, 1))
    db.session.commit()
    page = text(client.get("/disclosures/?type=fund_use&year=2024"))
    next_link = re.search(r'rel="next" href="([^"]+)"', page).group(1)
    assert "type=fund_use" in next_link and "year=2024" in next_link and "page=2" in next_link


def test_a_corrected_disclosure_shows_the_correction_and_keeps_the_old_version(app, client):
    disclosure = corrected_disclosure()
    page = text(client.get(f"/disclosures/{disclosure.id}"))
    assert "更正说明" in page and "支出合计误写，更正为12,600元。" in page
    revision_date = disclosure.revisions[-1].created_at
    from charity_site.core.formatting import format_date
    assert format_date(revision_date) in page
    assert f"/disclosures/{disclosure.id}/revisions/1" in page
    assert f"/disclosures/{disclosure.id}/diff?from=1&amp;to=2" in page
    assert "12,600 元" in page

    old = text(client.get(f"/disclosures/{disclosure.id}/revisions/1"))
    assert "12,000 元" in old and "12,600 元" not in old.split("prose")[1]
    assert "以前的版本" in old
    assert client.get(f"/disclosures/{disclosure.id}/revisions/9").status_code == 404


def test_the_diff_lists_removed_and_added_lines_escaped(app, client):
    disclosure = corrected_disclosure()
    page = text(client.get(f"/disclosures/{disclosure.id}/diff?from=1&to=2"))
    assert re.search(r"<del>支出合计 12,000 元。</del>", page)
    assert re.search(r"<ins>支出合计 12,600 元。</ins>", page)
    assert "删去：" in page and "新增：" in page
    assert "&lt;b&gt;加粗&lt;/b&gt;" in page and "<b>加粗</b>" not in page
    assert client.get(f"/disclosures/{disclosure.id}/diff?from=1&to=5").status_code == 404


def test_a_withdrawn_disclosure_stays_reachable_with_its_reason_on_top(app, client):
    staff = make_user("editor@example.org", roles=("editor",))
    disclosure = make_disclosure(body_md="原来的正文")
    db.session.commit()
    service.withdraw(disclosure, "统计口径有误，将重新公示。", actor=staff)
    response = client.get(f"/disclosures/{disclosure.id}")
    assert response.status_code == 200
    page = text(response).split('id="main"', 1)[1]
    assert page.index("统计口径有误，将重新公示。") < page.index("原来的正文")
    assert "已撤回" in page


def sql_totals(*conditions):
    row = db.session.execute(select(
        func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)), 0),
        func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)), 0),
    ).where(LedgerEntry.voided.is_(False), *conditions)).one()
    return int(row[0]), int(row[1])


def test_the_ledger_summary_equals_sql_totals_of_the_period_without_voided_lines(app, client):
    fund = make_fund()
    project = make_project(fund_id=fund.id)
    other = make_project(fund_id=fund.id)
    make_entry(fund, 500_000, project_id=project.id, occurred_on=date(2024, 10, 8), category="捐赠收入")
    make_entry(fund, 123_456, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 11, 2), category="助学金")
    make_entry(fund, 10_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 12, 31), category="物资")
    make_entry(fund, 999_900, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 11, 3),
               category="助学金", voided=True, void_reason="录入错误")
    make_entry(fund, 777_700, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2025, 1, 1), category="物资")
    make_entry(fund, 555_500, EntryKind.EXPENSE, project_id=other.id, occurred_on=date(2024, 11, 3), category="物资")
    disclosure = make_disclosure(project_id=project.id, period_start=date(2024, 10, 1), period_end=date(2024, 12, 31))
    db.session.commit()

    income, expense = sql_totals(LedgerEntry.project_id == project.id,
                                 LedgerEntry.occurred_on.between(date(2024, 10, 1), date(2024, 12, 31)))
    assert (income, expense) == (500_000, 133_456)
    page = text(client.get(f"/disclosures/{disclosure.id}"))
    summary = page[page.index("本期收支汇总"):]
    assert "¥5,000.00" in summary and "¥1,334.56" in summary and "¥3,665.44" in summary
    assert "¥1,234.56" in summary and "¥100.00" in summary
    assert "9,999.00" not in summary and "7,777.00" not in summary and "5,555.00" not in summary
    if "ledger.index" in app.view_functions:
        assert f"project={project.slug}" in summary and "from=2024-10-01" in summary and "to=2024-12-31" in summary


def test_a_project_paid_from_funds_names_them_and_shows_no_deficit(app, client):
    """Gifts went to the funds, which paid for the work: income ¥0 minus spending is not a deficit."""
    general, named = make_fund(title="慈善基金（非定向）"), make_fund(title="紫坭村社区慈善基金")
    project = make_project()
    make_entry(general, 900_000, occurred_on=date(2024, 10, 2))  # the fund's own income, not the project's
    make_entry(general, 300_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 11, 2))
    make_entry(named, 50_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 12, 2))
    make_entry(named, 70_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2025, 1, 2))  # not in the period
    disclosure = make_disclosure(project_id=project.id, period_start=date(2024, 10, 1), period_end=date(2024, 12, 31))
    db.session.commit()
    for url in (f"/disclosures/{disclosure.id}", f"/disclosures/{disclosure.id}/print"):
        summary = text(client.get(url)).split("本期收支汇总", 1)[1]
        assert "由以下基金支付" in summary
        paid = summary.split("由以下基金支付", 1)[1]
        assert re.search(r"慈善基金（非定向）</td><td class=\"num\">¥3,000.00<", paid)
        assert re.search(r"紫坭村社区慈善基金</td><td class=\"num\">¥500.00<", paid)
        assert paid.index("慈善基金（非定向）") < paid.index("紫坭村社区慈善基金")  # largest first
        assert "-¥" not in summary and 'data-total="balance"' not in summary
        assert "由基金支付项目的支出，因此这里不计算收支相抵" in summary


def test_a_project_with_its_own_gifts_keeps_income_minus_expenditure(app, client):
    fund = make_fund(title="助学基金")
    project = make_project()
    make_entry(fund, 100_000, project_id=project.id, occurred_on=date(2024, 10, 2))
    make_entry(fund, 40_000, EntryKind.EXPENSE, project_id=project.id, occurred_on=date(2024, 11, 2))
    disclosure = make_disclosure(project_id=project.id, period_start=date(2024, 10, 1), period_end=date(2024, 12, 31))
    db.session.commit()
    summary = text(client.get(f"/disclosures/{disclosure.id}")).split("本期收支汇总", 1)[1]
    assert re.search(r'收支相抵</th><td class="num" data-total="balance">¥600.00<', summary)
    assert "由基金支付项目的支出" not in summary


@pytest.mark.parametrize("kind", [DisclosureKind.ANNUAL_REPORT, DisclosureKind.FINANCIAL_REPORT])
def test_an_organisation_wide_report_shows_the_sites_ledger_for_its_period_labelled_as_such(app, client, kind):
    first, second = make_fund(), make_fund()
    make_entry(first, 100_00, occurred_on=date(2024, 3, 1))
    make_entry(second, 250_00, EntryKind.EXPENSE, occurred_on=date(2024, 3, 2))
    make_entry(second, 900_00, occurred_on=date(2023, 3, 2))
    disclosure = make_disclosure(kind=kind, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
                                 body_md="全年收入209.53万元。")
    db.session.commit()
    for url in (f"/disclosures/{disclosure.id}", f"/disclosures/{disclosure.id}/print"):
        page = text(client.get(url))
        assert "本期收支汇总" not in page and "本会全部收支" not in page
        summary = page.split("本站收支明细中的本期记录", 1)[1]
        assert "不是本报告自己的数字" in summary  # a reader does not take the two for one another
        assert "¥100.00" in summary and "¥250.00" in summary and "¥900.00" not in summary


@pytest.mark.parametrize("kind", [kind for kind in DisclosureKind if not kind.is_organisation_wide])
def test_other_disclosures_naming_no_project_or_fund_show_no_ledger_figures(app, client, kind):
    """A quarterly report on several projects, an external example's notice: the site's totals would mislead."""
    make_entry(make_fund(), 100_00, occurred_on=date(2024, 3, 1))
    disclosure = make_disclosure(kind=kind, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    db.session.commit()
    for url in (f"/disclosures/{disclosure.id}", f"/disclosures/{disclosure.id}/print"):
        page = text(client.get(url))
        assert disclosure.title in page
        assert "本期收支汇总" not in page and "本站收支明细中的本期记录" not in page and "¥100.00" not in page


def test_an_annual_report_without_a_period_shows_no_ledger_figures(app, client):
    make_entry(make_fund(), 100_00, occurred_on=date(2024, 3, 1))
    disclosure = make_disclosure(kind=DisclosureKind.ANNUAL_REPORT)
    db.session.commit()
    assert "¥100.00" not in text(client.get(f"/disclosures/{disclosure.id}"))


def test_the_demo_disclosures_show_only_their_own_projects_and_funds(app, client, demo):
    """Each summary is of the disclosure's own projects (the quarterly report: its eight) or fund, never the site's."""
    for disclosure in db.session.scalars(select(Disclosure).where(Disclosure.status == DisclosureStatus.PUBLISHED)):
        page = text(client.get(f"/disclosures/{disclosure.id}"))
        assert "本站收支明细中的本期记录" not in page, disclosure.slug
        assert disclosure.projects or disclosure.fund_id, disclosure.slug
        names = [project.title for project in disclosure.projects] or [disclosure.fund.title]
        assert "本期收支汇总" in page, disclosure.slug
        assert all(name in page.split("本期收支汇总", 1)[1] for name in names), disclosure.slug


def test_the_print_page_has_the_foot_and_a_qr_code_and_no_site_navigation(app, client):
    make_site_settings(org_name="广州市番禺区慈善会", supervision_phone="020-1234 5678")
    published_at = utcnow().replace(year=2024, month=10, day=1, hour=2)
    disclosure = make_disclosure(title="关于2024年三季度经费使用情况的公示", published_at=published_at,
                                 body_md="| 项目 | 金额 |\n|---|---|\n| 助学 | 100元 |")
    db.session.commit()
    page = text(client.get(f"/disclosures/{disclosure.id}/print"))
    foot = page[page.index('class="print-foot"'):]
    assert "广州市番禺区慈善会" in foot and "2024年10月1日" in foot and "监督电话" in foot and "020-1234 5678" in foot
    assert "<svg" in foot and f"/disclosures/{disclosure.id}" in foot
    assert "<table>" in page or "<table" in page
    assert 'class="main-nav"' not in page and 'class="site-footer"' not in page
    assert "<script>" not in page and "onclick" not in page
