"""Charity projects and their dated progress updates."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from charity_site.core.models import ContentSourceMixin, PublishableMixin, TimestampMixin, VersionedMixin, str_enum
from charity_site.extensions import db


class ProjectStatus(str, enum.Enum):
    PREPARING = "preparing"  # 筹备中
    ACTIVE = "active"  # 实施中
    COMPLETED = "completed"  # 已完成


PROJECT_CATEGORIES = ("助学支教", "扶贫济困", "安老助医", "社区慈善", "慈善救助", "特殊群体关爱")


class Descending(ColumnElement):
    """An index column in descending order, as ``ORDER BY column DESC [NULLS LAST]`` reads it.

    SQLite sorts NULL below every value and allows no NULLS LAST in an index: there the plain
    ascending column, read backwards, is that order (and the index's other columns are ascending
    too, so that one backward read serves them all). PostgreSQL's descending default is NULLs
    first, so NULLS LAST is spelled out where the query asks for it; it must match the query's
    order exactly, even for a column that holds no NULL. (One index definition for both, which
    `flask db` compares as it is.)
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column_name: str, *, nulls_last: bool = False):
        from sqlalchemy import column

        self.column = column(column_name)
        self.type = self.column.type
        self.nulls_last = nulls_last


@compiles(Descending)
def _descending(element: Descending, compiler, **kw) -> str:
    return f"{compiler.process(element.column, **kw)} DESC{' NULLS LAST' if element.nulls_last else ''}"


@compiles(Descending, "sqlite")
def _descending_sqlite(element: Descending, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


class Project(PublishableMixin, TimestampMixin, db.Model):
    """A charity project. Budget and goal are typed in; raised and spent come from the ledger."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("budget_fen IS NULL OR budget_fen >= 0", name="budget_not_negative"),
        CheckConstraint("goal_fen IS NULL OR goal_fen >= 0", name="goal_not_negative"),
        # The public list's order (newest start first, undated last, then id), carrying the
        # publication and filter columns so that skipping rows never reads the table.
        Index("ix_projects_listing", Descending("start_date", nulls_last=True), Descending("id"), "status", "published_at",
              "category", "project_status"),
        # Counting public projects (and those of one category) reads only an index.
        Index("ix_projects_public", "status", "published_at"),
        Index("ix_projects_category_public", "category", "status", "published_at"),
        # The year filter's first and last years.
        Index("ix_projects_start_date", "start_date"),
        Index("ix_projects_end_date", "end_date"),
        # The newest change of a public project (the list page's lastmod in the sitemap; freshness).
        Index("ix_projects_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), default=str, index=True)
    project_status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus), default=lambda: ProjectStatus.ACTIVE, index=True
    )
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    goal_fen: Mapped[int | None] = mapped_column(BigInteger)  # fundraising goal, when there is a campaign
    beneficiaries: Mapped[int | None] = mapped_column(Integer)  # people helped
    service_sessions: Mapped[int | None] = mapped_column(Integer)  # 服务场次
    people_served: Mapped[int | None] = mapped_column(Integer)  # 服务人次
    responsible_person: Mapped[str] = mapped_column(String(120), default=str)
    contact: Mapped[str] = mapped_column(String(120), default=str)
    cover_image: Mapped[str | None] = mapped_column(String(255))
    featured: Mapped[bool] = mapped_column(default=False, index=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="SET NULL"), index=True)

    fund: Mapped[Fund | None] = relationship(back_populates="projects")  # noqa: F821
    updates: Mapped[list[ProjectUpdate]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectUpdate.happened_on.desc()"
    )
    news: Mapped[list[NewsPost]] = relationship(  # noqa: F821
        secondary="news_projects", back_populates="projects"
    )


class ProjectUpdate(VersionedMixin, ContentSourceMixin, TimestampMixin, db.Model):
    """A dated entry on a project's progress timeline."""

    __tablename__ = "project_updates"
    __table_args__ = (UniqueConstraint("project_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(160))
    happened_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default=str)
    published: Mapped[bool] = mapped_column(default=True)

    project: Mapped[Project] = relationship(back_populates="updates")
