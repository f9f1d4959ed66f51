"""Importing ledger lines from a spreadsheet staff already keep in Excel (.xlsx or .csv).

The flow keeps nothing in the session cookie:

1. ``store_upload`` checks the file (type, size) and saves it as ``<token>.<ext>`` in the import folder
   (config LEDGER_IMPORT_DIR, default ``instance_path/imports``) with a small ``<token>.json`` beside it
   (original name, who uploaded it).
2. ``build_preview`` reads the file with a column mapping (detected from the header row by default)
   and lists every problem of every row, with the row number as the spreadsheet shows it.
3. ``import_file`` reads the file again with the mapping and, only when every row is valid, inserts all
   rows in one transaction with one audit record; then the file is removed.

Decisions:
- The header row is looked for in the first HEADER_SEARCH_ROWS rows (reports often have a title above it).
- Amounts are yuan with at most two decimals ("1,234.50", "¥1234.5", an Excel number); converted to fen
  exactly with Decimal. Either one amount column plus a 收支 column (收入/支出), or separate 收入 and
  支出 columns (one of the two filled per row; a 0 on the other side counts as empty).
- The voucher number is optional; when given it must be new to the ledger and appear once in the file.
- Category and channel follow services.ledger (the standard lists plus values already in use).
- 对方类型 left empty means "person", so a name is masked on public pages unless staff say otherwise.
- Fields without a column may take one value for all rows (e.g. every row is 收入, or all go to one fund).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from charity_site.core.audit import record_audit
from charity_site.core.formatting import format_yuan
from charity_site.core.models import utcnow
from charity_site.extensions import db
from charity_site.finance.ledger import (
    allowed_categories,
    allowed_channels,
    check_amount,
    check_date,
    too_long,
    voucher_taken_message,
)
from charity_site.finance.models import CounterpartyType, EntryKind, Fund, LedgerEntry
from charity_site.projects.models import Project
from charity_site.web.input import parse_id, parse_int, without_control_characters

EXTENSIONS = ("xlsx", "csv")
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000
MAX_COLUMNS = 60
BLANK_ROWS_BEFORE_STOP = 1000  # formatted but empty rows at the end of a sheet
KEEP_UPLOADS_FOR = timedelta(days=2)
PREVIEW_VALID_ROWS = 50
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class ImportProblem(ValueError):
    """The file cannot be taken (wrong type, too large, gone); ``message`` is for the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class ImportRefused(ValueError):
    """The file has problems; nothing was imported. ``preview`` lists them."""

    def __init__(self, preview: "ImportPreview"):
        super().__init__("import refused")
        self.preview = preview


# ---- the fields of a ledger line and the headers that name them --------------------------------------

@dataclass(frozen=True)
class ImportField:
    key: str
    label: object
    aliases: tuple[str, ...]
    constants: bool = False  # may take one value for every row instead of a column


FIELDS = (
    ImportField("occurred_on", _l("Date"), ("日期", "发生日期", "业务日期", "记账日期", "凭证日期", "date")),
    ImportField("kind", _l("Income or expense"), ("收支", "类型", "收支类型", "收/支", "kind"), constants=True),
    ImportField("amount", _l("Amount"), ("金额", "发生额", "金额元", "amount")),
    ImportField("income", _l("Income amount"), ("收入", "收入金额", "income")),
    ImportField("expense", _l("Expense amount"), ("支出", "支出金额", "expense")),
    ImportField("fund", _l("Fund"), ("基金", "基金名称", "fund"), constants=True),
    ImportField("project", _l("Project"), ("项目", "项目名称", "project")),
    ImportField("category", _l("Category"), ("类别", "用途", "收支类别", "category"), constants=True),
    ImportField("channel", _l("Channel"), ("渠道", "方式", "收付方式", "支付方式", "channel"), constants=True),
    ImportField("counterparty", _l("Counterparty"), ("对方", "捐赠方", "收款方", "付款方", "对方单位", "对方名称",
                                                      "counterparty")),
    ImportField("counterparty_type", _l("Counterparty type"), ("对方类型", "counterparty_type"), constants=True),
    ImportField("voucher_no", _l("Voucher number"), ("凭证号", "凭证编号", "凭证字号", "voucher", "voucher_no")),
    ImportField("summary", _l("Summary"), ("摘要", "事由", "summary")),
    ImportField("note", _l("Note"), ("备注", "note")),
)
FIELDS_BY_KEY = {item.key: item for item in FIELDS}
TEMPLATE_HEADERS = ("日期", "收支", "金额（元）", "基金", "项目", "类别", "渠道", "对方", "对方类型", "凭证号", "摘要",
                    "备注")

_BRACKETS = re.compile(r"[（(\[【].*?[)）\]】]")


def normalise_header(value) -> str:
    """'金额（元）' → '金额'; ' 凭证 号* ' → '凭证号'; 'Date' → 'date'."""
    text = _BRACKETS.sub("", cell_text(value))
    return re.sub(r"[\s*:：]", "", text).lower()


_ALIASES = {alias: item.key for item in FIELDS for alias in item.aliases}

KIND_WORDS = {"收入": EntryKind.INCOME, "收": EntryKind.INCOME, "income": EntryKind.INCOME,
              "支出": EntryKind.EXPENSE, "支": EntryKind.EXPENSE, "expense": EntryKind.EXPENSE}
COUNTERPARTY_WORDS = {
    "个人": CounterpartyType.PERSON, "自然人": CounterpartyType.PERSON, "person": CounterpartyType.PERSON,
    "机构": CounterpartyType.ORGANISATION, "单位": CounterpartyType.ORGANISATION, "企业": CounterpartyType.ORGANISATION,
    "组织": CounterpartyType.ORGANISATION, "公司": CounterpartyType.ORGANISATION, "法人": CounterpartyType.ORGANISATION,
    "organisation": CounterpartyType.ORGANISATION, "organization": CounterpartyType.ORGANISATION,
}


# ---- cells ------------------------------------------------------------------------------------------

def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return without_control_characters(str(value)).strip()


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value) -> date | None:
    """2024-10-01, 2024/10/1, 2024.10.1, 2024年10月1日, 20241001, an Excel date cell or serial number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            return parse_date(str(int(value)))
        if 1 <= value < 2958466:  # an Excel serial date without a date format
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(value).date()
            except (ValueError, OverflowError):
                return None
        return None
    text = cell_text(value)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


_AMOUNT_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount(value) -> tuple[int | None, str | None]:
    """Yuan to (fen, None) or (None, problem). Empty gives (None, None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, _("“%(value)s” is not an amount.", value=value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the shortest text that gives this float back: what Excel showed
    else:
        text = str(value).strip()
        for mark in (",", "，", " ", "\u00a0", "¥", "￥", "元", "RMB", "CNY"):
            text = text.replace(mark, "")
        if not _AMOUNT_TEXT.match(text):
            return None, _("“%(value)s” is not an amount. Write it in yuan, e.g. 1234.50.", value=value)
        try:
            amount = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern guards this
            return None, _("“%(value)s” is not an amount. Write it in yuan, e.g. 1234.50.", value=value)
    fen = amount * 100
    if fen != fen.to_integral_value():
        return None, _("“%(value)s” has more than two decimals.", value=cell_text(value))
    return int(fen), None


# ---- reading the table -----------------------------------------------------------------------------

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


def read_table(path: Path, ext: str) -> Table:
    table = Table()
    if ext == "csv":
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


def find_header(table: Table) -> int | None:
    """Index (in table.rows) of the row that names the most known columns; it must name the date."""
    best, best_count = None, 1
    for index, (_number, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        keys = [_ALIASES.get(normalise_header(cell)) for cell in cells]
        count = len({key for key in keys if key})
        if "occurred_on" in keys and count > best_count:
            best, best_count = index, count
    return best


def detect_mapping(headers: list[str]) -> dict[str, str]:
    """{field key: "c:<column index>"} for every header that names a known field (first column wins)."""
    mapping: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = _ALIASES.get(normalise_header(header))
        if key and key not in mapping:
            mapping[key] = f"c:{index}"
    return mapping


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---- the preview --------------------------------------------------------------------------------

@dataclass
class Problem:
    row: int | None  # as the spreadsheet shows it; None for the whole file
    column: str
    message: str


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
class PreviewRow:
    number: int
    values: dict
    display: dict
    problems: list[Problem] = field(default_factory=list)


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
    def ok(self) -> bool:
        return bool(self.rows) and not self.file_problems and not any(row.problems for row in self.rows)

    def mapping_key(self) -> str:
        """A stable text of the mapping, to tell whether the import uses the mapping that was previewed."""
        return mapping_key(self.mapping)

    def column_options(self) -> list[tuple[str, str]]:
        return [(f"c:{index}", _("Column %(letter)s: %(header)s", letter=column_letter(index),
                                 header=header or _("(no heading)")))
                for index, header in enumerate(self.headers)]


def mapping_key(mapping: dict[str, str]) -> str:
    return ";".join(f"{key}={mapping[key]}" for key in sorted(mapping) if mapping[key])


class _Lookups:
    def __init__(self):
        self.funds_by_slug, self.funds_by_title = {}, {}
        for fund in db.session.scalars(select(Fund)):
            self.funds_by_slug[fund.slug.lower()] = fund
            self.funds_by_title.setdefault(fund.title.strip(), []).append(fund)
        self.projects_by_slug, self.projects_by_title = {}, {}
        for project in db.session.scalars(select(Project)):
            self.projects_by_slug[project.slug.lower()] = project
            self.projects_by_title.setdefault(project.title.strip(), []).append(project)
        self.categories = {kind: allowed_categories(kind) for kind in EntryKind}
        self.channels = allowed_channels()
        self.funds_by_id = {fund.id: fund for fund in self.funds_by_slug.values()}

    @staticmethod
    def find(text: str, by_slug: dict, by_title: dict):
        """(record, problem-kind): problem-kind is None, 'unknown' or 'ambiguous'."""
        found = by_title.get(text, [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            slug_match = by_slug.get(text.lower())
            return (slug_match, None) if slug_match else (None, "ambiguous")
        slug_match = by_slug.get(text.lower())
        return (slug_match, None) if slug_match else (None, "unknown")


def default_mapping_problems(mapping: dict[str, str]) -> list[Problem]:
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


def _parse_row(number: int, cells: list, preview: ImportPreview, lookups: _Lookups) -> PreviewRow:
    mapping = preview.mapping
    row = PreviewRow(number=number, values={}, display={})

    def column_name(key: str) -> str:
        source = mapping.get(key, "")
        label = str(FIELDS_BY_KEY[key].label)
        if source.startswith("c:"):
            index = int(source[2:])
            header = preview.headers[index] if index < len(preview.headers) else ""
            return _("Column %(letter)s: %(header)s", letter=column_letter(index), header=header or label)
        return label

    def raw(key: str):
        source = mapping.get(key, "")
        if source.startswith("c:"):
            index = int(source[2:])
            return cells[index] if index < len(cells) else None
        if source.startswith("v:"):
            return source[2:]
        return None

    def problem(key: str, message: str):
        row.problems.append(Problem(number, column_name(key), message))

    # date
    value = raw("occurred_on")
    occurred_on = parse_date(value)
    if occurred_on is None:
        if cell_text(value):
            problem("occurred_on", _("“%(value)s” is not a date. Write it like 2024-10-01.", value=cell_text(value)))
        else:
            problem("occurred_on", _("The date is missing."))
    else:
        message = check_date(occurred_on)
        if message:
            problem("occurred_on", message)

    # amount and kind
    kind, amount_fen = None, None
    if mapping.get("income") or mapping.get("expense"):
        mapped = [key for key in ("income", "expense") if mapping.get(key)]
        parsed, unreadable = {}, False
        for key in mapped:
            fen, message = parse_amount(raw(key))
            if message:
                problem(key, message)
                unreadable = True
            parsed[key] = fen
        if not unreadable:
            filled = {key: fen for key, fen in parsed.items() if fen}  # a 0 on the other side counts as empty
            if len(filled) == 2:
                problem("income", _("Fill in either income or expense in one row, not both."))
            elif len(filled) == 1:
                key, amount_fen = next(iter(filled.items()))
                kind = EntryKind.INCOME if key == "income" else EntryKind.EXPENSE
            elif any(fen is not None for fen in parsed.values()):
                problem(mapped[0], _("The amount must be more than zero."))
            else:
                problem(mapped[0], _("The amount is missing: fill in income or expense."))
    else:
        fen, message = parse_amount(raw("amount"))
        if message:
            problem("amount", message)
        elif fen is None:
            problem("amount", _("The amount is missing."))
        else:
            amount_fen = fen
        word = cell_text(raw("kind"))
        kind = KIND_WORDS.get(word.lower())
        if kind is None and mapping.get("kind"):
            problem("kind", _("Write 收入 or 支出 here.") if not word else
                    _("“%(value)s” is neither 收入 nor 支出.", value=word))
    if amount_fen is not None:
        message = check_amount(amount_fen)
        if message:
            problem("income" if mapping.get("income") or mapping.get("expense") else "amount", message)
            amount_fen = None

    # fund and project
    fund = None
    source = mapping.get("fund", "")
    if source.startswith("v:"):
        fund = lookups.funds_by_id.get(parse_id(source[2:]))
        if fund is None:
            problem("fund", _("Please choose a fund."))
    elif source:
        text = cell_text(raw("fund"))
        if not text:
            problem("fund", _("The fund is missing."))
        else:
            fund, trouble = lookups.find(text, lookups.funds_by_slug, lookups.funds_by_title)
            if trouble == "ambiguous":
                problem("fund", _("Several funds are called “%(value)s”. Write the fund's web address (slug) instead.",
                                  value=text))
            elif trouble:
                problem("fund", _("There is no fund called “%(value)s” on the site. Check the name or add the fund "
                                  "first.", value=text))
    project = None
    text = cell_text(raw("project"))
    if text:
        project, trouble = lookups.find(text, lookups.projects_by_slug, lookups.projects_by_title)
        if trouble == "ambiguous":
            problem("project", _("Several projects are called “%(value)s”. Write the project's web address (slug) "
                                 "instead.", value=text))
        elif trouble:
            problem("project", _("There is no project called “%(value)s” on the site.", value=text))

    # category and channel
    category = cell_text(raw("category"))
    if mapping.get("category"):
        if not category:
            problem("category", _("The category is missing."))
        elif kind is not None and category not in lookups.categories[kind]:
            problem("category", _("“%(value)s” is not a category of %(kind)s. Use one of: %(choices)s.",
                                  value=category, kind=_("income") if kind is EntryKind.INCOME else _("expense"),
                                  choices="、".join(lookups.categories[kind])))
    channel = cell_text(raw("channel"))
    if channel and channel not in lookups.channels:
        problem("channel", _("“%(value)s” is not a channel. Use one of: %(choices)s.", value=channel,
                             choices="、".join(lookups.channels)))

    # counterparty
    counterparty = cell_text(raw("counterparty"))
    word = cell_text(raw("counterparty_type"))
    counterparty_type = CounterpartyType.PERSON
    if word:
        counterparty_type = COUNTERPARTY_WORDS.get(word.lower())
        if counterparty_type is None:
            problem("counterparty_type", _("Write 个人 or 机构 here."))

    voucher_no = cell_text(raw("voucher_no"))
    summary = cell_text(raw("summary"))
    note = cell_text(raw("note"))
    if mapping.get("summary") and not summary:
        problem("summary", _("The summary (摘要) is missing."))
    for key, value in (("summary", summary), ("counterparty", counterparty), ("voucher_no", voucher_no),
                       ("note", note), ("category", category), ("channel", channel)):
        message = too_long(key, value)
        if message:
            problem(key, message)

    row.values = {
        "kind": kind, "occurred_on": occurred_on, "amount_fen": amount_fen,
        "fund_id": fund.id if fund else None, "project_id": project.id if project else None,
        "category": category, "channel": channel, "counterparty": counterparty,
        "counterparty_type": counterparty_type, "voucher_no": voucher_no or None, "summary": summary, "note": note,
    }
    amount_text = cell_text(raw("amount")) if mapping.get("amount") else " / ".join(
        cell_text(raw(key)) for key in ("income", "expense") if mapping.get(key) and cell_text(raw(key)))
    row.display = {
        "occurred_on": occurred_on.isoformat() if occurred_on else cell_text(raw("occurred_on")),
        "kind": kind,
        "amount": format_yuan(amount_fen) if amount_fen is not None else amount_text,
        "fund": fund.title if fund else ("" if source.startswith("v:") else cell_text(raw("fund"))),
        "project": project.title if project else cell_text(raw("project")),
        "category": category, "counterparty": counterparty, "voucher_no": voucher_no, "summary": summary,
    }
    return row


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
    preview.mapping = _clean_mapping(mapping if mapping is not None else detected, len(preview.headers))
    preview.file_problems.extend(default_mapping_problems(preview.mapping))

    data_rows = table.rows[header_index + 1:]
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

    lookups = _Lookups()
    preview.rows = [_parse_row(number, cells, preview, lookups) for number, cells in data_rows]
    _check_vouchers(preview)
    for row in preview.valid_rows:
        if row.values["kind"] is EntryKind.INCOME:
            preview.income_fen += row.values["amount_fen"]
        else:
            preview.expense_fen += row.values["amount_fen"]
    return preview


def _clean_mapping(mapping: dict[str, str], columns: int) -> dict[str, str]:
    """Keep only well-formed choices: a column that exists, or a constant for a field that allows one."""
    clean = {}
    for key, value in (mapping or {}).items():
        item = FIELDS_BY_KEY.get(key)
        if item is None or not value:
            continue
        if value.startswith("c:") and parse_int(value[2:], maximum=columns - 1) is not None:
            clean[key] = value
        elif value.startswith("v:") and item.constants and _constant_ok(key, value[2:]):
            clean[key] = value
    return clean


def _constant_ok(key: str, value: str) -> bool:
    if key == "kind":
        return value in ("收入", "支出")
    if key == "counterparty_type":
        return value in ("个人", "机构")
    if key == "fund":
        return parse_id(value) is not None
    return bool(value) and len(value) <= 40


def constant_options(key: str) -> list[tuple[str, str]]:
    """The "same value for every row" choices of a field: (mapping value, label)."""
    if key == "kind":
        return [("v:收入", _("Every row is income")), ("v:支出", _("Every row is expense"))]
    if key == "counterparty_type":
        return [("v:个人", _("Every row: a person")), ("v:机构", _("Every row: an organisation"))]
    if key == "fund":
        funds = db.session.execute(select(Fund.id, Fund.title).order_by(Fund.title)).all()
        return [(f"v:{fund_id}", _("All to: %(name)s", name=title)) for fund_id, title in funds]
    if key == "category":
        values = list(dict.fromkeys(allowed_categories(EntryKind.INCOME) + allowed_categories(EntryKind.EXPENSE)))
        return [(f"v:{value}", _("All: %(name)s", name=value)) for value in values]
    if key == "channel":
        return [(f"v:{value}", _("All: %(name)s", name=value)) for value in allowed_channels()]
    return []


def _check_vouchers(preview: ImportPreview) -> None:
    first_seen: dict[str, int] = {}
    for row in preview.rows:
        voucher = row.values["voucher_no"]
        if not voucher:
            continue
        if voucher in first_seen:
            row.problems.append(Problem(row.number, _column_of(preview, "voucher_no"), _(
                "Voucher number %(voucher)s appears twice in the file (also in row %(row)s).",
                voucher=voucher, row=first_seen[voucher])))
        else:
            first_seen[voucher] = row.number
    vouchers = list(first_seen)
    taken = set()
    for start in range(0, len(vouchers), 500):
        chunk = vouchers[start:start + 500]
        taken.update(db.session.scalars(select(LedgerEntry.voucher_no).where(LedgerEntry.voucher_no.in_(chunk))))
    if taken:
        for row in preview.rows:
            voucher = row.values["voucher_no"]
            if voucher in taken:
                row.problems.append(Problem(row.number, _column_of(preview, "voucher_no"),
                                            voucher_taken_message(voucher)))


def _column_of(preview: ImportPreview, key: str) -> str:
    source = preview.mapping.get(key, "")
    if source.startswith("c:"):
        index = int(source[2:])
        return _("Column %(letter)s: %(header)s", letter=column_letter(index),
                 header=preview.headers[index] or FIELDS_BY_KEY[key].label)
    return str(FIELDS_BY_KEY[key].label)


# ---- stored uploads ----------------------------------------------------------------------------------

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


def store_upload(file_storage, user=None) -> str:
    """Check an uploaded file and keep it for the preview; returns its token. Raises ImportProblem."""
    filename = (getattr(file_storage, "filename", "") or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200]
    ext = _extension(filename)
    if ext == "xls":
        raise ImportProblem(_("This is an old-style Excel file (.xls). Please open it in Excel, choose “Save as” "
                             "and save it as .xlsx, then upload that file."), 415)
    if ext not in EXTENSIONS:
        raise ImportProblem(_("Only Excel files (.xlsx) and CSV files (.csv) can be imported."), 415)
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
    folder = import_dir()
    _remove_old_uploads(folder)
    token = secrets.token_urlsafe(24)
    target = folder / f"{token}.{ext}"
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(data)
    meta = {"filename": filename, "ext": ext, "sha256": hashlib.sha256(data).hexdigest(),
            "uploaded_by": getattr(user, "id", None), "uploaded_at": utcnow().isoformat()}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def _remove_old_uploads(folder: Path) -> None:
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


def discard_upload(token: str) -> None:
    if not valid_token(token):
        return
    folder = import_dir()
    for suffix in ("xlsx", "csv", "json", "importing.xlsx", "importing.csv"):
        try:
            (folder / f"{token}.{suffix}").unlink()
        except FileNotFoundError:
            pass


def preview_upload(stored: StoredImport, mapping: dict[str, str] | None = None) -> ImportPreview:
    return build_preview(stored.path, stored.ext, stored.filename, mapping)


# ---- the import ----------------------------------------------------------------------------------------

def import_rows(preview: ImportPreview, user=None, *, sha256: str = "") -> int:
    """Insert every row of a valid preview in one transaction with one audit record; returns the count."""
    if not preview.ok:
        raise ImportRefused(preview)
    now = utcnow()
    user_id = getattr(user, "id", None)
    rows = [{**row.values, "created_by_id": user_id, "created_at": now, "updated_at": now, "voided": False,
             "void_reason": ""} for row in preview.rows]
    try:
        db.session.execute(insert(LedgerEntry), rows)
        record_audit("import", "ledger_entry", None, label=preview.filename, changes={
            "file": [None, preview.filename],
            "rows": [None, len(rows)],
            "income_total": [None, format_yuan(preview.income_fen)],
            "expense_total": [None, format_yuan(preview.expense_fen)],
        }, note=f"sha256 {sha256}" if sha256 else "", user=user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportProblem(_("Some voucher numbers were entered by someone else a moment ago. "
                             "Nothing was imported; please check the file again."), 409) from None
    except Exception:
        db.session.rollback()
        raise
    return len(rows)


def import_upload(stored: StoredImport, mapping: dict[str, str] | None, user=None) -> int:
    """Re-read the stored file with ``mapping``; import it only when every row is valid, then remove it.

    The file is claimed (renamed) first, so a double click cannot import it twice.
    """
    claimed = stored.path.with_name(f"{stored.token}.importing.{stored.ext}")  # openpyxl wants the .xlsx ending
    try:
        stored.path.rename(claimed)
    except FileNotFoundError:
        raise ImportProblem(_("This file has already been imported or has expired. Please upload it again."),
                           404) from None
    try:
        preview = build_preview(claimed, stored.ext, stored.filename, mapping)
        count = import_rows(preview, user, sha256=stored.sha256)
    except BaseException:
        claimed.rename(stored.path)
        raise
    discard_upload(stored.token)
    return count


# ---- the template -----------------------------------------------------------------------------------

def _template_rows() -> list[list]:
    fund = db.session.scalar(select(Fund.title).order_by(Fund.id).limit(1)) or "慈善基金"
    return [
        ["2024-10-01", "收入", "5000.00", fund, "", "捐赠收入", "银行转账", "某某有限公司", "机构", "SR-2024-001",
         "重阳敬老活动捐赠", ""],
        ["2024-10-12", "支出", "1234.50", fund, "", "慰问", "银行转账", "某某超市", "机构", "ZC-2024-001",
         "购买重阳节慰问品", "示例行，导入前请删除"],
    ]


def template_csv() -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerows(_template_rows())
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the Chinese text correctly


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "收支明细"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in _template_rows():
        values = list(values)
        values[0] = date.fromisoformat(values[0])
        values[2] = Decimal(values[2])
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        row[0].number_format = "yyyy-mm-dd"
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJKL", (12, 8, 14, 20, 20, 10, 10, 20, 10, 14, 28, 20)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
