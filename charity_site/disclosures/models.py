"""Disclosures (信息公开/公示): published is permanent, changes are revisions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.models import (
    ContentSourceMixin,
    StateMachine,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    now_param,
    str_enum,
    utcnow,
)
from charity_site.extensions import db


class DisclosureKind(str, enum.Enum):
    ANNUAL_REPORT = "annual_report"  # 年度工作报告
    FINANCIAL_REPORT = "financial_report"  # 财务会计报告 / 审计报告
    PROGRESS_REPORT = "progress_report"  # 项目进展报告（季度）
    FINAL_REPORT = "final_report"  # 项目结项报告
    FUNDRAISING_REPORT = "fundraising_report"  # 募捐情况公示
    FUND_USE = "fund_use"  # 经费使用情况公示
    MAJOR_EVENT = "major_event"  # 重大事项公告
    CORRECTION = "correction"  # 更正说明

    @property
    def is_organisation_wide(self) -> bool:
        """A report on the whole organisation's year or accounts, not on one project or fund."""
        return self in (DisclosureKind.ANNUAL_REPORT, DisclosureKind.FINANCIAL_REPORT)


class DisclosureStatus(StateMachine):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # stays visible with its public reason

    @classmethod
    def allowed(cls) -> dict:
        return {
            cls.DRAFT: (cls.PUBLISHED,),
            cls.PUBLISHED: (cls.WITHDRAWN,),
            cls.WITHDRAWN: (),
        }


# The projects a disclosure covers: one report may cover several projects (a quarterly report on
# all of them). A project named by a disclosure cannot be deleted (a disclosure keeps what it names).
disclosure_projects = Table(
    "disclosure_projects",
    db.metadata,
    Column("disclosure_id", ForeignKey("disclosures.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Disclosure(VersionedMixin, ContentSourceMixin, TimestampMixin, db.Model):
    """A dated public document. Its current text is also kept as revisions, one per published version."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True, index=True)
    kind: Mapped[DisclosureKind] = mapped_column(str_enum(DisclosureKind), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default=str)
    body_md: Mapped[str] = mapped_column(Text, default=str)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="SET NULL"), index=True)
    status: Mapped[DisclosureStatus] = mapped_column(
        str_enum(DisclosureStatus), default=lambda: DisclosureStatus.DRAFT, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str] = mapped_column(Text, default=str)

    projects: Mapped[list[Project]] = relationship(  # noqa: F821
        secondary=disclosure_projects, order_by="Project.title"
    )
    fund: Mapped[Fund | None] = relationship()  # noqa: F821
    revisions: Mapped[list[DisclosureRevision]] = relationship(
        back_populates="disclosure", cascade="all, delete-orphan", order_by="DisclosureRevision.number"
    )
    attachments: Mapped[list[Attachment]] = relationship(back_populates="disclosure", order_by="Attachment.id")

    @classmethod
    def public_clause(cls, now: datetime | None = None):
        if now is None:
            now = now_param()
        return cls.status.in_((DisclosureStatus.PUBLISHED, DisclosureStatus.WITHDRAWN)) & (cls.published_at <= now)

    @classmethod
    def covers_project(cls, project_id):
        """Condition: the disclosure covers the project ``project_id`` (an id or a column)."""
        return cls.id.in_(select(disclosure_projects.c.disclosure_id)
                          .where(disclosure_projects.c.project_id == project_id))

    @property
    def project_ids(self) -> list[int]:
        """The ids of the projects it covers, sorted (what the audit log records)."""
        return sorted(project.id for project in self.projects)

    def public_projects(self) -> list:
        """The projects it covers that visitors can see, by title."""
        return [project for project in self.projects if project.is_public()]


class DisclosureRevision(db.Model):
    """A published version of a disclosure. Number 1 is the original; later ones carry a reason."""

    __tablename__ = "disclosure_revisions"
    __table_args__ = (UniqueConstraint("disclosure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default=str)
    body_md: Mapped[str] = mapped_column(Text, default=str)
    reason: Mapped[str] = mapped_column(Text, default=str)  # 更正说明; empty for the original
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    disclosure: Mapped[Disclosure] = relationship(back_populates="revisions")


class Attachment(db.Model):
    """An uploaded file (image or PDF) stored under UPLOAD_DIR with a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default=str)
    title: Mapped[str] = mapped_column(String(200), default=str)
    content_type: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumbnail_name: Mapped[str | None] = mapped_column(String(80))
    disclosure_id: Mapped[int | None] = mapped_column(ForeignKey("disclosures.id", ondelete="RESTRICT"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    disclosure: Mapped[Disclosure | None] = relationship(back_populates="attachments")
