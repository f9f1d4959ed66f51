"""The site's own words: settings, standing pages and news."""

from __future__ import annotations

from sqlalchemy import Integer
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






