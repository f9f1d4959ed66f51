"""The site's own words: settings, standing pages and news."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.extensions import db
from charity_site.core.models import ContentSourceMixin, PublishableMixin, TimestampMixin, UTCDateTime, VersionedMixin, utcnow


class SiteSettings(VersionedMixin, ContentSourceMixin, TimestampMixin, db.Model):
    """The organisation's particulars; the site keeps exactly one row (id 1)."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_name: Mapped[str] = mapped_column(String(120), default=str)
    org_short_name: Mapped[str] = mapped_column(String(60), default=str)
    tagline: Mapped[str] = mapped_column(String(255), default=str)
    intro_md: Mapped[str] = mapped_column(Text, default=str)
    credit_code: Mapped[str] = mapped_column(String(40), default=str)  # 统一社会信用代码
    address: Mapped[str] = mapped_column(String(255), default=str)
    phone: Mapped[str] = mapped_column(String(40), default=str)
    supervision_phone: Mapped[str] = mapped_column(String(40), default=str)  # 监督电话
    email: Mapped[str] = mapped_column(String(254), default=str)
    icp_number: Mapped[str] = mapped_column(String(60), default=str)  # ICP备案号
    charity_china_url: Mapped[str] = mapped_column(String(255), default=str)  # 慈善中国
    founded_year: Mapped[int | None] = mapped_column(Integer)


class Page(PublishableMixin, TimestampMixin, db.Model):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    nav_order: Mapped[int | None] = mapped_column(Integer)


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

    projects: Mapped[list["Project"]] = relationship(  # noqa: F821
        secondary=news_projects, back_populates="news", order_by="Project.title"
    )


class SlugRedirect(db.Model):
    """An old slug of a renamed item, kept so shared links keep working (301 to the new one)."""

    __tablename__ = "slug_redirects"
    __table_args__ = (UniqueConstraint("kind", "old_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "page", "news", "project", "fund"
    old_slug: Mapped[str] = mapped_column(String(160))
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
