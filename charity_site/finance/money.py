"""Totals computed in SQL from non-voided ledger lines: the one source of truth for money.

Every income, expense and balance the site shows or exports is summed here. Public pages and
exports count only public lines (``public_line_conditions()`` in finance/public_lines.py, already applied by the ``public_*`` and
``*_totals`` helpers): the lines of public funds whose project is public or absent. Staff pages see
every line.

Totals of whole funds, whole projects and the whole site are read from the summary tables
(finance/summaries.py, kept by triggers on every ledger write), less the few lines of hidden funds
and projects, so they cost the same on a hundred lines or a million. Totals over other selections
(dates, categories, one fund's months) are summed from the lines with indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import and_, bindparam, case, func, or_, select

from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.finance import summaries
from charity_site.finance.models import EntryKind, FundMoney, LedgerEntry, ProjectMoney
from charity_site.finance.public_lines import (
    HiddenOwners,
    bound_public_line_conditions,
    hidden_owners,
    public_line_conditions,
    public_line_parameters,
)
from charity_site.projects.models import Project
from charity_site.web.page_cache import per_generation


@dataclass(frozen=True)
class MoneyTotals:
    income_fen: int = 0
    expense_fen: int = 0

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.expense_fen


def _summary_scope(conditions) -> tuple[bool, HiddenOwners | None]:
    """(can the summaries answer, hidden owners to leave out) for totals over ``conditions``: they can when
    the conditions are none (every line) or exactly this request's ``public_line_conditions()``."""
    if not conditions:
        return True, None
    if has_request_context() and "ledger_public_conditions" in g:
        public = g.ledger_public_conditions
        if len(conditions) == len(public) and all(a is b for a, b in zip(conditions, public, strict=True)):
            return True, hidden_owners()
    return False, None


def _totals(figures: summaries.Figures) -> MoneyTotals:
    return MoneyTotals(figures.income_fen, figures.expense_fen)


_income = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)), 0)
_expense = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)), 0)


def ledger_totals(*conditions) -> MoneyTotals:
    """Income and expense over non-voided lines matching ``conditions`` (every line, or the public ones:
    from the summaries)."""
    summarised, hidden = _summary_scope(conditions)
    if summarised:
        return _totals(_site_figures(public=hidden is not None))
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
    summarised, hidden = _summary_scope(conditions)
    if summarised and column is LedgerEntry.fund_id:
        return {id_: _totals(figures) for id_, figures in summaries.fund_figures(ids, hidden).items()}
    if summarised and column is LedgerEntry.project_id:
        return {id_: _totals(figures) for id_, figures in summaries.project_figures(ids, hidden).items()}
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
    to list or sort funds or projects by their money in one query. Every line or the public lines of
    every fund or project: read from the summaries."""
    summarised, hidden = _summary_scope(conditions)
    if summarised and column is LedgerEntry.fund_id:
        hidden = hidden or HiddenOwners()
        return summaries.public_totals_subquery(FundMoney, FundMoney.fund_id, hidden.fund_ids, hidden.project_ids,
                                                LedgerEntry.project_id)
    if summarised and column is LedgerEntry.project_id:
        hidden = hidden or HiddenOwners()
        return summaries.public_totals_subquery(ProjectMoney, ProjectMoney.project_id, hidden.project_ids,
                                                hidden.fund_ids, LedgerEntry.fund_id)
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


def public_funds_totals(fund_ids_query) -> MoneyTotals:
    """Public totals over every fund that ``fund_ids_query`` (a select of fund ids) names, from the summaries."""
    return _totals(summaries.funds_total(fund_ids_query, hidden_owners()))


def public_count_and_totals(*, fund_id: int | None = None, project_id: int | None = None) -> tuple[int, MoneyTotals]:
    """``count_and_totals`` of the public lines of the whole ledger, of one fund or of one project (not
    both), from the summaries: what /ledger shows unfiltered or filtered by fund or project."""
    hidden = hidden_owners()
    if fund_id is not None:
        figures = summaries.fund_figures([fund_id], hidden)[fund_id]
    elif project_id is not None:
        figures = summaries.project_figures([project_id], hidden)[project_id]
    else:
        figures = _site_figures(public=True)
    return figures.line_count, _totals(figures)


def _site_figures(public: bool) -> summaries.Figures:
    """Every line's or the public lines' figures over the whole site: summed once a generation in a
    request (a row per fund: 10,000 of them on a large site), exact since every ledger write is a
    public change."""
    def compute() -> summaries.Figures:
        return summaries.site_figures(hidden_owners() if public else None)

    return per_generation("site_figures_public" if public else "site_figures_all", compute)


def _outcome_totals() -> tuple[int, int]:
    """(beneficiaries, people served) summed over public projects in one query, kept until the next public
    change (a sum over every project: 100 ms with 100,000 of them)."""
    return per_generation("project_outcome_totals", _sum_outcomes)


def _sum_outcomes() -> tuple[int, int]:
    row = db.session.execute(
        select(func.coalesce(func.sum(Project.beneficiaries), 0), func.coalesce(func.sum(Project.people_served), 0))
        .where(Project.public_clause())
    ).one()
    return int(row[0]), int(row[1])


def beneficiaries_total() -> int:
    """People helped across public projects, summed in SQL from their outcome figures."""
    return _outcome_totals()[0]


def people_served_total() -> int:
    return _outcome_totals()[1]


@dataclass(frozen=True)
class CategoryTotal:
    kind: EntryKind
    category: str
    amount_fen: int


def category_totals(*conditions) -> list[CategoryTotal]:
    """Non-voided amounts grouped by income/expense and category, largest first within each kind."""
    return _categories(db.session.execute(_category_select(*conditions)))


def _category_select(*conditions):
    amount = func.sum(LedgerEntry.amount_fen)
    return (
        select(LedgerEntry.kind, LedgerEntry.category, amount)
        .where(LedgerEntry.voided.is_(False), *conditions)
        .group_by(LedgerEntry.kind, LedgerEntry.category)
        .order_by(LedgerEntry.kind, amount.desc(), LedgerEntry.category)
    )


def _categories(rows) -> list[CategoryTotal]:
    return [CategoryTotal(row[0], row[1], int(row[2])) for row in rows]


def expense_by_category(*conditions) -> list[tuple[str, int]]:
    """(category, amount) of the non-voided expense lines matching ``conditions``, largest first."""
    return _spending(category_totals(LedgerEntry.kind == EntryKind.EXPENSE, *conditions))


def _spending(totals: list[CategoryTotal]) -> list[tuple[str, int]]:
    return [(row.category, row.amount_fen) for row in totals]


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
    return _months(db.session.execute(_monthly_select(*conditions)))


def _monthly_select(*conditions):
    year = func.extract("year", LedgerEntry.occurred_on)
    month = func.extract("month", LedgerEntry.occurred_on)
    return (
        select(year, month, _income, _expense)
        .where(LedgerEntry.voided.is_(False), *conditions)
        .group_by(year, month)
        .order_by(year, month)
    )


def _months(rows) -> list[MonthTotals]:
    return [MonthTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3])) for row in rows]


@dataclass(frozen=True)
class MoneySummary:
    """What a fund or project page shows of its money: totals, the months, the spending by category."""

    totals: MoneyTotals
    months: list[MonthTotals]
    spending: list[tuple[str, int]]  # (category, amount) of the expense, largest first


def public_summary(owner, owner_id: int) -> MoneySummary:
    """The money of one fund's or one project's public lines (``owner``: ``LedgerEntry.fund_id`` or
    ``LedgerEntry.project_id``), in three queries."""
    shape, public_values = public_line_parameters()
    months, spending, totals = _owner_summary_statements(owner.key, shape)
    values = {"owner_id": owner_id, **public_values}
    income_fen, expense_fen = db.session.execute(totals, values).one()
    return MoneySummary(MoneyTotals(int(income_fen), int(expense_fen)),
                        _months(db.session.execute(months, values)),
                        _spending(_categories(db.session.execute(spending, values))))


@built_once
def _owner_summary_statements(owner_key: str, shape: tuple[bool, bool]):
    lines = (getattr(LedgerEntry, owner_key) == bindparam("owner_id"), *bound_public_line_conditions(shape))
    return (
        _monthly_select(*lines),
        _category_select(LedgerEntry.kind == EntryKind.EXPENSE, *lines),
        select(_income, _expense).where(LedgerEntry.voided.is_(False), *lines),
    )


def _live(kind: EntryKind):
    """Amount of a non-voided line of ``kind``, else 0: for sums over queries that keep voided lines."""
    return case((LedgerEntry.voided.is_(False) & (LedgerEntry.kind == kind), LedgerEntry.amount_fen), else_=0)


def count_and_totals(*conditions) -> tuple[int, MoneyTotals]:
    """How many lines match ``conditions`` (voided ones included, as lists show them) and the income and
    expense of the non-voided ones, in one query, so a long ledger is read once (every line or the
    public lines: from the summaries)."""
    summarised, hidden = _summary_scope(conditions)
    if summarised:
        figures = summaries.site_figures(hidden)
        return figures.line_count, _totals(figures)
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


def running_balances(fund_id: int, entries: list[LedgerEntry], *, from_newest: bool = False) -> dict[int, int]:
    """The fund's balance after each of ``entries``, counting its public non-voided lines in date order.

    One query: the balance before the oldest line shown, plus a running sum (window function) over the
    lines from the oldest to the newest one shown. A voided line changes nothing, so it shows the
    balance it left untouched. The balance before is the sum of every earlier line, or, with
    ``from_newest`` (pages near the newest end of a long fund), the fund's balance from the summary less
    the lines from the oldest shown on: either way only the lines on the near side are read.
    """
    if not entries:
        return {}
    ordered = sorted(entries, key=lambda entry: (entry.occurred_on, entry.id))
    oldest, newest = ordered[0], ordered[-1]
    same_fund = [LedgerEntry.fund_id == fund_id, *public_line_conditions()]
    signed = signed_amount()
    if from_newest:
        balance = summaries.public_balance_subquery(fund_id, hidden_owners())
        before = (
            select(balance - func.coalesce(func.sum(signed), 0))
            .where(*same_fund, LedgerEntry.voided.is_(False), ~_before(oldest))
            .scalar_subquery()
        )
    else:
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
