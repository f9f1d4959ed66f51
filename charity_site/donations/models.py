"""Donors' pledges and volunteers: the records that hold personal data.

Personal fields are nullable so that a deletion request can erase them while
the non-personal facts (an amount received, hours served) stay for the books.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.models import StateMachine, TimestampMixin, UTCDateTime, str_enum
from charity_site.extensions import db


class PledgeStatus(StateMachine):
    PENDING = "pending"  # promised, not yet arrived
    RECEIVED = "received"  # staff confirmed; a ledger income line exists
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @classmethod
    def allowed(cls) -> dict:
        return {
            cls.PENDING: (cls.RECEIVED, cls.CANCELLED, cls.EXPIRED),
            cls.EXPIRED: (cls.RECEIVED,),
            cls.RECEIVED: (),
            cls.CANCELLED: (),
        }


class DonorDisplay(str, enum.Enum):
    FULL_NAME = "full_name"  # explicit opt-in to show the name
    MASKED = "masked"  # 张**
    ANONYMOUS = "anonymous"  # 匿名


class Pledge(TimestampMixin, db.Model):
    __tablename__ = "pledges"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    donor_name: Mapped[str | None] = mapped_column(String(80))
    display: Mapped[DonorDisplay] = mapped_column(str_enum(DonorDisplay, 20), default=lambda: DonorDisplay.MASKED)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default=str)
    wants_receipt: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_text_version: Mapped[str] = mapped_column(String(20), default=str)
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus), default=lambda: PledgeStatus.PENDING, index=True
    )
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id", ondelete="RESTRICT"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    fund: Mapped[Fund | None] = relationship()  # noqa: F821
    project: Mapped[Project | None] = relationship()  # noqa: F821
    ledger_entry: Mapped[LedgerEntry | None] = relationship()  # noqa: F821










