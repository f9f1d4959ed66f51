"""Importing ledger lines from a spreadsheet staff already keep in Excel (.xlsx or .csv).

The flow keeps nothing in the session cookie:

1. ``store_upload`` (storage) checks the file and keeps it in the import folder under a token.
2. ``build_preview`` (preview) reads the file (reading, cells) with a column mapping (fields; detected
   from the header row by default) and lists every problem of every row (rows: each row is read into
   a line and checked by finance.rules, the rulebook every ledger line goes through), with the row
   number as the spreadsheet shows it.
3. ``import_upload`` (run) reads the file again with the mapping and, only when every row is valid,
   inserts all rows in one transaction with one audit record; then the file is removed.

``template`` makes the example file staff can download. This package's names below are its interface.
"""

from __future__ import annotations

from charity_site.finance.ledger_import.cells import parse_amount, parse_date
from charity_site.finance.ledger_import.fields import FIELDS, FIELDS_BY_KEY, constant_options, mapping_key
from charity_site.finance.ledger_import.preview import (
    PREVIEW_VALID_ROWS,
    ImportPreview,
    build_preview,
    preview_upload,
)
from charity_site.finance.ledger_import.run import ImportRefused, import_batch, import_rows, import_upload
from charity_site.finance.ledger_import.storage import (
    ImportProblem,
    StoredImport,
    load_upload,
    max_upload_bytes,
    remove_old_uploads,
    store_upload,
    valid_token,
)
from charity_site.finance.ledger_import.template import template_csv, template_xlsx

__all__ = [
    "FIELDS", "FIELDS_BY_KEY", "PREVIEW_VALID_ROWS", "ImportPreview", "ImportProblem", "ImportRefused",
    "StoredImport", "build_preview", "constant_options", "import_batch", "import_rows", "import_upload", "load_upload",
    "mapping_key", "max_upload_bytes", "parse_amount", "parse_date", "preview_upload", "remove_old_uploads",
    "store_upload", "template_csv", "template_xlsx", "valid_token",
]
