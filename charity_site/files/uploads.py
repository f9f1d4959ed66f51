"""Uploaded images and PDFs.

The type of a file is decided by its content, never by its name or the browser's
Content-Type. Images are decoded and re-encoded by Pillow (orientation applied,
EXIF/GPS and every other piece of metadata dropped, long side capped); PDFs are
kept as they are after a structural check. Files get random names under
UPLOAD_DIR; the original name is kept only as metadata.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from pathlib import Path

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from PIL import Image
from sqlalchemy import bindparam, select

from charity_site.core.audit import record_audit
from charity_site.core.statements import built_once
from charity_site.core.transaction import operation, undo_on_rollback
from charity_site.disclosures.models import Attachment
from charity_site.extensions import db
from charity_site.files import pdf_scan
from charity_site.files.images import (
    DEFAULT_IMAGE_MAX_PIXELS,
    DEFAULT_IMAGE_MAX_SIDE,
    THUMBNAIL_SIDE,
    fit_within,
    process_image,
)
from charity_site.files.kinds import JPEG, PDF, PNG, WEBP, FileKind, UploadRejected

PDF_EOF_WINDOW = 1024
THUMBNAIL_FOLDER = "thumbs"

Image.MAX_IMAGE_PIXELS = DEFAULT_IMAGE_MAX_PIXELS

# Every name this module ever writes: 32 hex digits and one of the known suffixes.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp|pdf)")


def max_upload_bytes() -> int:
    config = current_app.config
    return int(config["MAX_UPLOAD_BYTES"])


def human_size(size: int) -> str:
    """1536 → '1.5 KB'; 10485760 → '10 MB'."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} B"


def too_large_message(limit: int | None = None) -> str:
    return _("The file is too large. The largest file accepted is %(limit)s.",
             limit=human_size(limit or max_upload_bytes()))


def _kind_label(kind: FileKind) -> str:
    return {
        JPEG: _("a JPEG image"),
        PNG: _("a PNG image"),
        WEBP: _("a WebP image"),
        PDF: _("a PDF document"),
    }[kind]


def sniff(data: bytes) -> FileKind | None:
    """The accepted kind that the first bytes announce, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def clean_original_name(filename: str | None) -> str:
    """The last path component of the browser's file name, without control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255]


def _extension(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


def _read(file_storage, limit: int) -> bytes:
    stream = getattr(file_storage, "stream", None)
    if stream is None:
        raise UploadRejected(_("Please choose a file to upload."), code="missing")
    with contextlib.suppress(AttributeError, OSError):
        stream.seek(0)
    data = stream.read(limit + 1)
    if not data:
        if not getattr(file_storage, "filename", ""):
            raise UploadRejected(_("Please choose a file to upload."), code="missing")
        raise UploadRejected(_("The file is empty. Please choose another file."), code="empty")
    if len(data) > limit:
        raise UploadRejected(too_large_message(limit), code="too_large", status=413)
    return data


def _check_name_matches(original_name: str, kind: FileKind) -> None:
    extension = _extension(original_name)
    if extension and extension not in kind.extensions:
        raise UploadRejected(
            _("The file content does not match its extension: the name ends in %(extension)s but the content "
              "is %(kind)s. Please check the file and choose it again.",
              extension=extension, kind=_kind_label(kind)),
            code="mismatch",
        )


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        raise UploadRejected(
            _("The PDF document is incomplete or damaged. Please save it again and upload it once more."),
            code="damaged",
        )
    found = pdf_scan.active_content(data)
    if found:
        what = {
            pdf_scan.SCRIPT: _("scripts (JavaScript)"),
            pdf_scan.LAUNCH: _("an action that starts another program"),
            pdf_scan.EMBEDDED: _("embedded files or media"),
        }
        raise UploadRejected(
            _("This PDF contains %(what)s, which could run on the reader's device. Public documents must not. "
              "Print it to a new PDF (or export it again as PDF without them) and upload that file.",
              what="、".join(what[kind] for kind in sorted(found))),
            code="active_content",
        )


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def thumbnail_dir() -> Path:
    return upload_dir() / THUMBNAIL_FOLDER


def _new_name(kind: FileKind) -> str:
    return secrets.token_hex(16) + kind.suffix


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(data)


def _resolve_actor(actor):
    if actor is None and has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user
    return actor


@operation
def store_upload(file_storage, *, title: str = "", actor=None) -> Attachment:
    """Check and store one uploaded file; return its Attachment or raise UploadRejected.

    The files written are removed again if the unit of work rolls back: no file without its row.
    """
    config = current_app.config
    original_name = clean_original_name(getattr(file_storage, "filename", ""))
    data = _read(file_storage, max_upload_bytes())
    kind = sniff(data)
    if kind is None:
        raise UploadRejected(
            _("This type of file is not accepted. Please upload a JPEG, PNG or WebP image, or a PDF document."),
            code="unsupported",
        )
    _check_name_matches(original_name, kind)

    thumbnail = None
    width = height = None
    if kind.is_image:
        processed = process_image(
            data, kind,
            max_side=int(config.get("IMAGE_MAX_SIDE") or DEFAULT_IMAGE_MAX_SIDE),
            max_pixels=int(config.get("IMAGE_MAX_PIXELS") or DEFAULT_IMAGE_MAX_PIXELS),
        )
        data, thumbnail, width, height = processed.data, processed.thumbnail, processed.width, processed.height
    else:
        _check_pdf(data)

    stem = original_name[: -len(_extension(original_name))] if _extension(original_name) else original_name
    title = " ".join((title or "").split())[:200] or " ".join(stem.split())[:200]
    actor = _resolve_actor(actor)
    stored_name = _new_name(kind)
    thumbnail_name = _new_name(kind) if thumbnail is not None else None
    written: list[Path] = []
    undo_on_rollback(lambda: _remove(written))
    _write_new(upload_dir() / stored_name, data)
    written.append(upload_dir() / stored_name)
    if thumbnail is not None:
        _write_new(thumbnail_dir() / thumbnail_name, thumbnail)
        written.append(thumbnail_dir() / thumbnail_name)
    attachment = Attachment(
        stored_name=stored_name,
        original_name=original_name,
        title=title,
        content_type=kind.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        thumbnail_name=thumbnail_name,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(attachment)
    db.session.flush()
    record_audit(
        "upload", "attachment", attachment.id, label=title or original_name, user=actor,
        changes={
            "stored_name": [None, stored_name],
            "original_name": [None, original_name],
            "title": [None, title],
            "content_type": [None, kind.content_type],
            "size_bytes": [None, len(data)],
            "sha256": [None, attachment.sha256],
        },
    )
    return attachment


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def is_image(attachment: Attachment) -> bool:
    return attachment.content_type.startswith("image/")


def is_pdf(attachment: Attachment) -> bool:
    return attachment.content_type == PDF.content_type


def file_url(attachment: Attachment) -> str:
    return url_for("uploads.file", name=attachment.stored_name)


def thumbnail_url(attachment: Attachment) -> str | None:
    if not attachment.thumbnail_name:
        return None
    return url_for("uploads.thumbnail", name=attachment.thumbnail_name)


def thumbnail_size(attachment: Attachment) -> tuple[int | None, int | None]:
    if not (attachment.width and attachment.height):
        return None, None
    return fit_within(attachment.width, attachment.height, THUMBNAIL_SIDE)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


def markdown_for(attachment: Attachment) -> str:
    """``![title](/uploads/…)`` for an image, ``[title](/uploads/…)`` for a PDF."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(attachment.title.split()) or attachment.stored_name)
    link = f"[{text}]({file_url(attachment)})"
    return "!" + link if is_image(attachment) else link


def attachments_by_name(names) -> dict[str, Attachment]:
    """Stored attachments for the given stored names, in one query."""
    names = {name for name in names if name and STORED_NAME.fullmatch(name)}
    if not names:
        return {}
    found = db.session.scalars(_by_names_statement(), {"names": sorted(names)})
    return {attachment.stored_name: attachment for attachment in found}


@built_once
def _by_names_statement():
    return select(Attachment).where(Attachment.stored_name.in_(bindparam("names", expanding=True)))


def stored_name_from_url(url: str | None) -> str | None:
    """'/uploads/<name>' → '<name>' for addresses of this site's uploads, else None."""
    if url and url.startswith("/uploads/"):
        name = url[len("/uploads/"):]
        return name if STORED_NAME.fullmatch(name) else None
    return None


_IMG_SRC = re.compile(r'<img\b([^>]*?)\bsrc="(/uploads/[0-9a-f]{32}\.(?:jpg|png|webp))"([^>]*)>')


def add_image_dimensions(html: str) -> str:
    """Give uploaded images in rendered Markdown their width and height, and lazy loading.

    The page then keeps its layout while images load; one query covers every image on the page.
    """
    matches = list(_IMG_SRC.finditer(html))
    if not matches:
        return html
    known = attachments_by_name(stored_name_from_url(match.group(2)) for match in matches)

    def decorate(match: re.Match) -> str:
        attachment = known.get(stored_name_from_url(match.group(2)))
        extra = ' loading="lazy" decoding="async"'
        sized = "width=" in match.group(1) + match.group(3)
        if attachment is not None and attachment.width and attachment.height and not sized:
            extra = f' width="{attachment.width}" height="{attachment.height}"' + extra
        return f'<img{match.group(1)}src="{match.group(2)}"{match.group(3)}{extra}>'

    return _IMG_SRC.sub(decorate, html)
