"""Staff accounts: sign-in with lock-out, and user management. Every change is audited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from limits import parse
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from charity_site.core.audit import record_audit
from charity_site.core.locking import StaleEdit, claim, flush_or_refuse, lock_row
from charity_site.core.models import utcnow
from charity_site.core.roles import Role
from charity_site.core.transaction import operation
from charity_site.extensions import db, limiter
from charity_site.staff.models import StaffRole, StaffUser
from charity_site.staff.passwords import check_password_strength

# A fixed hash to compare against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = "scrypt:32768:8:1$Yr5dUbVnL5N7bVd8$" + "0" * 128


class SignInRefused(Exception):
    """Sign-in failed; ``message`` is for the user, ``locked`` tells a lock-out from a wrong password."""

    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.message = message
        self.locked = locked


class StaffError(ValueError):
    """A user-management request that cannot be carried out; the message is for the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> StaffUser | None:
    return db.session.scalars(select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email))).first()


@dataclass(frozen=True)
class _LoginKeys:
    account: str
    address: str


def _failure_limit():
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _keys(email: str, ip_address: str | None) -> _LoginKeys:
    return _LoginKeys(account=f"account:{normalise_email(email)}", address=f"ip:{ip_address or 'unknown'}")


def login_locked(email: str, ip_address: str | None) -> bool:
    limit, keys = _failure_limit(), _keys(email, ip_address)
    return not (
        limiter.limiter.test(limit, "login-failure", keys.account)
        and limiter.limiter.test(limit, "login-failure", keys.address)
    )


def _count_failure(email: str, ip_address: str | None) -> None:
    limit, keys = _failure_limit(), _keys(email, ip_address)
    limiter.limiter.hit(limit, "login-failure", keys.account)
    limiter.limiter.hit(limit, "login-failure", keys.address)


@operation(keeps_work_on=(SignInRefused,))
def authenticate(email: str, password: str, ip_address: str | None) -> StaffUser:
    """Return the user for a correct, active account, or raise SignInRefused.

    After LOGIN_FAILURE_LIMIT failures for one account or one address, every
    attempt is refused (even a correct one) until the window has passed. A refusal is
    audited, and that record stays although the sign-in is answered with an error.
    """
    lock_message = _("Too many failed sign-in attempts. Sign-in is paused for 15 minutes; please try again later.")
    if login_locked(email, ip_address):
        record_audit("login_locked", "staff_user", None, label=normalise_email(email)[:200], user=None)
        raise SignInRefused(lock_message, locked=True)

    user = find_user(email)
    password_ok = user.check_password(password) if user else check_password_hash(_DUMMY_HASH, password or "x")
    if not user or not password_ok or not user.active:
        _count_failure(email, ip_address)
        record_audit("login_failed", "staff_user", user.id if user else None,
                     label=normalise_email(email)[:200], user=None,
                     note="disabled account" if user and password_ok and not user.active else "")
        if user and password_ok and not user.active:
            raise SignInRefused(_("This account has been disabled. Please contact an administrator."))
        raise SignInRefused(_("The e-mail or password is not correct."))

    user.last_login_at = utcnow()
    record_audit("login", "staff_user", user.id, label=user.email, user=user)
    return user


@operation
def record_logout(user: StaffUser) -> None:
    record_audit("logout", "staff_user", user.id, label=user.email, user=user)


def _role_values(roles) -> list[str]:
    return sorted(Role(role).value for role in roles)


def _email_taken() -> StaffError:
    return StaffError(_("An account with this e-mail already exists."))


@operation
def create_user(email: str, password: str, roles, *, display_name: str = "", actor=None,
                must_change_password: bool = False) -> StaffUser:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffError(_("Please enter a valid e-mail address."))
    claim("staff_users", "email", email)
    if find_user(email):
        raise _email_taken()
    roles = set(Role(role) for role in roles)
    if not roles:
        raise StaffError(_("Choose at least one role."))
    check_password_strength(password, email=email)
    user = StaffUser(email=email, display_name=display_name.strip(), must_change_password=must_change_password)
    user.set_password(password)
    user.role_links = [StaffRole(role=role) for role in sorted(roles, key=lambda r: r.value)]
    db.session.add(user)
    flush_or_refuse(taken=lambda: _email_taken() if find_user(email) else None)
    record_audit("create", "staff_user", user.id, label=email, user=actor,
                 changes={"email": [None, email], "roles": [None, _role_values(roles)],
                          "display_name": [None, user.display_name]})
    return user


@operation
def set_password(user: StaffUser, password: str, *, actor=None, must_change: bool = False) -> None:
    check_password_strength(password, email=user.email)
    user.set_password(password)
    user.must_change_password = must_change
    record_audit("set_password", "staff_user", user.id, label=user.email, user=actor,
                 changes={"password": ["(hidden)", "(changed)"]})


@operation
def change_own_password(user: StaffUser, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise StaffError(_("The current password is not correct."))
    if current_password == new_password:
        raise StaffError(_("The new password must be different from the current one."))
    set_password(user, new_password, actor=user)


def _count_active_admins(excluding: StaffUser | None = None) -> int:
    """Active administrators; the count stays true until this transaction ends (two administrators
    disabling each other at once must not leave none)."""
    claim("staff_users", "active administrators")
    query = (
        select(func.count(func.distinct(StaffUser.id)))
        .join(StaffRole)
        .where(StaffRole.role == Role.ADMIN, StaffUser.active.is_(True))
    )
    if excluding is not None:
        query = query.where(StaffUser.id != excluding.id)
    return db.session.scalar(query)


@operation
def set_active(user: StaffUser, active: bool, *, actor=None) -> None:
    lock_row(user)
    if not active and Role.ADMIN in user.roles and _count_active_admins(excluding=user) == 0:
        raise StaffError(_("The last active administrator cannot be disabled."))
    if user.active == active:
        return
    record_audit("enable" if active else "disable", "staff_user", user.id, label=user.email, user=actor,
                 changes={"active": [user.active, active]})
    user.active = active


@operation
def force_password_reset(user: StaffUser, temporary_password: str, *, actor=None) -> None:
    """Set a temporary password that the user must change at the next sign-in."""
    set_password(user, temporary_password, actor=actor, must_change=True)


def edit_version(user: StaffUser) -> str:
    """A short fingerprint of what the account form edits (name and roles), sent with the form.

    Accounts have no version column: signing in writes to the row, and must not make an
    administrator's open form stale. An edit begun before someone else changed the name or the
    roles is refused, as with the versioned content.
    """
    state = f"{user.display_name}\x1f{','.join(_role_values(user.roles))}"
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]


@operation
def update_user(user: StaffUser, *, display_name: str, roles, expected_version: str | None = None,
                actor=None) -> None:
    """Set the name and roles. Raises StaleEdit (with the saved account) when someone else changed them
    since the form showed ``expected_version`` (see ``edit_version``; None: no check)."""
    roles = set(Role(role) for role in roles)
    if not roles:
        raise StaffError(_("Choose at least one role."))
    lock_row(user)
    if expected_version and expected_version != edit_version(user):
        raise StaleEdit(user)
    if Role.ADMIN in user.roles and Role.ADMIN not in roles and user.active and _count_active_admins(excluding=user) == 0:
        raise StaffError(_("The last active administrator must keep the administrator role."))
    before = {"display_name": user.display_name, "roles": _role_values(user.roles)}
    after = {"display_name": display_name.strip(), "roles": _role_values(roles)}
    if before == after:
        return
    user.display_name = after["display_name"]
    current = {link.role: link for link in user.role_links}
    user.role_links = [current.get(role) or StaffRole(role=role) for role in sorted(roles, key=lambda r: r.value)]
    record_audit("update", "staff_user", user.id, label=user.email, user=actor,
                 changes={key: [before[key], after[key]] for key in before if before[key] != after[key]})
