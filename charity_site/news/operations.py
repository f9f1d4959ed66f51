"""Staff writes to news articles: the generic editor's kind (core/editing.py)."""

from __future__ import annotations

from sqlalchemy import select

from charity_site.core.editing import EditableKind
from charity_site.extensions import db
from charity_site.news.models import NewsPost
from charity_site.projects.models import Project
from charity_site.search import index as search


def _project_ids(post: NewsPost) -> dict:
    return {"project_ids": sorted(project.id for project in post.projects)}


def _set_projects(post: NewsPost, data: dict) -> None:
    project_ids = data.get("project_ids")
    if project_ids is not None:
        post.projects = list(db.session.scalars(select(Project).where(Project.id.in_(project_ids))))


NEWS = EditableKind(
    "news", NewsPost, fields=("category", "source", "author", "cover_image"),
    extra_snapshot=_project_ids, save_extra=_set_projects,
    on_saved=search.index_item, on_removed=search.remove_item,
)
