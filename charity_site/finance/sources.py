"""Where a project's money comes from: its public ledger lines, grouped by the fund they are booked to.

A project's spending is usually paid from a fund (the general fund, a named fund) whose income was
given to the fund, not to the project; only a project open for gifts raises money for itself. A
project page therefore names the funds that paid for it, with the amounts, rather than showing a
bare "raised ¥0.00" beside its spending. One grouped query over the project's lines (the
project_id index), public lines only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from charity_site.extensions import db
from charity_site.finance.models import EntryKind, Fund, LedgerEntry
from charity_site.finance.money import public_line_conditions


@dataclass(frozen=True)
class FundShare:
    """The part of a project's public lines booked to one fund."""

    fund_id: int
    fund_slug: str
    fund_title: str
    income_fen: int  # given for the project, held in this fund
    expense_fen: int  # spent on the project, paid from this fund


def _sum(kind: EntryKind):
    return func.coalesce(func.sum(case((LedgerEntry.kind == kind, LedgerEntry.amount_fen), else_=0)), 0)


def fund_shares(project_ids) -> dict[int, list[FundShare]]:
    """{project id: its funds, the largest spending first} for many projects, in one grouped query."""
    ids = list(project_ids)
    if not ids:
        return {}
    income, expense = _sum(EntryKind.INCOME), _sum(EntryKind.EXPENSE)
    rows = db.session.execute(
        select(LedgerEntry.project_id, Fund.id, Fund.slug, Fund.title, income, expense)
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .where(LedgerEntry.voided.is_(False), LedgerEntry.project_id.in_(ids), *public_line_conditions())
        .group_by(LedgerEntry.project_id, Fund.id, Fund.slug, Fund.title)
        .order_by(LedgerEntry.project_id, expense.desc(), Fund.title)
    ).all()
    found: dict[int, list[FundShare]] = {project_id: [] for project_id in ids}
    for project_id, fund_id, slug, title, income_fen, expense_fen in rows:
        found[project_id].append(FundShare(fund_id, slug, title, int(income_fen), int(expense_fen)))
    return found


def paying_funds(shares: list[FundShare]) -> list[FundShare]:
    """The funds that paid for the project (spending booked to them), largest first."""
    return [share for share in shares if share.expense_fen]
