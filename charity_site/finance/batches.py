"""Import batches: every line a spreadsheet import added, found and voided together.

A batch is voided in one operation: the batch row and every line of it not voided already get the
same reason, in one conditional UPDATE each, with one audit record giving the count. The summary
tables (fund_money, project_money) follow through their triggers, so every total drops by exactly
the batch's live lines. Lines voided one by one before keep their own reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from charity_site.core.audit import record_audit
from charity_site.core.formatting import format_yuan
from charity_site.core.locking import lock_row
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.finance import rules
from charity_site.finance.ledger import AlreadyVoided, LedgerError
from charity_site.finance.models import EntryKind, LedgerBatch, LedgerEntry


@dataclass(frozen=True)
class BatchMoney:
    lines: int  # every line of the batch
    live_lines: int  # the lines not voided
    income_fen: int  # of the lines not voided
    expense_fen: int


def batch_money(batch_id: int) -> BatchMoney:
    """What of a batch still counts: one aggregate query over its lines (index on batch_id)."""
    live = LedgerEntry.voided.is_(False)
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((live, 1), else_=0)), 0),
            func.coalesce(func.sum(case((live & (LedgerEntry.kind == EntryKind.INCOME), LedgerEntry.amount_fen),
                                        else_=0)), 0),
            func.coalesce(func.sum(case((live & (LedgerEntry.kind == EntryKind.EXPENSE), LedgerEntry.amount_fen),
                                        else_=0)), 0),
        ).where(LedgerEntry.batch_id == batch_id)
    ).one()
    return BatchMoney(*(int(value) for value in row))


def batch_label(batch: LedgerBatch) -> str:
    return _("Import #%(number)s: %(file)s", number=batch.id, file=batch.filename)


@operation
def void_batch(batch: LedgerBatch, reason: str, user=None) -> int:
    """Void ``batch`` and every line of it not voided yet, with one reason; returns how many lines were voided."""
    reason = (reason or "").strip()
    problem = rules.void_reason_problem(reason)
    if problem:
        raise LedgerError("reason", problem)
    lock_row(batch)
    if batch.voided:
        raise AlreadyVoided(None, _("This import has already been voided."))
    now = utcnow()
    user_id = getattr(user, "id", None)
    claimed = db.session.execute(
        update(LedgerBatch).where(LedgerBatch.id == batch.id, LedgerBatch.voided.is_(False))
        .values(voided=True, void_reason=reason, voided_at=now, voided_by_id=user_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadyVoided(None, _("This import has already been voided."))
    money = batch_money(batch.id)
    result = db.session.execute(
        update(LedgerEntry).where(LedgerEntry.batch_id == batch.id, LedgerEntry.voided.is_(False))
        .values(voided=True, void_reason=reason, voided_at=now, voided_by_id=user_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount
    record_audit("void", "ledger_batch", batch.id, label=batch_label(batch), changes={
        "voided": [False, True], "void_reason": ["", reason], "lines": [None, count],
        "income_total": [None, format_yuan(money.income_fen)], "expense_total": [None, format_yuan(money.expense_fen)],
    }, user=user)
    db.session.flush()
    db.session.refresh(batch)
    return count
