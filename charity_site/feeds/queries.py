"""Read-side queries for the Atom feeds and the sitemap: a fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from charity_site.disclosures.models import Disclosure
from charity_site.extensions import db
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import Project, ProjectUpdate

FEED_LENGTH = 30


def feed_news(limit: int = FEED_LENGTH) -> list[NewsPost]:
    query = (
        select(NewsPost)
        .where(NewsPost.public_clause())
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def feed_updates(limit: int = FEED_LENGTH) -> list[ProjectUpdate]:
    """Published progress updates of public projects, newest first, each with its project loaded."""
    query = (
        select(ProjectUpdate)
        .join(ProjectUpdate.project)
        .where(ProjectUpdate.published.is_(True), Project.public_clause())
        .options(contains_eager(ProjectUpdate.project))
        .order_by(ProjectUpdate.happened_on.desc(), ProjectUpdate.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class SitemapItem:
    key: str | int  # slug, or id for disclosures
    changed_at: datetime


def _latest(*moments: datetime | None) -> datetime:
    return max(moment for moment in moments if moment is not None)


def _items(model, key_column, order_by) -> list[SitemapItem]:
    rows = db.session.execute(
        select(key_column, model.updated_at, model.published_at).where(model.public_clause()).order_by(*order_by)
    )
    return [SitemapItem(key, _latest(updated_at, published_at)) for key, updated_at, published_at in rows]


def sitemap_pages() -> list[SitemapItem]:
    return _items(Page, Page.slug, (Page.nav_order.asc().nulls_last(), Page.slug))


def sitemap_news() -> list[SitemapItem]:
    return _items(NewsPost, NewsPost.slug, (NewsPost.published_at.desc(), NewsPost.id.desc()))


def sitemap_disclosures() -> list[SitemapItem]:
    return _items(Disclosure, Disclosure.id, (Disclosure.published_at.desc(), Disclosure.id.desc()))


def sitemap_projects() -> list[SitemapItem]:
    """Public projects; a project page changes when one of its shown progress updates does."""
    latest_update = dict(db.session.execute(
        select(ProjectUpdate.project_id, func.max(ProjectUpdate.updated_at))
        .join(ProjectUpdate.project)
        .where(ProjectUpdate.published.is_(True), Project.public_clause())
        .group_by(ProjectUpdate.project_id)
    ).all())
    rows = db.session.execute(
        select(Project.id, Project.slug, Project.updated_at, Project.published_at)
        .where(Project.public_clause())
        .order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
    )
    return [
        SitemapItem(slug, _latest(updated_at, published_at, latest_update.get(project_id)))
        for project_id, slug, updated_at, published_at in rows
    ]
