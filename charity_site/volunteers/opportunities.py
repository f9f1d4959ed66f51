"""Staff writes to opportunities and their shifts: validate, change, audit, flush (never commit)."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.locking import flush_or_refuse, lock_current, lock_row
from charity_site.core.models import PublicationStatus, utcnow
from charity_site.core.slugs import is_valid_slug, slug_taken, slugify, unique_slug
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.volunteers import identity
from charity_site.volunteers.models import Opportunity, Shift, Signup, SignupStatus

OPPORTUNITY_FIELDS = (
    "title", "slug", "summary", "body_md", "status", "published_at", "location", "area", "tasks", "risks",
    "insurance_arranged", "minimum_age", "minors_with_guardian", "requires_id", "signup_deadline",
    "organiser_contact", "project_id",
)
EDITABLE = OPPORTUNITY_FIELDS[2:4] + OPPORTUNITY_FIELDS[6:]
TAKING_A_PLACE = (SignupStatus.SIGNED_UP, SignupStatus.ATTENDED, SignupStatus.ABSENT)


def _slug_refusal(slug: str, item_id: int | None) -> EditError | None:
    if slug_taken(Opportunity, slug, exclude_id=item_id):
        return EditError("slug", _("This web address is already used by another item. Please choose another."))
    return None


@operation
def save_opportunity(item: Opportunity | None, data: dict, *, expected_version: int | None = None,
                     actor=None) -> Opportunity:
    """Create (``item`` None) or update an opportunity from form ``data``; audited.

    Raises EditError for invalid values and StaleEdit when someone saved it since ``expected_version``.
    """
    creating = item is None
    if creating:
        item = Opportunity()
    else:
        lock_current(item, expected_version)
    before = {} if creating else snapshot(item, OPPORTUNITY_FIELDS)
    old_status = None if creating else item.status

    requested = (data.get("slug") or "").strip()
    if requested:
        if not is_valid_slug(requested):
            raise EditError("slug", _("Use lowercase letters, digits and hyphens only, e.g. zhu-xue-2025."))
        refusal = _slug_refusal(requested, item.id)
        if refusal is not None:
            raise refusal
        slug = requested
    elif item.slug:
        slug = item.slug
    else:
        slug = unique_slug(Opportunity, slugify(data["title"]) or "huodong", exclude_id=item.id)

    if data.get("requires_id") and not identity.id_key_available():
        raise EditError("requires_id", _("ID numbers cannot be stored until VOLUNTEER_ID_KEY is set on the server. "
                                         "Ask the administrator, or leave this unticked."))
    target = data["status"]
    if target not in (PublicationStatus.DRAFT, PublicationStatus.PUBLISHED):
        raise EditError("status", _("Please choose a status."))
    if target is PublicationStatus.PUBLISHED and not (item.published_at and old_status is PublicationStatus.PUBLISHED):
        item.published_at = utcnow()

    item.title = data["title"].strip()
    for name in EDITABLE:
        if name in data:
            setattr(item, name, data[name])
    item.slug, item.status = slug, target
    db.session.add(item)
    item_id = item.id
    flush_or_refuse(item, taken=lambda: _slug_refusal(slug, item_id))

    changes = diff(before, snapshot(item, OPPORTUNITY_FIELDS))
    if creating:
        record_audit("create", "opportunity", item.id, label=item.title, changes=changes, user=actor)
    elif changes:
        record_audit("update", "opportunity", item.id, label=item.title, changes=changes, user=actor)
    db.session.flush()
    return item


@operation
def delete_opportunity(item: Opportunity, *, actor=None) -> str:
    """Delete a draft without sign-ups; otherwise unpublish it. Returns "deleted" or "unpublished"."""
    lock_row(item)
    has_signups = db.session.scalar(
        select(func.count(Signup.id)).join(Shift).where(Shift.opportunity_id == item.id)
    )
    if item.status is PublicationStatus.PUBLISHED or has_signups:
        if item.status is not PublicationStatus.DRAFT:
            record_audit("unpublish", "opportunity", item.id, label=item.title,
                         changes={"status": [item.status.value, PublicationStatus.DRAFT.value]}, user=actor)
            item.status = PublicationStatus.DRAFT
        db.session.flush()
        return "unpublished"
    record_audit("delete", "opportunity", item.id, label=item.title,
                 changes=diff(snapshot(item, OPPORTUNITY_FIELDS), {}), user=actor)
    db.session.delete(item)
    db.session.flush()
    return "deleted"


SHIFT_FIELDS = ("task", "starts_at", "ends_at", "capacity")


def new_checkin_token() -> str:
    return secrets.token_urlsafe(12)  # 16 characters


def _check_shift(starts_at: datetime, ends_at: datetime, capacity: int) -> None:
    if ends_at <= starts_at:
        raise EditError("end_time", _("The shift must end after it starts."))
    if capacity < 1:
        raise EditError("capacity", _("A shift needs at least one place."))


@operation
def save_shift(opportunity: Opportunity, shift: Shift | None, data: dict, *, actor=None) -> Shift:
    """Add or change a shift. A smaller capacity never drops anyone already confirmed."""
    from charity_site.volunteers.signups import fill_free_places

    _check_shift(data["starts_at"], data["ends_at"], data["capacity"])
    creating = shift is None
    if creating:
        shift = Shift(opportunity=opportunity, checkin_token=new_checkin_token())
        before = {}
    else:
        lock_row(shift)
        before = snapshot(shift, SHIFT_FIELDS)
        taken = db.session.scalar(select(func.count(Signup.id)).where(
            Signup.shift_id == shift.id, Signup.status.in_(TAKING_A_PLACE)))
        if data["capacity"] < taken:
            raise EditError("capacity", _("%(count)s people already have a place; the capacity cannot be lower.",
                                          count=taken))
    for name in SHIFT_FIELDS:
        setattr(shift, name, data[name])
    db.session.add(shift)
    db.session.flush()
    changes = diff(before, snapshot(shift, SHIFT_FIELDS))
    record_audit("create" if creating else "update", "shift", shift.id, label=opportunity.title,
                 changes=changes, user=actor)
    if not creating:
        fill_free_places(shift)
    db.session.flush()
    return shift


@operation
def delete_shift(shift: Shift, *, actor=None) -> None:
    lock_row(shift)
    if db.session.scalar(select(func.count(Signup.id)).where(Signup.shift_id == shift.id)):
        raise EditError(None, _("People have signed up for this shift, so it cannot be deleted. "
                                "Set its capacity or contact them instead."))
    record_audit("delete", "shift", shift.id, label=shift.opportunity.title,
                 changes=diff(snapshot(shift, SHIFT_FIELDS), {}), user=actor)
    db.session.delete(shift)
    db.session.flush()
