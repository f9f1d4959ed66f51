"""Writes that race: whoever comes second is answered as if its request had come on its own, later.

Two staff members, or one double click, can send the same change at the same moment. The loser must
get what a second request would get: a 409 showing both versions (``StaleEdit``), or a 400 with the
usual message ("this e-mail is already used"), never a 500. So writers queue before they look:

- ``lock_row`` re-reads a row with SELECT … FOR NO KEY UPDATE before a write changes it: writers of one
  row wait for each other, and each checks the version (or the status) the one before it saved;
- ``claim`` does the same for a value that must stay unique (an e-mail, a voucher number, the slugs
  of a table) before a writer checks whether it is free;
- on SQLite, which has neither, every write request takes the database's write lock when its first
  transaction begins (BEGIN IMMEDIATE, see ``charity_site._sqlite_write_lock``), which
  queues writers the same way; both functions then do nothing more.

Locks last until the transaction's commit or rollback. ``flush_or_refuse`` remains for a conflict
the locks did not prevent (a write path that does not lock, another program writing to the
database): it turns the database's refusal into the same StaleEdit or message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from charity_site.extensions import db


class StaleEdit(Exception):
    """Someone else saved the item after this edit started; ``current`` is their saved version."""

    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock_row(record):
    """Lock ``record``'s row until the transaction ends and load what is saved in it now.

    A concurrent writer of the row finishes first; its changes are then visible here. A row deleted
    in the meantime answers 404, as a request sent after the deletion would. Call this before
    changing the record: unsaved changes to it are replaced by the saved values.
    """
    try:
        # FOR NO KEY UPDATE on PostgreSQL: rows that only refer to this one (an audit row naming its
        # author, a revision of a disclosure) can still be written by others, so no deadlock.
        db.session.refresh(record, with_for_update={"key_share": True})
    except InvalidRequestError:  # "Could not refresh instance": the row is gone
        raise NotFound() from None
    return record


def check_version(record, expected_version: int | None) -> None:
    """Refuse an edit begun on an older version of ``record`` (None: the form sent no version)."""
    if expected_version is not None and record.version != expected_version:
        raise StaleEdit(record)


def lock_current(record, expected_version: int | None) -> None:
    """Lock ``record`` (see ``lock_row``), then refuse an edit begun on an older version of it."""
    lock_row(record)
    check_version(record, expected_version)


def claim(*key: str) -> None:
    """Queue behind other transactions that claimed the same ``key``, e.g. ("staff_users", "email", email).

    Call it before checking that a unique value is free: the answer then stays true until this
    transaction ends. PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, a writing
    request holds the database's write lock from its first statement on.
    """
    if not _on_postgresql():
        return
    digest = hashlib.sha256("\x1f".join(key).encode("utf-8")).digest()
    db.session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))


def flush_or_refuse(record=None, *, taken: Callable[[], Exception | None] | None = None) -> None:
    """Flush; if a concurrent request won, roll back and refuse as a later single request would be.

    An optimistic-lock conflict on ``record`` raises StaleEdit with the saved version; a unique
    constraint raises what ``taken()`` returns once the winner's row is visible (e.g. an EditError
    "already used"). Anything else is re-raised.
    """
    identity = inspect(record).identity if record is not None else None
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        if identity is None:
            raise
        current = db.session.get(type(record), identity, populate_existing=True)
        if current is None:
            raise NotFound() from None
        raise StaleEdit(current) from None
    except IntegrityError:
        db.session.rollback()
        refusal = taken() if taken is not None else None
        if refusal is None:
            raise
        raise refusal from None
