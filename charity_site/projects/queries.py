"""Read-side queries for the public pages. Each list is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import abort, redirect, url_for
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from charity_site.extensions import db
from charity_site.models import (
    PROJECT_CATEGORIES,
    Disclosure,
    DisclosureKind,
    DisclosureRevision,
    EntryKind,
    Fund,
    LedgerEntry,
    NewsPost,
    Page,
    Project,
    ProjectStatus,
    ProjectUpdate,
    utcnow,
)
from charity_site.core.formatting import local_to_utc
from charity_site.web.input import query_int, query_text
from charity_site.core import slugs

PROJECTS_PER_PAGE = 12
NEWS_PER_PAGE = 10
DISCLOSURES_PER_PAGE = 20
FIRST_YEAR, LAST_YEAR = 1949, 2100  # the years the year filters accept


REDIRECT_KINDS = {"Page": "page", "NewsPost": "news", "Project": "project", "Fund": "fund"}


def public_or_404(model, **filters):
    """The public item matching ``filters`` or a 404: drafts and future items do not exist for visitors."""
    query = select(model).filter_by(**filters).where(model.public_clause())
    return db.first_or_404(query)


def public_by_slug(model, slug: str, endpoint: str, **url_values):
    """The public item with ``slug``; an old slug of a renamed item answers 301 to its new address."""
    item = db.session.scalars(select(model).where(model.slug == slug, model.public_clause())).first()
    if item is not None:
        return item
    target_id = slugs.redirect_target(REDIRECT_KINDS[model.__name__], slug)
    if target_id is not None:
        target = db.session.scalars(select(model).where(model.id == target_id, model.public_clause())).first()
        if target is not None:
            abort(redirect(url_for(endpoint, slug=target.slug, **url_values), code=301))
    abort(404)


def featured_projects(limit: int = 4) -> list[Project]:
    query = (
        select(Project)
        .where(Project.public_clause(), Project.featured.is_(True))
        .order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


PROJECT_SORTS = ("newest", "funded")


@dataclass(frozen=True)
class ProjectFilters:
    """The /projects filters as they appear in the URL; unknown values are ignored, not errors."""

    category: str | None = None
    status: ProjectStatus | None = None
    year: int | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> "ProjectFilters":
        category = args.get("category") if args.get("category") in PROJECT_CATEGORIES else None
        try:
            status = ProjectStatus(args.get("status"))
        except ValueError:
            status = None
        year = query_int(args, "year", minimum=FIRST_YEAR, maximum=LAST_YEAR)
        sort = args.get("sort") if args.get("sort") in PROJECT_SORTS else "newest"
        return cls(category, status, year, sort)

    @property
    def active(self) -> bool:
        return any((self.category, self.status, self.year))

    def as_args(self) -> dict:
        values = {"category": self.category, "status": self.status.value if self.status else None,
                  "year": self.year, "sort": self.sort if self.sort != "newest" else None}
        return {key: value for key, value in values.items() if value}


def projects_page(page: int, filters: ProjectFilters = ProjectFilters()):
    """One page (12) of public projects matching ``filters``: a count and one select, whatever the size."""
    query = select(Project).where(Project.public_clause())
    if filters.category:
        query = query.where(Project.category == filters.category)
    if filters.status:
        query = query.where(Project.project_status == filters.status)
    if filters.year:
        # Running at some point in that year; a project without dates is in no year.
        query = query.where(
            or_(Project.start_date.is_not(None), Project.end_date.is_not(None)),
            or_(Project.start_date.is_(None), Project.start_date <= date(filters.year, 12, 31)),
            or_(Project.end_date.is_(None), Project.end_date >= date(filters.year, 1, 1)),
        )
    if filters.sort == "funded":
        money = (
            select(
                LedgerEntry.project_id.label("project_id"),
                func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)).label("raised"),
                func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)).label("spent"),
            )
            .where(LedgerEntry.voided.is_(False), LedgerEntry.project_id.is_not(None))
            .group_by(LedgerEntry.project_id)
            .subquery()
        )
        query = query.outerjoin(money, money.c.project_id == Project.id).order_by(
            func.coalesce(money.c.raised, 0).desc(), func.coalesce(money.c.spent, 0).desc(), Project.id.desc()
        )
    else:
        query = query.order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
    return db.paginate(query, page=page, per_page=PROJECTS_PER_PAGE, error_out=True)


def project_years() -> list[int]:
    """The years in which public projects ran, newest first, for the year filter."""
    first_start, last_start, last_end = db.session.execute(
        select(func.min(Project.start_date), func.max(Project.start_date), func.max(Project.end_date))
        .where(Project.public_clause())
    ).one()
    if first_start is None:
        return []
    last = max(filter(None, (last_start, last_end)))
    return list(range(min(last.year, utcnow().year + 1), first_start.year - 1, -1))


def project_updates(project: Project) -> list[ProjectUpdate]:
    query = (
        select(ProjectUpdate)
        .where(ProjectUpdate.project_id == project.id, ProjectUpdate.published.is_(True))
        .order_by(ProjectUpdate.happened_on.desc(), ProjectUpdate.id.desc())
    )
    return list(db.session.scalars(query))


def latest_ledger_lines(limit: int = 10, **filters) -> list[LedgerEntry]:
    from charity_site.finance import money

    query = (
        select(LedgerEntry)
        .filter_by(**filters)
        .where(*money.public_line_conditions())
        .options(selectinload(LedgerEntry.fund))
        .order_by(LedgerEntry.occurred_on.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def project_news(project: Project, limit: int = 5) -> list[NewsPost]:
    query = (
        select(NewsPost)
        .where(NewsPost.public_clause(), NewsPost.projects.any(Project.id == project.id))
        .order_by(NewsPost.published_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def linked_disclosures(limit: int, **filters) -> list[Disclosure]:
    """The latest public disclosures of one project or fund (``project_id=`` or ``fund_id=``)."""
    query = (
        select(Disclosure)
        .filter_by(**filters)
        .where(Disclosure.public_clause())
        .order_by(Disclosure.published_at.desc(), Disclosure.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def latest_news(limit: int = 5) -> list[NewsPost]:
    query = select(NewsPost).where(NewsPost.public_clause()).order_by(NewsPost.published_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def news_page(page: int, category: str | None = None):
    query = select(NewsPost).where(NewsPost.public_clause())
    if category:
        query = query.where(NewsPost.category == category)
    query = query.order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
    return db.paginate(query, page=page, per_page=NEWS_PER_PAGE, error_out=True)


def news_categories() -> list[str]:
    """The categories that public news actually uses, for the filter tabs."""
    query = (
        select(NewsPost.category)
        .where(NewsPost.public_clause(), NewsPost.category != "")
        .group_by(NewsPost.category)
        .order_by(NewsPost.category)
    )
    return list(db.session.scalars(query))


def news_neighbours(post: NewsPost) -> tuple[NewsPost | None, NewsPost | None]:
    """(older, newer) public posts next to ``post``."""
    older = db.session.scalars(
        select(NewsPost)
        .where(NewsPost.public_clause(), NewsPost.published_at < post.published_at)
        .order_by(NewsPost.published_at.desc())
        .limit(1)
    ).first()
    newer = db.session.scalars(
        select(NewsPost)
        .where(NewsPost.public_clause(), NewsPost.published_at > post.published_at)
        .order_by(NewsPost.published_at.asc())
        .limit(1)
    ).first()
    return older, newer


def latest_disclosures(limit: int = 5) -> list[Disclosure]:
    query = select(Disclosure).where(Disclosure.public_clause()).order_by(Disclosure.published_at.desc()).limit(limit)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class DisclosureFilters:
    """The /disclosures filters as they appear in the URL; unknown values are ignored, not errors."""

    kind: DisclosureKind | None = None
    year: int | None = None
    project: str | None = None  # slug
    fund: str | None = None  # slug

    @classmethod
    def from_args(cls, args) -> "DisclosureFilters":
        try:
            kind = DisclosureKind(args.get("type"))
        except ValueError:
            kind = None
        year = query_int(args, "year", minimum=FIRST_YEAR, maximum=LAST_YEAR)
        project = query_text(args, "project", 160) or None
        fund = query_text(args, "fund", 160) or None
        return cls(kind, year, project, fund)

    @property
    def active(self) -> bool:
        return any((self.kind, self.year, self.project, self.fund))

    def as_args(self) -> dict:
        values = {"type": self.kind.value if self.kind else None, "year": self.year,
                  "project": self.project, "fund": self.fund}
        return {key: value for key, value in values.items() if value}


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
        query = query.where(Disclosure.project.has(Project.slug == filters.project))
    if filters.fund:
        query = query.where(Disclosure.fund.has(Fund.slug == filters.fund))
    query = query.options(selectinload(Disclosure.project), selectinload(Disclosure.fund)).order_by(
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
            select(Disclosure.project_id).where(Disclosure.public_clause())
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
                 selectinload(Disclosure.project), selectinload(Disclosure.fund))
    )


@dataclass(frozen=True)
class LedgerSummary:
    """Income and expense by category from the ledger, for a disclosure's project or fund and period."""

    income: list
    expense: list
    totals: object  # money.MoneyTotals
    scope: str  # "project", "fund" or "organisation"
    period_start: date | None
    period_end: date | None
    link_args: dict  # query arguments for /ledger

    @property
    def empty(self) -> bool:
        return not (self.income or self.expense)


def disclosure_ledger_summary(disclosure: Disclosure) -> LedgerSummary | None:
    """The ledger's totals for the disclosure's project (or fund) and period, computed in SQL.

    A disclosure naming neither a project nor a fund has a summary only when it is an
    organisation-wide report (annual work report, financial or audit report) with a period: then
    the whole of this site's ledger for the period is summed, and the page says it is the site's
    record, not the report's figures. Any other such disclosure (a quarterly report on several
    projects, an external example's notice, a notice of a major event) has none: the site's totals
    beside its own figures would read as a contradiction.
    """
    from charity_site.finance import money

    project = disclosure.project if disclosure.project_id else None
    fund = disclosure.fund if disclosure.fund_id else None
    start, end = disclosure.period_start, disclosure.period_end
    if project is None and fund is None and (
            not disclosure.kind.is_organisation_wide or (start is None and end is None)):
        return None
    conditions, link_args = [], {}
    if project is not None:
        conditions.append(LedgerEntry.project_id == project.id)
        link_args["project"] = project.slug
    elif fund is not None:
        conditions.append(LedgerEntry.fund_id == fund.id)
        link_args["fund"] = fund.slug
    if start is not None:
        conditions.append(LedgerEntry.occurred_on >= start)
        link_args["from"] = start.isoformat()
    if end is not None:
        conditions.append(LedgerEntry.occurred_on <= end)
        link_args["to"] = end.isoformat()
    conditions += money.public_line_conditions()
    categories = money.category_totals(*conditions)
    return LedgerSummary(
        income=[row for row in categories if row.kind is EntryKind.INCOME],
        expense=[row for row in categories if row.kind is EntryKind.EXPENSE],
        totals=money.ledger_totals(*conditions),
        scope="project" if project is not None else "fund" if fund is not None else "organisation",
        period_start=start, period_end=end, link_args=link_args,
    )


def footer_pages() -> list[Page]:
    query = select(Page).where(Page.public_clause()).order_by(Page.nav_order.asc().nulls_last(), Page.title)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Cover:
    src: str
    width: int
    height: int
    alt: str


def covers(items) -> dict[int, Cover]:
    """Thumbnails of the uploaded cover images of ``items`` (projects or news), in one query."""
    from charity_site.files import uploads

    names = {item.id: uploads.stored_name_from_url(item.cover_image) for item in items}
    found = uploads.attachments_by_name(names.values())
    result = {}
    for item_id, name in names.items():
        attachment = found.get(name)
        if attachment is None or not uploads.is_image(attachment):
            continue
        width, height = uploads.thumbnail_size(attachment)
        if width and height:
            result[item_id] = Cover(uploads.thumbnail_url(attachment) or uploads.file_url(attachment),
                                    width, height, attachment.title)
    return result
