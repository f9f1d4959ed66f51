"""On the day: check-in (by QR code or by staff), check-out, no-shows, and service hours.

志愿服务条例 §17: the organisation keeps a true record of each volunteer's service. Hours are
proposed from check-in and check-out (or from the shift's length), confirmed by a coordinator, and
changed afterwards only with a reason, which is audited. Only confirmed hours count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from charity_site.core.audit import record_audit
from charity_site.core.errors import EditError
from charity_site.core.locking import lock_row
from charity_site.core.models import utcnow
from charity_site.core.personal import last_digits_match
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.volunteers.models import Shift, Signup, SignupStatus

CHECKIN_OPENS_BEFORE = timedelta(hours=2)
CHECKIN_CLOSES_AFTER = timedelta(hours=2)
MAX_MINUTES = 24 * 60


def checkin_open(shift: Shift, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return shift.starts_at - CHECKIN_OPENS_BEFORE <= now <= shift.ends_at + CHECKIN_CLOSES_AFTER


@operation
def self_check_in(shift: Shift, answer: str, *, now: datetime | None = None) -> Signup:
    """A volunteer scanned the shift's code and typed their phone's last 4 digits or their personal code."""
    now = now or utcnow()
    if not checkin_open(shift, now):
        raise EditError("confirm", _("Check-in for this shift is not open now."))
    answer = (answer or "").strip().upper()
    candidates = list(db.session.scalars(select(Signup).where(
        Signup.shift_id == shift.id, Signup.status.in_((SignupStatus.SIGNED_UP, SignupStatus.ATTENDED,
                                                        SignupStatus.ABSENT)))))
    by_code = [signup for signup in candidates if signup.code == answer]
    by_phone = [signup for signup in candidates if last_digits_match(signup.volunteer.phone, answer)]
    found = by_code or by_phone
    if not found:
        raise EditError("confirm", _("We could not find your sign-up for this shift. Please check the digits, "
                                     "or ask the coordinator."))
    if len(found) > 1:
        raise EditError("confirm", _("More than one person has these last digits. Please enter your personal code."))
    return check_in(found[0], now=now)


@operation
def check_in(signup: Signup, *, actor=None, now: datetime | None = None) -> Signup:
    lock_row(signup)
    if signup.status is SignupStatus.ATTENDED:
        return signup  # scanned twice
    if not signup.status.can_become(SignupStatus.ATTENDED):
        raise EditError(None, _("Only someone with a place can be checked in."))
    signup.status = signup.status.transition(SignupStatus.ATTENDED)
    signup.checked_in_at = now or utcnow()
    record_audit("check_in", "signup", signup.id, label=signup.shift.opportunity.title, user=actor)
    db.session.flush()
    return signup


@operation
def check_out(signup: Signup, *, actor=None, now: datetime | None = None) -> None:
    lock_row(signup)
    if signup.status is not SignupStatus.ATTENDED:
        raise EditError(None, _("Only someone checked in can be checked out."))
    signup.checked_out_at = now or utcnow()
    record_audit("check_out", "signup", signup.id, label=signup.shift.opportunity.title, user=actor)
    db.session.flush()


@operation
def mark_absent(signup: Signup, *, actor=None) -> None:
    lock_row(signup)
    if not signup.status.can_become(SignupStatus.ABSENT):
        raise EditError(None, _("Only someone with a place can be marked absent."))
    signup.status = signup.status.transition(SignupStatus.ABSENT)
    signup.service_minutes, signup.hours_confirmed_at = 0, None
    record_audit("absent", "signup", signup.id, label=signup.shift.opportunity.title, user=actor)
    db.session.flush()


def proposed_minutes(signup: Signup) -> int:
    """From check-in to check-out when both are known (within the shift's length), else the shift's length."""
    shift_minutes = int((signup.shift.ends_at - signup.shift.starts_at).total_seconds() // 60)
    if signup.checked_in_at and signup.checked_out_at and signup.checked_out_at > signup.checked_in_at:
        worked = int((signup.checked_out_at - signup.checked_in_at).total_seconds() // 60)
        return max(0, min(worked, shift_minutes, MAX_MINUTES))
    return min(shift_minutes, MAX_MINUTES)


@operation
def confirm_hours(shift: Shift, minutes_by_signup: dict[int, int], *, reason: str = "", actor=None) -> int:
    """Confirm (or correct, with a reason) the minutes of the checked-in people of ``shift``; returns how many changed."""
    lock_row(shift)
    reason = reason.strip()
    attended = {signup.id: signup for signup in db.session.scalars(
        select(Signup).where(Signup.shift_id == shift.id, Signup.status == SignupStatus.ATTENDED))}
    changed = 0
    now = utcnow()
    for signup_id, minutes in minutes_by_signup.items():
        signup = attended.get(signup_id)
        if signup is None:
            continue
        if not 0 <= minutes <= MAX_MINUTES:
            raise EditError(f"hours_{signup_id}", _("Enter between 0 and 24 hours."))
        if signup.hours_confirmed_at is not None:
            if minutes == signup.service_minutes:
                continue
            if not reason:
                raise EditError("reason", _("Confirmed hours change only with a reason. Please say why."))
        before = signup.service_minutes if signup.hours_confirmed_at else None
        signup.service_minutes, signup.hours_confirmed_at = minutes, now
        signup.credited_by_id = getattr(actor, "id", None)
        record_audit("confirm_hours" if before is None else "change_hours", "signup", signup.id,
                     label=shift.opportunity.title, changes={"service_minutes": [before, minutes]},
                     note=reason if before is not None else "", user=actor)
        changed += 1
    db.session.flush()
    return changed
