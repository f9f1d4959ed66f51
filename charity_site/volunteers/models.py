"""Volunteers, opportunities, their shifts and sign-ups: records that hold personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.models import PublishableMixin, StateMachine, TimestampMixin, UTCDateTime, str_enum
from charity_site.extensions import db


class Volunteer(TimestampMixin, db.Model):
    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(30), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    skills: Mapped[str] = mapped_column(Text, default=str)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_text_version: Mapped[str] = mapped_column(String(20), default=str)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emergency_contact: Mapped[str] = mapped_column(String(120), default=str)
    # Real-name ID (个人信息保护法 §28: sensitive): only when an opportunity needs it, encrypted at rest.
    id_type: Mapped[str] = mapped_column(String(20), default=str)
    id_number_encrypted: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str] = mapped_column(String(40), default=str)  # 4401**********0123
    id_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Minors (志愿服务条例 §20, 个人信息保护法 §31): the guardian and their consent.
    guardian_name: Mapped[str] = mapped_column(String(80), default=str)
    guardian_phone: Mapped[str | None] = mapped_column(String(30))
    guardian_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signups: Mapped[list[Signup]] = relationship(back_populates="volunteer")


class Opportunity(PublishableMixin, TimestampMixin, db.Model):
    """A volunteer activity (志愿活动) with one or more shifts."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(String(200), default=str)
    organiser_contact: Mapped[str] = mapped_column(String(120), default=str)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    area: Mapped[str] = mapped_column(String(60), default=str, index=True)  # 区/街道
    tasks: Mapped[str] = mapped_column(Text, default=str)  # tasks and requirements
    risks: Mapped[str] = mapped_column(Text, default=str)  # 志愿服务条例 §13: risks told beforehand
    insurance_arranged: Mapped[bool] = mapped_column(Boolean, default=lambda: False)
    minimum_age: Mapped[int] = mapped_column(Integer, default=lambda: 18)
    minors_with_guardian: Mapped[bool] = mapped_column(Boolean, default=lambda: False)
    requires_id: Mapped[bool] = mapped_column(Boolean, default=lambda: False)
    signup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shifts: Mapped[list[Shift]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", order_by="Shift.starts_at"
    )
    project: Mapped[Project | None] = relationship()  # noqa: F821


class Shift(TimestampMixin, db.Model):
    """A dated slot (岗位/班次) of an opportunity with its own capacity."""

    __tablename__ = "shifts"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(200), default=str)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer, default=lambda: 10)
    checkin_token: Mapped[str | None] = mapped_column(String(32), unique=True)  # in the check-in QR code

    opportunity: Mapped[Opportunity] = relationship(back_populates="shifts")
    signups: Mapped[list[Signup]] = relationship(back_populates="shift")


class SignupStatus(StateMachine):
    SIGNED_UP = "signed_up"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    ABSENT = "absent"

    @classmethod
    def allowed(cls) -> dict:
        return {
            cls.SIGNED_UP: (cls.CANCELLED, cls.ATTENDED, cls.ABSENT),
            cls.WAITLISTED: (cls.SIGNED_UP, cls.CANCELLED),
            cls.CANCELLED: (cls.SIGNED_UP, cls.WAITLISTED),
            cls.ABSENT: (cls.ATTENDED,),
            cls.ATTENDED: (cls.ABSENT,),
        }


class Signup(TimestampMixin, db.Model):
    __tablename__ = "signups"
    __table_args__ = (
        UniqueConstraint("shift_id", "volunteer_id"),
        CheckConstraint("service_minutes >= 0", name="minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="RESTRICT"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="RESTRICT"), index=True)
    status: Mapped[SignupStatus] = mapped_column(
        str_enum(SignupStatus), default=lambda: SignupStatus.SIGNED_UP, index=True
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    service_minutes: Mapped[int] = mapped_column(Integer, default=lambda: 0)  # 服务时长, credited after the shift
    credited_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default=str)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)  # the volunteer's personal code
    submission_token: Mapped[str | None] = mapped_column(String(32), unique=True)  # one record per form shown
    queue_position: Mapped[int] = mapped_column(Integer, default=lambda: 0)  # order of (re)sign-up in the shift
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_text_version: Mapped[str] = mapped_column(String(20), default=str)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hours_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # only confirmed hours count
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the day-before reminder went out

    shift: Mapped[Shift] = relationship(back_populates="signups")
    volunteer: Mapped[Volunteer] = relationship(back_populates="signups")


class ServiceCertificate(TimestampMixin, db.Model):
    """A 志愿服务记录证明 as issued: the facts are copied, so the certificate says what it said that day.

    民政部《志愿服务记录与证明出具办法》 lists what it holds: the volunteer's name, ID (masked here),
    volunteer number, service period, total hours, service content, the issuing organisation with its
    person in charge and contact, the certificate number and the date.
    """

    __tablename__ = "service_certificates"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # 2026-000001
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(80), default=str)
    id_masked: Mapped[str] = mapped_column(String(40), default=str)
    volunteer_number: Mapped[str] = mapped_column(String(20), default=str)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    total_minutes: Mapped[int] = mapped_column(Integer, default=lambda: 0)
    service_content: Mapped[str] = mapped_column(Text, default=str)
    organisation: Mapped[str] = mapped_column(String(120), default=str)
    person_in_charge: Mapped[str] = mapped_column(String(80), default=str)
    contact: Mapped[str] = mapped_column(String(120), default=str)
    issued_on: Mapped[date] = mapped_column(Date)

    volunteer: Mapped[Volunteer | None] = relationship()
