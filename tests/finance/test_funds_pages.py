"""Public fund pages: /funds (search, type, pagination, totals) and /funds/<slug>."""

from __future__ import annotations

import re
from datetime import date

from factories import make_disclosure, make_entry, make_fund, make_project
from test_public_ledger import fen
from test_query_counts import queries_for

from charity_site.core import slugs
from charity_site.extensions import db
from charity_site.finance import charts
from charity_site.models import DisclosureStatus, EntryKind, FundKind, PublicationStatus


def fund_figures(html: str) -> dict[str, dict[str, int]]:
    """{fund slug: {income, expense, balance}} as shown on /funds."""
    result = {}
    for slug, block in re.findall(r'data-fund="([^"]+)"(.*?)</li>', html, re.S):
        result[slug] = {name: fen(text) for name, text in re.findall(r'data-fig="(\w+)">([^<]+)<', block)}
    return result


def test_each_fund_shows_its_own_income_expenditure_and_balance(app, client):
    first, second = make_fund(kind=FundKind.GENERAL), make_fund(kind=FundKind.COMMUNITY, area="沙湾镇")
    make_entry(first, 100_00)
    make_entry(first, 30_00, EntryKind.EXPENSE)
    make_entry(first, 999_00, voided=True, void_reason="错账")
    make_entry(second, 50_00)
    db.session.commit()

    html = client.get("/funds/").get_data(as_text=True)

    figures = fund_figures(html)
    assert figures[first.slug] == {"income": 100_00, "expense": 30_00, "balance": 70_00}
    assert figures[second.slug] == {"income": 50_00, "expense": 0, "balance": 50_00}
    assert "共 2 个基金" in html and "结余 ¥120.00" in html


def test_search_by_name_or_area_and_filter_by_type(app, client):
    make_fund(title="大岭村社区慈善基金", area="石楼镇", kind=FundKind.COMMUNITY)
    make_fund(title="紫坭村社区慈善基金", area="沙湾镇", kind=FundKind.COMMUNITY)
    make_fund(title="助学冠名基金", area="", kind=FundKind.NAMED)
    draft = make_fund(title="大岭村草稿基金", status=PublicationStatus.DRAFT, published_at=None)
    db.session.commit()

    by_name = client.get("/funds/?q=大岭").get_data(as_text=True)
    by_area = client.get("/funds/?q=沙湾").get_data(as_text=True)
    named = client.get("/funds/?kind=named").get_data(as_text=True)
    bad_kind = client.get("/funds/?kind=secret").get_data(as_text=True)

    assert "大岭村社区慈善基金" in by_name and "紫坭村" not in by_name and draft.title not in by_name
    assert "紫坭村社区慈善基金" in by_area and "大岭村" not in by_area
    assert "助学冠名基金" in named and "社区慈善基金</a>" not in named
    assert len(fund_figures(bad_kind)) == 3
    assert "没有找到符合条件的基金" in client.get("/funds/?q=不存在").get_data(as_text=True)


def test_the_list_pages_twenty_funds_at_a_time(app, client):
    for number in range(45):
        make_fund(title=f"社区慈善基金{number:03d}", kind=FundKind.COMMUNITY)
    db.session.commit()

    pages = [fund_figures(client.get(f"/funds/?kind=community&page={page}").get_data(as_text=True))
             for page in (1, 2, 3)]

    assert [len(page) for page in pages] == [20, 20, 5]
    assert len(set().union(*pages)) == 45
    assert "kind=community" in re.search(r'href="[^"]*page=2[^"]*"', client.get("/funds/?kind=community").get_data(as_text=True)).group(0)
    assert client.get("/funds/?page=4&kind=community").status_code == 404


def test_funds_list_runs_the_same_queries_for_one_fund_and_for_sixty(app, client):
    fund = make_fund()
    make_entry(fund, 100)
    db.session.commit()
    with_one = queries_for(client, "/funds/")
    for _ in range(59):
        other = make_fund()
        make_entry(other, 100)
        make_entry(other, 50, EntryKind.EXPENSE)
    db.session.commit()
    with_sixty = queries_for(client, "/funds/")

    assert with_one == with_sixty
    assert with_sixty <= 8


def test_the_fund_page_shows_money_projects_lines_disclosures_and_months(app, client):
    fund = make_fund(body_md="本基金用于**助学**。")
    other = make_fund()
    project = make_project(fund_id=fund.id, budget_fen=1_000_00, title="助学项目甲")
    elsewhere = make_project(fund_id=other.id, title="外基金项目乙")
    make_entry(fund, 800_00, occurred_on=date(2024, 3, 5))
    make_entry(fund, 300_00, EntryKind.EXPENSE, project_id=project.id, category="助学", occurred_on=date(2024, 4, 1))
    make_entry(fund, 200_00, EntryKind.EXPENSE, project_id=elsewhere.id, category="慰问", occurred_on=date(2024, 4, 9))
    make_entry(other, 100_00, EntryKind.EXPENSE, project_id=project.id, category="助学", occurred_on=date(2024, 4, 2))
    make_entry(fund, 55_00, EntryKind.EXPENSE, voided=True, void_reason="重复", occurred_on=date(2024, 5, 1))
    make_disclosure(fund_id=fund.id, title="关于助学基金使用情况的公示")
    make_disclosure(fund_id=fund.id, title="未发布的公示", status=DisclosureStatus.DRAFT, published_at=None)
    db.session.commit()

    html = client.get(f"/funds/{fund.slug}").get_data(as_text=True)

    assert "<strong>助学</strong>" in html
    assert fen(re.search(r'data-fact="balance">([^<]+)<', html).group(1)) == 300_00
    assert fen(re.search(r'data-fact="expense">([^<]+)<', html).group(1)) == 500_00
    # Projects it finances: its own, and one whose spending was booked to it.
    row = re.search(rf'data-project="{project.slug}">(.*?)</tr>', html, re.S).group(1)
    assert [fen(cell) for cell in re.findall(r'<td class="num">([^<]+)</td>', row) if "¥" in cell] == [
        1_000_00, 400_00, 300_00]
    assert f'data-project="{elsewhere.slug}"' in html
    # Monthly table and charts with their titles.
    assert 'data-month="2024-04"' in html and 'data-month="2024-03"' in html
    # Three charts, each drawn once per width (the column shows one of them).
    assert html.count('<figure class="chart"') == 3 and html.count('role="img"') == 3 * len(charts.WIDTHS)
    assert "查看数据" in html
    # Latest lines, with the link to all of them, and public disclosures only.
    assert "重复" in html
    assert f"/ledger/?fund={fund.slug}" in html
    assert "关于助学基金使用情况的公示" in html and "未发布的公示" not in html


def test_a_renamed_fund_answers_301_and_a_draft_is_404(app, client):
    fund = make_fund(slug="new-name")
    slugs.remember_old_slug("fund", "old-name", fund.id)
    draft = make_fund(status=PublicationStatus.DRAFT, published_at=None)
    db.session.commit()

    response = client.get("/funds/old-name")

    assert response.status_code == 301 and response.headers["Location"].endswith("/funds/new-name")
    assert client.get(f"/funds/{draft.slug}").status_code == 404


def test_an_empty_fund_page_says_what_is_missing(app, client):
    fund = make_fund()
    db.session.commit()
    html = client.get(f"/funds/{fund.slug}").get_data(as_text=True)
    assert "本基金暂无收支记录" in html and "本基金暂无已公开的资助项目" in html
