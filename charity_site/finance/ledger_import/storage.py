"""Uploaded spreadsheets kept between the preview and the import; nothing is kept in the session cookie.

An upload is checked (type, size) and saved as ``<token>.<ext>`` in the import folder (config
LEDGER_IMPORT_DIR, default ``instance_path/imports``) with a small ``<token>.json`` beside it (original
name, who uploaded it). Files older than KEEP_UPLOADS_FOR are removed at the next upload and by
``flask ledger cleanup-imports`` (run daily).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from charity_site.core.models import utcnow

EXTENSIONS = ("xlsx", "csv")
KEEP_UPLOADS_FOR = timedelta(days=2)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class ImportProblem(ValueError):
    """The file cannot be taken (wrong type, too large, gone); ``message`` is for the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StoredImport:
    token: str
    path: Path
    ext: str
    filename: str
    sha256: str


def import_dir() -> Path:
    configured = current_app.config.get("LEDGER_IMPORT_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_BYTES"])


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _checked_data(file_storage, ext: str) -> bytes:
    """The bytes of an upload with an allowed extension; raises ImportProblem when they cannot be imported."""
    limit = max_upload_bytes()
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        from charity_site.files.uploads import too_large_message

        raise ImportProblem(too_large_message(limit), 413)
    if not data.strip():
        raise ImportProblem(_("The file is empty."))
    if ext == "xlsx" and not data.startswith(b"PK\x03\x04"):
        raise ImportProblem(_("This file is not an Excel .xlsx file. Please save it from Excel as .xlsx."), 415)
    if ext == "csv" and b"\x00" in data[:4096]:
        raise ImportProblem(_("This is not a CSV text file. Please save it from Excel as .xlsx or CSV."), 415)
    return data


def store_upload(file_storage, user=None) -> str:
    """Check an uploaded file and keep it for the preview; returns its token. Raises ImportProblem."""
    filename = (getattr(file_storage, "filename", "") or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    ext = _extension(filename)
    if ext == "xls":
        raise ImportProblem(_("This is an old-style Excel file (.xls). Please open it in Excel, choose “Save as” "
                             "and save it as .xlsx, then upload that file."), 415)
    if ext not in EXTENSIONS:
        raise ImportProblem(_("Only Excel files (.xlsx) and CSV files (.csv) can be imported."), 415)
    data = _checked_data(file_storage, ext)
    folder = import_dir()
    remove_old_uploads(folder)
    token = secrets.token_urlsafe(24)
    target = folder / f"{token}.{ext}"
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(data)
    meta = {"filename": filename, "ext": ext, "sha256": hashlib.sha256(data).hexdigest(),
            "uploaded_by": getattr(user, "id", None), "uploaded_at": utcnow().isoformat()}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def remove_old_uploads(folder: Path | None = None) -> None:
    """Remove the files of the import folder older than KEEP_UPLOADS_FOR (previews nobody imported)."""
    folder = folder or import_dir()
    cutoff = time.time() - KEEP_UPLOADS_FOR.total_seconds()
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def valid_token(token: str) -> bool:
    return bool(token) and _TOKEN.match(token) is not None


def load_upload(token: str) -> StoredImport | None:
    """The stored file of ``token``, or None when the token is malformed or the file is gone."""
    if not valid_token(token):
        return None
    folder = import_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ext = meta.get("ext")
    if ext not in EXTENSIONS:
        return None
    path = folder / f"{token}.{ext}"
    if not path.is_file():
        return None
    return StoredImport(token, path, ext, str(meta.get("filename") or f"import.{ext}"), str(meta.get("sha256", "")))


def claimed_path(stored: StoredImport) -> Path:
    """Where a file is moved while it is imported, so a double click cannot import it twice."""
    return stored.path.with_name(f"{stored.token}.importing.{stored.ext}")  # openpyxl wants the .xlsx ending


def discard_upload(token: str) -> None:
    if not valid_token(token):
        return
    folder = import_dir()
    for suffix in ("xlsx", "csv", "json", "importing.xlsx", "importing.csv"):
        with contextlib.suppress(FileNotFoundError):
            (folder / f"{token}.{suffix}").unlink()
