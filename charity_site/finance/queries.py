"""Read-side queries for the public ledger (/ledger) and the fund pages.

The public sees the lines of public funds whose project is public or absent. Every page runs a
fixed number of queries, and stays fast on a million lines: one count-and-totals query, one page
query that never walks more than half the ledger (the last pages are read from the oldest end),
and, when one fund is chosen, one query for the running balance of the lines on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from math import ceil

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload, selectinload

from charity_site.extensions import db
from charity_site.finance import money
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
)
from charity_site.finance.money import public_line_conditions
from charity_site.projects.models import Project
from charity_site.web.input import query_date, query_id, query_text

LEDGER_PER_PAGE = 50
FUNDS_PER_PAGE = 20
LEDGER_CATEGORIES = INCOME_CATEGORIES + EXPENSE_CATEGORIES

STAFF_PER_PAGE = 50


# --- /ledger filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """The /ledger filters as they appear in the URL; unknown or malformed values are ignored."""

    fund: Fund | None = None
    project: Project | None = None
    kind: EntryKind | None = None
    category: str | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> LedgerFilters:
        fund = project = None
        fund_slug, project_slug = query_text(args, "fund", 200), query_text(args, "project", 200)
        if fund_slug and len(fund_slug) <= 160:
            fund = db.session.scalars(select(Fund).where(Fund.slug == fund_slug, Fund.public_clause())).first()
        if project_slug and len(project_slug) <= 160:
            project = db.session.scalars(
                select(Project).where(Project.slug == project_slug, Project.public_clause())
            ).first()
        try:
            kind = EntryKind(args.get("kind"))
        except ValueError:
            kind = None
        category = args.get("category") if args.get("category") in LEDGER_CATEGORIES else None
        channel = args.get("channel") if args.get("channel") in LEDGER_CHANNELS else None
        date_from, date_to = query_date(args, "from"), query_date(args, "to")
        if date_from and date_to and date_from > date_to:
            date_from, date_to = date_to, date_from
        return cls(fund, project, kind, category, channel, date_from, date_to)

    @property
    def active(self) -> bool:
        return any((self.fund, self.project, self.kind, self.category, self.channel, self.date_from, self.date_to))

    def conditions(self) -> list:
        conditions = []
        if self.fund:
            conditions.append(LedgerEntry.fund_id == self.fund.id)
        if self.project:
            conditions.append(LedgerEntry.project_id == self.project.id)
        if self.kind:
            conditions.append(LedgerEntry.kind == self.kind)
        if self.category:
            conditions.append(LedgerEntry.category == self.category)
        if self.channel:
            conditions.append(LedgerEntry.channel == self.channel)
        if self.date_from:
            conditions.append(LedgerEntry.occurred_on >= self.date_from)
        if self.date_to:
            conditions.append(LedgerEntry.occurred_on <= self.date_to)
        return conditions

    def as_args(self) -> dict:
        """The valid filters as URL arguments (for links to the same selection elsewhere)."""
        values = {
            "fund": self.fund.slug if self.fund else None,
            "project": self.project.slug if self.project else None,
            "kind": self.kind.value if self.kind else None,
            "category": self.category,
            "channel": self.channel,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in values.items() if value}


# --- /ledger pages ---------------------------------------------------------------------------


class _KnownPage(Pagination):
    """A Flask-SQLAlchemy pagination over items and a total that were already fetched."""

    def _query_items(self):
        return self._query_args["items"]

    def _query_count(self):
        return self._query_args["total"]


@dataclass
class LedgerPage:
    pagination: Pagination
    totals: money.MoneyTotals
    balances: dict[int, int] | None = None  # entry id → fund balance after that line, when one fund is chosen
    entries: list[LedgerEntry] = field(default_factory=list)


_NEWEST_FIRST = (LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())
_OLDEST_FIRST = (LedgerEntry.occurred_on.asc(), LedgerEntry.id.asc())


def ledger_page(filters: LedgerFilters, page: int, per_page: int = LEDGER_PER_PAGE) -> LedgerPage:
    """One page of public lines matching ``filters``, newest first, with the totals of the whole selection."""
    conditions = [*filters.conditions(), *public_line_conditions()]
    total, totals = money.count_and_totals(*conditions)
    pages = ceil(total / per_page) if total else 0
    if page < 1 or (page > 1 and page > pages):
        abort(404)
    offset = (page - 1) * per_page
    limit = max(0, min(per_page, total - offset))
    entries: list[LedgerEntry] = []
    if limit:
        query = select(LedgerEntry).where(*conditions).options(selectinload(LedgerEntry.fund))
        if offset + limit / 2 > total / 2:
            # In the older half: read from the oldest end with the small complementary offset.
            rows = db.session.scalars(query.order_by(*_OLDEST_FIRST).offset(total - offset - limit).limit(limit))
            entries = list(rows)[::-1]
        else:
            entries = list(db.session.scalars(query.order_by(*_NEWEST_FIRST).offset(offset).limit(limit)))
    pagination = _KnownPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                            items=entries, total=total)
    balances = money.running_balances(filters.fund.id, entries) if filters.fund and entries else None
    return LedgerPage(pagination, totals, balances, entries)


def fund_choices() -> list[Fund]:
    """Public funds for the ledger's fund filter: the general fund first, then named, then community funds."""
    return list(db.session.scalars(select(Fund).where(Fund.public_clause()).order_by(_fund_order(), Fund.title)))


def project_choices() -> list[Project]:
    query = select(Project).where(Project.public_clause()).order_by(Project.start_date.desc().nulls_last(),
                                                                    Project.title)
    return list(db.session.scalars(query))


# --- /funds ----------------------------------------------------------------------------------


def _fund_order():
    return case((Fund.kind == FundKind.GENERAL, 0), (Fund.kind == FundKind.NAMED, 1), else_=2)


@dataclass(frozen=True)
class FundFilters:
    q: str = ""
    kind: FundKind | None = None

    @classmethod
    def from_args(cls, args) -> FundFilters:
        q = " ".join(query_text(args, "q", 1000).split())[:100]
        try:
            kind = FundKind(args.get("kind"))
        except ValueError:
            kind = None
        return cls(q, kind)

    @property
    def active(self) -> bool:
        return bool(self.q or self.kind)

    def conditions(self) -> list:
        conditions = [Fund.public_clause()]
        if self.q:
            conditions.append(or_(Fund.title.contains(self.q, autoescape=True),
                                  Fund.area.contains(self.q, autoescape=True)))
        if self.kind:
            conditions.append(Fund.kind == self.kind)
        return conditions


def funds_page(page: int, filters: FundFilters = FundFilters()):
    """One page (20) of public funds: a count and one select, whatever the number of funds."""
    query = select(Fund).where(*filters.conditions()).order_by(_fund_order(), Fund.title, Fund.id)
    return db.paginate(query, page=page, per_page=FUNDS_PER_PAGE, error_out=True)


def funds_summary(filters: FundFilters = FundFilters()) -> money.MoneyTotals:
    """Totals over every fund matching ``filters`` (not just one page)."""
    matching = select(Fund.id).where(*filters.conditions())
    return money.ledger_totals(LedgerEntry.fund_id.in_(matching), *public_line_conditions())


# --- /funds/<slug> ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FundProject:
    project: Project
    totals: money.MoneyTotals  # the project's own raised and spent, from every fund
    from_fund: money.MoneyTotals  # the part of it booked to this fund


def fund_projects(fund: Fund) -> list[FundProject]:
    """Public projects the fund finances: assigned to it, or with spending booked to it. Three queries."""
    booked = select(LedgerEntry.project_id).where(
        LedgerEntry.fund_id == fund.id, LedgerEntry.project_id.is_not(None), LedgerEntry.voided.is_(False)
    )
    projects = list(db.session.scalars(
        select(Project)
        .where(Project.public_clause(), or_(Project.fund_id == fund.id, Project.id.in_(booked)))
        .order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
    ))
    ids = [project.id for project in projects]
    public = public_line_conditions()
    overall = money.totals_by(LedgerEntry.project_id, ids, *public)
    own = money.totals_by(LedgerEntry.project_id, ids, LedgerEntry.fund_id == fund.id, *public)
    return [FundProject(project, overall[project.id], own[project.id]) for project in projects]


def latest_ledger_lines(limit: int = 10, **filters) -> list[LedgerEntry]:
    """The newest public lines matching ``filters`` (e.g. ``fund_id=3``), for a fund or project page."""
    query = (
        select(LedgerEntry)
        .filter_by(**filters)
        .where(*money.public_line_conditions())
        .options(selectinload(LedgerEntry.fund))
        .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def staff_filters(args) -> dict:
    """The staff list's filters from the query string; anything malformed is dropped."""
    return {
        "fund": query_id(args, "fund"), "project": query_id(args, "project"),
        "kind": args.get("kind", "") if args.get("kind") in ("income", "expense") else "",
        "state": args.get("state", "") if args.get("state") in ("active", "voided") else "",
        "q": query_text(args, "q"),
    }


def staff_conditions(filters: dict) -> list:
    conditions = []
    if filters["fund"]:
        conditions.append(LedgerEntry.fund_id == filters["fund"])
    if filters["project"]:
        conditions.append(LedgerEntry.project_id == filters["project"])
    if filters["kind"]:
        conditions.append(LedgerEntry.kind == EntryKind(filters["kind"]))
    if filters["state"]:
        conditions.append(LedgerEntry.voided.is_(filters["state"] == "voided"))
    if filters["q"]:
        pattern = f"%{filters['q']}%"
        conditions.append(or_(LedgerEntry.summary.ilike(pattern), LedgerEntry.voucher_no.ilike(pattern),
                              LedgerEntry.counterparty.ilike(pattern)))
    return conditions


def staff_page(conditions: list, page: int):
    """Every line (voided and of draft funds included), newest first, for the finance workspace."""
    query = (select(LedgerEntry).where(*conditions)
             .options(joinedload(LedgerEntry.fund), joinedload(LedgerEntry.project))
             .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc()))
    return db.paginate(query, page=page, per_page=STAFF_PER_PAGE, error_out=False)
