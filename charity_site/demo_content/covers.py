"""Cover images named by content files: ``cover: images/<name>.webp`` becomes an upload of this site.

The image goes through the same pipeline as a staff upload (checked, re-encoded, thumbnail, width
and height recorded), so the cards show it like any other cover. A file already stored is reused:
the processed image is looked up by its checksum before anything is written, so loading twice, or
two items sharing one picture, stores it once. ``cover`` may also be an address on this site
("/uploads/…"), kept as it is.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from charity_site.demo_content.files import ContentFile, text_field
from charity_site.disclosures.models import Attachment
from charity_site.extensions import db
from charity_site.files import uploads
from charity_site.files.images import DEFAULT_IMAGE_MAX_PIXELS, DEFAULT_IMAGE_MAX_SIDE, process_image
from charity_site.files.kinds import UploadRejected

TITLE_LENGTH = 200


@dataclass(frozen=True)
class CoverFile:
    """An image file under content/ that a content file names as its cover."""

    path: Path
    relative: str  # as written in the file, e.g. images/zhiyuanzhe.webp
    title: str  # the upload's title, used as the image's alt text
    checksum: str  # of the file as it is in content/, so a redrawn picture counts as a change

    def fingerprint(self) -> dict:
        return {"cover": self.relative, "cover_sha256": self.checksum, "cover_alt": self.title}


def cover_field(cf: ContentFile, meta: dict, default_title: str) -> CoverFile | str | None:
    """The ``cover`` of a project or news file: an image file under content/, an address, or None."""
    value = text_field(cf, meta, "cover", max_length=255)
    if not value:
        return None
    if value.startswith("/"):
        return value
    root = cf.path.resolve().parents[1]  # content/: projects and news files sit one folder below it
    path = (root / value).resolve()
    if root not in path.parents:
        raise cf.error(f"'cover' must name an image inside the content folder, e.g. images/name.webp; "
                       f"got {value!r}", "cover")
    if not path.is_file():
        raise cf.error(f"'cover': no image file {value!r} in the content folder", "cover")
    title = text_field(cf, meta, "cover_alt", max_length=TITLE_LENGTH) or default_title[:TITLE_LENGTH]
    return CoverFile(path, value, title, hashlib.sha256(path.read_bytes()).hexdigest())


def cover_address(cf: ContentFile, cover: CoverFile) -> str:
    """The address of ``cover`` stored as an upload; the stored one when this exact image is there already."""
    data = cover.path.read_bytes()
    try:
        kind = uploads.sniff(data)
        if kind is None or not kind.is_image or cover.path.suffix.lower() not in kind.extensions:
            raise UploadRejected("not a JPEG, PNG or WebP image with a matching file name", code="unsupported")
        if len(data) > uploads.max_upload_bytes():
            raise UploadRejected(uploads.too_large_message(), code="too_large")
        config = current_app.config
        # Checked here first: a refusal inside store_upload would roll back the whole load, not this file.
        processed = process_image(
            data, kind,
            max_side=int(config.get("IMAGE_MAX_SIDE") or DEFAULT_IMAGE_MAX_SIDE),
            max_pixels=int(config.get("IMAGE_MAX_PIXELS") or DEFAULT_IMAGE_MAX_PIXELS),
        )
    except UploadRejected as exc:
        raise cf.error(f"'cover' {cover.relative}: {exc.message}", "cover") from None
    checksum = hashlib.sha256(processed.data).hexdigest()
    stored = db.session.scalars(
        select(Attachment)
        .where(Attachment.sha256 == checksum, Attachment.content_type == kind.content_type,
               Attachment.title == cover.title)
        .order_by(Attachment.id)
    ).first()
    if stored is None:
        stored = uploads.store_upload(FileStorage(io.BytesIO(data), filename=cover.path.name), title=cover.title)
    return f"/uploads/{stored.stored_name}"  # what uploads.file_url gives, without needing a request
