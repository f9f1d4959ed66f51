"""The one rulebook for a ledger line.

Every way a line comes in checks it here, with the same limits and the same words: the staff form
(finance.ledger.record_entry), the spreadsheet import (finance.ledger_import), the content loader
(demo_content.ledger_file) and, later, pledge confirmation. Each of them first reads its own input
(form fields, spreadsheet cells, YAML) into the values of a line, then calls ``check_line``.

A line is refused when:
- ``kind`` is neither income nor expense;
- the date is missing, after today (Beijing time: a line for the future is a typo) or before MIN_DATE;
- ``amount_fen`` is not a whole number of fen, not more than 0 or more than MAX_AMOUNT_FEN;
- the fund does not exist, or a project is given that does not exist;
- a text is longer than its column allows (MAX_LENGTHS, read from the LedgerEntry columns);
- ``category`` is missing or not a category of the line's kind: the standard ones
  (INCOME_CATEGORIES / EXPENSE_CATEGORIES) or one already used by lines of that kind, since older
  data may use its own words. Free text is refused so category totals stay meaningful;
- ``channel`` is given and is neither one of LEDGER_CHANNELS nor one already in use;
- ``summary`` (摘要) is empty;
- ``counterparty_type`` is neither person nor organisation. Left empty (an import row without it, the
  content loader, any caller that does not say), it is read from the name by ``counterparty_type_for``:
  a name that looks like an organisation (有限公司, 超市, 协会, 学校 ...) is an organisation, shown in
  full; any other name is a person, masked in public. The staff form asks and has no default;
- ``voucher_no`` is given and already in the ledger. A number is unique across the whole ledger,
  voided lines included: a voided line keeps its number (the database enforces it too).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from charity_site.core.formatting import MAX_AMOUNT_FEN, format_yuan, local_today
from charity_site.core.locking import claim
from charity_site.extensions import db
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    LedgerEntry,
)
from charity_site.projects.models import Project

MIN_DATE = date(1990, 1, 1)
# Words that make a counterparty's name an organisation's (shown in full in public) when nobody said.
ORGANISATION_WORDS = (
    "有限公司", "公司", "超市", "协会", "中心", "委员会", "学校", "医院", "银行", "基金会", "商会", "村委", "居委",
    "社区", "集团", "工作室", "店", "企业", "工厂", "厂", "商行", "商贸", "实业", "学会", "研究会", "联合会",
    "促进会", "办事处", "街道", "政府", "幼儿园", "小学", "中学", "大学", "学院", "俱乐部", "合作社", "事务所",
    "酒店", "药房", "诊所", "卫生院", "服务社", "服务部", "经营部", "单位", "机构", "党委", "支部", "村民小组",
    "股份", "有限责任", "Ltd", "Co.", "Inc", "LLC",
)
TEXT_FIELDS = ("category", "channel", "counterparty", "voucher_no", "summary", "note")


def _column_limit(name: str) -> int:
    """The length a LedgerEntry column holds: its String length, or the ``max_length`` a Text column declares."""
    column = LedgerEntry.__table__.c[name]
    return getattr(column.type, "length", None) or column.info["max_length"]


MAX_LENGTHS = {name: _column_limit(name) for name in TEXT_FIELDS}
MAX_REASON_LENGTH = _column_limit("void_reason")


@dataclass(frozen=True)
class LineProblem:
    field: str  # the key of the line's values it belongs to, e.g. "amount_fen"
    message: str


@dataclass
class CheckedLine:
    values: dict  # normalised: enums, stripped texts, None for an empty project or voucher
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- what a check needs to know of the ledger ----------------------------------------------------------


def _existing(column, kind: EntryKind | None = None) -> list[str]:
    query = select(column).where(column != "").distinct()
    if kind is not None:
        query = query.where(LedgerEntry.kind == kind)
    return sorted(value for value in db.session.scalars(query) if value)


def allowed_categories(kind: EntryKind) -> list[str]:
    """The standard categories of ``kind`` first, then any others already used by lines of that kind."""
    standard = list(INCOME_CATEGORIES if kind is EntryKind.INCOME else EXPENSE_CATEGORIES)
    return standard + [value for value in _existing(LedgerEntry.category, kind) if value not in standard]


def allowed_channels() -> list[str]:
    standard = list(LEDGER_CHANNELS)
    return standard + [value for value in _existing(LedgerEntry.channel) if value not in standard]


def voucher_taken(voucher_no: str) -> bool:
    """Whether a line has this voucher number; a free number stays free until this transaction ends."""
    claim("ledger_entries", "voucher_no", voucher_no)
    return db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.voucher_no == voucher_no).limit(1)) is not None


def taken_vouchers(numbers: Collection[str]) -> set[str]:
    """Which of many voucher numbers are already in the ledger, a few queries for all of them."""
    numbers = list(numbers)
    taken: set[str] = set()
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        taken.update(db.session.scalars(select(LedgerEntry.voucher_no).where(LedgerEntry.voucher_no.in_(chunk))))
    return taken


class LineContext:
    """What checking one line needs to know of the database, asked when the line needs it."""

    def categories(self, kind: EntryKind) -> list[str]:
        return allowed_categories(kind)

    def channels(self) -> list[str]:
        return allowed_channels()

    def fund_exists(self, fund_id) -> bool:
        return db.session.get(Fund, fund_id) is not None

    def project_exists(self, project_id) -> bool:
        return db.session.get(Project, project_id) is not None

    def voucher_taken(self, voucher_no: str) -> bool:
        return voucher_taken(voucher_no)


class ManyLinesContext(LineContext):
    """The same knowledge read once for many lines (an import, a content file): a few queries in all.

    ``taken_vouchers`` are the numbers of the lines' vouchers already in the ledger, found by the
    caller in one query for all of them.
    """

    def __init__(self, taken_vouchers: Collection[str] = ()):
        self._categories = {kind: allowed_categories(kind) for kind in EntryKind}
        self._channels = allowed_channels()
        self._fund_ids = set(db.session.scalars(select(Fund.id)))
        self._project_ids = set(db.session.scalars(select(Project.id)))
        self._taken = set(taken_vouchers)

    def categories(self, kind: EntryKind) -> list[str]:
        return self._categories[kind]

    def channels(self) -> list[str]:
        return self._channels

    def fund_exists(self, fund_id) -> bool:
        return fund_id in self._fund_ids

    def project_exists(self, project_id) -> bool:
        return project_id in self._project_ids

    def voucher_taken(self, voucher_no: str) -> bool:
        return voucher_no in self._taken


# --- the rules ---------------------------------------------------------------------------------------


def counterparty_type_for(name: str | None) -> CounterpartyType:
    """The kind of a counterparty nobody said the kind of: an organisation when the name looks like one."""
    text = (name or "").strip()
    folded = text.casefold()
    if any(word.casefold() in folded for word in ORGANISATION_WORDS):
        return CounterpartyType.ORGANISATION
    return CounterpartyType.PERSON


def voucher_taken_message(voucher_no: str) -> str:
    return _("Voucher number %(voucher)s is already in the ledger. Each voucher number can be used only once.",
             voucher=voucher_no)


def amount_problem(amount_fen) -> str | None:
    if amount_fen is None:
        return _("Please enter the amount.")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        return _("Enter an amount in yuan with at most two decimals, e.g. 1234.50.")
    if amount_fen <= 0:
        return _("The amount must be more than zero.")
    if amount_fen > MAX_AMOUNT_FEN:
        return _("The amount is too large. Please check it (at most %(limit)s).", limit=format_yuan(MAX_AMOUNT_FEN))
    return None


def date_problem(value) -> str | None:
    if not isinstance(value, date):
        return _("Please enter the date.")
    if value > local_today():
        return _("The date is in the future. Please check it.")
    if value < MIN_DATE:
        return _("The date is before %(year)s. Please check it.", year=MIN_DATE.year)
    return None


def length_problem(limit: int, value: str) -> str | None:
    if len(value) > limit:
        return _("At most %(limit)s characters, please.", limit=limit)
    return None


def void_reason_problem(reason: str) -> str | None:
    """The problem with the reason for voiding a line (already stripped), or None."""
    if not reason:
        return _("Please give the reason for voiding this line.")
    return length_problem(MAX_REASON_LENGTH, reason)


def kind_word(kind: EntryKind) -> str:
    return _("income") if kind is EntryKind.INCOME else _("expense")


def _enum_or_none(enum, value):
    try:
        return enum(value)
    except ValueError:
        return None


def _text(values: Mapping, name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def check_line(values: Mapping, context: LineContext | None = None) -> CheckedLine:
    """Check the values of a new line against every rule; the problems come in the order of the fields."""
    context = context or LineContext()
    problems: list[LineProblem] = []

    def refuse(name: str, message: str | None) -> None:
        if message:
            problems.append(LineProblem(name, message))

    kind = _enum_or_none(EntryKind, values.get("kind"))
    if kind is None:
        refuse("kind", _("Please choose income or expense."))
    occurred_on = values.get("occurred_on")
    refuse("occurred_on", date_problem(occurred_on))
    amount_fen = values.get("amount_fen")
    refuse("amount_fen", amount_problem(amount_fen))

    fund_id = values.get("fund_id")
    if not fund_id or not context.fund_exists(fund_id):
        refuse("fund_id", _("Please choose a fund."))
    project_id = values.get("project_id") or None
    if project_id is not None and not context.project_exists(project_id):
        refuse("project_id", _("This project does not exist. Please choose another."))

    text = {name: _text(values, name) for name in TEXT_FIELDS}
    for name, value in text.items():
        refuse(name, length_problem(MAX_LENGTHS[name], value))

    category = text["category"]
    if not category:
        refuse("category", _("Please choose a category."))
    elif kind is not None and category not in context.categories(kind):
        refuse("category", _("“%(value)s” is not a category of %(kind)s. Use one of: %(choices)s.",
                             value=category, kind=kind_word(kind), choices="、".join(context.categories(kind))))
    channel = text["channel"]
    if channel and channel not in context.channels():
        refuse("channel", _("“%(value)s” is not a channel. Use one of: %(choices)s.", value=channel,
                            choices="、".join(context.channels())))
    if not text["summary"]:
        refuse("summary", _("Please enter a summary of the line."))

    given_type = values.get("counterparty_type")
    if given_type is None or given_type == "":
        counterparty_type = counterparty_type_for(text["counterparty"])
    else:
        counterparty_type = _enum_or_none(CounterpartyType, given_type)
    if counterparty_type is None:
        refuse("counterparty_type", _("Please choose person or organisation."))

    voucher_no = text["voucher_no"] or None
    if voucher_no and len(voucher_no) <= MAX_LENGTHS["voucher_no"] and context.voucher_taken(voucher_no):
        refuse("voucher_no", voucher_taken_message(voucher_no))

    clean = {
        "kind": kind, "occurred_on": occurred_on, "amount_fen": amount_fen, "fund_id": fund_id,
        "project_id": project_id, "category": category, "channel": channel, "counterparty": text["counterparty"],
        "counterparty_type": counterparty_type, "voucher_no": voucher_no, "summary": text["summary"],
        "note": text["note"],
    }
    return CheckedLine(clean, problems)
