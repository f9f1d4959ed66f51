"""Recording and voiding ledger lines: the only writes the ledger knows.

A line is never edited in place and never deleted. A wrong line is voided with a
reason (it stays visible, struck through, and drops out of every total); the right
figures go in as a new line ("a correcting line").

Each write is an operation (core/transaction.py): validate, write, audit, flush; the request or the
caller's ``transaction()`` commits, so a line can be one step of a larger unit of work.

Decisions (shared with services.ledger_import):
- ``amount_fen`` is a whole number of fen, more than 0 and at most MAX_AMOUNT_FEN.
- The date lies between MIN_DATE and today (Beijing time): a line for the future is a typo.
- ``category`` is required and must be one of the categories of the line's kind
  (INCOME_CATEGORIES / EXPENSE_CATEGORIES) or one already used by lines of that kind
  (older data may use its own words). Free text is refused so category totals stay meaningful.
- ``channel`` is optional; when given it is one of LEDGER_CHANNELS or one already in use.
- ``voucher_no`` is optional; when given it is unique across the whole ledger, voided lines
  included (the database enforces it, a voided line keeps its number).
- ``summary`` (摘要) is required.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from charity_site.core.audit import record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.formatting import MAX_AMOUNT_FEN, format_yuan, local_today
from charity_site.core.locking import claim, flush_or_refuse, lock_row
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
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
MAX_LENGTHS = {"summary": 255, "counterparty": 200, "voucher_no": 60, "note": 2000, "category": 40, "channel": 20}
MAX_REASON_LENGTH = 1000

AUDITED_FIELDS = ("kind", "occurred_on", "amount_fen", "fund_id", "project_id", "category", "channel",
                  "counterparty", "counterparty_type", "voucher_no", "summary", "note")


class LedgerError(EditError):
    """A line that cannot be recorded or voided; ``field`` names the form field the message belongs to."""


class AlreadyVoided(LedgerError):
    """The line was voided before this request could void it (by an earlier or a simultaneous request)."""


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


def voucher_taken_message(voucher_no: str) -> str:
    return _("Voucher number %(voucher)s is already in the ledger. Each voucher number can be used only once.",
             voucher=voucher_no)


def check_amount(amount_fen) -> str | None:
    """The problem with an amount in fen, or None."""
    if amount_fen is None:
        return _("Please enter the amount.")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        return _("Enter an amount in yuan with at most two decimals, e.g. 1234.50.")
    if amount_fen <= 0:
        return _("The amount must be more than zero.")
    if amount_fen > MAX_AMOUNT_FEN:
        return _("The amount is too large. Please check it (at most %(limit)s).", limit=format_yuan(MAX_AMOUNT_FEN))
    return None


def check_date(value) -> str | None:
    if value is None:
        return _("Please enter the date.")
    if value > local_today():
        return _("The date is in the future. Please check it.")
    if value < MIN_DATE:
        return _("The date is before %(year)s. Please check it.", year=MIN_DATE.year)
    return None


def too_long(name: str, value: str) -> str | None:
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        return _("At most %(limit)s characters, please.", limit=limit)
    return None


def _text(values: dict, name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def clean_values(values: dict) -> dict:
    """Check and normalise the values of a new line; raises LedgerError naming the first wrong field."""
    kind = values.get("kind")
    try:
        kind = EntryKind(kind)
    except ValueError:
        raise LedgerError("kind", _("Please choose income or expense.")) from None

    occurred_on = values.get("occurred_on")
    problem = check_date(occurred_on)
    if problem:
        raise LedgerError("occurred_on", problem)

    amount_fen = values.get("amount_fen")
    problem = check_amount(amount_fen)
    if problem:
        raise LedgerError("amount_fen", problem)

    fund_id = values.get("fund_id")
    if not fund_id or db.session.get(Fund, fund_id) is None:
        raise LedgerError("fund_id", _("Please choose a fund."))

    project_id = values.get("project_id") or None
    if project_id is not None and db.session.get(Project, project_id) is None:
        raise LedgerError("project_id", _("This project does not exist. Please choose another."))

    text = {name: _text(values, name) for name in ("category", "channel", "counterparty", "voucher_no", "summary",
                                                    "note")}
    for name, value in text.items():
        problem = too_long(name, value)
        if problem:
            raise LedgerError(name, problem)

    if not text["category"]:
        raise LedgerError("category", _("Please choose a category."))
    if text["category"] not in allowed_categories(kind):
        raise LedgerError("category", _(
            "“%(category)s” is not a category of %(kind)s. Please choose one from the list.",
            category=text["category"], kind=_kind_word(kind)))
    if text["channel"] and text["channel"] not in allowed_channels():
        raise LedgerError("channel", _("Please choose a channel from the list."))
    if not text["summary"]:
        raise LedgerError("summary", _("Please enter a summary of the line."))

    counterparty_type = values.get("counterparty_type") or CounterpartyType.PERSON
    try:
        counterparty_type = CounterpartyType(counterparty_type)
    except ValueError:
        raise LedgerError("counterparty_type", _("Please choose person or organisation.")) from None

    voucher_no = text["voucher_no"] or None
    if voucher_no and voucher_taken(voucher_no):
        raise LedgerError("voucher_no", voucher_taken_message(voucher_no))
    return {
        "kind": kind, "occurred_on": occurred_on, "amount_fen": amount_fen, "fund_id": fund_id,
        "project_id": project_id, "category": text["category"], "channel": text["channel"],
        "counterparty": text["counterparty"], "counterparty_type": counterparty_type, "voucher_no": voucher_no,
        "summary": text["summary"], "note": text["note"],
    }


def _kind_word(kind: EntryKind) -> str:
    return _("income") if kind is EntryKind.INCOME else _("expense")


def entry_label(entry: LedgerEntry) -> str:
    voucher = f"{entry.voucher_no} " if entry.voucher_no else ""
    return f"{voucher}{entry.summary} {format_yuan(entry.amount_fen)}"


@operation
def record_entry(values: dict, user=None, *, corrects: LedgerEntry | None = None) -> LedgerEntry:
    """Add one ledger line (audited). ``corrects`` is the voided line this one replaces, if any."""
    data = clean_values(values)
    entry = LedgerEntry(**data, created_by_id=getattr(user, "id", None))
    db.session.add(entry)
    voucher_no = data["voucher_no"]
    flush_or_refuse(taken=lambda: (LedgerError("voucher_no", voucher_taken_message(voucher_no))
                                   if voucher_no and voucher_taken(voucher_no) else None))
    note = ""
    if corrects is not None:
        note = f"corrects ledger_entry {corrects.id}" + (f" ({corrects.voucher_no})" if corrects.voucher_no else "")
    record_audit("create", "ledger_entry", entry.id, label=entry_label(entry),
                 changes={name: [None, value] for name, value in snapshot(entry, AUDITED_FIELDS).items()},
                 note=note, user=user)
    return entry


@operation
def void_entry(entry: LedgerEntry, reason: str, user=None) -> LedgerEntry:
    """Void ``entry`` with a reason (audited). A voided line stays voided for good."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("reason", _("Please give the reason for voiding this line."))
    if len(reason) > MAX_REASON_LENGTH:
        raise LedgerError("reason", _("At most %(limit)s characters, please.", limit=MAX_REASON_LENGTH))
    lock_row(entry)
    if entry.voided:
        raise AlreadyVoided(None, _("This line has already been voided."))
    now = utcnow()
    # One conditional UPDATE: of two people voiding at once, only one succeeds.
    result = db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id == entry.id, LedgerEntry.voided.is_(False))
        .values(voided=True, void_reason=reason, voided_at=now, voided_by_id=getattr(user, "id", None),
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadyVoided(None, _("This line has already been voided."))
    record_audit("void", "ledger_entry", entry.id, label=entry_label(entry),
                 changes={"voided": [False, True], "void_reason": ["", reason]}, user=user)
    db.session.refresh(entry)
    return entry


def deletion_refusal(*, project_id: int | None = None, fund_id: int | None = None) -> str | None:
    """Why a project or fund that ledger lines refer to may not be deleted (a line keeps what it names)."""
    column, item_id = (LedgerEntry.project_id, project_id) if project_id is not None else (LedgerEntry.fund_id, fund_id)
    if db.session.scalar(select(func.count()).where(column == item_id)):
        return _("This item has ledger lines, so it cannot be deleted. Keep it as a draft instead.")
    return None


def correction_values(entry: LedgerEntry) -> dict:
    """Form values for a new line that replaces the voided ``entry`` (voucher left empty: it is taken)."""
    values = snapshot(entry, AUDITED_FIELDS)
    values["voucher_no"] = ""
    values["kind"] = entry.kind
    values["counterparty_type"] = entry.counterparty_type
    values["occurred_on"] = entry.occurred_on
    return values








