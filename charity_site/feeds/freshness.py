"""When did anything the public can see last change? One query, for Last-Modified headers."""

from __future__ import annotations

from datetime import datetime

from flask import g
from sqlalchemy import func, select, union_all

from charity_site.core.models import utcnow
from charity_site.core.site_settings import SiteSettings
from charity_site.disclosures.models import Disclosure
from charity_site.extensions import db
from charity_site.finance.models import Fund, LedgerEntry
from charity_site.news.models import NewsPost
from charity_site.pages.models import Page
from charity_site.projects.models import Project, ProjectUpdate

EDITED_MODELS = (Page, NewsPost, Project, ProjectUpdate, Fund, Disclosure, LedgerEntry, SiteSettings)
# A scheduled item changes the site when its time comes, without any row being written.
SCHEDULED_MODELS = (Page, NewsPost, Project, Fund, Disclosure)


def last_change_query(now: datetime):
    changes = [select(func.max(model.updated_at).label("changed_at")) for model in EDITED_MODELS]
    changes += [
        select(func.max(model.published_at).label("changed_at")).where(model.published_at <= now)
        for model in SCHEDULED_MODELS
    ]
    moments = union_all(*changes).subquery()
    return select(func.max(moments.c.changed_at))


def last_change(now: datetime | None = None) -> datetime | None:
    """The latest edit of public content, or publication time already reached (UTC), or None on an empty site."""
    return db.session.scalar(last_change_query(now or utcnow()))


def last_change_this_request() -> datetime | None:
    """``last_change()`` asked once a request: a page that shows it and its Last-Modified header agree."""
    if "last_public_change" not in g:
        g.last_public_change = last_change()
    return g.last_public_change
