"""Where the money came from and where it went (/flows): grouped sums of the public ledger.

Every figure is a grouped SQL sum of integer fen over the public, non-voided lines
(``public_lines.public_line_conditions()``), for one calendar year or for all time. Each group also says
which /ledger filters select exactly its lines, when the ledger has those filters, so that the page
can link every figure to the lines it adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from charity_site.extensions import db
from charity_site.finance import money, public_lines
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    LedgerEntry,
)
from charity_site.projects.models import Project

ADMIN_CATEGORY = "管理费用"  # spending without a project in this category is the organisation's running cost
NO_PROJECT_ARG = "none"  # the /ledger project filter for lines booked to no project


@dataclass(frozen=True)
class Period:
    """One calendar year, or all time (``year`` None)."""

    year: int | None = None

    @property
    def first_day(self) -> date | None:
        return date(self.year, 1, 1) if self.year else None

    @property
    def last_day(self) -> date | None:
        return date(self.year, 12, 31) if self.year else None

    def conditions(self) -> list:
        if not self.year:
            return []
        return [LedgerEntry.occurred_on >= self.first_day, LedgerEntry.occurred_on <= self.last_day]

    def ledger_args(self) -> dict[str, str]:
        """The /ledger date filters of the period."""
        if not self.year:
            return {}
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


@dataclass(frozen=True)
class Group:
    """One figure of a breakdown: what it is, its amount, and the /ledger filters of exactly its lines
    (None when the ledger cannot select them)."""

    key: str
    label: str
    amount_fen: int
    ledger: dict[str, str] | None = None


@dataclass(frozen=True)
class FundFlow:
    fund_id: int
    title: str
    slug: str
    income_fen: int
    expense_fen: int


@dataclass(frozen=True)
class SpendingLink:
    """Spending of one fund on one project, or on no project (``project_id`` None; ``admin`` when it
    is the running cost category)."""

    fund_id: int
    project_id: int | None
    project_title: str
    project_slug: str
    admin: bool
    amount_fen: int


@dataclass(frozen=True)
class Flows:
    period: Period
    totals: money.MoneyTotals
    income_by_party: list[Group] = field(default_factory=list)
    income_by_channel: list[Group] = field(default_factory=list)
    spending_by_fund: list[Group] = field(default_factory=list)
    spending_by_project: list[Group] = field(default_factory=list)
    spending_by_category: list[Group] = field(default_factory=list)
    income_links: list[tuple[CounterpartyType, int, int]] = field(default_factory=list)  # (party, fund id, fen)
    funds: list[FundFlow] = field(default_factory=list)
    spending_links: list[SpendingLink] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.totals.income_fen or self.totals.expense_fen)


def _lines(period: Period, kind: EntryKind | None = None) -> list:
    conditions = [LedgerEntry.voided.is_(False), *period.conditions(), *public_lines.public_line_conditions()]
    if kind is not None:
        conditions.append(LedgerEntry.kind == kind)
    return conditions


_amount = func.sum(LedgerEntry.amount_fen)
_income = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)), 0)
_expense = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)), 0)


def public_years() -> list[int]:
    """The calendar years with any public, non-voided line, newest first."""
    year = func.extract("year", LedgerEntry.occurred_on)
    rows = db.session.scalars(select(year).where(*_lines(Period())).group_by(year).order_by(year.desc()))
    return [int(value) for value in rows]


def _with_kind(period: Period, kind: EntryKind, **filters: str) -> dict[str, str]:
    return {**filters, "kind": kind.value, **period.ledger_args()}


def income_by_party(period: Period, labels: dict[CounterpartyType, str]) -> list[Group]:
    """Income by who gave it: people or organisations (the line's counterparty type), largest first."""
    rows = db.session.execute(
        select(LedgerEntry.counterparty_type, _amount).where(*_lines(period, EntryKind.INCOME))
        .group_by(LedgerEntry.counterparty_type).order_by(_amount.desc())
    ).all()
    return [Group(party.value, labels.get(party, party.value), int(fen),
                  _with_kind(period, EntryKind.INCOME, party=party.value)) for party, fen in rows]


def income_by_channel(period: Period, unnamed: str) -> list[Group]:
    """Income by the way it came in (bank transfer, WeChat...), largest first."""
    rows = db.session.execute(
        select(LedgerEntry.channel, _amount).where(*_lines(period, EntryKind.INCOME))
        .group_by(LedgerEntry.channel).order_by(_amount.desc(), LedgerEntry.channel)
    ).all()
    return [Group(channel or "-", channel or unnamed, int(fen),
                  _with_kind(period, EntryKind.INCOME, channel=channel) if channel in LEDGER_CHANNELS else None)
            for channel, fen in rows]


def spending_by_fund(period: Period) -> list[Group]:
    rows = db.session.execute(
        select(Fund.slug, Fund.title, _amount).join(Fund, Fund.id == LedgerEntry.fund_id)
        .where(*_lines(period, EntryKind.EXPENSE))
        .group_by(Fund.id, Fund.slug, Fund.title).order_by(_amount.desc(), Fund.title)
    ).all()
    return [Group(slug, title, int(fen), _with_kind(period, EntryKind.EXPENSE, fund=slug)) for slug, title, fen in rows]


def spending_by_project(period: Period, no_project: str) -> list[Group]:
    """Spending by project; spending booked to no project is one group (the ledger's ``project=none``)."""
    rows = db.session.execute(
        select(Project.slug, Project.title, _amount).outerjoin(Project, Project.id == LedgerEntry.project_id)
        .where(*_lines(period, EntryKind.EXPENSE))
        .group_by(Project.id, Project.slug, Project.title).order_by(_amount.desc(), Project.title)
    ).all()
    return [Group(slug, title, int(fen), _with_kind(period, EntryKind.EXPENSE, project=slug)) if slug
            else Group("-", no_project, int(fen), _with_kind(period, EntryKind.EXPENSE, project=NO_PROJECT_ARG))
            for slug, title, fen in rows]


def spending_by_category(period: Period, unnamed: str) -> list[Group]:
    rows = db.session.execute(
        select(LedgerEntry.category, _amount).where(*_lines(period, EntryKind.EXPENSE))
        .group_by(LedgerEntry.category).order_by(_amount.desc(), LedgerEntry.category)
    ).all()
    return [Group(category or "-", category or unnamed, int(fen),
                  _with_kind(period, EntryKind.EXPENSE, category=category) if category in EXPENSE_CATEGORIES else None)
            for category, fen in rows]


def income_links(period: Period) -> list[tuple[CounterpartyType, int, int]]:
    """Income by (counterparty type, fund id): the bands from where money came from to the funds."""
    rows = db.session.execute(
        select(LedgerEntry.counterparty_type, LedgerEntry.fund_id, _amount).where(*_lines(period, EntryKind.INCOME))
        .group_by(LedgerEntry.counterparty_type, LedgerEntry.fund_id)
    ).all()
    return [(party, fund_id, int(fen)) for party, fund_id, fen in rows]


def fund_flows(period: Period) -> list[FundFlow]:
    """Each fund with public lines in the period: its income and its spending, largest first."""
    rows = db.session.execute(
        select(Fund.id, Fund.title, Fund.slug, _income, _expense)
        .join(Fund, Fund.id == LedgerEntry.fund_id).where(*_lines(period))
        .group_by(Fund.id, Fund.title, Fund.slug)
    ).all()
    flows = [FundFlow(row[0], row[1], row[2], int(row[3]), int(row[4])) for row in rows]
    return sorted(flows, key=lambda flow: (-max(flow.income_fen, flow.expense_fen), flow.title))


def spending_links(period: Period) -> list[SpendingLink]:
    """Spending by (fund, project); without a project, split into running costs and the rest."""
    admin = LedgerEntry.project_id.is_(None) & (LedgerEntry.category == ADMIN_CATEGORY)
    rows = db.session.execute(
        select(LedgerEntry.fund_id, Project.id, Project.title, Project.slug, admin.label("admin"), _amount)
        .outerjoin(Project, Project.id == LedgerEntry.project_id)
        .where(*_lines(period, EntryKind.EXPENSE))
        .group_by(LedgerEntry.fund_id, Project.id, Project.title, Project.slug, admin)
    ).all()
    return [SpendingLink(row[0], row[1], row[2] or "", row[3] or "", bool(row[4]), int(row[5])) for row in rows]


def flows(period: Period, *, party_labels: dict[CounterpartyType, str], unnamed: str, no_project: str) -> Flows:
    """Everything /flows shows for ``period``, in a fixed number of grouped queries."""
    totals = money.ledger_totals(*period.conditions(), *public_lines.public_line_conditions())
    if not (totals.income_fen or totals.expense_fen):
        return Flows(period, totals)
    return Flows(
        period, totals,
        income_by_party=income_by_party(period, party_labels),
        income_by_channel=income_by_channel(period, unnamed),
        spending_by_fund=spending_by_fund(period),
        spending_by_project=spending_by_project(period, no_project),
        spending_by_category=spending_by_category(period, unnamed),
        income_links=income_links(period),
        funds=fund_flows(period),
        spending_links=spending_links(period),
    )
