"""Staff writes to pages, news, projects (and their updates) and funds.

Each function is one transaction: validate, change, audit, commit. Nothing is
half-stored: an error rolls the whole change back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.locking import StaleEdit, flush_or_refuse, lock_current, lock_row
from charity_site.core.models import IllegalTransition, PublicationStatus, utcnow
from charity_site.core.slugs import forget_redirect, is_valid_slug, remember_old_slug, slug_taken, slugify, unique_slug
from charity_site.disclosures.models import Disclosure
from charity_site.extensions import db
from charity_site.finance.models import Fund, LedgerEntry
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import Project
from charity_site.search import index as search

__all__ = ["EditError", "StaleEdit", "EditableKind", "save_item", "delete_or_unpublish", "save_project_update",
           "delete_project_update"]




COMMON_FIELDS = ("title", "slug", "summary", "body_md", "status", "published_at")


@dataclass(frozen=True)
class EditableKind:
    name: str  # used in audit rows and slug redirects
    model: type
    fields: tuple[str, ...] = ()  # model fields copied from the form besides COMMON_FIELDS
    audited: tuple[str, ...] = field(default=())

    @property
    def audited_fields(self) -> tuple[str, ...]:
        return COMMON_FIELDS + self.fields + self.audited


PAGE = EditableKind("page", Page, fields=("nav_order",))
NEWS = EditableKind("news", NewsPost, fields=("category", "source", "author", "cover_image"), audited=("project_ids",))
PROJECT = EditableKind("project", Project, fields=(
    "category", "project_status", "start_date", "end_date", "budget_fen", "goal_fen", "beneficiaries",
    "service_sessions", "people_served", "responsible_person", "contact", "fund_id", "featured", "cover_image",
))
FUND = EditableKind("fund", Fund, fields=("kind", "area", "established_on"))


def _item_snapshot(kind: EditableKind, item) -> dict:
    values = snapshot(item, COMMON_FIELDS + kind.fields)
    if kind is NEWS:
        values["project_ids"] = sorted(project.id for project in item.projects)
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

    try:
        slug = _resolve_slug(kind, item, data.pop("slug", ""), data["title"])
        target = data.pop("status")
        published_at = _resolve_publication(item, target, data.pop("publish_at", None), now)
    except EditError:
        db.session.rollback()
        raise
    project_ids = data.pop("project_ids", None)
    for name in ("title", "summary", "body_md") + kind.fields:
        if name in data:
            setattr(item, name, data[name])
    item.slug, item.status, item.published_at = slug, target, published_at
    if kind is NEWS and project_ids is not None:
        item.projects = list(db.session.scalars(select(Project).where(Project.id.in_(project_ids))))
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
    search.index_item(kind.name, item)
    db.session.commit()
    return item


def delete_or_unpublish(kind: EditableKind, item, *, actor=None) -> str:
    """Delete a draft; a published item is unpublished instead. Returns "deleted" or "unpublished"."""
    lock_row(item)
    if item.status is PublicationStatus.PUBLISHED or item.is_public():
        before = item.status
        item.status = PublicationStatus.DRAFT
        record_audit("unpublish", kind.name, item.id, label=item.title,
                     changes={"status": [before.value, item.status.value]}, user=actor)
        search.index_item(kind.name, item)
        db.session.commit()
        return "unpublished"
    _refuse_delete_if_referenced(kind, item)
    record_audit("delete", kind.name, item.id, label=item.title, changes=diff(_item_snapshot(kind, item), {}),
                 user=actor)
    search.remove_item(kind.name, item.id)
    db.session.delete(item)
    db.session.commit()
    return "deleted"


def _refuse_delete_if_referenced(kind: EditableKind, item) -> None:
    """Money and disclosures must keep what they point to."""
    column = {"project": LedgerEntry.project_id, "fund": LedgerEntry.fund_id}.get(kind.name)
    if column is not None and db.session.scalar(select(func.count()).where(column == item.id)):
        raise EditError(None, _("This item has ledger lines, so it cannot be deleted. Keep it as a draft instead."))
    column = {"project": Disclosure.project_id, "fund": Disclosure.fund_id}.get(kind.name)
    if column is not None and db.session.scalar(select(func.count()).where(column == item.id)):
        raise EditError(None, _("Disclosures refer to this item, so it cannot be deleted. Keep it as a draft instead."))






