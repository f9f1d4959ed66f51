"""The audit log: every write by staff (or by the system on their behalf) leaves a row."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from flask import has_request_context, request
from flask_login import current_user

from charity_site.extensions import db
from charity_site.models import AuditLog


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
