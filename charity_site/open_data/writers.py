"""Writing a dataset out as CSV, JSON or XLSX, row by row as the rows come from the database."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from flask_babel import gettext as _

from charity_site.core.formatting import SITE_TZ
from charity_site.core.models import utcnow
from charity_site.open_data.fields import Dataset, Field
from charity_site.open_data.queries import NO_FILTERS

CHUNK_ROWS = 200  # rows gathered into one chunk of the streamed response
FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
CACHE_CONTROL = "public, max-age=300"
XLSX_MAX_ROWS = 1_048_576  # rows per worksheet, header included
# A cell starting with one of these is a formula to a spreadsheet program: never run what staff typed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _csv_value(f: Field, value) -> str:
    if value is None:
        return ""
    if f.type == "boolean":
        return "true" if value else "false"
    if f.type == "date":
        return value.isoformat()
    text = str(value)
    if f.type == "string" and not f.yuan and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _json_value(f: Field, value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def iter_csv(dataset: Dataset, filters=NO_FILTERS) -> Iterator[str]:
    """The dataset as CSV text: a UTF-8 BOM (so Excel reads Chinese), the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dataset.field_names)
    pending = 0
    first = True
    for row in dataset.rows(filters):
        writer.writerow([_csv_value(f, f.get(row)) for f in dataset.fields])
        pending += 1
        if pending >= CHUNK_ROWS:
            yield ("\ufeff" if first else "") + buffer.getvalue()
            first = False
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield ("\ufeff" if first else "") + buffer.getvalue()


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iter_json(dataset: Dataset, filters=NO_FILTERS, publisher: dict | None = None) -> Iterator[str]:
    """{"dataset":..., "fields": [...], "records": [...]} written record by record."""
    head = {
        "dataset": dataset.name,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "generated_at": utcnow().astimezone(SITE_TZ).isoformat(timespec="seconds"),
        "publisher": publisher or {},
        "notes": [str(note) for note in dataset.notes],
        "fields": [f.describe() for f in dataset.fields],
    }
    yield dumps(head)[:-1] + ',"records":['
    parts: list[str] = []
    separator = ""
    for row in dataset.rows(filters):
        record = {f.name: _json_value(f, f.get(row)) for f in dataset.fields}
        parts.append(separator + "\n" + dumps(record))
        separator = ","
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts)


def _xlsx_cell(sheet, f: Field, value):
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if f.yuan:
        cell = WriteOnlyCell(sheet, Decimal(value))
        cell.number_format = "#,##0.00"
        return cell
    if f.type == "date":
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        value = _XLSX_ILLEGAL.sub("", value)
        if value.startswith("="):  # openpyxl would store it as a formula
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    return value


def write_xlsx(dataset: Dataset, target, filters=NO_FILTERS) -> None:
    """The dataset as an XLSX workbook written to ``target`` (a file object) in write-only mode:
    rows go to disk as they come. A second sheet holds the field dictionary."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header_cell(sheet_, text):
        cell = WriteOnlyCell(sheet_, text)
        cell.font = bold
        return cell

    def data_sheet(number: int):
        sheet_ = workbook.create_sheet(dataset.name if number == 1 else f"{dataset.name}-{number}")
        sheet_.freeze_panes = "A2"
        for index, f in enumerate(dataset.fields, start=1):
            width = {"date": 12, "boolean": 8, "integer": 12}.get(f.type, 24 if not f.yuan else 14)
            sheet_.column_dimensions[get_column_letter(index)].width = width
        sheet_.append([header_cell(sheet_, name) for name in dataset.field_names])
        return sheet_

    sheets = 1
    sheet = data_sheet(sheets)
    rows_in_sheet = 1
    for row in dataset.rows(filters):
        if rows_in_sheet >= XLSX_MAX_ROWS:  # a sheet holds 1,048,576 rows: go on in the next one
            sheets += 1
            sheet = data_sheet(sheets)
            rows_in_sheet = 1
        sheet.append([_xlsx_cell(sheet, f, f.get(row)) for f in dataset.fields])
        rows_in_sheet += 1

    guide = workbook.create_sheet("fields")
    for letter, width in zip("ABCD", (22, 10, 60, 28), strict=True):
        guide.column_dimensions[letter].width = width
    guide.append([header_cell(guide, str(text)) for text in (_("Field"), _("Type"), _("Meaning"), _("Example"))])
    for f in dataset.fields:
        guide.append([f.name, f.type, str(f.meaning), f.example])
    for note in dataset.notes:
        guide.append([str(note)])
    workbook.save(target)


def xlsx_file(dataset: Dataset, filters=NO_FILTERS):
    """An anonymous temporary file holding the workbook, rewound; it disappears when closed."""
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        write_xlsx(dataset, target, filters)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def download_filename(name: str, fmt: str) -> str:
    return f"{name}-{utcnow().astimezone(SITE_TZ).date().isoformat()}.{fmt}"


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = filename.encode("ascii", "ignore").decode("ascii").replace('"', "") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
