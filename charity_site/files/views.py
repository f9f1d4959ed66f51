"""Public serving of uploaded files: only names recorded in the attachments table, cached for a year."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, abort, request, send_from_directory
from sqlalchemy import select

from charity_site.disclosures.models import Attachment
from charity_site.extensions import db
from charity_site.files import uploads

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

ONE_YEAR = 365 * 24 * 60 * 60


def _find(column, name: str) -> Attachment:
    if not uploads.STORED_NAME.fullmatch(name):
        abort(404)
    attachment = db.session.scalars(select(Attachment).where(column == name)).first()
    if attachment is None:
        abort(404)
    return attachment


def _send(directory, name: str, content_type: str):
    response = send_from_directory(directory, name, mimetype=content_type, max_age=ONE_YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_download_name(attachment: Attachment) -> str:
    name = attachment.original_name or attachment.title or attachment.stored_name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "/\\").strip() or attachment.stored_name
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def content_disposition(disposition: str, filename: str) -> str:
    """``inline; filename="…"; filename*=UTF-8''…`` with an ASCII fallback for old browsers."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.get("/<name>")
def file(name: str):
    attachment = _find(Attachment.stored_name, name)
    response = _send(uploads.upload_dir(), name, attachment.content_type)
    if uploads.is_pdf(attachment):
        disposition = "attachment" if request.args.get("download") == "1" else "inline"
        # No CSP "sandbox" here: WebKit (WeChat on iPhone) shows sandboxed PDFs as blank pages.
        response.headers["Content-Disposition"] = content_disposition(disposition, pdf_download_name(attachment))
    return response


@bp.get("/thumbs/<name>")
def thumbnail(name: str):
    attachment = _find(Attachment.thumbnail_name, name)
    return _send(uploads.thumbnail_dir(), name, attachment.content_type)


@dataclass(frozen=True)
class UploadInfo:
    """What a template needs to show one upload."""

    url: str
    thumbnail_url: str | None
    thumbnail_width: int | None
    thumbnail_height: int | None
    markdown: str
    is_image: bool
    is_pdf: bool
    size_label: str
    download_url: str


@bp.app_template_global("upload_info")
def upload_info(attachment: Attachment) -> UploadInfo:
    width, height = uploads.thumbnail_size(attachment)
    url = uploads.file_url(attachment)
    return UploadInfo(
        url=url,
        thumbnail_url=uploads.thumbnail_url(attachment),
        thumbnail_width=width,
        thumbnail_height=height,
        markdown=uploads.markdown_for(attachment),
        is_image=uploads.is_image(attachment),
        is_pdf=uploads.is_pdf(attachment),
        size_label=uploads.human_size(attachment.size_bytes),
        download_url=f"{url}?download=1" if uploads.is_pdf(attachment) else url,
    )
