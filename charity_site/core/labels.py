"""Human labels for enum values and string codes, translated through Flask-Babel.

core/ knows no domain, so each domain registers the labels of its own enums (its ``labels`` module,
imported by create_app); core keeps the labels of what it owns (roles, publication status, audit
actions and the kinds of audited objects) and ``label_of``, which templates use as the ``label`` filter.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from charity_site.core.models import PublicationStatus
from charity_site.core.roles import Role

# enum class → {member: label}; string code (audit action, kind of object) → label
_ENUM_LABELS: dict[type[enum.Enum], dict[enum.Enum, object]] = {}
_CODE_LABELS: dict[str, object] = {}


def register_labels(labels: Mapping) -> Mapping:
    """Add labels for enum members or string codes; a key may not be given two different labels."""
    for key, label in labels.items():
        table = _ENUM_LABELS.setdefault(type(key), {}) if isinstance(key, enum.Enum) else _CODE_LABELS
        if key in table and table[key] is not label:
            raise ValueError(f"{key!r} already has a label")
        table[key] = label
    return labels


def label_of(value) -> str:
    """The Chinese label of an enum member (or a known string code such as an audit action)."""
    if isinstance(value, enum.Enum):
        table = _ENUM_LABELS.get(type(value), {})
        if value in table:
            return str(table[value])
    if isinstance(value, str) and not isinstance(value, enum.Enum) and value in _CODE_LABELS:
        return str(_CODE_LABELS[value])
    return str(getattr(value, "value", value))


def label_of_stored(value: str) -> str:
    """The label of an enum value as stored in JSON (the audit log keeps 'draft', not the member).

    Every registered enum with a member of that value is asked; the label is used only when they all
    agree, so an ambiguous code stays as it is rather than being given the wrong meaning.
    """
    labels = {
        str(table[member])
        for enum_class, table in _ENUM_LABELS.items()
        for member in enum_class
        if member.value == value and member in table
    }
    if len(labels) == 1:
        return labels.pop()
    return label_of(value)


ROLE_LABELS = register_labels({
    Role.ADMIN: _l("Administrator"),
    Role.EDITOR: _l("Editor"),
    Role.FINANCE: _l("Finance"),
    Role.COORDINATOR: _l("Volunteer coordinator"),
})

PUBLICATION_STATUS_LABELS = register_labels({
    PublicationStatus.DRAFT: _l("Draft"),
    PublicationStatus.SCHEDULED: _l("Scheduled"),
    PublicationStatus.PUBLISHED: _l("Published"),
})

OBJECT_KIND_LABELS = register_labels({
    "page": _l("Page"),
    "news": _l("News"),
    "project": _l("Project"),
    "project_update": _l("Project update"),
    "fund": _l("Fund"),
    "settings": _l("Site settings"),
    "staff_user": _l("User"),
    "attachment": _l("File"),
    "content": _l("Content files"),
    "ledger_entry": _l("Ledger line"),
    "disclosure": _l("Disclosure"),
    # Written by donations/ and finance/batches.py; their codes are listed here so that no audit row shows English.
    "pledge": _l("Pledge"),
    "gift_campaign": _l("Fundraising campaign"),
    "giving_settings": _l("Giving settings"),
    "ledger_batch": _l("Imported batch of ledger lines"),
})

AUDIT_ACTION_LABELS = register_labels({
    "create": _l("Created"),
    "update": _l("Changed"),
    "publish": _l("Published"),
    "schedule": _l("Scheduled"),
    "unpublish": _l("Unpublished"),
    "delete": _l("Deleted"),
    "login": _l("Signed in"),
    "logout": _l("Signed out"),
    "login_failed": _l("Failed sign-in"),
    "login_locked": _l("Sign-in refused (locked)"),
    "set_password": _l("Password set"),
    "enable": _l("Account enabled"),
    "disable": _l("Account disabled"),
    "upload": _l("Uploaded"),
    "content_load": _l("Content loaded"),
    "void": _l("Voided"),
    "import": _l("Imported"),
    "revise": _l("Corrected"),
    "withdraw": _l("Withdrawn"),
    "attach": _l("Attachment added"),
    "detach": _l("Attachment removed"),
    "receive": _l("Gift confirmed as received"),
    "expire": _l("Expired"),
    "receipt": _l("Receipt number recorded"),
})
