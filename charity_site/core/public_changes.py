"""Public changes: one hook in the write path tells the page cache that public pages may have changed.

Every unit of work that writes a row of a model shown publicly (every model unless it says
``__shown_publicly__ = False``, see core/models.py) is marked while it flushes; when it commits, the
listeners registered with ``on_public_change`` run (the page cache bumps its site-wide generation).
No view or operation calls anything: saving is enough, whatever saves (a staff form, a CLI command,
the demo loader, a test's ``db.session.commit()``).

Bulk statements through the session (``session.execute(update(Model)…)``, ``insert(Model)``) are seen
too. Raw SQL (``text()``) and writes on another connection are not: call ``public_change_now()`` after.

``next_publication_after`` finds the next moment a scheduled item becomes public without any row being
written (the smallest future ``published_at`` of every mapped model that has one), so that the cache can
expire by itself then. It is asked just before each such commit, inside its transaction: after the
commit the session may not query, and another connection could wait for a busy pool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func, select, union_all
from sqlalchemy.orm import ORMExecuteState, Session

from charity_site.core.models import shown_publicly, utcnow
from charity_site.extensions import db

CHANGED_KEY = "public_change_pending"
NEXT_KEY = "public_change_next_publication"
LISTENERS = "public_change_listeners"

NextPublication = Callable[[datetime], datetime | None]


def on_public_change(app: Flask, listener: Callable[[NextPublication], None]) -> None:
    """Call ``listener`` (in an app context) after each commit that wrote something public, with a function
    that tells the next scheduled publication after a moment."""
    app.extensions.setdefault(LISTENERS, []).append(listener)


def public_change_now() -> None:
    """Tell the listeners at once: for writes the session could not see (raw SQL, another connection)."""
    _announce(next_publication_after)


def _announce(next_publication: NextPublication) -> None:
    if has_app_context():
        for listener in current_app.extensions.get(LISTENERS, ()):
            listener(next_publication)


def _public(instance) -> bool:
    return shown_publicly(type(instance))


@event.listens_for(Session, "after_flush")
def _mark_flushed_changes(session: Session, flush_context) -> None:
    if session.info.get(CHANGED_KEY):
        return
    written = (*session.new, *session.deleted, *(obj for obj in session.dirty if session.is_modified(obj)))
    if any(_public(instance) for instance in written):
        session.info[CHANGED_KEY] = True


@event.listens_for(Session, "do_orm_execute")
def _mark_bulk_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mappers = state.all_mappers
    if not mappers or any(shown_publicly(mapper.class_) for mapper in mappers):
        state.session.info[CHANGED_KEY] = True


@event.listens_for(Session, "before_commit")
def _find_next_publication(session: Session) -> None:
    """While the transaction is still open (after the commit the session may not query): the next
    scheduled publication as this unit of work leaves it, for the listeners after the commit."""
    if session.in_nested_transaction():
        return
    session.flush()  # the commit would flush now anyway; its writes must be marked and seen by the query
    if session.info.get(CHANGED_KEY):
        session.info[NEXT_KEY] = next_publication_after(utcnow(), session)


@event.listens_for(Session, "after_commit")
def _announce_after_commit(session: Session) -> None:
    # After the commit, never before: a bump before it would let a request that reads the new
    # generation and then the database (still the old rows) store old content under the new number,
    # where it would stay until the next change. After it, whoever sees the new number sees the new rows.
    if session.in_nested_transaction():  # a savepoint's release is not the end of the work
        return
    if session.info.pop(CHANGED_KEY, False):
        found = session.info.pop(NEXT_KEY, None)
        _announce(lambda now: found)  # if it passed meanwhile, the next request bumps again and looks anew


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(CHANGED_KEY, None)
        session.info.pop(NEXT_KEY, None)


def scheduled_models() -> list[type]:
    """Every mapped model with a ``published_at`` column (PublishableMixin and the like)."""
    found = []
    for mapper in db.Model.registry.mappers:
        if "published_at" in mapper.columns:
            found.append(mapper.class_)
    return sorted(found, key=lambda model: model.__name__)


def next_publication_after(now: datetime, session: Session | None = None) -> datetime | None:
    """The smallest ``published_at`` later than ``now`` over every scheduled model (one query), or None.

    A draft's future date counts too: one needless expiry is cheaper than a status-aware query per model.
    """
    models = scheduled_models()
    if not models:
        return None
    moments = union_all(*(
        select(func.min(model.published_at).label("moment")).where(model.published_at > now) for model in models
    )).subquery()
    value = (session or db.session).execute(select(func.min(moments.c.moment))).scalar()
    if value is None:
        return None
    # A min() over a union loses the column type: SQLite hands back text, PostgreSQL a naive datetime.
    column_type = models[0].published_at.type
    return column_type.process_result_value(
        datetime.fromisoformat(value) if isinstance(value, str) else value, db.engine.dialect)
