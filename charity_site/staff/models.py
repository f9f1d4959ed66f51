"""Staff accounts, their roles, and the audit log of what they did."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from charity_site.extensions import db
from charity_site.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow


class Role(str, enum.Enum):
    ADMIN = "admin"  # everything, including users and settings
    EDITOR = "editor"  # pages, news, projects and their updates
    FINANCE = "finance"  # funds, ledger, disclosures, pledges
    COORDINATOR = "coordinator"  # volunteers, opportunities, shifts


class StaffUser(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(80), default=str)
    password_hash: Mapped[str] = mapped_column(String(255), default=str)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    role_links: Mapped[list["StaffRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        return {link.role for link in self.role_links}

    def has_role(self, *roles: Role) -> bool:
        held = self.roles
        return Role.ADMIN in held or any(role in held for role in roles)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<StaffUser {self.email}>"


class StaffRole(db.Model):
    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 20))

    user: Mapped[StaffUser] = relationship(back_populates="role_links")


class AuditLog(db.Model):
    """One staff write: who, when, what object, and the fields before and after.

    Rows are only ever inserted; no view updates or deletes them.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(254), default=str)  # email or "system", kept if the user goes
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_label: Mapped[str] = mapped_column(String(200), default=str)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # {"field": [before, after]}
    ip_address: Mapped[str | None] = mapped_column(String(45))
    note: Mapped[str] = mapped_column(Text, default=str)

    user: Mapped[StaffUser | None] = relationship()
