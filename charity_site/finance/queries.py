"""Read-side queries for the public ledger (/ledger) and the fund pages.

The public sees the lines of public funds whose project is public or absent. Every page runs a
fixed number of queries, and stays fast on a million lines: one count-and-totals query, one page
query that never walks more than half the ledger (the last pages are read from the oldest end),
and, when one fund is chosen, one query for the running balance of the lines on the page. The count
and totals of the whole ledger, of one fund or of one project come from the summary tables; the
fund and project filters are drop-downs while there are a few hundred, else a name to type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, case, func, or_, select, union
from sqlalchemy.orm import joinedload, selectinload

from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.finance.ledger_filters import (  # noqa: F401  (the /ledger filters, kept importable from here)
    LEDGER_CATEGORIES,
    NO_PROJECT,
    LedgerFilters,
)
from charity_site.finance.models import (
    EntryKind,
    Fund,
    FundKind,
    LedgerEntry,
)
from charity_site.finance.public_lines import (
    bound_public_line_conditions,
    hidden_owners,
    public_line_conditions,
    public_line_parameters,
)
from charity_site.projects.models import Project
from charity_site.web.filters import (
    ListFilters,
    filter_field,
    read_choice,
    read_id,
    read_member,
    read_text,
)
from charity_site.web.input import query_text
from charity_site.web.page_cache import per_generation

LEDGER_PER_PAGE = 50
FUNDS_PER_PAGE = 20

STAFF_PER_PAGE = 50


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


def _count_and_totals(filters: LedgerFilters, conditions: list) -> tuple[int, money.MoneyTotals]:
    """The whole ledger, one fund or one project: from the summary tables; other selections from the lines."""
    if not filters.as_args():
        return money.public_count_and_totals()
    only = filters.only()
    if only == "fund":
        return money.public_count_and_totals(fund_id=filters.fund.id)
    if only == "project":
        return money.public_count_and_totals(project_id=filters.project.id)
    return money.count_and_totals(*conditions)


def ledger_page(filters: LedgerFilters, page: int, per_page: int = LEDGER_PER_PAGE) -> LedgerPage:
    """One page of public lines matching ``filters``, newest first, with the totals of the whole selection."""
    conditions = [*filters.conditions(), *public_line_conditions()]
    total, totals = _count_and_totals(filters, conditions)
    pages = ceil(total / per_page) if total else 0
    if page < 1 or (page > 1 and page > pages):
        abort(404)
    offset = (page - 1) * per_page
    limit = max(0, min(per_page, total - offset))
    entries: list[LedgerEntry] = []
    older_half = offset + limit / 2 > total / 2
    if limit:
        query = (select(LedgerEntry).where(*conditions)
                 .options(selectinload(LedgerEntry.fund), selectinload(LedgerEntry.project)))
        if older_half:
            # In the older half: read from the oldest end with the small complementary offset.
            rows = db.session.scalars(query.order_by(*_OLDEST_FIRST).offset(total - offset - limit).limit(limit))
            entries = list(rows)[::-1]
        else:
            entries = list(db.session.scalars(query.order_by(*_NEWEST_FIRST).offset(offset).limit(limit)))
    pagination = _KnownPage(page=page, per_page=per_page, max_per_page=None, error_out=False,
                            items=entries, total=total)
    balances = None
    if filters.fund and entries:
        balances = money.running_balances(filters.fund.id, entries, from_newest=not older_half)
    return LedgerPage(pagination, totals, balances, entries)


CHOICES_LIMIT = 200  # more funds or projects than this: a text field for the name instead of a drop-down


def _first_public_ids(model, limit: int):
    return select(model.id).where(model.public_clause()).limit(limit + 1).subquery()


def at_most(model, limit: int) -> bool:
    """Whether there are at most ``limit`` public ``model`` rows: reads no more than limit + 1 of them."""
    return db.session.scalar(select(func.count()).select_from(_first_public_ids(model, limit))) <= limit


def rows_if_few(query, model, limit: int, scalars: bool = True) -> list | None:
    """The rows of ``query`` (over public ``model`` rows) when there are at most ``limit`` public ones, else
    None. One query that reads and sorts at most limit + 1 rows: those of the first limit + 1 public ids."""
    first = _first_public_ids(model, limit)
    query = query.where(model.id.in_(select(first.c.id)))
    rows = list(db.session.scalars(query) if scalars else db.session.execute(query))
    return rows if len(rows) <= limit else None


def fund_choices(limit: int | None = None) -> list | None:
    """Public funds (id, slug, title) for the ledger's fund filter: the general fund first, then named, then
    community funds; None when there are more than ``limit`` (the page then asks for a name)."""
    limit = limit or CHOICES_LIMIT

    def read():
        query = select(Fund.id, Fund.slug, Fund.title).where(Fund.public_clause()).order_by(_fund_order(), Fund.title)
        return rows_if_few(query, Fund, limit, scalars=False)

    return per_generation(f"fund_choices:{limit}", read)


def project_choices(limit: int | None = None) -> list | None:
    """Public projects (id, slug, title) for the ledger's project filter, newest first; None past ``limit``."""
    limit = limit or CHOICES_LIMIT

    def read():
        query = (select(Project.id, Project.slug, Project.title).where(Project.public_clause())
                 .order_by(Project.start_date.desc().nulls_last(), Project.title))
        return rows_if_few(query, Project, limit, scalars=False)

    return per_generation(f"project_choices:{limit}", read)


# --- /funds ----------------------------------------------------------------------------------


def _fund_order():
    return case((Fund.kind == FundKind.GENERAL, 0), (Fund.kind == FundKind.NAMED, 1), else_=2)


def _read_words(args, name: str) -> str:
    """Words of a search, with runs of spaces made one, up to 100 characters."""
    return " ".join(query_text(args, name, 1000).split())[:100]


@dataclass(frozen=True)
class FundFilters(ListFilters):
    q: str = filter_field(_read_words, default="")
    kind: FundKind | None = filter_field(read_member(FundKind))

    def conditions(self) -> list:
        conditions = [Fund.public_clause()]
        if self.q:
            conditions.append(or_(Fund.title.contains(self.q, autoescape=True),
                                  Fund.area.contains(self.q, autoescape=True)))
        if self.kind:
            conditions.append(Fund.kind == self.kind)
        return conditions


FUND_KIND_ORDER = (FundKind.GENERAL, FundKind.NAMED, FundKind.COMMUNITY)  # as _fund_order() sorts them


def _public_funds_by_kind(kinds) -> dict[FundKind, int]:
    """How many public funds of each kind: counted in the kind index, less the few hidden funds, once a
    generation (10,000 funds: 1.4 ms on PostgreSQL)."""
    kinds = tuple(kinds)

    def count() -> dict[FundKind, int]:
        hidden = hidden_owners().fund_ids
        query = select(Fund.kind, func.count()).where(Fund.kind.in_(kinds)).group_by(Fund.kind)
        if hidden:
            query = query.where(Fund.id.not_in(hidden))
        return {kind: int(count) for kind, count in db.session.execute(query)}

    return per_generation(f"funds_by_kind:{','.join(sorted(kind.value for kind in kinds))}", count)


def funds_page(page: int, filters: FundFilters = FundFilters()):
    """One page (20) of public funds, the general fund first, then named, then community funds, each by title.

    A search counts and sorts what it matched. Otherwise the page is read kind by kind from the
    (kind, title) index: the count per kind, then at most two short index ranges, read from whichever
    end of a kind is nearer, so the last page of ten thousand funds costs what the first does.
    """
    if filters.q:
        query = select(Fund).where(*filters.conditions()).order_by(_fund_order(), Fund.title, Fund.id)
        return db.paginate(query, page=page, per_page=FUNDS_PER_PAGE, error_out=True)
    kinds = [filters.kind] if filters.kind else list(FUND_KIND_ORDER)
    counts = _public_funds_by_kind(kinds)
    total = sum(counts.values())
    if page < 1 or (page > 1 and (page - 1) * FUNDS_PER_PAGE >= total):
        abort(404)
    offset, items = (page - 1) * FUNDS_PER_PAGE, []
    for kind in kinds:
        count = counts.get(kind, 0)
        if offset >= count:
            offset -= count
            continue
        take = min(FUNDS_PER_PAGE - len(items), count - offset)
        query = select(Fund).where(Fund.public_clause(), Fund.kind == kind)
        if offset + take / 2 > count / 2:
            rows = db.session.scalars(query.order_by(Fund.title.desc(), Fund.id.desc())
                                      .offset(count - offset - take).limit(take))
            items += list(rows)[::-1]
        else:
            items += list(db.session.scalars(query.order_by(Fund.title, Fund.id).offset(offset).limit(take)))
        offset = 0
        if len(items) >= FUNDS_PER_PAGE:
            break
    return _KnownPage(page=page, per_page=FUNDS_PER_PAGE, max_per_page=None, error_out=False,
                      items=items, total=total)


def funds_summary(filters: FundFilters = FundFilters()) -> money.MoneyTotals:
    """Totals over every fund matching ``filters`` (not just one page), from the summary tables: every
    public fund's public lines are the site's public lines."""
    if not filters.active:
        return money.ledger_totals(*public_line_conditions())
    return money.public_funds_totals(select(Fund.id).where(*filters.conditions()))


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
    # One set of ids from two indexes; "fund_id = x OR id IN (...)" made PostgreSQL read every project.
    financed = union(select(Project.id).where(Project.fund_id == fund.id), booked)
    projects = list(db.session.scalars(
        select(Project)
        .where(Project.public_clause(), Project.id.in_(financed))
        .order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
    ))
    ids = [project.id for project in projects]
    public = public_line_conditions()
    overall = money.totals_by(LedgerEntry.project_id, ids, *public)
    own = money.totals_by(LedgerEntry.project_id, ids, LedgerEntry.fund_id == fund.id, *public)
    return [FundProject(project, overall[project.id], own[project.id]) for project in projects]


def latest_ledger_lines(limit: int = 10, **filters) -> list[LedgerEntry]:
    """The newest public lines matching ``filters`` (e.g. ``fund_id=3``), for a fund or project page."""
    shape, public_values = public_line_parameters()
    statement = _latest_lines_statement(limit, tuple(sorted(filters)), shape)
    return list(db.session.scalars(statement, {**filters, **public_values}))


@built_once
def _latest_lines_statement(limit: int, filter_names: tuple[str, ...], shape: tuple[bool, bool]):
    return (
        select(LedgerEntry)
        .where(*(getattr(LedgerEntry, name) == bindparam(name) for name in filter_names),
               *bound_public_line_conditions(shape))
        .options(selectinload(LedgerEntry.fund))
        .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )


@dataclass(frozen=True)
class StaffLedgerFilters(ListFilters):
    """The finance workspace's filters: funds and projects by id, voided lines too, and a search."""

    q: str = filter_field(read_text(), default="")
    fund: int | None = filter_field(read_id)
    project: int | None = filter_field(read_id)
    kind: EntryKind | None = filter_field(read_member(EntryKind))
    state: str | None = filter_field(read_choice(("active", "voided")))

    def conditions(self) -> list:
        conditions = []
        if self.fund:
            conditions.append(LedgerEntry.fund_id == self.fund)
        if self.project:
            conditions.append(LedgerEntry.project_id == self.project)
        if self.kind:
            conditions.append(LedgerEntry.kind == self.kind)
        if self.state:
            conditions.append(LedgerEntry.voided.is_(self.state == "voided"))
        if self.q:
            pattern = f"%{self.q}%"
            conditions.append(or_(LedgerEntry.summary.ilike(pattern), LedgerEntry.voucher_no.ilike(pattern),
                                  LedgerEntry.counterparty.ilike(pattern)))
        return conditions


def staff_page(conditions: list, page: int):
    """Every line (voided and of draft funds included), newest first, for the finance workspace."""
    query = (select(LedgerEntry).where(*conditions)
             .options(joinedload(LedgerEntry.fund), joinedload(LedgerEntry.project))
             .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc()))
    return db.paginate(query, page=page, per_page=STAFF_PER_PAGE, error_out=False)
