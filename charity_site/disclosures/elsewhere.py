"""Owed disclosures published on another platform (已在其他平台公开), e.g. on 慈善中国.

Many organisations publish some reports only on the national platform (慈善中国, the one the
disclosure measures name) or their own older site. Staff who publish disclosures can mark an
owed item as published there, with the address and the date: it then counts as done on the
dashboard, shown with its link. A mark can be taken back. Both are audited.

A mark names the obligation by its key (disclosures/deadlines.py ``Obligation.key``: kind,
project and period), so it stays attached to the same quarter or year however the list changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charity_site.core.audit import record_audit, snapshot
from charity_site.core.models import UTCDateTime, utcnow
from charity_site.core.transaction import operation
from charity_site.extensions import db

AUDITED = ("obligation_key", "url", "published_on")


class ElsewhereError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


class PublishedElsewhere(db.Model):
    """One owed disclosure that was published on another platform."""

    __tablename__ = "disclosures_published_elsewhere"

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_key: Mapped[str] = mapped_column(String(80), unique=True)
    label: Mapped[str] = mapped_column(String(200), default=str)  # what was owed, as shown when marked
    url: Mapped[str] = mapped_column(String(500))
    published_on: Mapped[date] = mapped_column(Date)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    marked_by_name: Mapped[str] = mapped_column(String(254), default=str)  # kept if the account goes
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    marked_by = relationship("StaffUser")


def marks_by_key() -> dict[str, PublishedElsewhere]:
    """{obligation key: its mark}, in one query."""
    return {mark.obligation_key: mark for mark in db.session.scalars(select(PublishedElsewhere))}


@operation
def mark(key: str, label: str, url: str, published_on: date, actor=None) -> PublishedElsewhere:
    """Record that the obligation ``key`` was published at ``url`` on ``published_on``; audited."""
    if db.session.scalar(select(PublishedElsewhere.id).where(PublishedElsewhere.obligation_key == key)):
        raise ElsewhereError("already marked")
    item = PublishedElsewhere(obligation_key=key, label=label[:200], url=url, published_on=published_on,
                              marked_by_id=getattr(actor, "id", None),
                              marked_by_name=getattr(actor, "display_name", "") or getattr(actor, "email", "") or "")
    db.session.add(item)
    db.session.flush()
    record_audit("mark_elsewhere", "disclosure_deadline", item.id, label=item.label,
                 changes={name: [None, value] for name, value in snapshot(item, AUDITED).items()}, user=actor)
    return item


@operation
def unmark(item: PublishedElsewhere, actor=None) -> None:
    """Take a mark back: the obligation is owed again; audited with what the mark said."""
    record_audit("unmark_elsewhere", "disclosure_deadline", item.id, label=item.label,
                 changes={name: [value, None] for name, value in snapshot(item, AUDITED).items()}, user=actor)
    db.session.delete(item)
    db.session.flush()
