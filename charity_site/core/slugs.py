"""URL slugs from Chinese titles (pinyin), kept unique, with redirects from old slugs."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from charity_site.core.locking import claim
from charity_site.core.models import (
    UTCDateTime,
    utcnow,
)
from charity_site.extensions import db

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80
AUTO_SLUG_WORDS = 4  # pinyin syllables (or Latin words, numbers) taken from the start of the title
AUTO_SLUG_LENGTH = 32
YEAR_PATTERN = re.compile(r"^(19|20)[0-9]{2}$")


def slugify(text: str) -> str:
    """A short address from a title: its first few pinyin words, plus a year when the title has one.

    '“筑梦未来”儿童特教 2024' → 'zhu-meng-wei-lai-2024'; '社区长者助餐点开张' → 'she-qu-zhang-zhe'.
    Staff rarely read it and visitors share it, so short beats complete; unique_slug adds -2, -3... on a clash.
    """
    from pypinyin import Style, lazy_pinyin  # its dictionaries take ~1 s to load: only when a slug is made

    words = lazy_pinyin(text or "", style=Style.NORMAL, errors=lambda chars: [chars])
    ascii_text = unicodedata.normalize("NFKD", " ".join(words)).encode("ascii", "ignore").decode("ascii")
    parts = [part for part in re.split(r"[^a-z0-9]+", ascii_text.lower()) if part]
    slug = ""
    for part in parts[:AUTO_SLUG_WORDS]:
        if len(slug) + len(part) + 1 > AUTO_SLUG_LENGTH:
            break
        slug = f"{slug}-{part}" if slug else part
    year = next((part for part in parts if YEAR_PATTERN.match(part)), None)
    if year and year not in slug.split("-") and len(slug) + len(year) + 1 <= AUTO_SLUG_LENGTH:
        slug = f"{slug}-{year}" if slug else year
    if not slug and parts:
        slug = parts[0][:AUTO_SLUG_LENGTH]
    return slug or "item"


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug or "")) and len(slug) <= MAX_SLUG_LENGTH


def slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    """Whether another row of ``model`` uses ``slug``; a free slug stays free until this transaction ends."""
    claim(model.__tablename__, "slug")
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def unique_slug(model, base: str, exclude_id: int | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free."""
    candidate, number = base, 2
    while slug_taken(model, candidate, exclude_id):
        suffix = f"-{number}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def remember_old_slug(kind: str, old_slug: str, target_id: int) -> None:
    """Keep ``old_slug`` pointing at the item, and stop any redirect from the slug it now uses."""
    db.session.execute(
        delete(SlugRedirect).where(SlugRedirect.kind == kind, SlugRedirect.old_slug == old_slug)
    )
    db.session.add(SlugRedirect(kind=kind, old_slug=old_slug, target_id=target_id))


def forget_redirect(kind: str, slug: str) -> None:
    db.session.execute(delete(SlugRedirect).where(SlugRedirect.kind == kind, SlugRedirect.old_slug == slug))


def redirect_target(kind: str, slug: str) -> int | None:
    return db.session.scalar(
        select(SlugRedirect.target_id).where(SlugRedirect.kind == kind, SlugRedirect.old_slug == slug)
    )


class SlugRedirect(db.Model):
    """An old slug of a renamed item, kept so shared links keep working (301 to the new one)."""

    __tablename__ = "slug_redirects"
    __table_args__ = (UniqueConstraint("kind", "old_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "page", "news", "project", "fund"
    old_slug: Mapped[str] = mapped_column(String(160))
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
