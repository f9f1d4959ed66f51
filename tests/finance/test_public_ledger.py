"""The public ledger /ledger: filters, totals, voided lines, masked names, running balance, speed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from factories import make_entry, make_fund, make_project
from sqlalchemy import select

from charity_site.extensions import db
from charity_site.finance import queries as ledger_queries
from charity_site.models import CounterpartyType, EntryKind, Fund, LedgerEntry, PublicationStatus

MONEY = re.compile(r"(-?)¥([\d,]+)\.(\d\d)")


def fen(text: str) -> int:
    sign, yuan, cents = MONEY.search(text).groups()
    value = int(yuan.replace(",", "")) * 100 + int(cents)
    return -value if sign else value


def shown_total(html: str, which: str) -> int:
    return fen(re.search(rf'data-total="{which}">([^<]+)<', html).group(1))


def shown_ids(html: str) -> list[int]:
    return [int(number) for number in re.findall(r'data-entry="(\d+)"', html)]


def shown_balances(html: str) -> dict[int, int]:
    rows = re.findall(r'data-entry="(\d+)".*?data-balance>([^<]+)<', html, re.S)
    return {int(entry_id): fen(text) for entry_id, text in rows}


def test_filters_combine_and_totals_match_the_lines_shown(app, client):
    fund, other = make_fund(), make_fund()
    project = make_project(fund_id=fund.id)
    wanted = [
        make_entry(fund, 30_000, EntryKind.EXPENSE, category="慰问", project_id=project.id, occurred_on=date(2024, 5, 2)),
        make_entry(fund, 12_345, EntryKind.EXPENSE, category="慰问", project_id=project.id, occurred_on=date(2024, 6, 9)),
    ]
    make_entry(fund, 99_900, EntryKind.EXPENSE, category="救助", project_id=project.id, occurred_on=date(2024, 5, 3))
    make_entry(fund, 50_000, EntryKind.INCOME, project_id=project.id, occurred_on=date(2024, 5, 4))
    make_entry(other, 70_000, EntryKind.EXPENSE, category="慰问", project_id=project.id, occurred_on=date(2024, 5, 5))
    make_entry(fund, 80_000, EntryKind.EXPENSE, category="慰问", project_id=project.id, occurred_on=date(2023, 1, 5))
    db.session.commit()

    html = client.get(f"/ledger/?fund={fund.slug}&project={project.slug}&kind=expense&category=慰问"
                      "&from=2024-01-01&to=2024-12-31").get_data(as_text=True)

    assert sorted(shown_ids(html)) == sorted(entry.id for entry in wanted)
    assert shown_total(html, "expense") == 42_345
    assert shown_total(html, "income") == 0
    assert shown_total(html, "net") == -42_345
    # The page is newest first.
    assert shown_ids(html) == [wanted[1].id, wanted[0].id]


def test_a_voided_line_is_shown_struck_through_with_its_reason_and_not_counted(app, client):
    fund = make_fund()
    make_entry(fund, 100_000, occurred_on=date(2024, 1, 1))
    make_entry(fund, 5_000, EntryKind.EXPENSE, occurred_on=date(2024, 1, 2))
    voided = make_entry(fund, 777_700, occurred_on=date(2024, 1, 3), voided=True, void_reason="金额录入错误，已重新登记")
    db.session.commit()

    html = client.get(f"/ledger/?fund={fund.slug}").get_data(as_text=True)

    assert voided.id in shown_ids(html)
    assert "金额录入错误，已重新登记" in html
    assert "<s>¥7,777.00</s>" in html
    assert shown_total(html, "income") == 100_000
    assert shown_total(html, "net") == 95_000
    assert "不计入合计" in html


def test_person_counterparties_are_masked(app, client):
    fund = make_fund()
    make_entry(fund, 1_000, counterparty="欧阳建国", counterparty_type=CounterpartyType.PERSON)
    make_entry(fund, 2_000, counterparty="广州某某有限公司", counterparty_type=CounterpartyType.ORGANISATION)
    db.session.commit()

    html = client.get("/ledger/").get_data(as_text=True)

    assert "欧阳建国" not in html
    assert "欧**" in html and "欧***" not in html  # as long as any other masked name
    assert "广州某某有限公司" in html


def test_invalid_filter_values_are_ignored(app, client):
    fund = make_fund()
    make_entry(fund, 1_000)
    make_entry(fund, 2_000, EntryKind.EXPENSE)
    db.session.commit()
    plain = client.get("/ledger/").get_data(as_text=True)

    response = client.get("/ledger/?fund=no-such-fund&project=nope&kind=gift&category=零食&channel=信鸽"
                          "&from=2024-13-45&to=yesterday")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_ids(html) == shown_ids(plain)
    assert shown_total(html, "net") == shown_total(plain, "net") == -1_000


def test_lines_of_unpublished_funds_and_projects_are_not_public(app, client):
    public_fund = make_fund()
    draft_fund = make_fund(status=PublicationStatus.DRAFT, published_at=None)
    draft_project = make_project(status=PublicationStatus.DRAFT, published_at=None)
    shown = make_entry(public_fund, 1_000)
    make_entry(draft_fund, 2_000, summary="草稿基金的收入")
    make_entry(public_fund, 4_000, project_id=draft_project.id, summary="草稿项目的支出", kind=EntryKind.EXPENSE)
    db.session.commit()

    html = client.get("/ledger/").get_data(as_text=True)

    assert shown_ids(html) == [shown.id]
    assert "草稿基金" not in html and "草稿项目" not in html
    assert shown_total(html, "net") == 1_000
    assert client.get(f"/ledger/?fund={draft_fund.slug}").get_data(as_text=True).count("data-entry=") == 1


def make_long_ledger(fund, other, lines: int = 123):
    """Lines over many days (several a day) in ``fund``, some voided, and some of another fund between them."""
    entries = []
    for number in range(lines):
        kind = EntryKind.EXPENSE if number % 3 == 0 else EntryKind.INCOME
        entries.append(make_entry(
            fund, 1_000 + number * 37, kind, occurred_on=date(2023, 1, 1) + timedelta(days=number // 2),
            voided=number % 10 == 7, void_reason="重复登记" if number % 10 == 7 else "",
        ))
        if number % 5 == 0:
            make_entry(other, 9_999_00, occurred_on=date(2023, 1, 1) + timedelta(days=number // 2))
    db.session.commit()
    return entries


def expected_balances(entries) -> dict[int, int]:
    balance, result = 0, {}
    for entry in sorted(entries, key=lambda entry: (entry.occurred_on, entry.id)):
        if not entry.voided:
            balance += entry.amount_fen if entry.kind is EntryKind.INCOME else -entry.amount_fen
        result[entry.id] = balance
    return result


def test_running_balance_is_right_on_the_first_and_the_last_page(app, client):
    fund, other = make_fund(), make_fund()
    entries = make_long_ledger(fund, other)
    expected = expected_balances(entries)

    first = client.get(f"/ledger/?fund={fund.slug}").get_data(as_text=True)
    last = client.get(f"/ledger/?fund={fund.slug}&page=3").get_data(as_text=True)

    first_balances, last_balances = shown_balances(first), shown_balances(last)
    assert len(first_balances) == 50 and len(last_balances) == 23
    assert first_balances == {entry_id: expected[entry_id] for entry_id in first_balances}
    assert last_balances == {entry_id: expected[entry_id] for entry_id in last_balances}
    # The newest line's balance is the fund's balance, and the totals agree with it.
    newest = max(entries, key=lambda entry: (entry.occurred_on, entry.id))
    assert first_balances[newest.id] == shown_total(first, "net")
    # No balance column without exactly one fund chosen.
    assert "data-balance" not in client.get("/ledger/").get_data(as_text=True)


def test_the_balance_ignores_other_filters_but_stays_the_funds_balance(app, client):
    fund, other = make_fund(), make_fund()
    entries = make_long_ledger(fund, other, lines=40)
    expected = expected_balances(entries)

    html = client.get(f"/ledger/?fund={fund.slug}&kind=expense").get_data(as_text=True)

    balances = shown_balances(html)
    assert balances and balances == {entry_id: expected[entry_id] for entry_id in balances}


def test_every_page_lists_each_line_once_newest_first(app):
    fund, other = make_fund(), make_fund()
    make_long_ledger(fund, other, lines=110)
    everything = list(db.session.scalars(
        select(LedgerEntry.id).order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())
    ))
    filters = ledger_queries.LedgerFilters()

    with app.test_request_context():
        pages = [ledger_queries.ledger_page(filters, page, per_page=20) for page in range(1, 8)]

    assert [entry.id for page in pages for entry in page.entries] == everything
    assert pages[-1].pagination.pages == 7 and not pages[-1].pagination.has_next


def test_pagination_links_keep_the_filters_and_a_page_past_the_end_is_404(app, client):
    fund, other = make_fund(), make_fund()
    make_long_ledger(fund, other, lines=160)

    html = client.get(f"/ledger/?fund={fund.slug}&kind=income").get_data(as_text=True)

    assert f"fund={fund.slug}" in html and "kind=income" in html and "page=2" in html
    assert re.search(r'href="[^"]*page=2[^"]*"', html).group(0).count("kind=income") == 1
    assert client.get(f"/ledger/?fund={fund.slug}&page=99").status_code == 404
    assert client.get("/ledger/?page=0").status_code == 404


def test_an_empty_ledger_says_so(app, client):
    html = client.get("/ledger/").get_data(as_text=True)
    assert "暂未公布收支记录" in html
    fund = make_fund()
    make_entry(fund, 1_000, EntryKind.INCOME)
    db.session.commit()
    assert "没有符合筛选条件" in client.get("/ledger/?kind=expense").get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?fund={fund}", "?fund={fund}&page=2", "?kind=expense&category=救助"])
def test_the_ledger_runs_the_same_queries_for_few_and_many_lines(app, client, query):
    from test_query_counts import queries_for

    fund, other = make_fund(), make_fund()
    fund_ids = (fund.id, other.id)
    make_project(fund_id=fund.id)
    make_long_ledger(fund, other, lines=60)
    path = "/ledger/" + query.format(fund=fund.slug)
    with_few = queries_for(client, path)
    fund, other = (db.session.get(Fund, fund_id) for fund_id in fund_ids)  # queries_for started a new session
    make_long_ledger(fund, other, lines=200)
    with_many = queries_for(client, path)

    assert with_few == with_many, f"{path}: {with_few} then {with_many} queries"
    assert with_many <= 10


def test_the_project_page_links_to_its_ledger_lines(app, client):
    fund = make_fund()
    project = make_project(fund_id=fund.id)
    make_entry(fund, 3_000, EntryKind.EXPENSE, project_id=project.id, category="助学")
    db.session.commit()

    html = client.get(f"/projects/{project.slug}").get_data(as_text=True)

    assert f"/ledger/?project={project.slug}" in html
    assert "查看本项目全部收支明细" in html
    assert 'role="img"' in html and "助学" in html
    assert "查看数据" in html
