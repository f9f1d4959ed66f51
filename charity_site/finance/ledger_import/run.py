"""The import itself: every row of a valid preview goes in, in one unit of work with one audit record, or none does."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from charity_site.core.audit import record_audit
from charity_site.core.formatting import format_yuan
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.finance.ledger_import.preview import ImportPreview, build_preview
from charity_site.finance.ledger_import.storage import ImportProblem, StoredImport, claimed_path, discard_upload
from charity_site.finance.models import LedgerBatch, LedgerEntry


class ImportRefused(ValueError):
    """The file has problems; nothing was imported. ``preview`` lists them."""

    def __init__(self, preview: ImportPreview):
        super().__init__("import refused")
        self.preview = preview


@operation
def import_batch(preview: ImportPreview, user=None, *, sha256: str = "") -> LedgerBatch:
    """Insert every row of a valid preview as one batch, in one transaction with one audit record.

    Every line carries the batch's id, so the import can be found and voided as a whole later.
    """
    if not preview.ok:
        raise ImportRefused(preview)
    now = utcnow()
    user_id = getattr(user, "id", None)
    batch = LedgerBatch(filename=preview.filename[:200], sha256=sha256, line_count=len(preview.rows),
                        income_fen=preview.income_fen, expense_fen=preview.expense_fen, created_by_id=user_id,
                        created_at=now, updated_at=now)
    db.session.add(batch)
    try:
        db.session.flush()
        rows = [{**row.values, "created_by_id": user_id, "created_at": now, "updated_at": now, "voided": False,
                 "void_reason": "", "batch_id": batch.id} for row in preview.rows]
        db.session.execute(insert(LedgerEntry), rows)
        record_audit("import", "ledger_entry", None, label=preview.filename, changes={
            "file": [None, preview.filename],
            "batch": [None, batch.id],
            "rows": [None, len(rows)],
            "income_total": [None, format_yuan(preview.income_fen)],
            "expense_total": [None, format_yuan(preview.expense_fen)],
        }, note=f"sha256 {sha256}" if sha256 else "", user=user)
        db.session.flush()
    except IntegrityError:
        raise ImportProblem(_("Some voucher numbers were entered by someone else a moment ago. "
                             "Nothing was imported; please check the file again."), 409) from None
    return batch


def import_rows(preview: ImportPreview, user=None, *, sha256: str = "") -> int:
    """``import_batch`` for callers that want the number of lines imported."""
    return import_batch(preview, user, sha256=sha256).line_count


def import_upload(stored: StoredImport, mapping: dict[str, str] | None, user=None) -> LedgerBatch:
    """Re-read the stored file with ``mapping``; import it only when every row is valid, then remove it.

    The file is claimed (renamed) first, so a double click cannot import it twice.
    """
    claimed = claimed_path(stored)
    try:
        stored.path.rename(claimed)
    except FileNotFoundError:
        raise ImportProblem(_("This file has already been imported or has expired. Please upload it again."),
                           404) from None
    try:
        preview = build_preview(claimed, stored.ext, stored.filename, mapping)
        batch = import_batch(preview, user, sha256=stored.sha256)
    except BaseException:
        claimed.rename(stored.path)
        raise
    discard_upload(stored.token)
    return batch
