"""Reading the table of a .csv or .xlsx file: its rows as the spreadsheet numbers them, and its heading row.

The header row is looked for in the first HEADER_SEARCH_ROWS rows (reports often have a title above it).
A CSV file may be UTF-8 (with or without a BOM) or GB18030, separated by commas, tabs or semicolons.
Only the first sheet of a workbook is read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from charity_site.finance.ledger_import.cells import cell_text
from charity_site.finance.ledger_import.fields import field_of_header

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000
MAX_COLUMNS = 60
BLANK_ROWS_BEFORE_STOP = 1000  # formatted but empty rows at the end of a sheet


@dataclass
class Table:
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number as shown, cells)
    problem: str | None = None
    too_many_rows: bool = False


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _delimiter(text: str) -> str:
    head = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS + 2] if line.strip()]
    counts = {mark: sum(line.count(mark) for line in head) for mark in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _collect(rows_iter, table: Table) -> Table:
    blank_run = 0
    for number, cells in rows_iter:
        cells = list(cells[:MAX_COLUMNS])
        if not any(cell_text(cell) for cell in cells):
            blank_run += 1
            if blank_run >= BLANK_ROWS_BEFORE_STOP:
                break
            continue
        blank_run = 0
        if len(table.rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            table.too_many_rows = True
            break
        table.rows.append((number, cells))
    return table


def _unreadable_xlsx() -> str:
    return _("This Excel file could not be read. Please open it in Excel, save it as .xlsx and upload it again.")


def _read_csv(path: Path, table: Table) -> Table:
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError:
        table.problem = _("The file could not be read as text. Please save it from Excel as “CSV UTF-8” or .xlsx.")
        return table
    if "\x00" in text:
        table.problem = _("This is not a CSV text file. Please save it from Excel as .xlsx or CSV.")
        return table
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        return _collect(((index, row) for index, row in enumerate(reader, start=1)), table)
    except csv.Error:
        table.problem = _("The CSV file is damaged (a quotation mark is not closed).")
        return table


def _read_xlsx(path: Path, table: Table) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        table.problem = _unreadable_xlsx()
        return table
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size into the file
        _collect(((index, row) for index, row in enumerate(sheet.iter_rows(values_only=True), start=1)), table)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        table.problem = _unreadable_xlsx()
    finally:
        workbook.close()
    return table


def read_table(path: Path, ext: str) -> Table:
    return _read_csv(path, Table()) if ext == "csv" else _read_xlsx(path, Table())


def find_header(table: Table) -> int | None:
    """Index (in table.rows) of the row that names the most known columns; it must name the date."""
    best, best_count = None, 1
    for index, (_number, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        keys = [field_of_header(cell) for cell in cells]
        count = len({key for key in keys if key})
        if "occurred_on" in keys and count > best_count:
            best, best_count = index, count
    return best
