"""Staff writes to the items the generic editor handles: pages, news, projects and funds.

Each domain declares its ``EditableKind`` next to its own code (e.g. ``pages/operations.py``): the
model, the fields the form edits, what else it audits and saves (a news post's projects), why a
draft may not be deleted (money or disclosures refer to it), and what keeps derived data in step
(the search index), all in the same unit of work. Every function here is an operation
(core/transaction.py): validate, change, audit, index, flush; a refusal undoes the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.locking import StaleEdit, flush_or_refuse, lock_current, lock_row
from charity_site.core.models import IllegalTransition, PublicationStatus, utcnow
from charity_site.core.slugs import forget_redirect, is_valid_slug, remember_old_slug, slug_taken, slugify, unique_slug
from charity_site.core.transaction import operation
from charity_site.extensions import db

__all__ = ["EditError", "StaleEdit", "EditableKind", "save_item", "delete_or_unpublish"]

COMMON_FIELDS = ("title", "slug", "summary", "body_md", "status", "published_at")


@dataclass(frozen=True)
class EditableKind:
    name: str  # used in audit rows, slug redirects and the search index
    model: type
    fields: tuple[str, ...] = ()  # model fields copied from the form besides COMMON_FIELDS
    # Values beyond the model's columns, e.g. a news post's related projects: their audited
    # snapshot, and how the form's data sets them.
    extra_snapshot: Callable[[Any], dict] | None = None
    save_extra: Callable[[Any, dict], None] | None = None
    # Why a draft may not be deleted (money and disclosures must keep what they point to), or None.
    deletion_refusal: Callable[[Any], str | None] | None = None
    # Keep derived data in step in the same unit of work: (kind name, item) and (kind name, item id).
    on_saved: Callable[[str, Any], None] | None = None
    on_removed: Callable[[str, int], None] | None = None


def _item_snapshot(kind: EditableKind, item) -> dict:
    values = snapshot(item, COMMON_FIELDS + kind.fields)
    if kind.extra_snapshot is not None:
        values.update(kind.extra_snapshot(item))
    return values


def _slug_refusal(kind: EditableKind, slug: str, item_id: int | None) -> EditError | None:
    if slug_taken(kind.model, slug, exclude_id=item_id):
        return EditError("slug", _("This web address is already used by another item. Please choose another."))
    return None


def _resolve_slug(kind: EditableKind, item, requested: str, title: str) -> str:
    if requested:
        if not is_valid_slug(requested):
            raise EditError("slug", _("Use lowercase letters, digits and hyphens only, e.g. zhu-xue-2025."))
        refusal = _slug_refusal(kind, requested, item.id)
        if refusal is not None:
            raise refusal
        return requested
    if item.id is not None and item.slug:
        return item.slug
    return unique_slug(kind.model, slugify(title), exclude_id=item.id)


def _resolve_publication(item, target: PublicationStatus, publish_at: datetime | None, now: datetime):
    """Return the published_at the item gets for moving to ``target``; refuse illegal moves."""
    current = item.status or PublicationStatus.DRAFT
    if target != current:
        try:
            current.transition(target)
        except IllegalTransition:
            raise EditError("status", _("A published item can only go back to draft, not be scheduled.")) from None
    if target is PublicationStatus.PUBLISHED:
        keep = current is PublicationStatus.PUBLISHED and item.published_at is not None
        return item.published_at if keep else now
    if target is PublicationStatus.SCHEDULED:
        if publish_at is None:
            raise EditError("publish_at", _("Please give the date and time when it should go public."))
        if publish_at <= now:
            raise EditError("publish_at", _("A scheduled time must be in the future; choose 'Published now' instead."))
        return publish_at
    return item.published_at


def _publication_action(before: PublicationStatus | None, after: PublicationStatus) -> str | None:
    if before == after:
        return None
    return {
        PublicationStatus.PUBLISHED: "publish",
        PublicationStatus.SCHEDULED: "schedule",
        PublicationStatus.DRAFT: "unpublish" if before is not None else None,
    }[after]


@operation
def save_item(kind: EditableKind, item, data: dict, *, expected_version: int | None = None, actor=None):
    """Create (``item`` None) or update an item from form ``data``; audited; returns the saved item.

    Raises EditError (with the field) for invalid values and StaleEdit when the
    item was saved by someone else since ``expected_version`` was read.
    """
    creating = item is None
    data = dict(data)
    if creating:
        item = kind.model()
    else:
        lock_current(item, expected_version)
    now = utcnow()
    before = {} if creating else _item_snapshot(kind, item)
    old_status = None if creating else item.status
    old_slug = item.slug
    was_public = not creating and item.is_public(now)

    slug = _resolve_slug(kind, item, data.pop("slug", ""), data["title"])
    target = data.pop("status")
    published_at = _resolve_publication(item, target, data.pop("publish_at", None), now)
    for name in ("title", "summary", "body_md") + kind.fields:
        if name in data:
            setattr(item, name, data[name])
    item.slug, item.status, item.published_at = slug, target, published_at
    if kind.save_extra is not None:
        kind.save_extra(item, data)
    db.session.add(item)
    item_id = item.id
    flush_or_refuse(item, taken=lambda: _slug_refusal(kind, slug, item_id))

    if was_public and old_slug and old_slug != slug:
        remember_old_slug(kind.name, old_slug, item.id)
    forget_redirect(kind.name, slug)

    after = _item_snapshot(kind, item)
    changes = diff(before, after)
    if creating:
        record_audit("create", kind.name, item.id, label=item.title, changes=changes, user=actor)
    elif changes:
        record_audit("update", kind.name, item.id, label=item.title, changes=changes, user=actor)
    action = _publication_action(old_status, target)
    if action:
        record_audit(action, kind.name, item.id, label=item.title,
                     changes={"status": [getattr(old_status, "value", None), target.value]}, user=actor)
    _saved(kind, item)
    return item


@operation
def delete_or_unpublish(kind: EditableKind, item, *, actor=None) -> str:
    """Delete a draft; a published item is unpublished instead. Returns "deleted" or "unpublished"."""
    lock_row(item)
    if item.status is PublicationStatus.PUBLISHED or item.is_public():
        before = item.status
        item.status = PublicationStatus.DRAFT
        record_audit("unpublish", kind.name, item.id, label=item.title,
                     changes={"status": [before.value, item.status.value]}, user=actor)
        _saved(kind, item)
        return "unpublished"
    refusal = kind.deletion_refusal(item) if kind.deletion_refusal is not None else None
    if refusal is not None:
        raise EditError(None, refusal)
    record_audit("delete", kind.name, item.id, label=item.title, changes=diff(_item_snapshot(kind, item), {}),
                 user=actor)
    if kind.on_removed is not None:
        kind.on_removed(kind.name, item.id)
    db.session.delete(item)
    return "deleted"


def _saved(kind: EditableKind, item) -> None:
    if kind.on_saved is not None:
        kind.on_saved(kind.name, item)
