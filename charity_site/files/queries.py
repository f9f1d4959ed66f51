"""Which uploaded image illustrates an item."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cover:
    src: str
    width: int
    height: int
    alt: str


def covers(items) -> dict[int, Cover]:
    """Thumbnails of the uploaded cover images of ``items`` (projects or news), in one query."""
    from charity_site.files import uploads

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
