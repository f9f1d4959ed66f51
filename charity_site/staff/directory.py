"""Read-only queries behind the admin lists of staff accounts and of the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from charity_site.core.audit import AuditLog
from charity_site.core.formatting import local_to_utc
from charity_site.extensions import db
from charity_site.staff.models import StaffUser

USERS_PER_PAGE = 20
AUDIT_PER_PAGE = 50


def search_users(query: str = "", status: str = "", page: int = 1):
    """Accounts newest first; ``query`` matches e-mail or name, ``status`` is "active", "disabled" or ""."""
    statement = select(StaffUser).order_by(StaffUser.created_at.desc(), StaffUser.id.desc())
    if query:
        statement = statement.where(or_(StaffUser.email.icontains(query, autoescape=True),
                                        StaffUser.display_name.icontains(query, autoescape=True)))
    if status in ("active", "disabled"):
        statement = statement.where(StaffUser.active.is_(status == "active"))
    return db.paginate(statement, page=page, per_page=USERS_PER_PAGE, error_out=False)


def _local_day_start(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time.min))


def search_audit(*, actor: str = "", object_type: str = "", action: str = "",
                 date_from: date | None = None, date_to: date | None = None, page: int = 1):
    """Audit rows newest first; the dates are calendar days in Asia/Shanghai, both included."""
    statement = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if actor:
        statement = statement.where(AuditLog.actor == actor)
    if object_type:
        statement = statement.where(AuditLog.object_type == object_type)
    if action:
        statement = statement.where(AuditLog.action == action)
    if date_from:
        statement = statement.where(AuditLog.at >= _local_day_start(date_from))
    if date_to:
        statement = statement.where(AuditLog.at < _local_day_start(date_to + timedelta(days=1)))
    return db.paginate(statement, page=page, per_page=AUDIT_PER_PAGE, error_out=False)


def audit_filter_values() -> dict[str, list[str]]:
    """The distinct actors, object types and actions the log holds, for the filter menus."""
    return {
        name: list(db.session.scalars(select(column).distinct().order_by(column)))
        for name, column in (("actor", AuditLog.actor), ("object_type", AuditLog.object_type),
                             ("action", AuditLog.action))
    }
