"""The preview of an import: the file read with a column mapping, every problem of every row listed.

Nothing is written here; finance.ledger_import.run imports a preview that has no problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from charity_site.finance import rules
from charity_site.finance.ledger_import.cells import cell_text
from charity_site.finance.ledger_import.fields import (
    FIELDS_BY_KEY,
    clean_mapping,
    column_label,
    column_letter,
    detect_mapping,
    mapping_key,
)
from charity_site.finance.ledger_import.reading import HEADER_SEARCH_ROWS, MAX_ROWS, find_header, read_table
from charity_site.finance.ledger_import.rows import PreviewRow, Problem, RowReader
from charity_site.finance.models import EntryKind

PREVIEW_VALID_ROWS = 50


@dataclass
class ProblemGroup:
    column: str
    message: str
    rows: list[int] = field(default_factory=list)

    def row_ranges(self, limit: int = 5) -> tuple[list[tuple[int, int]], bool]:
        """Runs of consecutive row numbers, the first ``limit`` of them, and whether more were cut off."""
        runs: list[tuple[int, int]] = []
        for number in self.rows:
            if runs and number == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], number)
            elif runs and number == runs[-1][1]:
                continue  # two problems in one column of the same row
            else:
                runs.append((number, number))
        return runs[:limit], len(runs) > limit


@dataclass
class ImportPreview:
    filename: str
    headers: list[str] = field(default_factory=list)
    header_row: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    rows: list[PreviewRow] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    income_fen: int = 0
    expense_fen: int = 0
    row_count: int = 0  # the data rows of the file, read or not (a file problem can stop the reading)

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [problem for row in self.rows for problem in row.problems]

    @property
    def problem_rows(self) -> int:
        return sum(1 for row in self.rows if row.problems)

    def problem_groups(self) -> list[ProblemGroup]:
        """The row problems with the same column and message together, in order of first appearance.

        A wrong fund name or date format usually repeats on every row: one line that says so, with the
        rows it affects, is easier to act on than thousands of identical lines.
        """
        groups: dict[tuple[str, str], ProblemGroup] = {}
        for row in self.rows:
            for problem in row.problems:
                key = (problem.column, problem.message)
                if key not in groups:
                    groups[key] = ProblemGroup(problem.column, problem.message)
                groups[key].rows.append(row.number)
        return list(groups.values())

    @property
    def valid_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if not row.problems]

    @property
    def ambiguous_rows(self) -> list[PreviewRow]:
        """Rows whose summary contradicts the one kind the file gives every row: the preview asks about them."""
        return [row for row in self.rows if row.ambiguous]

    @property
    def ok(self) -> bool:
        return (bool(self.rows) and not self.file_problems and not any(row.problems for row in self.rows)
                and not self.ambiguous_rows)

    def mapping_key(self) -> str:
        """A stable text of the mapping, to tell whether the import uses the mapping that was previewed."""
        return mapping_key(self.mapping)

    def column_options(self) -> list[tuple[str, str]]:
        return [(f"c:{index}", _("Column %(letter)s: %(header)s", letter=column_letter(index),
                                 header=header or _("(no heading)")))
                for index, header in enumerate(self.headers)]


def default_mapping_problems(mapping: dict[str, str]) -> list[Problem]:
    """What the mapping lacks before any row can be read: a date, an amount and its kind, a fund, ..."""
    problems = []

    def missing(key: str, message: str):
        problems.append(Problem(None, str(FIELDS_BY_KEY[key].label), message))

    if not mapping.get("occurred_on"):
        missing("occurred_on", _("Choose the column that holds the date."))
    if mapping.get("income") or mapping.get("expense"):
        pass
    elif not mapping.get("amount"):
        missing("amount", _("Choose the column that holds the amount, or the two columns for income and expense."))
    elif not mapping.get("kind"):
        missing("kind", _("Choose the column that says 收入 or 支出, or choose one kind for every row."))
    if not mapping.get("fund"):
        missing("fund", _("Choose the column that names the fund, or one fund for every row."))
    if not mapping.get("category"):
        missing("category", _("Choose the column that holds the category, or one category for every row."))
    if not mapping.get("summary"):
        missing("summary", _("Choose the column that holds the summary (摘要)."))
    return problems


def build_preview(path: Path, ext: str, filename: str, mapping: dict[str, str] | None = None) -> ImportPreview:
    """Read the file and check every row; ``mapping`` None means: detect it from the header row."""
    preview = ImportPreview(filename=filename)
    table = read_table(path, ext)
    if table.problem:
        preview.file_problems.append(Problem(None, "", table.problem))
        return preview
    header_index = find_header(table)
    if header_index is None:
        preview.file_problems.append(Problem(None, "", _(
            "No heading row was found in the first %(rows)s rows. The table needs a row of headings such as "
            "日期、金额、基金、摘要 — download the template to see one.", rows=HEADER_SEARCH_ROWS)))
        return preview
    preview.header_row, header_cells = table.rows[header_index]
    preview.headers = [cell_text(cell) for cell in header_cells]
    detected = detect_mapping(preview.headers)
    preview.mapping = clean_mapping(mapping if mapping is not None else detected, len(preview.headers))
    preview.file_problems.extend(default_mapping_problems(preview.mapping))

    data_rows = table.rows[header_index + 1:]
    preview.row_count = len(data_rows)
    if table.too_many_rows or len(data_rows) > MAX_ROWS:
        preview.file_problems.append(Problem(None, "", _(
            "The file has more than %(limit)s rows. Please split it and import the parts one after another.",
            limit=MAX_ROWS)))
        return preview
    if not data_rows:
        preview.file_problems.append(Problem(None, "", _("The file has headings but no rows below them.")))
        return preview
    if preview.file_problems:
        return preview

    reader = RowReader(preview.mapping, preview.headers)
    vouchers = {reader.voucher_of(cells) for _number, cells in data_rows} - {""}
    context = rules.ManyLinesContext(taken_vouchers=rules.taken_vouchers(vouchers))
    preview.rows = [reader.read(number, cells, context) for number, cells in data_rows]
    _check_vouchers_once_in_file(preview)
    for row in preview.valid_rows:
        if row.ambiguous:
            continue  # counted once the question is answered
        if row.values["kind"] is EntryKind.INCOME:
            preview.income_fen += row.values["amount_fen"]
        else:
            preview.expense_fen += row.values["amount_fen"]
    return preview


def _check_vouchers_once_in_file(preview: ImportPreview) -> None:
    first_seen: dict[str, int] = {}
    column = column_label(preview.mapping, preview.headers, "voucher_no")
    for row in preview.rows:
        voucher = row.values["voucher_no"]
        if not voucher:
            continue
        if voucher in first_seen:
            row.problems.append(Problem(row.number, column, _(
                "Voucher number %(voucher)s appears twice in the file (also in row %(row)s).",
                voucher=voucher, row=first_seen[voucher])))
        else:
            first_seen[voucher] = row.number


def preview_upload(stored, mapping: dict[str, str] | None = None) -> ImportPreview:
    """The preview of a stored upload (finance.ledger_import.storage.StoredImport)."""
    return build_preview(stored.path, stored.ext, stored.filename, mapping)
