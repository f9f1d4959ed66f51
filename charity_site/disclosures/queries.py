"""Read-side queries for the public disclosure pages and the staff list."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from charity_site.core.formatting import local_to_utc
from charity_site.core.models import utcnow
from charity_site.core.statements import built_once
from charity_site.disclosures.models import (
    Disclosure,
    DisclosureKind,
    DisclosureRevision,
    DisclosureStatus,
    disclosure_projects,
)
from charity_site.extensions import db
from charity_site.finance.models import EntryKind, Fund, LedgerEntry
from charity_site.projects.models import Project
from charity_site.web.filters import ListFilters, filter_field, read_member, read_slug, read_text, read_year

DISCLOSURES_PER_PAGE = 20


@built_once
def _linked_statement(limit: int, by_project: bool, by_fund: bool):
    conditions = []
    if by_project:
        conditions.append(Disclosure.covers_project(bindparam("project_id")))
    if by_fund:
        conditions.append(Disclosure.fund_id == bindparam("fund_id"))
    return (
        select(Disclosure)
        .where(Disclosure.public_clause(), *conditions)
        .order_by(Disclosure.published_at.desc(), Disclosure.id.desc())
        .limit(limit)
    )


def linked_disclosures(limit: int, *, project_id: int | None = None, fund_id: int | None = None) -> list[Disclosure]:
    """The latest public disclosures covering one project (among others) or naming one fund."""
    statement = _linked_statement(limit, project_id is not None, fund_id is not None)
    return list(db.session.scalars(statement, {"project_id": project_id, "fund_id": fund_id}))


@built_once
def _latest_statement(limit: int):
    return select(Disclosure).where(Disclosure.public_clause()).order_by(Disclosure.published_at.desc()).limit(limit)


def latest_disclosures(limit: int = 5) -> list[Disclosure]:
    return list(db.session.scalars(_latest_statement(limit)))


@dataclass(frozen=True)
class DisclosureFilters(ListFilters):
    """The /disclosures filters as they appear in the URL; unknown values are ignored, not errors."""

    kind: DisclosureKind | None = filter_field(read_member(DisclosureKind), arg="type")
    year: int | None = filter_field(read_year)
    project: str | None = filter_field(read_slug)
    fund: str | None = filter_field(read_slug)


@dataclass(frozen=True)
class StaffDisclosureFilters(ListFilters):
    """The workspace list's filters: words in the title or summary, the kind and the status."""

    q: str = filter_field(read_text(), default="")
    kind: DisclosureKind | None = filter_field(read_member(DisclosureKind))
    status: DisclosureStatus | None = filter_field(read_member(DisclosureStatus))


def _year_bounds_utc(year: int) -> tuple[datetime, datetime]:
    """The first moment of ``year`` and of the next one in Beijing time, as UTC."""
    return (local_to_utc(datetime(year, 1, 1)), local_to_utc(datetime(year + 1, 1, 1)))


def disclosures_page(page: int, filters: DisclosureFilters = DisclosureFilters()):
    """One page of public disclosures, newest first, matching ``filters``."""
    query = select(Disclosure).where(Disclosure.public_clause())
    if filters.kind:
        query = query.where(Disclosure.kind == filters.kind)
    if filters.year:
        # The year of the period's end; a disclosure without a period counts in the year it was published.
        start, end = _year_bounds_utc(filters.year)
        query = query.where(or_(
            Disclosure.period_end.between(date(filters.year, 1, 1), date(filters.year, 12, 31)),
            Disclosure.period_end.is_(None) & (Disclosure.published_at >= start) & (Disclosure.published_at < end),
        ))
    if filters.project:
        query = query.where(Disclosure.projects.any(Project.slug == filters.project))
    if filters.fund:
        query = query.where(Disclosure.fund.has(Fund.slug == filters.fund))
    query = query.options(selectinload(Disclosure.projects), selectinload(Disclosure.fund)).order_by(
        Disclosure.published_at.desc(), Disclosure.id.desc()
    )
    return db.paginate(query, page=page, per_page=DISCLOSURES_PER_PAGE, error_out=True)


def disclosure_years() -> list[int]:
    """Years to filter by (of a period's end or of publication), newest first."""
    row = db.session.execute(
        select(func.min(Disclosure.period_end), func.max(Disclosure.period_end),
               func.min(Disclosure.published_at), func.max(Disclosure.published_at))
        .where(Disclosure.public_clause())
    ).one()
    years = [value.year for value in row if value is not None]
    if not years:
        return []
    return list(range(min(max(years), utcnow().year + 1), min(years) - 1, -1))


def disclosure_projects_and_funds() -> tuple[list[Project], list[Fund]]:
    """The public projects and funds that public disclosures refer to, for the filters."""
    projects = db.session.scalars(
        select(Project).where(Project.public_clause(), Project.id.in_(
            select(disclosure_projects.c.project_id)
            .join(Disclosure, Disclosure.id == disclosure_projects.c.disclosure_id)
            .where(Disclosure.public_clause())
        )).order_by(Project.title)
    )
    funds = db.session.scalars(
        select(Fund).where(Fund.public_clause(), Fund.id.in_(
            select(Disclosure.fund_id).where(Disclosure.public_clause())
        )).order_by(Fund.title)
    )
    return list(projects), list(funds)


def corrected_ids(disclosure_ids) -> set[int]:
    """Which of these disclosures have been corrected (have a revision after the first), in one query."""
    ids = list(disclosure_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(DisclosureRevision.disclosure_id)
        .where(DisclosureRevision.disclosure_id.in_(ids), DisclosureRevision.number > 1)
        .group_by(DisclosureRevision.disclosure_id)
    ))


def public_disclosure_or_404(disclosure_id: int) -> Disclosure:
    """A published or withdrawn disclosure; drafts do not exist for visitors."""
    return db.first_or_404(
        select(Disclosure)
        .where(Disclosure.id == disclosure_id, Disclosure.public_clause())
        .options(selectinload(Disclosure.revisions), selectinload(Disclosure.attachments),
                 selectinload(Disclosure.projects), selectinload(Disclosure.fund))
    )


@dataclass(frozen=True)
class LedgerSummary:
    """Income and expense by category from the ledger, for a disclosure's projects or fund and period."""

    income: list
    expense: list
    totals: object  # money.MoneyTotals
    scope: str  # "project", "fund" or "organisation"
    period_start: date | None
    period_end: date | None
    link_args: dict  # query arguments for /ledger: exactly the lines summed here
    projects: tuple = ()  # the public projects summed, by title
    paid_from: tuple = ()  # sources.FundPayment: for projects, the funds their spending was booked to

    @property
    def funded_elsewhere(self) -> bool:
        """Projects that raised nothing themselves in the period: their spending was paid from funds
        whose income is the funds', so income minus spending would read as a deficit that is not one."""
        return self.scope == "project" and not self.totals.income_fen and bool(self.paid_from)

    @property
    def empty(self) -> bool:
        return not (self.income or self.expense)


def disclosure_ledger_summary(disclosure: Disclosure) -> LedgerSummary | None:
    """The ledger's totals for the disclosure's projects (or fund) and period, computed in SQL.

    A disclosure covering several projects sums the lines of all of them. A disclosure naming
    neither a project nor a fund has a summary only when it is an organisation-wide report (annual
    work report, financial or audit report) with a period: then the whole of this site's ledger
    for the period is summed, and the page says it is the site's record, not the report's figures.
    Any other such disclosure (an external example's notice, a notice of a major event) has none:
    the site's totals beside its own figures would read as a contradiction.

    ``link_args`` open the same lines in /ledger (a repeated ``project`` for several projects).
    Only public lines are summed, and lines of projects visitors cannot see are not public, so
    the link names the public projects only.
    """
    from charity_site.finance import money, public_lines, sources

    projects = tuple(disclosure.public_projects())
    fund = disclosure.fund if disclosure.fund_id else None
    start, end = disclosure.period_start, disclosure.period_end
    if disclosure.projects and not projects:
        return None  # it covers only projects that are not public: nothing to sum for visitors
    if not projects and fund is None and (
            not disclosure.kind.is_organisation_wide or (start is None and end is None)):
        return None
    conditions, link_args = [], {}
    if projects:
        conditions.append(LedgerEntry.project_id.in_([project.id for project in projects]))
        link_args["project"] = [project.slug for project in projects] if len(projects) > 1 else projects[0].slug
    elif fund is not None:
        conditions.append(LedgerEntry.fund_id == fund.id)
        link_args["fund"] = fund.slug
    if start is not None:
        conditions.append(LedgerEntry.occurred_on >= start)
        link_args["from"] = start.isoformat()
    if end is not None:
        conditions.append(LedgerEntry.occurred_on <= end)
        link_args["to"] = end.isoformat()
    conditions += public_lines.public_line_conditions()
    categories = money.category_totals(*conditions)
    return LedgerSummary(
        income=[row for row in categories if row.kind is EntryKind.INCOME],
        expense=[row for row in categories if row.kind is EntryKind.EXPENSE],
        totals=money.ledger_totals(*conditions),
        scope="project" if projects else "fund" if fund is not None else "organisation",
        period_start=start, period_end=end, link_args=link_args, projects=projects,
        paid_from=tuple(sources.payments_by_fund(*conditions)) if projects else (),
    )


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "removed", "added" or "gap" (unchanged lines left out)
    text: str = ""


def diff_lines(old_text: str, new_text: str, context: int = 2) -> list[DiffLine]:
    """The changed Markdown source lines of two revisions, with ``context`` unchanged lines around each change."""
    old_lines, new_lines = (old_text or "").splitlines(), (new_text or "").splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    result: list[DiffLine] = []
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index or (group and (group[0][1] > 0 or group[0][3] > 0)):
            result.append(DiffLine("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(DiffLine("same", line) for line in old_lines[i1:i2])
                continue
            if tag in ("replace", "delete"):
                result.extend(DiffLine("removed", line) for line in old_lines[i1:i2])
            if tag in ("replace", "insert"):
                result.extend(DiffLine("added", line) for line in new_lines[j1:j2])
    return result


def staff_page(filters: StaffDisclosureFilters, page: int, per_page: int):
    """Every disclosure matching ``filters`` for the workspace list, newest first."""
    query = select(Disclosure)
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(or_(Disclosure.title.ilike(pattern), Disclosure.summary.ilike(pattern)))
    if filters.status:
        query = query.where(Disclosure.status == filters.status)
    if filters.kind:
        query = query.where(Disclosure.kind == filters.kind)
    query = query.order_by(Disclosure.created_at.desc(), Disclosure.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
