"""The audit log, for administrators: read only. No route here changes or deletes a row."""

from __future__ import annotations

import re
from datetime import datetime

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from charity_site.core.formatting import format_datetime, format_yuan
from charity_site.core.labels import ROLE_LABELS, label_of, label_of_stored
from charity_site.core.roles import Role
from charity_site.staff.directory import AuditFilters, audit_filter_values, search_audit
from charity_site.web.access import staff_blueprint
from charity_site.web.input import query_page

bp = staff_blueprint("admin_audit", __name__, "/admin/audit", roles=(Role.ADMIN,),
                     menu_label=_l("Audit log"))

LONG_VALUE = 300
# How the audit log stores a moment (datetime.isoformat(), UTC) and an enum value (a lowercase code).
_STORED_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_STORED_CODE = re.compile(r"^[a-z][a-z_]*$")
# Fields whose text is typed by people: shown as typed even when it looks like a code.
_FREE_TEXT = {"title", "slug", "summary", "body_md", "intro_md", "note", "email", "display_name", "counterparty",
              "voucher_no", "reason", "void_reason", "withdrawn_reason", "address", "file", "tagline", "org_name",
              "org_short_name", "source", "author", "responsible_person", "contact"}

FIELD_LABELS = {
    "title": _l("Title"),
    "slug": _l("Web address"),
    "summary": _l("Summary"),
    "body_md": _l("Body text"),
    "status": _l("Status"),
    "published_at": _l("Published on"),
    "email": _l("E-mail"),
    "display_name": _l("Name"),
    "roles": _l("Roles"),
    "active": _l("Can sign in"),
    "password": _l("Password"),
    "org_name": _l("Organisation name"),
    "org_short_name": _l("Short name"),
    "tagline": _l("Tagline"),
    "intro_md": _l("Introduction"),
    "credit_code": _l("Unified social credit code"),
    "address": _l("Address"),
    "phone": _l("Phone"),
    "supervision_phone": _l("Supervision hotline"),
    "icp_number": _l("ICP licence number"),
    "charity_china_url": _l("Link on the China Charity Information Platform"),
    "founded_year": _l("Year founded"),
    "kind": _l("Kind"),
    "occurred_on": _l("Date"),
    "amount_fen": _l("Amount"),
    "fund_id": _l("Fund"),
    "project_id": _l("Project"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "counterparty": _l("Counterparty"),
    "counterparty_type": _l("Counterparty type"),
    "voucher_no": _l("Voucher number"),
    "note": _l("Note"),
    "voided": _l("Voided"),
    "void_reason": _l("Reason for voiding"),
    "file": _l("File"),
    "rows": _l("Rows"),
    "income_total": _l("Total income"),
    "expense_total": _l("Total expenditure"),
    "period_start": _l("Period start"),
    "period_end": _l("Period end"),
    "reason": _l("Reason"),
    "withdrawn_reason": _l("Reason for withdrawal"),
}

_HIDDEN_VALUES = {"(hidden)": _l("(not shown)"), "(changed)": _l("(changed)")}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def _role_label(value) -> str:
    try:
        return str(ROLE_LABELS[Role(value)])
    except ValueError:
        return str(value)


def audit_value(value, field: str = "") -> str:
    """One before/after value as readable text."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int) and (field.endswith("_fen") or field.endswith("_total")):
        return format_yuan(value)
    if isinstance(value, list):
        if field == "roles":
            return "、".join(_role_label(item) for item in value)
        return "、".join(audit_value(item) for item in value)
    if isinstance(value, str) and value in _HIDDEN_VALUES:
        return str(_HIDDEN_VALUES[value])
    if isinstance(value, str) and _STORED_MOMENT.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, str) and field not in _FREE_TEXT and _STORED_CODE.match(value):
        return label_of_stored(value)
    text = str(value)
    return text if len(text) <= LONG_VALUE else text[:LONG_VALUE] + "…"


def change_rows(changes: dict) -> list[tuple[str, str, str]]:
    """(field label, before, after) as readable text, leaving out fields whose text did not change."""
    rows = []
    for name in sorted(changes or {}):
        before, after = (list(changes[name]) + [None, None])[:2]
        before_text, after_text = audit_value(before, name), audit_value(after, name)
        if before_text != after_text:
            rows.append((field_label(name), before_text, after_text))
    return rows


def actor_label(actor: str) -> str:
    return _("System") if actor == "system" else actor


@bp.context_processor
def audit_helpers():
    return {"change_rows": change_rows, "actor_label": actor_label}


@bp.get("/")
def index():
    filters = AuditFilters.from_args(request.args)
    known = audit_filter_values()
    options = {
        "actor": [(value, actor_label(value)) for value in known["actor"]],
        "object_type": [(value, label_of(value)) for value in known["object_type"]],
        "action": [(value, label_of(value)) for value in known["action"]],
    }
    entries = search_audit(filters, page=query_page())
    return render_template("admin/audit/index.html", filters=filters, options=options,
                           entries=entries), 400 if filters.problems else 200
