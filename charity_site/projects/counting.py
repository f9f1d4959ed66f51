"""How many public projects match a list's filters, counted once per change of the projects table.

A count of 100,000 rows reads 100,000 index entries (5 ms on SQLite, far more on PostgreSQL under
load) on every page of the list and on the sitemap index. The number only changes when a project
row is added, edited (status, publication time, category...), or when a scheduled project's time
comes; public projects are never deleted (core.editing unpublishes them; only drafts go). So each
process keeps the counts beside a fingerprint of the table read in one indexed statement:

- the largest id (a project was added),
- the latest updated_at (a project was edited: the ORM sets it on every change),
- the next publication time still to come (a scheduled project becomes public).

Every request reads the fingerprint (three index look-ups) and counts again only when it moved, so
the count is always the one the request would have made. The fingerprint is read BEFORE counting:
a change committed in between then leaves an old fingerprint next to a new count, which the next
request counts again, never a new fingerprint beside an old count.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import func, select

from charity_site.core.models import utcnow
from charity_site.extensions import db
from charity_site.projects.models import Project

MAX_REMEMBERED = 256  # filter combinations; the least recently used is forgotten first

_lock = threading.Lock()
_counts: OrderedDict[tuple, tuple[tuple, int]] = OrderedDict()


def _fingerprint(now: datetime) -> tuple:
    max_id = select(func.max(Project.id)).scalar_subquery()
    last_edit = select(func.max(Project.updated_at)).scalar_subquery()
    next_publication = select(func.min(Project.published_at)).where(Project.published_at > now).scalar_subquery()
    return tuple(db.session.execute(select(max_id, last_edit, next_publication)).one())


def public_project_count(key: tuple, *conditions, now: datetime | None = None) -> int:
    """The number of public projects matching ``conditions`` (besides being public), which ``key`` names."""
    now = now or utcnow()
    key = (db.engine.url.render_as_string(hide_password=True), *key)  # one process may serve several
    fingerprint = _fingerprint(now)
    with _lock:
        remembered = _counts.get(key)
        if remembered is not None and remembered[0] == fingerprint:
            _counts.move_to_end(key)
            return remembered[1]
    count = db.session.scalar(
        select(func.count()).select_from(Project).where(Project.public_clause(now), *conditions)
    ) or 0
    with _lock:
        _counts[key] = (fingerprint, count)
        _counts.move_to_end(key)
        while len(_counts) > MAX_REMEMBERED:
            _counts.popitem(last=False)
    return count
