"""News posts and the projects they are about."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.models import (
    PublishableMixin,
    TimestampMixin,
)
from charity_site.extensions import db

news_projects = Table(
    "news_projects",
    db.metadata,
    Column("news_id", ForeignKey("news_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
)


class NewsPost(PublishableMixin, TimestampMixin, db.Model):
    __tablename__ = "news_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), default=str, index=True)
    source: Mapped[str] = mapped_column(String(120), default=str)  # 来源
    author: Mapped[str] = mapped_column(String(120), default=str)
    cover_image: Mapped[str | None] = mapped_column(String(255))
    view_count: Mapped[int] = mapped_column(Integer, default=lambda: 0)

    projects: Mapped[list[Project]] = relationship(  # noqa: F821
        secondary=news_projects, back_populates="news", order_by="Project.title"
    )
