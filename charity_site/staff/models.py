"""Staff accounts, their roles, and the audit log of what they did."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from charity_site.core.models import TimestampMixin, UTCDateTime, str_enum, utcnow
from charity_site.core.roles import Role
from charity_site.extensions import db


class StaffUser(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "staff_users"
    __shown_publicly__ = False  # accounts and sign-ins (last_login_at) never show on a public page

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(80), default=str)
    password_hash: Mapped[str] = mapped_column(String(255), default=str)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    role_links: Mapped[list[StaffRole]] = relationship(
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
    __shown_publicly__ = False
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, 20))

    user: Mapped[StaffUser] = relationship(back_populates="role_links")


