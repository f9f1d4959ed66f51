"""The audit log: every write by staff (or by the system on their behalf) leaves a row."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.models import UTCDateTime, utcnow
from charity_site.extensions import db


def _jsonable(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def snapshot(record, fields) -> dict:
    """The values of ``fields`` on ``record``, ready to compare and store."""
    return {name: _jsonable(getattr(record, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def record_audit(action: str, object_type: str, object_id: int | None, *, label: str = "",
                 changes: dict | None = None, note: str = "", user=None) -> AuditLog:
    """Add an audit row to the current transaction; the caller's commit stores it with the change."""
    if user is None and has_request_context() and getattr(current_user, "is_authenticated", False):
        user = current_user
    entry = AuditLog(
        user_id=getattr(user, "id", None),
        actor=getattr(user, "email", None) or "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=label[:200],
        changes=changes or {},
        note=note,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


class AuditLog(db.Model):
    """One staff write: who, when, what object, and the fields before and after.

    Rows are only ever inserted; no view updates or deletes them.
    """

    __tablename__ = "audit_log"
    __shown_publicly__ = False  # the staff workspace only

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

    user: Mapped[StaffUser | None] = relationship("StaffUser")  # noqa: F821 (staff/ defines it; core imports no domain)
