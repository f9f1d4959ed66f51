"""Creating a pledge from the public form: reference, private token, consent, one pledge per submission."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from charity_site.core.audit import record_audit
from charity_site.core.errors import EditError
from charity_site.core.formatting import format_yuan
from charity_site.core.models import utcnow
from charity_site.core.personal import normalise_email, normalise_mobile
from charity_site.core.transaction import operation
from charity_site.donations.models import DonorDisplay, PaymentMethod, Pledge
from charity_site.donations.queries import Designation, giving_settings
from charity_site.extensions import db

# No 0/O, 1/I/L: a reference read aloud or copied by hand cannot be mistyped into another one.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
CONSENT_TEXT_VERSION = "2026-12-v1"  # change it whenever the notice in donations/_notice.html changes
NEW_REFERENCE_ATTEMPTS = 5


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class PledgeRequest:
    amount_fen: int
    designation: Designation
    method: PaymentMethod
    display: DonorDisplay
    donor_name: str = ""
    phone: str = ""
    email: str = ""
    message: str = ""
    show_message: bool = False
    wants_receipt: bool = False
    wants_updates: bool = False
    consent: bool = False
    submission_token: str | None = None


def existing_submission(token: str | None) -> Pledge | None:
    if not token:
        return None
    return db.session.scalar(select(Pledge).where(Pledge.submission_token == token))


def _contact(request: PledgeRequest) -> tuple[str, str | None, str | None]:
    """The name, the mobile number and the e-mail address as stored (None where missing or malformed)."""
    name = (request.donor_name or "").strip()
    phone = normalise_mobile(request.phone) if (request.phone or "").strip() else None
    email = normalise_email(request.email) if (request.email or "").strip() else None
    return name, phone, email


def problems(request: PledgeRequest) -> list[EditError]:
    """Every reason to refuse ``request``, the first one of each field, in the order of the form.

    Reads the amount, the contact details, the name, the display and the consent only, so that a refused
    form can show all its problems at once (its designation or method may be missing then).
    """
    found: dict[str, str] = {}

    def problem(field: str, message: str) -> None:
        found.setdefault(field, message)

    settings = giving_settings()
    if request.amount_fen is None:
        problem("custom_amount", _("Please choose or enter an amount."))
    elif request.amount_fen < settings.min_amount_fen:
        problem("custom_amount", _("The smallest gift online is %(amount)s.",
                                   amount=format_yuan(settings.min_amount_fen)))
    elif request.amount_fen > settings.max_amount_fen:
        problem("custom_amount", _("For a gift above %(amount)s please contact us directly.",
                                   amount=format_yuan(settings.max_amount_fen)))
    name, phone, email = _contact(request)
    if (request.phone or "").strip() and phone is None:
        problem("phone", _("Please enter a mainland mobile number of 11 digits."))
    if (request.email or "").strip() and email is None:
        problem("email", _("Please enter a valid e-mail address."))
    if not (request.phone or "").strip() and not (request.email or "").strip():
        problem("phone", _("Please give a mobile number or an e-mail address, so we can tell you when "
                           "your gift arrives."))
    if request.wants_receipt and not name:
        problem("donor_name", _("The official donation receipt needs the donor's name."))
    if request.display is DonorDisplay.FULL_NAME and not name:
        problem("donor_name", _("Please enter the name you want shown."))
    if not request.consent:  # the form checks it as well (PledgeForm.consent); this is the guard
        problem("consent", _("Please read the notice and agree, or we cannot record your pledge."))
    return [EditError(field, message) for field, message in found.items()]


def check(request: PledgeRequest) -> dict:
    """Validate and normalise; raises EditError naming the field of the first problem."""
    found = problems(request)
    if found:
        raise found[0]
    name, phone, email = _contact(request)
    return {"donor_name": name or None, "phone": phone, "email": email}


@operation
def create_pledge(request: PledgeRequest) -> Pledge:
    """Record a pledge (audited, flushed). The same submission token twice gives back the first pledge."""
    earlier = existing_submission(request.submission_token)
    if earlier is not None:
        return earlier
    contact = check(request)
    designation = request.designation
    for attempt in range(NEW_REFERENCE_ATTEMPTS):
        pledge = Pledge(
            reference=new_reference(), access_token=new_access_token(), submission_token=request.submission_token,
            amount_fen=request.amount_fen, fund_id=designation.fund_id, project_id=designation.project_id,
            display=request.display, message=(request.message or "").strip(),
            show_message=bool(request.show_message and (request.message or "").strip()),
            wants_receipt=request.wants_receipt, wants_updates=request.wants_updates, method=request.method,
            consent_at=utcnow(), consent_text_version=CONSENT_TEXT_VERSION, **contact,
        )
        savepoint = db.session.begin_nested()
        db.session.add(pledge)
        try:
            savepoint.commit()  # flushes; releases the savepoint
        except IntegrityError:
            savepoint.rollback()
            earlier = existing_submission(request.submission_token)
            if earlier is not None:  # the same form, submitted twice at once: the other request won
                return earlier
            if attempt == NEW_REFERENCE_ATTEMPTS - 1:
                raise
            continue
        break
    # The audit row names the pledge, never the donor's personal data.
    record_audit("create", "pledge", pledge.id, label=f"{pledge.reference} {format_yuan(pledge.amount_fen)}",
                 changes={"amount_fen": [None, pledge.amount_fen], "method": [None, pledge.method.value]},
                 user=None)
    db.session.flush()
    return pledge
