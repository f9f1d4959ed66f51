"""The unit of work: operations write and flush, and exactly one place commits.

- **A request** commits when it ends with a status below 400: its view finished, and the page or
  redirect it answers with shows what was saved. Any other answer rolls back: a view that raised
  (answered by an error page), a refusal shown with 4xx, a 5xx. ``init_transactions`` installs this.
- **Outside requests** (CLI commands, the app's start, tests) ``with transaction():`` is the unit
  of work. Only the outermost level commits, when its block ends normally; any exception rolls
  everything back. Inside a request, the request is the outermost level: ``transaction()`` never
  commits there.
- **An operation** (``@operation``) validates, writes, audits, indexes and flushes, and never commits,
  so two operations compose into one transaction (a pledge's status and its ledger line). When it
  raises, the session is rolled back before the exception leaves it: *an operation's failure undoes
  the unit of work*, the caller's earlier writes included, so a caller that catches the error and
  goes on to show a page can never commit half of it. A caller that wants to go on writing after a
  failure starts its work again.
- Some refusals are facts to keep: a failed sign-in is answered 401, yet its audit row must stay.
  ``@operation(keeps_work_on=(SignInRefused,))`` lets such an exception leave the operation with the
  unit of work intact, and that work commits although the answer's status is 4xx.

``undo_on_rollback`` pairs a change outside the database (a file written for a new row) with the
unit of work: it is undone when the work rolls back. Mail is queued the same way (core/mail.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from charity_site.extensions import db

DEPTH_KEY = "transaction_depth"
KEEP_KEY = "keep_work_despite_refusal"
UNDO_KEY = "undo_on_rollback"


def init_transactions(app: Flask) -> None:
    """Commit or roll back each request's unit of work when it ends.

    Register it before other after-request hooks: Flask runs them in reverse order, so the commit
    comes last, after every hook that reads or writes (e.g. the HTTP cache's last change).
    """
    app.after_request(_end_request)
    app.teardown_request(_roll_back_unhandled)


def _end_request(response: Response) -> Response:
    if response.status_code < 400 or _work_kept(db.session()):
        db.session.commit()  # an error here is answered by the error handlers (500, or 503)
    else:
        db.session.rollback()
    return response


def _roll_back_unhandled(error: BaseException | None) -> None:
    """An exception no error handler answered: nothing of the request may stay."""
    if error is not None:
        db.session.rollback()


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work outside requests; only the outermost level commits, any exception rolls back."""
    session = db.session()
    depth = session.info.get(DEPTH_KEY, 0)
    outermost = depth == 0 and not has_request_context()
    session.info[DEPTH_KEY] = depth + 1
    try:
        yield session
    except BaseException:
        if not _work_kept(session):
            session.rollback()
        elif outermost:
            session.commit()
        raise
    else:
        if outermost:
            session.commit()
    finally:
        session.info[DEPTH_KEY] = depth


def operation(function: Callable | None = None, *, keeps_work_on: tuple[type[BaseException], ...] = ()):
    """Mark a write: the session is flushed when it returns and rolled back when it raises.

    ``keeps_work_on``: exceptions that are an answer rather than a failure (see the module's text).
    Use as ``@operation`` or ``@operation(keeps_work_on=(SomeRefusal,))``.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, **kwargs):
            session = db.session()
            try:
                result = func(*args, **kwargs)
                session.flush()
            except keeps_work_on:
                session.info[KEEP_KEY] = True
                raise
            except BaseException:
                session.rollback()
                raise
            return result

        return run

    return decorate(function) if function is not None else decorate


def undo_on_rollback(undo: Callable[[], None]) -> None:
    """Call ``undo`` if the current unit of work rolls back instead of committing."""
    session = db.session()
    session.connection()  # join the unit of work, so that its end is seen
    session.info.setdefault(UNDO_KEY, []).append(undo)


def _work_kept(session: Session) -> bool:
    return bool(session.info.get(KEEP_KEY))


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release is not the end of the work
        session.info.pop(KEEP_KEY, None)
        session.info.pop(UNDO_KEY, None)


@event.listens_for(Session, "after_rollback")
def _undo_after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(KEEP_KEY, None)
    for undo in reversed(session.info.pop(UNDO_KEY, [])):
        undo()
