"""Read-side queries for the news pages."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.news.models import NewsPost
from charity_site.projects.models import Project

NEWS_PER_PAGE = 10


@built_once
def _project_news_statement(limit: int):
    return (
        select(NewsPost)
        .where(NewsPost.public_clause(), NewsPost.projects.any(Project.id == bindparam("project_id")))
        .order_by(NewsPost.published_at.desc())
        .limit(limit)
    )


def project_news(project: Project, limit: int = 5) -> list[NewsPost]:
    return list(db.session.scalars(_project_news_statement(limit), {"project_id": project.id}))


@built_once
def _latest_news_statement(limit: int):
    return select(NewsPost).where(NewsPost.public_clause()).order_by(NewsPost.published_at.desc()).limit(limit)


def latest_news(limit: int = 5) -> list[NewsPost]:
    return list(db.session.scalars(_latest_news_statement(limit)))


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
