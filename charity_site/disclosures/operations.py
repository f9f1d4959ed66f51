"""Staff writes to disclosures (信息公开/公示): drafts, publication, corrections, withdrawal, attachments.

Published means permanent. A draft may be edited freely and deleted; once published, the text
changes only through ``revise`` (a new numbered revision with a public reason; earlier revisions
are never touched), the disclosure can only be withdrawn with a public reason, and it is never
deleted. Attachments of a published disclosure stay attached.

Each write is an operation (core/transaction.py): validate, change, audit, re-index, flush.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import func, select

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.locking import StaleEdit, check_version, flush_or_refuse, lock_current, lock_row
from charity_site.core.models import utcnow
from charity_site.core.slugs import slugify, unique_slug
from charity_site.core.transaction import operation
from charity_site.disclosures.models import (
    Attachment,
    Disclosure,
    DisclosureRevision,
    DisclosureStatus,
    disclosure_projects,
)
from charity_site.extensions import db
from charity_site.files import kinds, uploads
from charity_site.finance.models import Fund
from charity_site.projects.models import Project
from charity_site.search import index as search

__all__ = [
    "EditError", "StaleEdit", "FIELDS", "TEXT_FIELDS", "create_draft", "update_draft", "publish", "revise",
    "withdraw", "delete_draft", "attach_pdf", "detach", "REASON_MAX", "deletion_refusal",
]

OBJECT_TYPE = "disclosure"
TEXT_FIELDS = ("title", "summary", "body_md")
FIELDS = ("kind", *TEXT_FIELDS, "period_start", "period_end", "project_ids", "fund_id")
AUDITED = FIELDS + ("status", "published_at", "withdrawn_at", "withdrawn_reason")
REASON_MAX = 2000


def _snapshot(disclosure: Disclosure) -> dict:
    return snapshot(disclosure, AUDITED)


def _clean(values: dict) -> dict:
    """The known fields of ``values``, stripped and checked; raises EditError for the form field at fault."""
    data = {name: values.get(name) for name in FIELDS}
    data["title"] = " ".join((data["title"] or "").split())
    data["summary"] = (data["summary"] or "").strip()
    # Browsers send textarea lines ending in CRLF; store LF so an unchanged text compares equal.
    data["body_md"] = (data["body_md"] or "").replace("\r\n", "\n").replace("\r", "\n")
    data["summary"] = data["summary"].replace("\r\n", "\n").replace("\r", "\n")
    if not data["title"]:
        raise EditError("title", _("Please enter a title."))
    if data["kind"] is None:
        raise EditError("kind", _("Please choose the kind of disclosure."))
    start, end = data["period_start"], data["period_end"]
    if start and end and end < start:
        raise EditError("period_end", _("The end of the period is before its start."))
    data["project_ids"] = sorted(set(data["project_ids"] or ()))
    if data["project_ids"]:
        found = db.session.scalar(select(func.count()).select_from(Project).where(Project.id.in_(data["project_ids"])))
        if found != len(data["project_ids"]):
            raise EditError("project_ids", _("This project does not exist."))
    if data["fund_id"] is not None and db.session.get(Fund, data["fund_id"]) is None:
        raise EditError("fund_id", _("This fund does not exist."))
    return data


def _apply(disclosure: Disclosure, data: dict) -> None:
    """Set the cleaned ``data`` on ``disclosure``; the project ids become its projects."""
    for name, value in data.items():
        if name == "project_ids":
            disclosure.projects = list(db.session.scalars(select(Project).where(Project.id.in_(value)))) if value else []
        else:
            setattr(disclosure, name, value)


def _clean_reason(reason: str | None, field_name: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise EditError(field_name, message)
    if len(reason) > REASON_MAX:
        raise EditError(field_name, _("Please keep the reason under %(count)s characters.", count=REASON_MAX))
    return reason


def _finish(disclosure: Disclosure) -> Disclosure:
    search.index_item(OBJECT_TYPE, disclosure)
    return disclosure


@operation
def create_draft(values: dict, *, actor=None) -> Disclosure:
    """A new draft from ``values`` (kind, title, summary, body_md, period, project_ids, fund_id)."""
    data = _clean(values)
    disclosure = Disclosure(status=DisclosureStatus.DRAFT)
    _apply(disclosure, data)
    disclosure.slug = unique_slug(Disclosure, slugify(data["title"]))
    db.session.add(disclosure)
    db.session.flush()
    record_audit("create", OBJECT_TYPE, disclosure.id, label=disclosure.title,
                 changes=diff({}, _snapshot(disclosure)), user=actor)
    return _finish(disclosure)


@operation
def update_draft(disclosure: Disclosure, values: dict, *, expected_version: int | None = None,
                 actor=None) -> Disclosure:
    """Change a draft freely. A published disclosure changes only through ``revise``."""
    lock_row(disclosure)
    if disclosure.status is not DisclosureStatus.DRAFT:
        raise EditError(None, _("This disclosure is already public. Changes to it are made as a correction "
                                "with a reason."))
    check_version(disclosure, expected_version)
    data = _clean(values)
    before = _snapshot(disclosure)
    _apply(disclosure, data)
    flush_or_refuse(disclosure)
    changes = diff(before, _snapshot(disclosure))
    if changes:
        record_audit("update", OBJECT_TYPE, disclosure.id, label=disclosure.title, changes=changes, user=actor)
    return _finish(disclosure)


@operation
def publish(disclosure: Disclosure, *, expected_version: int | None = None, actor=None) -> Disclosure:
    """DRAFT → PUBLISHED now; the current text becomes revision 1."""
    lock_current(disclosure, expected_version)
    if not disclosure.status.can_become(DisclosureStatus.PUBLISHED):
        raise EditError(None, _("Only a draft can be published."))
    if not (disclosure.title or "").strip():
        raise EditError("title", _("Please enter a title."))
    disclosure.status = disclosure.status.transition(DisclosureStatus.PUBLISHED)
    now = utcnow()
    before_status = DisclosureStatus.DRAFT.value
    disclosure.published_at = now
    disclosure.revisions.append(DisclosureRevision(
        number=1, title=disclosure.title, summary=disclosure.summary, body_md=disclosure.body_md,
        reason="", created_at=now, created_by_id=getattr(actor, "id", None),
    ))
    flush_or_refuse(disclosure)
    record_audit("publish", OBJECT_TYPE, disclosure.id, label=disclosure.title, user=actor,
                 changes={"status": [before_status, disclosure.status.value],
                          "published_at": [None, now.isoformat()]})
    return _finish(disclosure)


def _next_revision_number(disclosure: Disclosure) -> int:
    current = db.session.scalar(
        select(func.max(DisclosureRevision.number)).where(DisclosureRevision.disclosure_id == disclosure.id)
    )
    return (current or 0) + 1


@operation
def revise(disclosure: Disclosure, values: dict, reason: str | None, *, expected_version: int | None = None,
           actor=None) -> DisclosureRevision:
    """Correct a published disclosure: a new revision (n+1) with ``reason``; earlier ones stay as they were.

    Raises EditError when the reason is missing, nothing changed, or the disclosure is not published.
    Nothing is stored in that case.
    """
    lock_row(disclosure)
    if disclosure.status is not DisclosureStatus.PUBLISHED:
        if disclosure.status is DisclosureStatus.DRAFT:
            raise EditError(None, _("This disclosure is still a draft; edit it directly."))
        raise EditError(None, _("A withdrawn disclosure can no longer be changed."))
    reason = _clean_reason(reason, "reason", _("Please explain publicly why this published disclosure is "
                                               "being changed."))
    check_version(disclosure, expected_version)
    data = _clean(values)
    before = _snapshot(disclosure)
    changes = diff(before, {**before, **_form_snapshot(data)})
    if not changes:
        raise EditError(None, _("Nothing was changed, so no correction was made."))
    _apply(disclosure, data)
    revision = DisclosureRevision(
        number=_next_revision_number(disclosure), title=disclosure.title, summary=disclosure.summary,
        body_md=disclosure.body_md, reason=reason, created_at=utcnow(), created_by_id=getattr(actor, "id", None),
    )
    disclosure.revisions.append(revision)
    flush_or_refuse(disclosure)
    record_audit("revise", OBJECT_TYPE, disclosure.id, label=disclosure.title, changes=changes,
                 note=_("Revision %(number)s: %(reason)s", number=revision.number, reason=reason), user=actor)
    _finish(disclosure)
    return revision


def _form_snapshot(data: dict) -> dict:
    """Form values in the shape the audit snapshots use (enum values, ISO dates)."""
    return snapshot(SimpleNamespace(**data), data.keys())


@operation
def withdraw(disclosure: Disclosure, reason: str | None, *, actor=None) -> Disclosure:
    """PUBLISHED → WITHDRAWN with a public reason; the page stays online showing it."""
    reason = _clean_reason(reason, "withdrawn_reason", _("Please give the public reason for the withdrawal."))
    lock_row(disclosure)
    if not disclosure.status.can_become(DisclosureStatus.WITHDRAWN):
        raise EditError(None, _("Only a published disclosure can be withdrawn."))
    disclosure.status = disclosure.status.transition(DisclosureStatus.WITHDRAWN)
    now = utcnow()
    disclosure.withdrawn_at = now
    disclosure.withdrawn_reason = reason
    flush_or_refuse(disclosure)
    record_audit("withdraw", OBJECT_TYPE, disclosure.id, label=disclosure.title, user=actor, note=reason,
                 changes={"status": [DisclosureStatus.PUBLISHED.value, DisclosureStatus.WITHDRAWN.value],
                          "withdrawn_reason": ["", reason]})
    return _finish(disclosure)


@operation
def delete_draft(disclosure: Disclosure, *, actor=None) -> None:
    """Delete a draft for good. A published or withdrawn disclosure is never deleted."""
    lock_row(disclosure)
    if disclosure.status is not DisclosureStatus.DRAFT or disclosure.published_at is not None or disclosure.revisions:
        raise EditError(None, _("A published disclosure is permanent and cannot be deleted. Correct it with a "
                                "reason, or withdraw it."))
    for attachment in list(disclosure.attachments):
        attachment.disclosure_id = None  # the file stays in Images and files
    record_audit("delete", OBJECT_TYPE, disclosure.id, label=disclosure.title,
                 changes=diff(_snapshot(disclosure), {}), user=actor)
    search.remove_item(OBJECT_TYPE, disclosure.id)
    db.session.delete(disclosure)


def deletion_refusal(*, project_id: int | None = None, fund_id: int | None = None) -> str | None:
    """Why a project or fund that disclosures refer to may not be deleted (a disclosure keeps what it names)."""
    if project_id is not None:
        condition = disclosure_projects.c.project_id == project_id
    else:
        condition = Disclosure.fund_id == fund_id
    if db.session.scalar(select(func.count()).where(condition)):
        return _("Disclosures refer to this item, so it cannot be deleted. Keep it as a draft instead.")
    return None


def _peek(file_storage, size: int = 16) -> bytes:
    stream = getattr(file_storage, "stream", None)
    if stream is None:
        return b""
    try:
        head = stream.read(size)
        stream.seek(0)
    except (AttributeError, OSError):
        return b""
    return head or b""


@operation
def attach_pdf(disclosure: Disclosure, file_storage, title: str, *, actor=None) -> Attachment:
    """Store an uploaded PDF (checked by files.uploads) and attach it to ``disclosure``.

    Raises kinds.UploadRejected for a file that is not an acceptable PDF and EditError for a
    withdrawn disclosure.
    """
    if disclosure.status is DisclosureStatus.WITHDRAWN:
        raise EditError(None, _("A withdrawn disclosure can no longer be changed."))
    head = _peek(file_storage)
    if head and uploads.sniff(head) is not kinds.PDF:
        raise kinds.UploadRejected(_("Only PDF documents can be attached to a disclosure."), code="not_pdf")
    attachment = uploads.store_upload(file_storage, title=title, actor=actor)
    attachment.disclosure_id = disclosure.id
    record_audit("attach", OBJECT_TYPE, disclosure.id, label=disclosure.title, user=actor,
                 note=attachment.title,
                 changes={"attachments": [None, {"id": attachment.id, "title": attachment.title,
                                                 "sha256": attachment.sha256}]})
    return attachment


@operation
def detach(disclosure: Disclosure, attachment_id: int | None, *, actor=None) -> Attachment:
    """Take an attachment off a draft. Attachments of a published disclosure stay for good."""
    lock_row(disclosure)
    if disclosure.status is not DisclosureStatus.DRAFT:
        raise EditError(None, _("Attachments of a published disclosure are permanent and cannot be removed."))
    attachment = db.session.get(Attachment, attachment_id, populate_existing=True) if attachment_id else None
    if attachment is None or attachment.disclosure_id != disclosure.id:
        raise EditError(None, _("This file is not attached to this disclosure."))
    attachment.disclosure_id = None
    record_audit("detach", OBJECT_TYPE, disclosure.id, label=disclosure.title, user=actor, note=attachment.title,
                 changes={"attachments": [{"id": attachment.id, "title": attachment.title}, None]})
    return attachment


# --- reading: the difference between two revisions ---------------------------------------------





