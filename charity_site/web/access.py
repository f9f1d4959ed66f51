"""The one place where /admin views check sign-in and roles.

Every staff blueprint is made by ``staff_blueprint``; its before_request guard
runs before any of its views:
- not signed in (or the account was disabled meanwhile) → redirect to the sign-in page;
- signed in with a temporary password → the change-password page first;
- signed in without one of the blueprint's roles → 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from charity_site.core.roles import Role

ANY_STAFF = tuple(Role)


def staff_blueprint(name: str, import_name: str, url_prefix: str, roles=ANY_STAFF) -> Blueprint:
    """A blueprint whose every view needs a signed-in, active user holding one of ``roles``."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.required_roles = tuple(roles)

    @bp.before_request
    def require_staff():
        # Flask-Login counts an inactive user as not authenticated, so look for a disabled account first
        # and end its session; otherwise re-enabling the account would sign it straight back in.
        if not current_user.is_anonymous and not current_user.is_active:
            logout_user()
            flash(_("This account has been disabled."), "error")
            return redirect(url_for("admin_auth.login"))
        if not current_user.is_authenticated:
            return redirect(url_for("admin_auth.login", next=request.full_path.rstrip("?")))
        if current_user.must_change_password and request.endpoint != "admin_account.password":
            flash(_("Please set a new password before you continue."), "warning")
            return redirect(url_for("admin_account.password"))
        if not current_user.has_role(*bp.required_roles):
            abort(403)
        return None

    @bp.after_request
    def never_cache(response):
        response.headers["Cache-Control"] = "private, no-store"
        return response

    return bp


def staff_navigation():
    """(endpoint, label, roles) for the workspace menu; entries whose view is missing are left out."""
    from flask import current_app
    from flask_babel import lazy_gettext as _l

    entries = (
        ("admin_dashboard.index", _l("Dashboard"), ANY_STAFF),
        ("admin_pages.index", _l("Pages"), (Role.EDITOR,)),
        ("admin_news.index", _l("News"), (Role.EDITOR,)),
        ("admin_projects.index", _l("Projects"), (Role.EDITOR,)),
        ("admin_funds.index", _l("Funds"), (Role.FINANCE,)),
        ("admin_ledger.index", _l("Ledger"), (Role.FINANCE,)),
        ("admin_disclosures.index", _l("Disclosures"), (Role.EDITOR, Role.FINANCE)),
        ("admin_uploads.index", _l("Images and files"), (Role.EDITOR, Role.FINANCE)),
        ("admin_volunteers.index", _l("Volunteers"), (Role.COORDINATOR,)),
        ("admin_users.index", _l("Users"), (Role.ADMIN,)),
        ("admin_audit.index", _l("Audit log"), (Role.ADMIN,)),
        ("admin_settings.edit", _l("Site settings"), (Role.ADMIN,)),
    )
    return [entry for entry in entries if entry[0] in current_app.view_functions]
