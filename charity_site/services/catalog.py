"""Read-side queries for the public pages. Each list is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, redirect, url_for
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    PROJECT_CATEGORIES,
    Disclosure,
    EntryKind,
    LedgerEntry,
    NewsPost,
    Page,
    Project,
    ProjectStatus,
    ProjectUpdate,
    utcnow,
)
from . import slugs

PROJECTS_PER_PAGE = 12
NEWS_PER_PAGE = 10
DISCLOSURES_PER_PAGE = 20


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
        year = args.get("year", type=int)
        year = year if year and 1949 <= year <= 2100 else None
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
    query = (
        select(LedgerEntry)
        .filter_by(**filters)
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


def project_disclosures(project: Project, limit: int = 5) -> list[Disclosure]:
    query = (
        select(Disclosure)
        .where(Disclosure.public_clause(), Disclosure.project_id == project.id)
        .order_by(Disclosure.published_at.desc())
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


def disclosures_page(page: int):
    query = (
        select(Disclosure)
        .where(Disclosure.public_clause())
        .options(selectinload(Disclosure.project))
        .order_by(Disclosure.published_at.desc(), Disclosure.id.desc())
    )
    return db.paginate(query, page=page, per_page=DISCLOSURES_PER_PAGE, error_out=True)


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
    from . import uploads

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
