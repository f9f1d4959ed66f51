"""Read-only queries behind the admin lists of staff accounts and of the audit log, with their filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from charity_site.core.audit import AuditLog
from charity_site.core.formatting import local_to_utc
from charity_site.extensions import db
from charity_site.staff.models import StaffUser
from charity_site.web.filters import ListFilters, filter_field, read_choice, read_date_or_problem, read_text

USERS_PER_PAGE = 20
AUDIT_PER_PAGE = 50


@dataclass(frozen=True)
class UserFilters(ListFilters):
    q: str = filter_field(read_text(), default="")  # in the e-mail or the name
    status: str | None = filter_field(read_choice(("active", "disabled")))


@dataclass(frozen=True)
class AuditFilters(ListFilters):
    """Who, what kind of item, which action, and calendar days in Asia/Shanghai (both included).

    A date that does not exist, or a range that ends before it starts, is explained next to its field,
    and then no date applies.
    """

    actor: str = filter_field(read_text(254), default="")
    object_type: str = filter_field(read_text(), default="")
    action: str = filter_field(read_text(), default="")
    date_from: date | None = filter_field(read_date_or_problem)
    date_to: date | None = filter_field(read_date_or_problem)

    def checked(self) -> AuditFilters:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            return self.with_problem("date_to", _("The end date must not be before the start date."))
        return self


def search_users(filters: UserFilters = UserFilters(), page: int = 1):
    """Accounts newest first, matching ``filters``."""
    statement = select(StaffUser).order_by(StaffUser.created_at.desc(), StaffUser.id.desc())
    if filters.q:
        statement = statement.where(or_(StaffUser.email.icontains(filters.q, autoescape=True),
                                        StaffUser.display_name.icontains(filters.q, autoescape=True)))
    if filters.status:
        statement = statement.where(StaffUser.active.is_(filters.status == "active"))
    return db.paginate(statement, page=page, per_page=USERS_PER_PAGE, error_out=False)


def _local_day_start(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time.min))


def search_audit(filters: AuditFilters = AuditFilters(), page: int = 1):
    """Audit rows newest first, matching ``filters`` (their dates only when they have no problem)."""
    statement = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if filters.actor:
        statement = statement.where(AuditLog.actor == filters.actor)
    if filters.object_type:
        statement = statement.where(AuditLog.object_type == filters.object_type)
    if filters.action:
        statement = statement.where(AuditLog.action == filters.action)
    if not filters.problems:
        if filters.date_from:
            statement = statement.where(AuditLog.at >= _local_day_start(filters.date_from))
        if filters.date_to:
            statement = statement.where(AuditLog.at < _local_day_start(filters.date_to + timedelta(days=1)))
    return db.paginate(statement, page=page, per_page=AUDIT_PER_PAGE, error_out=False)


def audit_filter_values() -> dict[str, list[str]]:
    """The distinct actors, object types and actions the log holds, for the filter menus."""
    return {
        name: list(db.session.scalars(select(column).distinct().order_by(column)))
        for name, column in (("actor", AuditLog.actor), ("object_type", AuditLog.object_type),
                             ("action", AuditLog.action))
    }
