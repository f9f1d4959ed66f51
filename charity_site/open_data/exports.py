"""Open data: public datasets (ledger, funds, projects, disclosures) as CSV, XLSX and JSON.

Each dataset declares its fields once (name, type, meaning, example); that one declaration drives
the CSV and XLSX headers, the JSON ``fields`` list and the field table on /open-data.

Only public rows leave the site: public funds and the ledger lines of public funds, public projects,
public disclosures. Person counterparties are masked as on the pages (张**); ledger notes, project
contacts and responsible persons are never exported.

Rows are streamed from the database (``yield_per``) and written out as they come, so a ledger of
millions of lines is never held in memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, true

from charity_site.core.formatting import SITE_TZ, local_date, mask_person_name, yuan_text
from charity_site.core.labels import label_of
from charity_site.core.models import utcnow
from charity_site.disclosures.models import Disclosure, DisclosureStatus
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.finance.models import CounterpartyType, EntryKind, Fund, LedgerEntry
from charity_site.finance.queries import LedgerFilters  # the /ledger page's filters, so a download matches the page
from charity_site.projects.models import Project
from charity_site.web.urls import canonical_url

YIELD_PER = 1000
CHUNK_ROWS = 200  # rows gathered into one chunk of the streamed response
FORMATS = ("csv", "xlsx", "json")
FIELD_TYPES = ("string", "integer", "date", "boolean", "number")
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


# --- Field dictionary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One column of a dataset: its machine name, type, meaning for readers and an example value."""

    name: str
    type: str
    meaning: Any  # a lazy translated string
    example: str
    get: Callable[[Any], Any]
    nullable: bool = False
    yuan: bool = False  # a yuan amount written as text "1234.50"; a number cell in XLSX

    def __post_init__(self):
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    def describe(self) -> dict:
        return {"name": self.name, "type": self.type, "description": str(self.meaning),
                "example": self.example, "nullable": self.nullable}


def _enum_value(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def public_counterparty(name: str | None, counterparty_type) -> str:
    """What the public sees of a counterparty: an organisation in full, a person masked (张**)."""
    if _enum_value(counterparty_type) == CounterpartyType.PERSON.value:
        return mask_person_name(name)
    return name or ""


def money_fields(prefix: str, meaning, example_fen: int, nullable: bool = False) -> tuple[Field, Field]:
    """The pair of columns for one amount: integer fen (for sums) and yuan text (for reading)."""
    key = f"{prefix}_fen"
    return (
        Field(key, "integer", meaning, str(example_fen), lambda row: _opt_int(getattr(row, key)), nullable),
        Field(f"{prefix}_yuan", "string", _l("The same amount in yuan with two decimals, for reading"),
              yuan_text(example_fen), lambda row: yuan_text(getattr(row, key)), nullable, yuan=True),
    )


def _opt_int(value) -> int | None:
    return None if value is None else int(value)


def _text(attribute: str) -> Callable[[Any], str]:
    return lambda row: getattr(row, attribute) or ""


def _opt_text(attribute: str) -> Callable[[Any], str | None]:
    return lambda row: getattr(row, attribute) or None


# --- Public selections ------------------------------------------------------------------------


def public_fund_ids():
    return select(Fund.id).where(Fund.public_clause())


def public_ledger_clause():
    """SQL condition for ledger lines the public may see: the site's one rule (money.public_line_conditions)."""
    return and_(true(), *money.public_line_conditions())


_income_sum = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.INCOME, LedgerEntry.amount_fen), else_=0)), 0)
_expense_sum = func.coalesce(func.sum(case((LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.amount_fen), else_=0)),
                             0)


def _totals_subquery(column):
    """Non-voided public income and expense grouped by ``column`` (fund or project), in SQL."""
    return (
        select(column.label("owner_id"), _income_sum.label("income"), _expense_sum.label("expense"))
        .where(LedgerEntry.voided.is_(False), public_ledger_clause(), column.is_not(None))
        .group_by(column)
        .subquery()
    )


def _stream(query) -> Iterator:
    """Rows of ``query`` fetched ``YIELD_PER`` at a time (a server-side cursor on PostgreSQL)."""
    yield from db.session.execute(query.execution_options(yield_per=YIELD_PER))


# --- Ledger filters -----------------------------------------------------------------------------


NO_FILTERS = LedgerFilters()


# --- Datasets -----------------------------------------------------------------------------------


def _ledger_rows(filters: LedgerFilters = NO_FILTERS) -> Iterator:
    query = (
        select(
            LedgerEntry.id, LedgerEntry.occurred_on, LedgerEntry.kind, LedgerEntry.amount_fen,
            LedgerEntry.category, LedgerEntry.channel, LedgerEntry.counterparty, LedgerEntry.counterparty_type,
            LedgerEntry.voucher_no, LedgerEntry.summary, LedgerEntry.voided, LedgerEntry.void_reason,
            Fund.slug.label("fund_slug"), Fund.title.label("fund_title"),
            Project.slug.label("project_slug"), Project.title.label("project_title"),
        )
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .outerjoin(Project, Project.id == LedgerEntry.project_id)
        .where(public_ledger_clause(), *filters.conditions())
        .order_by(LedgerEntry.occurred_on, LedgerEntry.id)
    )
    return _stream(query)


def _fund_rows(filters=None) -> Iterator:
    totals = _totals_subquery(LedgerEntry.fund_id)
    income = func.coalesce(totals.c.income, 0)
    expense = func.coalesce(totals.c.expense, 0)
    query = (
        select(Fund.id, Fund.slug, Fund.title, Fund.kind, Fund.area, Fund.established_on, Fund.summary,
               Fund.published_at, income.label("income_fen"), expense.label("expense_fen"),
               (income - expense).label("balance_fen"))
        .outerjoin(totals, totals.c.owner_id == Fund.id)
        .where(Fund.public_clause())
        .order_by(Fund.id)
    )
    return _stream(query)


def _project_rows(filters=None) -> Iterator:
    totals = _totals_subquery(LedgerEntry.project_id)
    income = func.coalesce(totals.c.income, 0)
    expense = func.coalesce(totals.c.expense, 0)
    query = (
        select(Project.id, Project.slug, Project.title, Project.category, Project.project_status, Project.summary,
               Project.start_date, Project.end_date, Project.budget_fen, Project.goal_fen, Project.beneficiaries,
               Project.service_sessions, Project.people_served, Project.published_at,
               Fund.slug.label("fund_slug"), Fund.title.label("fund_title"),
               income.label("income_fen"), expense.label("expense_fen"), (income - expense).label("balance_fen"))
        .outerjoin(totals, totals.c.owner_id == Project.id)
        .outerjoin(Fund, and_(Fund.id == Project.fund_id, Fund.public_clause()))
        .where(Project.public_clause())
        .order_by(Project.id)
    )
    return _stream(query)


def _disclosure_rows(filters=None) -> Iterator:
    query = (
        select(Disclosure.id, Disclosure.kind, Disclosure.title, Disclosure.summary, Disclosure.period_start,
               Disclosure.period_end, Disclosure.status, Disclosure.published_at, Disclosure.withdrawn_at,
               Disclosure.withdrawn_reason,
               Project.slug.label("project_slug"), Project.title.label("project_title"),
               Fund.slug.label("fund_slug"), Fund.title.label("fund_title"))
        .outerjoin(Project, and_(Project.id == Disclosure.project_id, Project.public_clause()))
        .outerjoin(Fund, and_(Fund.id == Disclosure.fund_id, Fund.public_clause()))
        .where(Disclosure.public_clause())
        .order_by(Disclosure.published_at, Disclosure.id)
    )
    return _stream(query)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any
    description: Any
    fields: tuple[Field, ...]
    rows: Callable[..., Iterator]
    notes: tuple = field(default=())

    def record(self, row) -> dict:
        return {f.name: f.get(row) for f in self.fields}

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


_FUND_FIELDS = (
    Field("fund_slug", "string", _l("Short name of the fund in its web address"), "general-fund",
          _text("fund_slug")),
    Field("fund_title", "string", _l("Name of the fund the money belongs to"), "慈善基金（非定向）",
          _text("fund_title")),
)

LEDGER = Dataset(
    "ledger",
    _l("Income and expenditure"),
    _l("Every income and expense line of our public funds, oldest first. Voided lines are included and "
       "marked, so corrections stay visible."),
    (
        Field("id", "integer", _l("Line number on this site; never reused"), "1024", lambda row: row.id),
        Field("occurred_on", "date", _l("Date of the income or expense (YYYY-MM-DD)"), "2024-10-08",
              lambda row: row.occurred_on),
        Field("kind", "string", _l("income or expense"), "expense", lambda row: _enum_value(row.kind)),
        *money_fields("amount", _l("Amount in fen (1 yuan = 100 fen), always positive"), 123450),
        *_FUND_FIELDS,
        Field("project_slug", "string", _l("Short name of the project, empty when the line belongs to no public "
                                           "project"), "zhuxue-2024", _opt_text("project_slug"), nullable=True),
        Field("project_title", "string", _l("Name of the project"), "2024年助学金发放", _opt_text("project_title"),
              nullable=True),
        Field("category", "string", _l("Category, such as donation income or relief"), "助学", _text("category")),
        Field("channel", "string", _l("How the money moved: bank transfer, WeChat, cash ..."), "银行转账",
              _text("channel")),
        Field("counterparty", "string", _l("Who paid or was paid: organisations in full, private persons masked"),
              "张**", lambda row: public_counterparty(row.counterparty, row.counterparty_type)),
        Field("counterparty_type", "string", _l("organisation or person"), "person",
              lambda row: _enum_value(row.counterparty_type)),
        Field("voucher_no", "string", _l("Accounting voucher number"), "记-2024-10-015", _opt_text("voucher_no"),
              nullable=True),
        Field("summary", "string", _l("Short description of the line"), "发放秋季学期助学金", _text("summary")),
        Field("voided", "boolean", _l("true when the line was voided; leave it out of every total"), "false",
              lambda row: bool(row.voided)),
        Field("void_reason", "string", _l("Why the line was voided; empty otherwise"), "",
              lambda row: (row.void_reason or "") if row.voided else ""),
    ),
    _ledger_rows,
    notes=(_l("Totals must leave out voided lines (voided = true): they are published only so that every "
              "correction can be followed."),),
)

FUNDS = Dataset(
    "funds",
    _l("Charity funds"),
    _l("Our public funds with income, expenditure and balance computed from the ledger (voided lines left out)."),
    (
        Field("id", "integer", _l("Fund number on this site"), "3", lambda row: row.id),
        Field("slug", "string", _l("Short name of the fund in its web address"), "general-fund", _text("slug")),
        Field("title", "string", _l("Name of the fund"), "慈善基金（非定向）", _text("title")),
        Field("kind", "string", _l("general, community or named"), "community", lambda row: _enum_value(row.kind)),
        Field("kind_label", "string", _l("Kind of fund in words"), "社区慈善基金", lambda row: str(label_of(row.kind))),
        Field("area", "string", _l("Town or village of a community fund"), "南村镇", _text("area")),
        Field("established_on", "date", _l("Date the fund was set up"), "2019-05-01",
              lambda row: row.established_on, nullable=True),
        Field("summary", "string", _l("Short description"), "用于社区慈善项目", _text("summary")),
        *money_fields("income", _l("Income received, in fen"), 50000000),
        *money_fields("expense", _l("Money spent, in fen"), 32000000),
        *money_fields("balance", _l("Balance (income minus expense), in fen"), 18000000),
        Field("published_on", "date", _l("Date first published on this site"), "2024-01-15",
              lambda row: local_date(row.published_at), nullable=True),
    ),
    _fund_rows,
)

PROJECTS = Dataset(
    "projects",
    _l("Charity projects"),
    _l("Our public projects with budget, results and the money raised and spent on each (from the ledger)."),
    (
        Field("id", "integer", _l("Project number on this site"), "12", lambda row: row.id),
        Field("slug", "string", _l("Short name of the project in its web address"), "zhuxue-2024", _text("slug")),
        Field("title", "string", _l("Name of the project"), "2024年助学金发放", _text("title")),
        Field("url", "string", _l("Address of the project page"), "https://example.org/projects/zhuxue-2024",
              lambda row: canonical_url("projects.detail", slug=row.slug)),
        Field("category", "string", _l("Project category"), "助学支教", _text("category")),
        Field("status", "string", _l("preparing, active or completed"), "active",
              lambda row: _enum_value(row.project_status)),
        Field("summary", "string", _l("Short description"), "资助困难家庭学生完成学业", _text("summary")),
        Field("start_date", "date", _l("Start date"), "2024-09-01", lambda row: row.start_date, nullable=True),
        Field("end_date", "date", _l("End date"), "2025-06-30", lambda row: row.end_date, nullable=True),
        *money_fields("budget", _l("Budget in fen, as planned"), 20000000, nullable=True),
        *money_fields("goal", _l("Fundraising goal in fen, when there is a campaign"), 20000000, nullable=True),
        Field("beneficiaries", "integer", _l("People helped"), "120", lambda row: _opt_int(row.beneficiaries),
              nullable=True),
        Field("service_sessions", "integer", _l("Number of service sessions"), "36",
              lambda row: _opt_int(row.service_sessions), nullable=True),
        Field("people_served", "integer", _l("Number of person-times served"), "860",
              lambda row: _opt_int(row.people_served), nullable=True),
        Field("fund_slug", "string", _l("Short name of the fund the project belongs to"), "general-fund",
              _opt_text("fund_slug"), nullable=True),
        Field("fund_title", "string", _l("Name of that fund"), "慈善基金（非定向）", _opt_text("fund_title"),
              nullable=True),
        *money_fields("income", _l("Income recorded for the project, in fen"), 20000000),
        *money_fields("expense", _l("Money spent on the project, in fen"), 17937000),
        *money_fields("balance", _l("Income minus expense, in fen"), 2063000),
        Field("published_on", "date", _l("Date first published on this site"), "2024-09-01",
              lambda row: local_date(row.published_at), nullable=True),
    ),
    _project_rows,
)

DISCLOSURES = Dataset(
    "disclosures",
    _l("Notices and reports"),
    _l("The notices and reports we have published, including withdrawn ones with their reason. "
       "The full text is on each notice's page."),
    (
        Field("id", "integer", _l("Notice number on this site"), "7", lambda row: row.id),
        Field("kind", "string", _l("Kind of notice (code)"), "fund_use", lambda row: _enum_value(row.kind)),
        Field("kind_label", "string", _l("Kind of notice in words"), "经费使用情况公示",
              lambda row: str(label_of(row.kind))),
        Field("title", "string", _l("Title"), "关于2024年第三季度经费使用情况的公示", _text("title")),
        Field("url", "string", _l("Address of the notice page, with the full text and attachments"),
              "https://example.org/disclosures/7",
              lambda row: canonical_url("disclosures.detail", disclosure_id=row.id)),
        Field("summary", "string", _l("Short description"), "本季度共支出12.5万元", _text("summary")),
        Field("period_start", "date", _l("First day of the period covered"), "2024-07-01",
              lambda row: row.period_start, nullable=True),
        Field("period_end", "date", _l("Last day of the period covered"), "2024-09-30",
              lambda row: row.period_end, nullable=True),
        Field("project_slug", "string", _l("Short name of the project concerned"), "zhuxue-2024",
              _opt_text("project_slug"), nullable=True),
        Field("fund_slug", "string", _l("Short name of the fund concerned"), "general-fund", _opt_text("fund_slug"),
              nullable=True),
        Field("status", "string", _l("published or withdrawn"), "published", lambda row: _enum_value(row.status)),
        Field("published_on", "date", _l("Date of publication"), "2024-10-15",
              lambda row: local_date(row.published_at), nullable=True),
        Field("withdrawn_on", "date", _l("Date of withdrawal, if withdrawn"), "",
              lambda row: local_date(row.withdrawn_at) if row.status is DisclosureStatus.WITHDRAWN else None,
              nullable=True),
        Field("withdrawn_reason", "string", _l("Public reason for the withdrawal"), "",
              lambda row: (row.withdrawn_reason or "") if row.status is DisclosureStatus.WITHDRAWN else ""),
    ),
    _disclosure_rows,
)

DATASETS: dict[str, Dataset] = {dataset.name: dataset for dataset in (LEDGER, FUNDS, PROJECTS, DISCLOSURES)}


def get_dataset(name: str) -> Dataset | None:
    return DATASETS.get(name)


def dataset_counts() -> dict[str, int]:
    """How many records each dataset holds right now (four small count queries)."""
    return {
        "ledger": db.session.scalar(select(func.count()).select_from(LedgerEntry).where(public_ledger_clause())),
        "funds": db.session.scalar(select(func.count()).select_from(Fund).where(Fund.public_clause())),
        "projects": db.session.scalar(select(func.count()).select_from(Project).where(Project.public_clause())),
        "disclosures": db.session.scalar(select(func.count()).select_from(Disclosure)
                                         .where(Disclosure.public_clause())),
    }


def public_funds_for_filter() -> list[tuple[str, str]]:
    """(slug, title) of the public funds, for the ledger download form."""
    return list(db.session.execute(select(Fund.slug, Fund.title).where(Fund.public_clause()).order_by(Fund.title)))


# --- Writers ------------------------------------------------------------------------------------


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


def _dumps(value) -> str:
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
    yield _dumps(head)[:-1] + ',"records":['
    parts: list[str] = []
    separator = ""
    for row in dataset.rows(filters):
        record = {f.name: _json_value(f, f.get(row)) for f in dataset.fields}
        parts.append(separator + "\n" + _dumps(record))
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
    for letter, width in zip("ABCD", (22, 10, 60, 28)):
        guide.column_dimensions[letter].width = width
    guide.append([header_cell(guide, str(text)) for text in (_("Field"), _("Type"), _("Meaning"), _("Example"))])
    for f in dataset.fields:
        guide.append([f.name, f.type, str(f.meaning), f.example])
    for note in dataset.notes:
        guide.append([str(note)])
    workbook.save(target)


def xlsx_file(dataset: Dataset, filters=NO_FILTERS):
    """An anonymous temporary file holding the workbook, rewound; it disappears when closed."""
    target = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_xlsx(dataset, target, filters)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


# --- 360Giving ----------------------------------------------------------------------------------


def _identifier_part(credit_code: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", credit_code or "").upper()


def grant_prefix(credit_code: str) -> str:
    code = _identifier_part(credit_code)
    return f"360G-{code}" if code else "360G-charity-site"


def funder_identifier(credit_code: str) -> str:
    code = _identifier_part(credit_code)
    return f"CN-USC-{code}" if code else "360G-charity-site-funder"


def recipient_org_identifier(prefix: str, name: str) -> str:
    """A stable identifier for an organisation known only by its name."""
    return f"{prefix}-org-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}"


def _grant_rows() -> Iterator:
    query = (
        select(
            LedgerEntry.id, LedgerEntry.occurred_on, LedgerEntry.amount_fen, LedgerEntry.summary,
            LedgerEntry.counterparty, LedgerEntry.counterparty_type,
            Project.slug.label("project_slug"), Project.title.label("project_title"),
            Project.start_date, Project.end_date,
            Fund.slug.label("fund_slug"), Fund.title.label("fund_title"),
        )
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .join(Project, Project.id == LedgerEntry.project_id)
        .where(LedgerEntry.kind == EntryKind.EXPENSE, LedgerEntry.voided.is_(False),
               Fund.public_clause(), Project.public_clause())
        .order_by(LedgerEntry.occurred_on, LedgerEntry.id)
    )
    return _stream(query)


def grant_record(row, prefix: str, funder: dict) -> str:
    """One grant as JSON text; amountAwarded is written as an exact decimal number (1234.50)."""
    grant: dict[str, Any] = {
        "id": f"{prefix}-{row.id}",
        "title": row.project_title,
        "description": row.summary or row.project_title,
        "currency": "CNY",
        "awardDate": row.occurred_on.isoformat(),
        "fundingOrganization": [funder],
        "grantProgramme": [{"code": row.fund_slug, "title": row.fund_title}],
        "url": canonical_url("projects.detail", slug=row.project_slug),
    }
    if _enum_value(row.counterparty_type) == CounterpartyType.PERSON.value:
        grant["recipientIndividual"] = {"id": f"anonymous-{row.id}", "name": _("Individual recipient")}
    else:
        name = row.counterparty or _("Recipient not recorded")
        grant["recipientOrganization"] = [{"id": recipient_org_identifier(prefix, name), "name": name}]
    if row.start_date or row.end_date:
        dates = {}
        if row.start_date:
            dates["startDate"] = row.start_date.isoformat()
        if row.end_date:
            dates["endDate"] = row.end_date.isoformat()
        grant["plannedDates"] = [dates]
    return _dumps(grant)[:-1] + ',"amountAwarded":' + yuan_text(row.amount_fen) + "}"


def iter_grants(org_name: str, credit_code: str) -> Iterator[str]:
    """{"grants": [...]}: each non-voided expense on a public project of a public fund, streamed."""
    prefix = grant_prefix(credit_code)
    funder = {"id": funder_identifier(credit_code), "name": org_name}
    yield '{"grants":['
    parts: list[str] = []
    separator = ""
    for row in _grant_rows():
        parts.append(separator + "\n" + grant_record(row, prefix, funder))
        separator = ","
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts)


GRANT_FIELDS = (
    ("id", _l("Grant identifier: 360G-<our credit code>-<ledger line number>")),
    ("title", _l("Name of the project the money was spent on")),
    ("description", _l("Summary of the ledger line")),
    ("currency", _l("Always CNY")),
    ("amountAwarded", _l("Amount in yuan, with two decimals")),
    ("awardDate", _l("Date of the expense")),
    ("fundingOrganization", _l("Our organisation: id CN-USC-<credit code> and name")),
    ("recipientOrganization", _l("The organisation paid, when it is an organisation")),
    ("recipientIndividual",
     _l("A private person: only an anonymous id and the words “individual recipient”, never a name")),
    ("plannedDates", _l("Start and end of the project, when known")),
    ("grantProgramme", _l("The fund the money came from")),
)


# --- HTTP helpers ---------------------------------------------------------------------------------


def download_filename(name: str, fmt: str) -> str:
    return f"{name}-{utcnow().astimezone(SITE_TZ).date().isoformat()}.{fmt}"


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    fallback = filename.encode("ascii", "ignore").decode("ascii").replace('"', "") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def records(dataset: Dataset, filters=NO_FILTERS) -> Iterable[dict]:
    """Records as Python values (dates as date objects), for services and tests."""
    for row in dataset.rows(filters):
        yield dataset.record(row)
