"""Matching a bank, WeChat Pay or Alipay statement to pledges.

The statement is read with the ledger import's table reader (CSV or XLSX, Excel's Chinese
headings, GB18030 or UTF-8); each incoming line gets a suggested pledge: the one whose reference is
written in the remark (附言/备注), else the only open pledge of exactly that amount made within a few
days before. Staff tick the suggestions they accept and confirm them in one step (receiving.py).
Lines that match no pledge can be ticked too and recorded as plain income lines in one step.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from charity_site.core.errors import EditError
from charity_site.core.transaction import operation
from charity_site.donations.models import Pledge, PledgeStatus
from charity_site.donations.pledging import REFERENCE_ALPHABET, REFERENCE_LENGTH
from charity_site.extensions import db
from charity_site.finance import ledger
from charity_site.finance.ledger_import.cells import cell_text, parse_amount, parse_date
from charity_site.finance.ledger_import.reading import read_table
from charity_site.finance.models import CounterpartyType, EntryKind, LedgerEntry

HEADER_WORDS = {
    "date": ("日期", "交易日期", "交易时间", "时间", "入账日期", "记账日期", "到账时间"),
    "amount": ("金额", "收入金额", "贷方金额", "交易金额", "收入", "入账金额", "金额(元)", "金额（元）"),
    "remark": ("附言", "备注", "摘要", "用途", "交易备注", "付款备注", "商品", "说明"),
    "payer": ("对方户名", "付款人", "对方", "交易对方", "付款方", "对方名称"),
}
REFERENCE_IN_TEXT = re.compile(rf"(?<![A-Z0-9])[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}(?![A-Z0-9])")
DAYS_BEFORE = 7


@dataclass
class StatementLine:
    number: int
    occurred_on: date | None
    amount_fen: int | None
    remark: str
    payer: str
    pledge: Pledge | None = None
    how: str = ""  # "reference" or "amount"

    @property
    def key(self) -> str:
        """What the confirm form sends back for this line: pledge id, amount and date."""
        return f"{self.pledge.id}:{self.amount_fen}:{self.occurred_on.isoformat()}" if self.pledge else ""

    @property
    def income_key(self) -> str:
        """What the income form sends back for an unmatched line: its number, amount and date."""
        return f"{self.number}:{self.amount_fen}:{self.occurred_on.isoformat()}"


@dataclass
class Statement:
    lines: list[StatementLine]
    problem: str | None = None

    @property
    def matched(self) -> list[StatementLine]:
        return [line for line in self.lines if line.pledge is not None]

    @property
    def unmatched(self) -> list[StatementLine]:
        return [line for line in self.lines if line.pledge is None]


def _columns(cells) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell).replace(" ", "")
        for key, words in HEADER_WORDS.items():
            if key not in found and text in words:
                found[key] = index
    return found


def read_statement(data: bytes, filename: str) -> Statement:
    ext = Path(filename or "").suffix.lower().lstrip(".")
    if ext not in ("csv", "xlsx"):
        return Statement([], _("Please upload the statement as a .csv or .xlsx file."))
    with tempfile.NamedTemporaryFile(suffix=f".{ext}") as file:
        file.write(data)
        file.flush()
        table = read_table(Path(file.name), ext)
    if table.problem:
        return Statement([], table.problem)
    header = next(((index, columns) for index, (_number, cells) in enumerate(table.rows[:20])
                   if {"date", "amount"} <= set(columns := _columns(cells))), None)
    if header is None:
        return Statement([], _("No “date” and “amount” columns were found. Please check the statement's headings."))
    start, columns = header
    lines = []
    for number, cells in table.rows[start + 1:]:
        def cell(key, cells=cells):
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        amount_fen, _problem = parse_amount(cell("amount"))
        occurred_on = parse_date(cell("date"))
        if amount_fen is None or amount_fen <= 0 or occurred_on is None:
            continue  # outgoing, empty or unreadable lines are not gifts
        lines.append(StatementLine(number, occurred_on, amount_fen, cell_text(cell("remark"))[:200],
                                   cell_text(cell("payer"))[:100]))
    suggest(lines)
    return Statement(lines)


OPEN = (PledgeStatus.PENDING, PledgeStatus.EXPIRED)


def suggest(lines: list[StatementLine]) -> None:
    taken: set[int] = set()
    for line in lines:
        for reference in REFERENCE_IN_TEXT.findall(line.remark.upper()):
            pledge = db.session.scalar(select(Pledge).where(Pledge.reference == reference, Pledge.status.in_(OPEN)))
            if pledge is not None and pledge.id not in taken:
                line.pledge, line.how = pledge, "reference"
                taken.add(pledge.id)
                break
    for line in lines:
        if line.pledge is not None:
            continue
        since = line.occurred_on - timedelta(days=DAYS_BEFORE)
        candidates = db.session.scalars(
            select(Pledge).where(Pledge.status.in_(OPEN), Pledge.amount_fen == line.amount_fen,
                                 func.date(Pledge.created_at) >= since,
                                 func.date(Pledge.created_at) <= line.occurred_on).limit(3)
        ).all()
        candidates = [pledge for pledge in candidates if pledge.id not in taken]
        if len(candidates) == 1:  # only an unambiguous amount is suggested
            line.pledge, line.how = candidates[0], "amount"
            taken.add(candidates[0].id)


def parse_key(value: str) -> tuple[int, int, date] | None:
    match = re.fullmatch(r"(\d{1,10}):(\d{1,15}):(\d{4}-\d{2}-\d{2})", value or "")
    if match is None:
        return None
    try:
        return int(match.group(1)), int(match.group(2)), date.fromisoformat(match.group(3))
    except ValueError:
        return None


class StatementIncomeError(EditError):
    """Unmatched statement lines that cannot be recorded as income; nothing of the step is stored."""


@operation
def record_as_income(lines: list[StatementLine], *, fund_id: int | None, project_id: int | None, channel: str,
                     actor=None) -> list[LedgerEntry]:
    """Record unmatched statement lines as plain income lines, through the ledger's rulebook: all or none."""
    if not lines:
        raise StatementIncomeError(None, _("Please tick at least one line."))
    entries = []
    for line in lines:
        values = {
            "kind": EntryKind.INCOME, "occurred_on": line.occurred_on, "amount_fen": line.amount_fen,
            "fund_id": fund_id, "project_id": project_id, "category": "捐赠收入", "channel": channel,
            "counterparty": "", "counterparty_type": CounterpartyType.PERSON, "voucher_no": None,
            "summary": line.remark or f"对账单收入（第{line.number}行）", "note": f"statement line {line.number}",
        }
        try:
            entries.append(ledger.record_entry(values, user=actor))
        except ledger.LedgerError as error:
            # The ledger's operation has rolled the whole unit of work back: no line of this step stays.
            raise StatementIncomeError(error.field, _("Line %(number)s: %(problem)s", number=line.number,
                                                      problem=error.message)) from None
    return entries
