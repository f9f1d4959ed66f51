"""Where a project's money comes from: its public ledger lines, grouped by the fund they are booked to.

A project's spending is usually paid from a fund (the general fund, a named fund) whose income was
given to the fund, not to the project; only a project open for gifts raises money for itself. A
project page therefore names the funds that paid for it, with the amounts, rather than showing a
bare "raised ¥0.00" beside its spending. One grouped query over the project's lines (the
project_id index), public lines only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, select

from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.finance.models import EntryKind, Fund, LedgerEntry
from charity_site.finance.public_lines import bound_public_line_conditions, public_line_parameters


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


def _funds_by_id(fund_ids) -> dict:
    """{fund id: (id, slug, title)} of the few funds named: read by id after summing (see fund_shares)."""
    fund_ids = set(fund_ids)
    if not fund_ids:
        return {}
    return {row.id: row for row in db.session.execute(_funds_statement(), {"ids": sorted(fund_ids)})}


@built_once
def _funds_statement():
    return select(Fund.id, Fund.slug, Fund.title).where(Fund.id.in_(bindparam("ids", expanding=True)))


@built_once
def _shares_statement(shape: tuple[bool, bool]):
    return (
        select(LedgerEntry.project_id, LedgerEntry.fund_id, _sum(EntryKind.INCOME), _sum(EntryKind.EXPENSE))
        .where(LedgerEntry.voided.is_(False), LedgerEntry.project_id.in_(bindparam("project_ids", expanding=True)),
               *bound_public_line_conditions(shape))
        .group_by(LedgerEntry.project_id, LedgerEntry.fund_id)
    )


def fund_shares(project_ids) -> dict[int, list[FundShare]]:
    """{project id: its funds, the largest spending first} for many projects: one grouped query, then the funds."""
    ids = list(project_ids)
    if not ids:
        return {}
    # Summed per (project, fund), then the few funds found read by id: joined in one query, PostgreSQL
    # hashed every fund (5 ms with 10,000 of them) for a dozen projects' lines.
    shape, public_values = public_line_parameters()
    shares = db.session.execute(_shares_statement(shape), {"project_ids": ids, **public_values}).all()
    funds = _funds_by_id(fund_id for _project_id, fund_id, _income, _expense in shares)
    found: dict[int, list[FundShare]] = {project_id: [] for project_id in ids}
    for project_id, fund_id, income_fen, expense_fen in shares:
        fund = funds[fund_id]
        found[project_id].append(FundShare(fund_id, fund.slug, fund.title, int(income_fen), int(expense_fen)))
    for project_shares in found.values():
        project_shares.sort(key=lambda share: (-share.expense_fen, share.fund_title))
    return found


@dataclass(frozen=True)
class FundPayment:
    """What one fund paid for the lines summed (their expense booked to it)."""

    fund_slug: str
    fund_title: str
    expense_fen: int


def payments_by_fund(*conditions) -> list[FundPayment]:
    """The non-voided expense of the lines matching ``conditions``, per fund, largest first."""
    amount = func.sum(LedgerEntry.amount_fen)
    rows = db.session.execute(
        select(LedgerEntry.fund_id, amount)
        .where(LedgerEntry.voided.is_(False), LedgerEntry.kind == EntryKind.EXPENSE, *conditions)
        .group_by(LedgerEntry.fund_id)
    ).all()
    funds = _funds_by_id(fund_id for fund_id, _amount in rows)
    payments = [FundPayment(funds[fund_id].slug, funds[fund_id].title, int(total)) for fund_id, total in rows]
    return sorted(payments, key=lambda payment: (-payment.expense_fen, payment.fund_title))


def paying_funds(shares: list[FundShare]) -> list[FundShare]:
    """The funds that paid for the project (spending booked to them), largest first."""
    return [share for share in shares if share.expense_fen]
