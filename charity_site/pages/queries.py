"""Read-side queries for the standing pages."""

from __future__ import annotations

from sqlalchemy import select

from charity_site.extensions import db
from charity_site.pages.models import Page


def footer_pages() -> list[Page]:
    query = select(Page).where(Page.public_clause()).order_by(Page.nav_order.asc().nulls_last(), Page.title)
    return list(db.session.scalars(query))
