"""Recording and voiding ledger lines: the only writes the ledger knows.

A line is never edited in place and never deleted. A wrong line is voided with a reason (it stays
visible, struck through, and drops out of every total); the right figures go in as a new line
("a correcting line"). What makes a line valid is finance.rules, the one rulebook for a line.

Each write is an operation (core/transaction.py): validate, write, audit, flush; the request or the
caller's ``transaction()`` commits, so a line can be one step of a larger unit of work.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from charity_site.core.audit import record_audit, snapshot
from charity_site.core.errors import EditError
from charity_site.core.formatting import format_yuan
from charity_site.core.locking import flush_or_refuse, lock_row
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.finance import rules
from charity_site.finance.models import LedgerEntry

AUDITED_FIELDS = ("kind", "occurred_on", "amount_fen", "fund_id", "project_id", "category", "channel",
                  "counterparty", "counterparty_type", "voucher_no", "summary", "note")


class LedgerError(EditError):
    """A line that cannot be recorded or voided; ``field`` names the form field the message belongs to."""


class AlreadyVoided(LedgerError):
    """The line was voided before this request could void it (by an earlier or a simultaneous request)."""


def clean_values(values: dict) -> dict:
    """Check and normalise the values of a new line; raises LedgerError naming the first wrong field."""
    checked = rules.check_line(values)
    if checked.problems:
        first = checked.problems[0]
        raise LedgerError(first.field, first.message)
    return checked.values


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
    flush_or_refuse(taken=lambda: (LedgerError("voucher_no", rules.voucher_taken_message(voucher_no))
                                   if voucher_no and rules.voucher_taken(voucher_no) else None))
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
    problem = rules.void_reason_problem(reason)
    if problem:
        raise LedgerError("reason", problem)
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
