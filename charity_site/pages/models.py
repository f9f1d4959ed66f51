"""The site's own words: settings, standing pages and news."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from charity_site.core.models import (
    PublishableMixin,
    TimestampMixin,
)
from charity_site.extensions import db


class Page(PublishableMixin, TimestampMixin, db.Model):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    nav_order: Mapped[int | None] = mapped_column(Integer)
    # The day its text was last revised, as its content file states (front matter ``updated``); the
    # time of loading the file is not a date of the page.
    updated_on: Mapped[date | None] = mapped_column(Date)

    @property
    def last_revised(self) -> date | datetime | None:
        """When its text last changed: the last edit on the site, else the date its file states, else
        unknown (None)."""
        if self.source_loaded_at is None or self.edited_since_load:
            return self.updated_at
        return self.updated_on






