"""Funds and the ledger: the one source of truth for money."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.models import ContentSourceMixin, PublishableMixin, TimestampMixin, UTCDateTime, str_enum
from charity_site.extensions import db


class FundKind(str, enum.Enum):
    GENERAL = "general"  # 慈善基金 (非定向)
    COMMUNITY = "community"  # 社区慈善基金
    NAMED = "named"  # 冠名基金


class Fund(PublishableMixin, TimestampMixin, db.Model):
    """A pot of money with its own balance, derived from ledger entries."""

    __tablename__ = "funds"
    # /funds lists the funds kind by kind, by title: one index range per kind, however many funds.
    __table_args__ = (Index("ix_funds_kind_title", "kind", "title", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FundKind] = mapped_column(str_enum(FundKind), default=lambda: FundKind.GENERAL, index=True)
    area: Mapped[str] = mapped_column(String(120), default=str)  # 镇街/村居 of a community fund
    established_on: Mapped[date | None] = mapped_column(Date)

    projects: Mapped[list[Project]] = relationship(back_populates="fund")  # noqa: F821
    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="fund", lazy="raise")

    @property
    def name(self) -> str:
        return self.title


class EntryKind(str, enum.Enum):
    INCOME = "income"  # 收入
    EXPENSE = "expense"  # 支出


class CounterpartyType(str, enum.Enum):
    PERSON = "person"  # shown masked on public pages
    ORGANISATION = "organisation"  # shown in full


LEDGER_CHANNELS = ("银行转账", "微信", "支付宝", "现金", "物资折价")
EXPENSE_CATEGORIES = ("慰问", "救助", "助学", "微改造", "活动", "服务采购", "工程建设", "管理费用")
INCOME_CATEGORIES = ("捐赠收入", "政府补助", "其他收入")


class LedgerBatch(TimestampMixin, db.Model):
    """One spreadsheet import: the lines it added carry its id, so they can be found and voided together.

    ``line_count``, ``income_fen`` and ``expense_fen`` are what the file held when it was imported (a
    record of the import, like its audit row); what still counts is summed from the lines themselves.
    Staff only: the public ledger does not show batches.
    """

    __tablename__ = "ledger_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), default=str)
    sha256: Mapped[str] = mapped_column(String(64), default=str)
    line_count: Mapped[int] = mapped_column(default=0)
    income_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    expense_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    voided: Mapped[bool] = mapped_column(default=False)
    void_reason: Mapped[str] = mapped_column(Text, default=str, info={"max_length": 1000})
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))


class LedgerEntry(ContentSourceMixin, TimestampMixin, db.Model):
    """One income or expense line. Never deleted: a wrong line is voided with a reason."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_ledger_entries_fund_date", "fund_id", "occurred_on"),
        Index("ix_ledger_entries_project_date", "project_id", "occurred_on"),
        # /ledger lists newest first over up to millions of lines; Last-Modified asks for max(updated_at).
        Index("ix_ledger_entries_date_id", "occurred_on", "id"),
        Index("ix_ledger_entries_updated_at", "updated_at"),
        # /ledger filtered by kind or category, newest first: the index gives the order, no sort of the matches.
        Index("ix_ledger_entries_kind_date", "kind", "occurred_on", "id"),
        Index("ix_ledger_entries_category_date", "category", "occurred_on", "id"),
        # Covers the fund pages' sums (by month, category, project) so they read the index, not the table:
        # on a million lines it halves the fund page and divides the funds list by three.
        Index("ix_ledger_entries_fund_money", "fund_id", "voided", "kind", "occurred_on", "category", "project_id",
              "amount_fen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, 10), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(40), default=str, index=True)
    channel: Mapped[str] = mapped_column(String(20), default=str)
    counterparty: Mapped[str] = mapped_column(String(200), default=str)
    counterparty_type: Mapped[CounterpartyType] = mapped_column(
        str_enum(CounterpartyType, 20), default=lambda: CounterpartyType.ORGANISATION
    )
    voucher_no: Mapped[str | None] = mapped_column(String(60), unique=True)
    summary: Mapped[str] = mapped_column(String(255), default=str)  # 摘要
    note: Mapped[str] = mapped_column(Text, default=str, info={"max_length": 2000})  # staff only

    voided: Mapped[bool] = mapped_column(default=False, index=True)
    void_reason: Mapped[str] = mapped_column(Text, default=str, info={"max_length": 1000})
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # The import that added the line (None: recorded by hand, loaded from content, a gift).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_batches.id", ondelete="RESTRICT"), index=True)

    fund: Mapped[Fund] = relationship(back_populates="entries")
    project: Mapped[Project | None] = relationship()  # noqa: F821

    @property
    def signed_fen(self) -> int:
        return self.amount_fen if self.kind is EntryKind.INCOME else -self.amount_fen



class FundMoney(db.Model):
    """The money of one fund, summed over all its ledger lines: kept by database triggers on every
    insert, update and delete of ``ledger_entries`` (finance/summary_triggers.py), so a page reads one row
    instead of summing a million lines. ``flask ledger rebuild-totals`` recomputes it from the lines."""

    __tablename__ = "fund_money"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    income_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # non-voided income lines
    expense_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # non-voided expense lines
    line_count: Mapped[int] = mapped_column(BigInteger, default=0)  # every line, voided ones included


class ProjectMoney(db.Model):
    """The money of one project over the lines that name it (from any fund); kept like ``FundMoney``."""

    __tablename__ = "project_money"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    income_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    expense_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    line_count: Mapped[int] = mapped_column(BigInteger, default=0)


from charity_site.finance import summary_triggers  # noqa: E402  (the triggers keeping them, for create_all)

summary_triggers.listen(db.metadata)
