"""Read-side queries for the Atom feeds and the sitemap: a fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, null, select
from sqlalchemy.orm import contains_eager

from charity_site.core.index_hints import indexed_by
from charity_site.disclosures.models import Disclosure
from charity_site.extensions import db
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.counting import public_project_count
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


def _latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


# Each sitemap section: its model, the key of its pages' addresses and its order (the order in
# which its items are split into files; projects in their list's order, along its index).
def _sections() -> dict:
    return {
        "pages": (Page, Page.slug, (Page.nav_order.asc().nulls_last(), Page.slug)),
        "projects": (Project, Project.slug, (Project.start_date.desc().nulls_last(), Project.id.desc())),
        "news": (NewsPost, NewsPost.slug, (NewsPost.published_at.desc(), NewsPost.id.desc())),
        "disclosures": (Disclosure, Disclosure.id, (Disclosure.published_at.desc(), Disclosure.id.desc())),
    }


SITEMAP_SECTIONS = ("pages", "projects", "news", "disclosures")


def sitemap_count(section: str) -> int:
    """How many public items the section lists (an index-only count)."""
    model = _sections()[section][0]
    if model is Project:
        return public_project_count(("all",))
    return db.session.scalar(select(func.count()).select_from(model).where(model.public_clause())) or 0


def sitemap_items(section: str, offset: int, limit: int) -> list[SitemapItem]:
    """``limit`` public items of the section from ``offset`` on, each with its latest change.

    The ids of the file's rows are found first, along an index and past ``offset`` rows without
    reading them; only those rows are then read, each with its newest shown progress update (a
    project page changes when one does)."""
    model, key_column, order_by = _sections()[section]
    chunk = select(model.id).where(model.public_clause()).order_by(*order_by).limit(limit).offset(offset)
    latest_update = null()
    if model is Project:
        chunk = indexed_by(chunk, Project, "ix_projects_listing")
        latest_update = (select(func.max(ProjectUpdate.updated_at))
                         .where(ProjectUpdate.project_id == Project.id, ProjectUpdate.published.is_(True))
                         .scalar_subquery())
    chunk = chunk.subquery()
    query = (select(key_column, model.updated_at, model.published_at, latest_update)
             .join(chunk, chunk.c.id == model.id).order_by(*order_by))
    return [SitemapItem(key, _latest(*moments)) for key, *moments in db.session.execute(query)]


def latest_change(section: str) -> datetime | None:
    """The newest change of any public item of the section: the lastmod of its list page.

    Single-row reads along the updated_at and published_at indexes, not a max over every item."""
    model = _sections()[section][0]
    public = model.public_clause()

    def newest(column):
        query = select(column).where(public).order_by(column.desc()).limit(1)
        if model is Project:
            query = indexed_by(query, Project, f"ix_projects_{column.key}")
        return db.session.scalar(query)

    moments = [newest(model.updated_at), newest(model.published_at)]
    if model is Project:
        moments.append(db.session.scalar(
            select(ProjectUpdate.updated_at).join(ProjectUpdate.project)
            .where(ProjectUpdate.published.is_(True), public)
            .order_by(ProjectUpdate.updated_at.desc()).limit(1)))
    return _latest(*moments)
