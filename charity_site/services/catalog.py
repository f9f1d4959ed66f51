"""Read-side queries for the public pages. Each list is a fixed number of queries."""

from __future__ import annotations

from flask import abort, redirect, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from . import slugs
from ..models import Disclosure, LedgerEntry, NewsPost, Page, Project, ProjectUpdate

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


def projects_page(page: int):
    query = select(Project).where(Project.public_clause()).order_by(
        Project.featured.desc(), Project.start_date.desc().nulls_last(), Project.id.desc()
    )
    return db.paginate(query, page=page, per_page=PROJECTS_PER_PAGE, error_out=True)


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


def news_page(page: int):
    query = select(NewsPost).where(NewsPost.public_clause()).order_by(
        NewsPost.published_at.desc(), NewsPost.id.desc()
    )
    return db.paginate(query, page=page, per_page=NEWS_PER_PAGE, error_out=True)


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
