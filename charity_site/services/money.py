"""Totals computed in SQL from non-voided ledger lines: the one source of truth for money."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import EntryKind, LedgerEntry, Project


@dataclass(frozen=True)
class MoneyTotals:
    income_fen: int = 0
    expense_fen: int = 0

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.expense_fen


_income = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)), 0)
_expense = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)), 0)


def ledger_totals(*conditions) -> MoneyTotals:
    """Income and expense over non-voided lines matching ``conditions``."""
    row = db.session.execute(
        select(_income, _expense).where(LedgerEntry.voided.is_(False), *conditions)
    ).one()
    return MoneyTotals(int(row[0]), int(row[1]))


def totals_by(column, ids) -> dict[int, MoneyTotals]:
    """Totals for many funds or projects in one grouped query: {id: MoneyTotals}."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(column, _income, _expense)
        .where(LedgerEntry.voided.is_(False), column.in_(ids))
        .group_by(column)
    ).all()
    found = {row[0]: MoneyTotals(int(row[1]), int(row[2])) for row in rows}
    return {id_: found.get(id_, MoneyTotals()) for id_ in ids}


def project_totals(project_ids) -> dict[int, MoneyTotals]:
    return totals_by(LedgerEntry.project_id, project_ids)


def fund_totals(fund_ids) -> dict[int, MoneyTotals]:
    return totals_by(LedgerEntry.fund_id, fund_ids)


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
