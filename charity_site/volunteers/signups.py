"""Signing up for a shift, the waitlist and cancelling: validate, write, audit, flush (never commit).

Capacity holds under concurrent sign-ups because every change to a shift's places first locks the
shift's row (core.locking.lock_row): sign-ups for one shift queue, and each counts the places the one
before it took. On SQLite the writing request's BEGIN IMMEDIATE queues them the same way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import func, select

from charity_site.core.audit import record_audit
from charity_site.core.errors import EditError
from charity_site.core.formatting import format_datetime, local_to_utc, to_local
from charity_site.core.locking import claim, lock_row
from charity_site.core.mail import queue_mail
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
from charity_site.extensions import db
from charity_site.volunteers import identity
from charity_site.volunteers.models import Shift, Signup, SignupStatus, Volunteer
from charity_site.volunteers.opportunities import TAKING_A_PLACE
from charity_site.web.urls import canonical_url

CONSENT_TEXT_VERSION = "2026-12-v1"  # the §17 notice shown beside the consent box (templates/volunteers/_notice.html)
ADULT_AGE = 18
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by older people
CODE_LENGTH = 8


@dataclass
class SignupDetails:
    name: str
    phone: str  # normalised mobile
    birth_year: int
    consent: bool
    email: str | None = None
    skills: str = ""
    emergency_contact: str = ""
    id_type: str = ""
    id_number: str = ""
    id_consent: bool = False
    guardian_name: str = ""
    guardian_phone: str | None = None
    guardian_consent: bool = False
    submission_token: str | None = None


def new_personal_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def signup_deadline(shift: Shift) -> datetime:
    """Sign-ups and cancellations close at the opportunity's deadline, or when the shift starts."""
    deadline = shift.opportunity.signup_deadline
    return min(deadline, shift.starts_at) if deadline else shift.starts_at


def places_taken(shift_id: int) -> int:
    return db.session.scalar(select(func.count(Signup.id)).where(
        Signup.shift_id == shift_id, Signup.status.in_(TAKING_A_PLACE))) or 0


def _check_person(shift: Shift, details: SignupDetails, now: datetime) -> None:
    opportunity = shift.opportunity
    if not details.consent:
        raise EditError("consent", _("Please read the notice and agree, or we cannot take your sign-up."))
    age = to_local(now).year - details.birth_year
    if age < opportunity.minimum_age:
        raise EditError("birth_year", _("This activity is for people aged %(age)s and over.",
                                        age=opportunity.minimum_age))
    if age < ADULT_AGE:
        if not opportunity.minors_with_guardian:
            raise EditError("birth_year", _("This activity is for adults only."))
        if not details.guardian_name.strip() or not details.guardian_phone:
            raise EditError("guardian_name", _("Volunteers under 18 need a parent or guardian: "
                                               "please give their name and mobile number."))
        if not details.guardian_consent:
            raise EditError("guardian_consent", _("The parent or guardian must agree to this sign-up."))
    if opportunity.requires_id:
        if details.id_type not in identity.ID_TYPES:
            raise EditError("id_type", _("Please choose the type of ID."))
        if not identity.is_valid_id_number(details.id_type, details.id_number):
            raise EditError("id_number", _("This ID number is not valid. Please check it "
                                           "(a resident ID card has 18 characters)."))
        if not details.id_consent:
            raise EditError("id_consent", _("Please agree separately to giving your ID number, "
                                            "or we cannot take your sign-up for this activity."))
        if not identity.id_key_available():
            raise EditError(None, _("Sign-ups that need an ID number cannot be taken online at the moment. "
                                    "Please contact the organiser."))


def _fill_volunteer(volunteer: Volunteer, details: SignupDetails, shift: Shift, now: datetime) -> None:
    volunteer.name = details.name.strip()
    volunteer.phone = details.phone
    volunteer.email = details.email or volunteer.email
    volunteer.birth_year = details.birth_year
    volunteer.skills = details.skills.strip()
    volunteer.emergency_contact = details.emergency_contact.strip()
    volunteer.consent_at, volunteer.consent_text_version = now, CONSENT_TEXT_VERSION
    if shift.opportunity.requires_id:
        volunteer.id_type = details.id_type
        volunteer.id_number_encrypted = identity.encrypt_id_number(details.id_number)
        volunteer.id_number_masked = identity.mask_id_number(details.id_number)
        volunteer.id_consent_at = now
    if details.guardian_consent:
        volunteer.guardian_name = details.guardian_name.strip()
        volunteer.guardian_phone = details.guardian_phone
        volunteer.guardian_consent_at = now


@operation
def sign_up(shift: Shift, details: SignupDetails, *, now: datetime | None = None) -> Signup:
    """Give the person a place on ``shift``, or the next place on its waitlist when it is full."""
    now = now or utcnow()
    if details.submission_token:
        repeat = db.session.scalar(select(Signup).where(Signup.submission_token == details.submission_token))
        if repeat is not None:
            return repeat  # the same form sent twice
    lock_row(shift)
    if not shift.opportunity.is_public(now):
        raise EditError(None, _("This activity is not open for sign-up."))
    if now >= signup_deadline(shift):
        raise EditError(None, _("Sign-up for this shift has closed."))
    _check_person(shift, details, now)

    claim("volunteers", "phone", details.phone)
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.phone == details.phone,
                                                          Volunteer.erased_at.is_(None)).order_by(Volunteer.id))
    signup = None
    if volunteer is not None:
        signup = db.session.scalar(select(Signup).where(Signup.shift_id == shift.id,
                                                        Signup.volunteer_id == volunteer.id))
        if signup is not None and signup.status is not SignupStatus.CANCELLED:
            raise EditError("phone", _("This mobile number has already signed up for this shift."))
    else:
        volunteer = Volunteer()
        db.session.add(volunteer)
    _fill_volunteer(volunteer, details, shift, now)

    target = SignupStatus.SIGNED_UP if places_taken(shift.id) < shift.capacity else SignupStatus.WAITLISTED
    last_position = db.session.scalar(select(func.max(Signup.queue_position)).where(Signup.shift_id == shift.id))
    if signup is None:
        signup = Signup(shift=shift, volunteer=volunteer, status=target)
        db.session.add(signup)
    else:
        signup.status = signup.status.transition(target)
        signup.cancelled_at = None
    signup.queue_position = (last_position or 0) + 1
    signup.code = new_personal_code()
    signup.submission_token = details.submission_token
    signup.consent_at, signup.consent_text_version = now, CONSENT_TEXT_VERSION
    db.session.flush()
    record_audit("sign_up" if target is SignupStatus.SIGNED_UP else "waitlist", "signup", signup.id,
                 label=shift.opportunity.title, changes={"shift_id": [None, shift.id]})
    if volunteer.email:
        _tell(signup, _("Your volunteer sign-up: %(title)s", title=shift.opportunity.title),
              _("You have a place.") if target is SignupStatus.SIGNED_UP
              else _("The shift is full; you are on the waitlist and will be told if a place comes free."))
    db.session.flush()
    return signup


@operation
def cancel(signup: Signup, *, by_staff=None, now: datetime | None = None) -> Signup | None:
    """Cancel a place or a waitlist entry; a freed place goes to the first on the waitlist (returned)."""
    now = now or utcnow()
    lock_row(signup.shift)
    lock_row(signup)
    if by_staff is None and now >= signup_deadline(signup.shift):
        raise EditError(None, _("The deadline has passed, so this sign-up can no longer be cancelled online. "
                                "Please contact the organiser."))
    if not signup.status.can_become(SignupStatus.CANCELLED):
        raise EditError(None, _("This sign-up cannot be cancelled any more."))
    signup.status = signup.status.transition(SignupStatus.CANCELLED)
    signup.cancelled_at = now
    record_audit("cancel", "signup", signup.id, label=signup.shift.opportunity.title, user=by_staff)
    db.session.flush()
    promoted = fill_free_places(signup.shift)
    return promoted[0] if promoted else None


def fill_free_places(shift: Shift) -> list[Signup]:
    """Give free places to the waitlist in order; the caller holds the shift's lock. Each person is told."""
    free = shift.capacity - places_taken(shift.id)
    if free <= 0:
        return []
    waiting = list(db.session.scalars(
        select(Signup).where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.queue_position, Signup.id).limit(free)))
    for signup in waiting:
        _promote(signup)
    db.session.flush()
    return waiting


@operation
def promote(signup: Signup, *, actor=None) -> None:
    """A coordinator moves one waitlisted person up, only when a place is free."""
    lock_row(signup.shift)
    lock_row(signup)
    if signup.status is not SignupStatus.WAITLISTED:
        raise EditError(None, _("Only someone on the waitlist can be given a place."))
    if places_taken(signup.shift_id) >= signup.shift.capacity:
        raise EditError(None, _("The shift is full. Raise its capacity first, or cancel someone's place."))
    _promote(signup, actor=actor)
    db.session.flush()


def _promote(signup: Signup, actor=None) -> None:
    signup.status = signup.status.transition(SignupStatus.SIGNED_UP)
    record_audit("promote", "signup", signup.id, label=signup.shift.opportunity.title, user=actor)
    if signup.volunteer.email:
        _tell(signup, _("A place came free: %(title)s", title=signup.shift.opportunity.title),
              _("A place came free and it is yours now."))


def absolute_url(endpoint: str, **values) -> str:
    """The page's public address, also outside a request (a message queued by a CLI command)."""
    if has_request_context() or current_app.config.get("SITE_URL"):
        return canonical_url(endpoint, **values)
    adapter = current_app.url_map.bind(current_app.config.get("SERVER_NAME") or "localhost",
                                       url_scheme=current_app.config["PREFERRED_URL_SCHEME"])
    return adapter.build(endpoint, values, force_external=True)


def _tell(signup: Signup, subject: str, first_line: str) -> None:
    shift = signup.shift
    link = absolute_url("volunteers.signup_detail", code=signup.code)
    text = "\n".join([
        f"{signup.volunteer.name}：",
        "",
        first_line,
        f"{shift.opportunity.title} · {shift.task}",
        format_datetime(shift.starts_at) + " – " + format_datetime(shift.ends_at),
        shift.opportunity.location,
        "",
        _("Your personal code: %(code)s", code=signup.code),
        _("View, add to your calendar or cancel: %(link)s", link=link),
    ])
    queue_mail(db.session, signup.volunteer.email, subject, text)


@operation
def send_reminders(*, now: datetime | None = None) -> int:
    """Tell everyone with a place on a shift that starts tomorrow (Beijing date) and gave an e-mail; once each.

    Safe to run from cron as often as wanted: a reminded sign-up is marked and never reminded again.
    """
    now = now or utcnow()
    tomorrow = to_local(now).date() + timedelta(days=1)
    start = local_to_utc(datetime.combine(tomorrow, time.min))
    due = list(db.session.scalars(
        select(Signup).join(Shift).join(Volunteer)
        .where(Shift.starts_at >= start, Shift.starts_at < start + timedelta(days=1),
               Signup.status == SignupStatus.SIGNED_UP, Signup.reminded_at.is_(None),
               Volunteer.email.is_not(None), Volunteer.erased_at.is_(None))
        .with_for_update(of=Signup, skip_locked=True)))
    for signup in due:
        signup.reminded_at = now
        _tell(signup, _("Reminder: tomorrow, %(title)s", title=signup.shift.opportunity.title),
              _("This is a reminder of your volunteer shift tomorrow. Thank you!"))
    db.session.flush()
    return len(due)
