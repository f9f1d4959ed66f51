"""Property: every total the site shows equals the plain sum of the non-voided lines behind it, and the
summary tables (fund_money, project_money) equal the lines after any sequence of writes."""

from __future__ import annotations

import re
from datetime import date, timedelta

from factories import make_disclosure, make_entry, make_fund, make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from test_public_ledger import fen, shown_total

from charity_site.core.formatting import format_amount, money_unit
from charity_site.extensions import db
from charity_site.finance import money, summaries
from charity_site.models import (
    Disclosure,
    DisclosureRevision,
    EntryKind,
    Fund,
    FundMoney,
    LedgerEntry,
    Project,
    ProjectMoney,
)

LINE = st.fixed_dictionaries({
    "fund": st.integers(0, 2),
    "project": st.one_of(st.none(), st.integers(0, 2)),
    "kind": st.sampled_from(list(EntryKind)),
    "amount": st.one_of(st.integers(1, 1_000), st.integers(1, 10**11)),
    "voided": st.booleans(),
    "day": st.integers(0, 800),
})


# Changes to lines already written: (what, which line, a number for the new value).
EDITS = st.lists(st.tuples(st.sampled_from(["void", "amount", "fund", "project", "kind"]), st.integers(0, 29),
                           st.integers(1, 10**9)), max_size=12)


def apply_edits(entries, lines, edits, funds, projects) -> None:
    """Change the written lines as staff or an administrator might (void, edit, move), and ``lines`` alike."""
    for what, index, number in edits:
        if index >= len(entries):
            continue
        entry, line = entries[index], lines[index]
        if what == "void":
            entry.voided, line["voided"] = True, True
        elif what == "amount":
            entry.amount_fen = line["amount"] = number
        elif what == "fund":
            line["fund"] = number % 3
            entry.fund_id = funds[line["fund"]].id
        elif what == "project":
            line["project"] = None if number % 4 == 3 else number % 4
            entry.project_id = None if line["project"] is None else projects[line["project"]].id
        else:
            line["kind"] = EntryKind.EXPENSE if line["kind"] is EntryKind.INCOME else EntryKind.INCOME
            entry.kind = line["kind"]
        db.session.flush()


def assert_summaries_equal_the_lines(lines, funds, projects) -> None:
    assert summaries.differences() == []
    for number, fund in enumerate(funds):
        own = expected(lines, fund=number)
        count = sum(1 for line in lines if line["fund"] == number)
        row = db.session.get(FundMoney, fund.id)
        assert (row.income_fen, row.expense_fen, row.line_count) == (own.income_fen, own.expense_fen, count) \
            if row else own == money.MoneyTotals() and count == 0
    for number, project in enumerate(projects):
        own = expected(lines, project=number)
        row = db.session.get(ProjectMoney, project.id)
        assert (row.income_fen, row.expense_fen) == (own.income_fen, own.expense_fen) if row else own.income_fen == 0


def reset_ledger() -> None:
    db.session.rollback()
    db.session.execute(delete(LedgerEntry))
    db.session.execute(delete(DisclosureRevision))
    db.session.execute(delete(Disclosure))
    db.session.execute(delete(Project))
    db.session.execute(delete(Fund))
    db.session.commit()


def expected(lines, days=range(0, 10_000), **match) -> money.MoneyTotals:
    live = [line for line in lines if not line["voided"] and line["day"] in days
            and all(line[key] == value for key, value in match.items())]
    return money.MoneyTotals(
        sum(line["amount"] for line in live if line["kind"] is EntryKind.INCOME),
        sum(line["amount"] for line in live if line["kind"] is EntryKind.EXPENSE),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, max_size=30), period=st.tuples(st.integers(0, 800), st.integers(0, 800)).map(sorted),
       edits=EDITS)
def test_every_total_on_the_site_is_the_sum_of_its_non_voided_lines(app, client, lines, period, edits):
    reset_ledger()
    funds = [make_fund() for _ in range(3)]
    projects = [make_project(fund_id=funds[number].id) for number in range(3)]
    first, last = (date(2023, 1, 1) + timedelta(days=day) for day in period)
    fund_disclosures = [make_disclosure(fund_id=fund.id, period_start=first, period_end=last) for fund in funds]
    lines = [dict(line) for line in lines]
    entries = [make_entry(funds[line["fund"]], line["amount"], line["kind"],
                          project_id=projects[line["project"]].id if line["project"] is not None else None,
                          occurred_on=date(2023, 1, 1) + timedelta(days=line["day"]),
                          voided=line["voided"], void_reason="作废" if line["voided"] else "")
               for line in lines]
    apply_edits(entries, lines, edits, funds, projects)
    db.session.commit()
    assert_summaries_equal_the_lines(lines, funds, projects)

    everything = expected(lines)
    assert money.ledger_totals() == everything
    assert money.count_and_totals() == (len(lines), everything)

    home = client.get("/").get_data(as_text=True)
    for name, value in (("income", everything.income_fen), ("expense", everything.expense_fen),
                        ("balance", everything.balance_fen)):
        home_unit = money_unit(everything.income_fen, everything.expense_fen, everything.balance_fen)
        assert re.search(rf'data-stat="{name}">([^<]+)<', home).group(1) == format_amount(value, home_unit)

    ledger = client.get("/ledger/").get_data(as_text=True)
    assert (shown_total(ledger, "income"), shown_total(ledger, "expense")) == (
        everything.income_fen, everything.expense_fen)

    funds_list = client.get("/funds/").get_data(as_text=True)
    summary_unit = money_unit(everything.income_fen, everything.expense_fen, everything.balance_fen)
    assert f"结余 {format_amount(everything.balance_fen, summary_unit)}" in funds_list

    for number, fund in enumerate(funds):
        own = expected(lines, fund=number)
        assert money.fund_totals([fund.id])[fund.id] == own
        page = client.get(f"/funds/{fund.slug}").get_data(as_text=True)
        unit = money_unit(own.balance_fen, own.income_fen, own.expense_fen)  # the money panel shares one unit
        assert re.search(r'data-fact="balance">([^<]+)<', page).group(1) == format_amount(own.balance_fen, unit)
        assert re.search(r'data-fact="income">([^<]+)<', page).group(1) == format_amount(own.income_fen, unit)
        filtered = client.get(f"/ledger/?fund={fund.slug}").get_data(as_text=True)
        assert shown_total(filtered, "net") == own.balance_fen
        months = money.monthly_totals(LedgerEntry.fund_id == fund.id)
        assert sum(month.net_fen for month in months) == own.balance_fen
        in_period = expected(lines, days=range(period[0], period[1] + 1), fund=number)
        notice = client.get(f"/disclosures/{fund_disclosures[number].id}").get_data(as_text=True)
        if in_period.income_fen or in_period.expense_fen:
            assert fen(re.search(r'data-total="income">([^<]+)<', notice).group(1)) == in_period.income_fen
            assert fen(re.search(r'data-total="expense">([^<]+)<', notice).group(1)) == in_period.expense_fen
        else:
            assert 'data-total="income"' not in notice

    for number, project in enumerate(projects):
        own = expected(lines, project=number)
        assert money.project_totals([project.id])[project.id] == own
        page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
        unit = money_unit(project.budget_fen, own.income_fen, own.expense_fen, project.goal_fen)
        # Raised and spent are shown when there is some (a project not open for gifts shows no "raised 0").
        for fact, amount in (("raised", own.income_fen), ("spent", own.expense_fen)):
            shown = re.search(rf'data-fact="{fact}">([^<]+)<', page)
            if amount:
                assert shown is not None and shown.group(1) == format_amount(amount, unit), fact
            elif shown is not None:
                assert shown.group(1) == format_amount(0, unit), fact
        spending = money.category_totals(LedgerEntry.project_id == project.id)
        assert sum(row.amount_fen for row in spending if row.kind is EntryKind.EXPENSE) == own.expense_fen

