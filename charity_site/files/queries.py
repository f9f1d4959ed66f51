"""Which uploaded image illustrates an item, and which uploads the editors' image picker offers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from charity_site.disclosures.models import Attachment
from charity_site.extensions import db
from charity_site.files import kinds, uploads

PICKER_SIZE = 24


@dataclass(frozen=True)
class Cover:
    src: str
    width: int
    height: int
    alt: str


def covers(items) -> dict[int, Cover]:
    """Thumbnails of the uploaded cover images of ``items`` (projects or news), in one query."""
    names = {item.id: uploads.stored_name_from_url(item.cover_image) for item in items}
    found = uploads.attachments_by_name(names.values())
    result = {}
    for item_id, name in names.items():
        attachment = found.get(name)
        if attachment is None or not uploads.is_image(attachment):
            continue
        width, height = uploads.thumbnail_size(attachment)
        if width and height:
            result[item_id] = Cover(uploads.thumbnail_url(attachment) or uploads.file_url(attachment),
                                    width, height, attachment.title)
    return result


def of_kind(query, kind: str | None):
    """``query`` of attachments narrowed to images ("image"), PDF documents ("pdf") or neither (None)."""
    if kind == "image":
        return query.where(Attachment.content_type.like("image/%"))
    if kind == "pdf":
        return query.where(Attachment.content_type == kinds.PDF.content_type)
    return query


def newest_first(query):
    return query.order_by(Attachment.created_at.desc(), Attachment.id.desc())


def picker_images(kind: str | None = "image", limit: int = PICKER_SIZE) -> list[Attachment]:
    """The latest uploads the image picker beside a Markdown editor offers."""
    return list(db.session.scalars(newest_first(of_kind(select(Attachment), kind)).limit(limit)))
