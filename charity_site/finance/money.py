"""Totals computed in SQL from non-voided ledger lines: the one source of truth for money.

Every income, expense and balance the site shows or exports is summed here. Public pages and
exports count only public lines (``public_line_conditions()``, already applied by the ``public_*`` and
``*_totals`` helpers): the lines of public funds whose project is public or absent. Staff pages see
every line.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import and_, case, func, literal, or_, select, union_all

from charity_site.extensions import db
from charity_site.finance.models import EntryKind, Fund, LedgerEntry
from charity_site.projects.models import Project


@dataclass(frozen=True)
class MoneyTotals:
    income_fen: int = 0
    expense_fen: int = 0

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.expense_fen


# --- Which lines the public sees -------------------------------------------------------------


@dataclass(frozen=True)
class HiddenOwners:
    fund_ids: tuple[int, ...] = ()
    project_ids: tuple[int, ...] = ()


def hidden_owners() -> HiddenOwners:
    """Funds and projects that are not public (drafts, scheduled for later): one query, once a request."""
    if has_request_context() and "ledger_hidden_owners" in g:
        return g.ledger_hidden_owners
    funds = select(literal("f").label("owner"), Fund.id.label("id")).where(
        Fund.id.not_in(select(Fund.id).where(Fund.public_clause()))
    )
    projects = select(literal("p").label("owner"), Project.id.label("id")).where(
        Project.id.not_in(select(Project.id).where(Project.public_clause()))
    )
    rows = db.session.execute(union_all(funds, projects)).all()
    hidden = HiddenOwners(
        tuple(sorted(row.id for row in rows if row.owner == "f")),
        tuple(sorted(row.id for row in rows if row.owner == "p")),
    )
    if has_request_context():
        g.ledger_hidden_owners = hidden
    return hidden


def public_line_conditions() -> list:
    """SQL conditions for lines of public funds whose project is public or absent.

    The few hidden funds and projects are listed by id, so the usual case (everything published)
    adds no condition at all to a query over a million lines.
    """
    hidden = hidden_owners()
    conditions = []
    if hidden.fund_ids:
        conditions.append(LedgerEntry.fund_id.not_in(hidden.fund_ids))
    if hidden.project_ids:
        conditions.append(or_(LedgerEntry.project_id.is_(None), LedgerEntry.project_id.not_in(hidden.project_ids)))
    return conditions


_income = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)), 0)
_expense = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)), 0)


def ledger_totals(*conditions) -> MoneyTotals:
    """Income and expense over non-voided lines matching ``conditions``."""
    row = db.session.execute(
        select(_income, _expense).where(LedgerEntry.voided.is_(False), *conditions)
    ).one()
    return MoneyTotals(int(row[0]), int(row[1]))


def totals_by(column, ids, *conditions) -> dict[int, MoneyTotals]:
    """Totals for many funds or projects in one grouped query, {id: MoneyTotals}, over the non-voided
    lines that also match ``conditions`` (e.g. only public lines, only one fund's lines)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(column, _income, _expense)
        .where(LedgerEntry.voided.is_(False), column.in_(ids), *conditions)
        .group_by(column)
    ).all()
    found = {row[0]: MoneyTotals(int(row[1]), int(row[2])) for row in rows}
    return {id_: found.get(id_, MoneyTotals()) for id_ in ids}


def totals_subquery(column, *conditions):
    """Income and expense of the non-voided lines matching ``conditions``, grouped by ``column`` (a fund or
    project id), as a subquery with the columns ``owner_id``, ``income_fen`` and ``expense_fen``: join it
    to list or sort funds or projects by their money in one query."""
    return (
        select(column.label("owner_id"), _income.label("income_fen"), _expense.label("expense_fen"))
        .where(LedgerEntry.voided.is_(False), column.is_not(None), *conditions)
        .group_by(column)
        .subquery()
    )


def public_totals_subquery(column):
    """``totals_subquery`` over public lines only."""
    return totals_subquery(column, *public_line_conditions())


def project_totals(project_ids) -> dict[int, MoneyTotals]:
    """Public totals of many projects (lines of public funds only)."""
    return totals_by(LedgerEntry.project_id, project_ids, *public_line_conditions())


def fund_totals(fund_ids) -> dict[int, MoneyTotals]:
    """Public totals of many funds."""
    return totals_by(LedgerEntry.fund_id, fund_ids, *public_line_conditions())


def beneficiaries_total() -> int:
    """People helped across public projects, summed in SQL from their outcome figures."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Project.beneficiaries), 0)).where(Project.public_clause())
        )
    )


def people_served_total() -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Project.people_served), 0)).where(Project.public_clause())
        )
    )


@dataclass(frozen=True)
class CategoryTotal:
    kind: EntryKind
    category: str
    amount_fen: int


def category_totals(*conditions) -> list[CategoryTotal]:
    """Non-voided amounts grouped by income/expense and category, largest first within each kind."""
    amount = func.sum(LedgerEntry.amount_fen)
    rows = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.category, amount)
        .where(LedgerEntry.voided.is_(False), *conditions)
        .group_by(LedgerEntry.kind, LedgerEntry.category)
        .order_by(LedgerEntry.kind, amount.desc(), LedgerEntry.category)
    ).all()
    return [CategoryTotal(row[0], row[1], int(row[2])) for row in rows]


def expense_by_category(*conditions) -> list[tuple[str, int]]:
    """(category, amount) of the non-voided expense lines matching ``conditions``, largest first."""
    return [(row.category, row.amount_fen) for row in category_totals(LedgerEntry.kind == EntryKind.EXPENSE,
                                                                       *conditions)]


@dataclass(frozen=True)
class MonthTotals:
    year: int
    month: int
    income_fen: int
    expense_fen: int

    @property
    def net_fen(self) -> int:
        return self.income_fen - self.expense_fen


def monthly_totals(*conditions) -> list[MonthTotals]:
    """Income and expense per calendar month with any non-voided line, oldest first."""
    year = func.extract("year", LedgerEntry.occurred_on)
    month = func.extract("month", LedgerEntry.occurred_on)
    rows = db.session.execute(
        select(year, month, _income, _expense)
        .where(LedgerEntry.voided.is_(False), *conditions)
        .group_by(year, month)
        .order_by(year, month)
    ).all()
    return [MonthTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3])) for row in rows]


@dataclass(frozen=True)
class MoneySummary:
    """What a fund or project page shows of its money: totals, the months, the spending by category."""

    totals: MoneyTotals
    months: list[MonthTotals]
    spending: list[tuple[str, int]]  # (category, amount) of the expense, largest first


def public_summary(*conditions) -> MoneySummary:
    """The money of the public lines matching ``conditions`` (e.g. one fund's lines), in three queries."""
    lines = (*conditions, *public_line_conditions())
    months = monthly_totals(*lines)
    spending = expense_by_category(*lines)
    return MoneySummary(ledger_totals(*lines), months, spending)


def _live(kind: EntryKind):
    """Amount of a non-voided line of ``kind``, else 0: for sums over queries that keep voided lines."""
    return case((LedgerEntry.voided.is_(False) & (LedgerEntry.kind == kind), LedgerEntry.amount_fen), else_=0)


def count_and_totals(*conditions) -> tuple[int, MoneyTotals]:
    """How many lines match ``conditions`` (voided ones included, as lists show them) and the income and
    expense of the non-voided ones, in one query, so a long ledger is read once."""
    row = db.session.execute(
        select(
            func.count(LedgerEntry.id),
            func.coalesce(func.sum(_live(EntryKind.INCOME)), 0),
            func.coalesce(func.sum(_live(EntryKind.EXPENSE)), 0),
        ).where(*conditions)
    ).one()
    return int(row[0]), MoneyTotals(int(row[1]), int(row[2]))


def signed_amount():
    """+amount for a non-voided income line, -amount for a non-voided expense line, 0 for a voided line."""
    return case(
        (LedgerEntry.voided.is_(True), 0),
        (LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen),
        else_=-LedgerEntry.amount_fen,
    )


def _not_after(entry: LedgerEntry):
    return or_(LedgerEntry.occurred_on < entry.occurred_on,
               and_(LedgerEntry.occurred_on == entry.occurred_on, LedgerEntry.id <= entry.id))


def _before(entry: LedgerEntry):
    return or_(LedgerEntry.occurred_on < entry.occurred_on,
               and_(LedgerEntry.occurred_on == entry.occurred_on, LedgerEntry.id < entry.id))


def running_balances(fund_id: int, entries: list[LedgerEntry]) -> dict[int, int]:
    """The fund's balance after each of ``entries``, counting its public non-voided lines in date order.

    One query: the sum of every line before the oldest one shown, plus a running sum (window
    function) over the lines from the oldest to the newest one shown. A voided line changes nothing,
    so it shows the balance it left untouched.
    """
    if not entries:
        return {}
    ordered = sorted(entries, key=lambda entry: (entry.occurred_on, entry.id))
    oldest, newest = ordered[0], ordered[-1]
    same_fund = [LedgerEntry.fund_id == fund_id, *public_line_conditions()]
    signed = signed_amount()
    before = (
        select(func.coalesce(func.sum(signed), 0))
        .where(*same_fund, LedgerEntry.voided.is_(False), _before(oldest))
        .scalar_subquery()
    )
    running = func.sum(signed).over(order_by=(LedgerEntry.occurred_on, LedgerEntry.id))
    window = (
        select(LedgerEntry.id.label("id"), running.label("running"))
        .where(*same_fund, ~_before(oldest), _not_after(newest))
        .subquery()
    )
    wanted = [entry.id for entry in entries]
    rows = db.session.execute(
        select(window.c.id, before + window.c.running).where(window.c.id.in_(wanted))
    ).all()
    return {row[0]: int(row[1]) for row in rows}
