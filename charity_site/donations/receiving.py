"""Staff work on a pledge: confirm receipt into the ledger, cancel, expire, 票据 number, erasure.

Every status change goes through PledgeStatus.transition(), which refuses anything the state
machine does not list. Confirming locks the pledge's row first: of two staff confirming at once,
the second waits, sees the pledge received and is refused, so exactly one ledger line is made.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from charity_site.core.audit import record_audit
from charity_site.core.errors import EditError
from charity_site.core.formatting import format_yuan, mask_person_name
from charity_site.core.locking import lock_row
from charity_site.core.models import IllegalTransition, utcnow
from charity_site.core.sequences import next_number
from charity_site.core.transaction import operation
from charity_site.donations.labels import PLEDGE_STATUS_LABELS
from charity_site.donations.models import (
    CERTIFICATE_SERIES,
    LEDGER_CHANNEL_OF,
    DonorDisplay,
    Pledge,
    PledgeStatus,
)
from charity_site.donations.queries import general_fund, giving_settings
from charity_site.extensions import db
from charity_site.finance import ledger, rules
from charity_site.finance.models import CounterpartyType, EntryKind


class PledgeError(EditError):
    """A change to a pledge that cannot be made; ``field`` names the form field, if any."""


def _move(pledge: Pledge, target: PledgeStatus) -> None:
    try:
        pledge.status = pledge.status.transition(target)
    except IllegalTransition:
        raise PledgeError(None, _("This pledge is %(status)s; it cannot become %(target)s.",
                                  status=PLEDGE_STATUS_LABELS[pledge.status], target=PLEDGE_STATUS_LABELS[target])) from None


def ledger_fund_id(pledge: Pledge) -> int | None:
    """The fund whose books take the gift: the pledge's, its project's, or the general fund."""
    if pledge.fund_id is not None:
        return pledge.fund_id
    if pledge.project is not None and pledge.project.fund_id is not None:
        return pledge.project.fund_id
    general = general_fund()
    return general.id if general else None


@operation
def confirm_receipt(pledge: Pledge, *, amount_fen: int | None, received_on: date | None, channel: str,
                    actor=None) -> Pledge:
    """Mark the pledge received and record its one income line and certificate number, in one unit of work."""
    lock_row(pledge)
    _move(pledge, PledgeStatus.RECEIVED)
    problem = rules.amount_problem(amount_fen)
    if problem:
        raise PledgeError("amount", problem)
    problem = rules.date_problem(received_on)
    if problem:
        raise PledgeError("received_on", problem)
    fund_id = ledger_fund_id(pledge)
    if fund_id is None:
        raise PledgeError(None, _("This pledge has no fund to record the gift in. Please set up a general fund."))
    channel = channel or LEDGER_CHANNEL_OF[pledge.method]
    pledge.received_amount_fen = amount_fen
    pledge.received_on = received_on
    pledge.received_at = utcnow()
    pledge.received_channel = channel
    pledge.confirmed_by_id = getattr(actor, "id", None)
    pledge.certificate_year = received_on.year
    pledge.certificate_number = next_number(CERTIFICATE_SERIES, received_on.year)
    db.session.flush()
    record_audit("receive", "pledge", pledge.id, label=pledge.reference,
                 changes={"status": [PledgeStatus.PENDING.value, PledgeStatus.RECEIVED.value],
                          "received_amount_fen": [None, amount_fen], "certificate": [None, pledge.certificate_label]},
                 user=actor)
    values = {
        "kind": EntryKind.INCOME, "occurred_on": received_on, "amount_fen": amount_fen, "fund_id": fund_id,
        "project_id": pledge.project_id, "category": "捐赠收入", "channel": channel,
        # Never the full name: the ledger is kept for good, and a donor may later ask for erasure.
        "counterparty": "爱心人士" if pledge.display is DonorDisplay.ANONYMOUS or not pledge.donor_name
        else mask_person_name(pledge.donor_name),
        "counterparty_type": CounterpartyType.PERSON, "voucher_no": None,
        "summary": f"捐赠 认捐编号{pledge.reference}", "note": f"pledge {pledge.reference}",
    }
    # The ledger's own rulebook checks the line; it joins this unit of work (nothing commits here).
    try:
        entry = ledger.record_entry(values, user=actor)
    except ledger.LedgerError as error:
        raise PledgeError(error.field, error.message) from None
    pledge.ledger_entry_id = entry.id
    db.session.flush()
    return pledge


@operation
def cancel(pledge: Pledge, actor=None) -> Pledge:
    lock_row(pledge)
    _move(pledge, PledgeStatus.CANCELLED)
    pledge.closed_at = utcnow()
    record_audit("cancel", "pledge", pledge.id, label=pledge.reference,
                 changes={"status": [PledgeStatus.PENDING.value, PledgeStatus.CANCELLED.value]}, user=actor)
    db.session.flush()
    return pledge


@operation
def expire_overdue(days: int | None = None) -> int:
    """Expire pending pledges older than ``days`` (the settings' default); safe to run again at any time."""
    days = giving_settings().expire_after_days if days is None else days
    cutoff = utcnow() - timedelta(days=days)
    ids = db.session.scalars(select(Pledge.id).where(Pledge.status == PledgeStatus.PENDING,
                                                     Pledge.created_at < cutoff)).all()
    # A conditional UPDATE: a pledge confirmed meanwhile stays received.
    result = db.session.execute(
        update(Pledge).where(Pledge.id.in_(ids), Pledge.status == PledgeStatus.PENDING)
        .values(status=PledgeStatus.EXPIRED, closed_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ) if ids else None
    count = result.rowcount if result is not None else 0
    if count:
        record_audit("expire", "pledge", None, label=f"{count} pledges", note=f"older than {days} days",
                     user=None)
        db.session.flush()
    return count


@operation
def record_receipt(pledge: Pledge, number: str, issued_on: date | None, actor=None) -> Pledge:
    """Record the official 捐赠票据 issued in the fiscal system for a received pledge."""
    number = (number or "").strip()
    lock_row(pledge)
    if pledge.status is not PledgeStatus.RECEIVED:
        raise PledgeError(None, _("A receipt can be recorded only for a gift that has arrived."))
    if not number:
        raise PledgeError("receipt_number", _("Please enter the receipt number."))
    if len(number) > 60:
        raise PledgeError("receipt_number", _("At most %(limit)s characters, please.", limit=60))
    problem = rules.date_problem(issued_on)
    if problem:
        raise PledgeError("receipt_issued_on", problem)
    before = [pledge.receipt_number, pledge.receipt_issued_on.isoformat() if pledge.receipt_issued_on else None]
    pledge.receipt_number, pledge.receipt_issued_on = number, issued_on
    record_audit("receipt", "pledge", pledge.id, label=pledge.reference,
                 changes={"receipt": [before, [number, issued_on.isoformat()]]}, user=actor)
    db.session.flush()
    return pledge


@operation
def erase_personal_data(pledge: Pledge, actor=None) -> Pledge:
    """个人信息保护法 §47: erase name, phone, e-mail and message; the amount, dates and ledger line stay.

    The audit row records that an erasure happened, never the erased values.
    """
    lock_row(pledge)
    if pledge.erased_at is not None:
        raise PledgeError(None, _("This donor's personal data has already been erased."))
    pledge.donor_name = None
    pledge.phone = None
    pledge.email = None
    pledge.message = ""
    pledge.show_message = False
    pledge.wants_updates = False
    pledge.erased_at = utcnow()
    record_audit("erase", "pledge", pledge.id, label=pledge.reference,
                 changes={"erased_at": [None, pledge.erased_at.isoformat()]},
                 note="name, phone, e-mail and message erased on the donor's request", user=actor)
    db.session.flush()
    return pledge


def amount_label(pledge: Pledge) -> str:
    return format_yuan(pledge.received_amount_fen or pledge.amount_fen)
