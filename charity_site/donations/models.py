"""Donors' pledges, the campaigns that accept them and the giving settings.

Personal fields are nullable so that a deletion request can erase them while
the non-personal facts (an amount received, its ledger line) stay for the books.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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


class DonorDisplay(enum.StrEnum):
    FULL_NAME = "full_name"  # explicit opt-in to show the name
    MASKED = "masked"  # 张**
    ANONYMOUS = "anonymous"  # 匿名


class PaymentMethod(enum.StrEnum):
    BANK = "bank"  # 银行转账
    WECHAT = "wechat"  # 微信支付
    ALIPAY = "alipay"  # 支付宝
    IN_PERSON = "in_person"  # 现金或物资，当面交付


# The ledger's channel word for each method (finance.models.LEDGER_CHANNELS).
LEDGER_CHANNEL_OF = {
    PaymentMethod.BANK: "银行转账",
    PaymentMethod.WECHAT: "微信",
    PaymentMethod.ALIPAY: "支付宝",
    PaymentMethod.IN_PERSON: "现金",
}

CERTIFICATE_SERIES = "donation_certificate"


class Pledge(TimestampMixin, db.Model):
    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("received_amount_fen IS NULL OR received_amount_fen > 0", name="received_positive"),
        UniqueConstraint("certificate_year", "certificate_number", name="uq_pledges_certificate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    # The secret part of the donor's private status address (/pledge/<token>).
    access_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The public form's submission token: a double tap or a refresh creates one pledge.
    submission_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    donor_name: Mapped[str | None] = mapped_column(String(80))
    display: Mapped[DonorDisplay] = mapped_column(str_enum(DonorDisplay, 20), default=lambda: DonorDisplay.MASKED)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default=str)
    show_message: Mapped[bool] = mapped_column(default=False)
    wants_receipt: Mapped[bool] = mapped_column(default=False)
    wants_updates: Mapped[bool] = mapped_column(default=False)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, 20), default=lambda: PaymentMethod.BANK)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_text_version: Mapped[str] = mapped_column(String(20), default=str)
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus), default=lambda: PledgeStatus.PENDING, index=True
    )
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_on: Mapped[date | None] = mapped_column(Date)
    received_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    received_channel: Mapped[str] = mapped_column(String(20), default=str)
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id", ondelete="RESTRICT"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # cancelled or expired
    certificate_year: Mapped[int | None] = mapped_column(Integer)
    certificate_number: Mapped[int | None] = mapped_column(Integer)
    receipt_number: Mapped[str] = mapped_column(String(60), default=str)  # 捐赠票据号码 from the fiscal system
    receipt_issued_on: Mapped[date | None] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Progress updates and disclosures up to this moment have been told to the donor (慈善法 §42).
    notified_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    fund: Mapped[Fund | None] = relationship()  # noqa: F821
    project: Mapped[Project | None] = relationship()  # noqa: F821
    ledger_entry: Mapped[LedgerEntry | None] = relationship()  # noqa: F821

    @property
    def certificate_label(self) -> str | None:
        if self.certificate_number is None:
            return None
        return f"{self.certificate_year}-{self.certificate_number:06d}"


class GiftCampaign(TimestampMixin, db.Model):
    """A project or a fund opened for public gifts, with the facts 慈善法 §§22-27 ask to show."""

    __tablename__ = "gift_campaigns"
    __table_args__ = (
        CheckConstraint("(project_id IS NULL) <> (fund_id IS NULL)", name="one_owner"),
        CheckConstraint("goal_fen IS NULL OR goal_fen > 0", name="goal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), unique=True)
    is_open: Mapped[bool] = mapped_column(default=False)
    goal_fen: Mapped[int | None] = mapped_column(BigInteger)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    filing_number: Mapped[str] = mapped_column(String(80), default=str)  # 募捐方案备案编号
    responsible_person: Mapped[str] = mapped_column(String(80), default=str)
    platform_url: Mapped[str] = mapped_column(String(255), default=str)  # the same campaign on a national platform
    collection_code: Mapped[str] = mapped_column(String(255), default=str)  # uploaded image path of the pay code

    project: Mapped[Project | None] = relationship()  # noqa: F821
    fund: Mapped[Fund | None] = relationship()  # noqa: F821

    @property
    def title(self) -> str:
        owner = self.project or self.fund
        return owner.title if owner is not None else ""


class GivingSettings(TimestampMixin, db.Model):
    """The organisation's giving particulars (one row, id 1): qualification, bank account, amounts."""

    __tablename__ = "giving_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_fundraising_qualified: Mapped[bool] = mapped_column(default=False)  # 公开募捐资格
    qualification_number: Mapped[str] = mapped_column(String(80), default=str)  # 公开募捐资格证书编号
    bank_account_name: Mapped[str] = mapped_column(String(120), default=str)
    bank_name: Mapped[str] = mapped_column(String(120), default=str)
    bank_account_number: Mapped[str] = mapped_column(String(60), default=str)
    preset_amounts: Mapped[str] = mapped_column(String(120), default=str)  # yuan, comma separated: "50,100,500,1000"
    min_amount_fen: Mapped[int] = mapped_column(BigInteger, default=lambda: 100)
    max_amount_fen: Mapped[int] = mapped_column(BigInteger, default=lambda: 100_000_000)
    expire_after_days: Mapped[int] = mapped_column(Integer, default=lambda: 30)
    collection_code: Mapped[str] = mapped_column(String(255), default=str)  # the organisation's default pay code
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
