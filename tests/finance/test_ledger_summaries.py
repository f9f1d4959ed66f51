"""The summary tables (fund_money, project_money) stay equal to the sums of the lines, whatever writes them."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from factories import make_entry, make_fund, make_project
from sqlalchemy import delete, func, select, text, update
from test_public_ledger import shown_ids, shown_total

from charity_site.core.models import PublicationStatus
from charity_site.core.public_changes import public_change_now
from charity_site.extensions import db
from charity_site.finance import ledger, money, public_lines, summaries
from charity_site.finance import queries as finance_queries
from charity_site.models import EntryKind, FundMoney, LedgerEntry, ProjectMoney


def fund_row(fund) -> tuple[int, int, int]:
    row = db.session.get(FundMoney, fund.id)
    db.session.refresh(row)
    return row.income_fen, row.expense_fen, row.line_count


def project_row(project) -> tuple[int, int, int]:
    row = db.session.get(ProjectMoney, project.id)
    db.session.refresh(row)
    return row.income_fen, row.expense_fen, row.line_count


def assert_exact() -> None:
    assert summaries.differences() == []


def test_recording_and_voiding_keep_the_totals(app, finance):
    fund, project = make_fund(), make_project()
    first = make_entry(fund, 10_000)
    spent = make_entry(fund, 3_000, EntryKind.EXPENSE, project_id=project.id)
    assert fund_row(fund) == (10_000, 3_000, 2)
    assert project_row(project) == (0, 3_000, 1)

    ledger.void_entry(spent, "重复登记", finance)
    assert fund_row(fund) == (10_000, 0, 2)  # a voided line still counts as a line the ledger lists
    assert project_row(project) == (0, 0, 1)
    values = {**ledger.correction_values(spent), "voucher_no": "FIX-1", "amount_fen": 2_500}
    ledger.record_entry(values, finance, corrects=spent)
    db.session.commit()
    assert fund_row(fund) == (10_000, 2_500, 3)
    assert project_row(project) == (0, 2_500, 2)
    assert money.fund_totals([fund.id])[fund.id] == money.MoneyTotals(10_000, 2_500)
    assert first.id and (fund_row(fund), project_row(project)) == ((10_000, 2_500, 3), (0, 2_500, 2))
    assert_exact()


def test_editing_moving_and_deleting_lines_keep_the_totals(app):
    fund, other = make_fund(), make_fund()
    project, other_project = make_project(), make_project()
    entry = make_entry(fund, 5_000, project_id=project.id)
    make_entry(other, 700)

    entry.amount_fen = 6_000  # an edit through the ORM
    db.session.flush()
    assert fund_row(fund) == (6_000, 0, 1) and project_row(project) == (6_000, 0, 1)
    entry.kind = EntryKind.EXPENSE
    entry.category = "救助"
    db.session.flush()
    assert fund_row(fund) == (0, 6_000, 1)
    entry.fund_id, entry.project_id = other.id, other_project.id  # moved to another fund and project
    db.session.flush()
    assert fund_row(fund) == (0, 0, 0) and fund_row(other) == (700, 6_000, 2)
    assert project_row(project) == (0, 0, 0) and project_row(other_project) == (0, 6_000, 1)
    db.session.execute(text("UPDATE ledger_entries SET amount_fen = amount_fen * 2, project_id = NULL"))  # raw SQL
    assert fund_row(other) == (1_400, 12_000, 2) and project_row(other_project) == (0, 0, 0)
    db.session.execute(update(LedgerEntry).where(LedgerEntry.id == entry.id).values(voided=True))
    assert fund_row(other) == (1_400, 0, 2)
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.id == entry.id))
    assert fund_row(other) == (1_400, 0, 1)
    db.session.commit()
    assert_exact()


def test_a_rolled_back_line_leaves_the_totals_as_they_were(app):
    fund = make_fund()
    make_entry(fund, 1_000)
    db.session.commit()
    make_entry(fund, 2_000)
    db.session.rollback()
    assert fund_row(fund) == (1_000, 0, 1)


def test_an_import_keeps_the_totals(app, tmp_path, fund, finance):
    from test_ledger_import import csv_bytes, expected_fen, preview_of, sample_rows

    from charity_site.finance import ledger_import

    rows = sample_rows(12)
    preview = preview_of(tmp_path, "lines.csv", csv_bytes(rows))
    assert preview.ok, preview.problems
    assert ledger_import.import_rows(preview, finance) == 12
    db.session.commit()

    assert fund_row(fund) == (expected_fen(rows, "收入"), expected_fen(rows, "支出"), 12)
    assert_exact()


def test_public_totals_leave_out_hidden_funds_and_projects(app, client):
    public_fund = make_fund()
    draft_fund = make_fund(status=PublicationStatus.DRAFT, published_at=None)
    draft_project = make_project(status=PublicationStatus.DRAFT, published_at=None)
    public_project = make_project(fund_id=public_fund.id)
    make_entry(public_fund, 1_000, project_id=public_project.id)
    make_entry(public_fund, 400, EntryKind.EXPENSE, project_id=draft_project.id)
    make_entry(draft_fund, 2_000, project_id=public_project.id)
    make_entry(draft_fund, 50, EntryKind.EXPENSE)
    db.session.commit()

    with app.test_request_context("/"):
        public = public_lines.public_line_conditions()
        assert money.ledger_totals(*public) == money.MoneyTotals(1_000, 0)
        assert money.count_and_totals(*public) == (1, money.MoneyTotals(1_000, 0))
        assert money.fund_totals([public_fund.id, draft_fund.id]) == {
            public_fund.id: money.MoneyTotals(1_000, 0), draft_fund.id: money.MoneyTotals()}
        assert money.project_totals([public_project.id, draft_project.id]) == {
            public_project.id: money.MoneyTotals(1_000, 0), draft_project.id: money.MoneyTotals()}
        funds = money.public_totals_subquery(LedgerEntry.fund_id)
        assert dict(db.session.execute(select(funds.c.owner_id, funds.c.income_fen - funds.c.expense_fen)).all()) == {
            public_fund.id: 1_000}
        projects = money.public_totals_subquery(LedgerEntry.project_id)
        assert dict(db.session.execute(select(projects.c.owner_id, projects.c.income_fen)).all()) == {
            public_project.id: 1_000}
    assert money.ledger_totals() == money.MoneyTotals(3_000, 450)  # staff: every line
    assert shown_total(client.get("/ledger/").get_data(as_text=True), "net") == 1_000
    assert shown_total(client.get(f"/ledger/?project={public_project.slug}").get_data(as_text=True), "net") == 1_000


def test_the_running_balance_from_the_newest_end_leaves_out_hidden_projects(app, client):
    fund = make_fund()
    draft_project = make_project(status=PublicationStatus.DRAFT, published_at=None)
    for day in range(1, 61):
        make_entry(fund, 100 * day, occurred_on=date(2024, 1, 1 + day % 28), summary=f"第{day}笔")
    make_entry(fund, 999_999, occurred_on=date(2024, 1, 1), project_id=draft_project.id)
    db.session.commit()

    html = client.get(f"/ledger/?fund={fund.slug}").get_data(as_text=True)

    assert shown_total(html, "net") == sum(100 * day for day in range(1, 61))
    assert f"data-balance>{shown_total(html, 'net') / 100:,.2f}" in html.replace("¥", "")


def home_income(app) -> str:
    page = app.test_client().get("/").get_data(as_text=True)
    return page.split('data-stat="income">', 1)[1].split("<", 1)[0]


def test_rebuild_totals_finds_and_mends_differences(app):
    fund, project = make_fund(), make_project()
    make_entry(fund, 1_000, project_id=project.id)
    db.session.commit()
    assert home_income(app) == "¥10.00"
    db.session.execute(update(FundMoney).values(income_fen=5))
    db.session.execute(delete(ProjectMoney))
    db.session.commit()
    public_change_now()  # the corruption shows (as after `flask cache clear`)
    assert home_income(app) == "¥0.05"
    runner = app.test_cli_runner()

    checked = runner.invoke(args=["ledger", "rebuild-totals", "--check"])
    assert checked.exit_code == 1
    assert f"fund {fund.id}" in checked.output and f"project {project.id}" in checked.output
    assert "2 fund or project totals differ" in checked.output

    rebuilt = runner.invoke(args=["ledger", "rebuild-totals"])
    assert rebuilt.exit_code == 0 and "2 fund or project totals were wrong" in rebuilt.output
    db.session.expire_all()
    assert fund_row(fund) == (1_000, 0, 1) and project_row(project) == (1_000, 0, 1)
    assert runner.invoke(args=["ledger", "rebuild-totals", "--check"]).exit_code == 0
    assert home_income(app) == "¥10.00"  # the mended totals show at once, cached pages or not


def test_many_funds_and_projects_are_chosen_by_name(app, client, monkeypatch):
    monkeypatch.setattr(finance_queries, "CHOICES_LIMIT", 2)
    funds = [make_fund(title=f"社区基金{n}") for n in range(3)]
    project = make_project(title="长者饭堂")
    lines = {fund.id: make_entry(fund, 1_000 + n) for n, fund in enumerate(funds)}
    db.session.commit()

    page = client.get("/ledger/").get_data(as_text=True)
    assert "<select id=\"filter-fund\"" not in page and 'placeholder="基金/项目名称"' in page
    by_slug = client.get(f"/ledger/?fund={funds[1].slug}").get_data(as_text=True)
    assert shown_ids(by_slug) == [lines[funds[1].id].id]
    assert f'value="{funds[1].title}"' in by_slug  # the chosen fund, shown by name
    by_name = client.get("/ledger/?fund=社区基金2").get_data(as_text=True)
    assert shown_ids(by_name) == [lines[funds[2].id].id]
    assert "<select id=\"filter-project\"" in page and project.title in page  # one project: still a list


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_writers_on_one_fund_at_once_add_up(app):
    fund = make_fund()
    db.session.commit()
    fund_id, per_thread = fund.id, 40
    start = threading.Barrier(2)
    failures = []

    def write(kind: EntryKind) -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                for number in range(per_thread):
                    make_entry(db.session.get(type(fund), fund_id), 100 + number, kind)
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=write, args=(kind,)) for kind in (EntryKind.INCOME, EntryKind.EXPENSE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    expected = sum(100 + number for number in range(per_thread))
    assert fund_row(fund) == (expected, expected, 2 * per_thread)
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 2 * per_thread
    assert_exact()
