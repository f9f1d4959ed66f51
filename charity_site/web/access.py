"""The one place where /admin views check sign-in and roles.

Every staff blueprint is made by ``staff_blueprint``; its before_request guard
runs before any of its views:
- not signed in (or the account was disabled meanwhile) → redirect to the sign-in page;
- signed in with a temporary password → the change-password page first;
- signed in without one of the blueprint's roles → 403.
The same roles decide who sees the blueprint's entry in the workspace menu (``staff_menu``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from charity_site.core.roles import Role

ANY_STAFF = tuple(Role)


def staff_blueprint(name: str, import_name: str, url_prefix: str, roles=ANY_STAFF, *,
                    menu_label=None, menu_view: str = "index") -> Blueprint:
    """A blueprint whose every view needs a signed-in, active user holding one of ``roles``.

    With ``menu_label`` it has an entry in the workspace menu (its ``menu_view``), shown to those roles.
    """
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.required_roles = tuple(roles)
    bp.menu_label = menu_label
    bp.menu_endpoint = f"{name}.{menu_view}"

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


def staff_menu() -> list[tuple[str, str]]:
    """(endpoint, label) of the workspace menu: the staff blueprints with a menu label whose roles the
    signed-in user holds, in the order they were registered."""
    if not current_user.is_authenticated:
        return []
    return [
        (blueprint.menu_endpoint, blueprint.menu_label)
        for blueprint in current_app.blueprints.values()
        if getattr(blueprint, "menu_label", None) and current_user.has_role(*blueprint.required_roles)
    ]


def user_can_open(endpoint: str) -> bool:
    """Whether the signed-in user holds a role that the endpoint's staff blueprint requires."""
    blueprint = current_app.blueprints.get(endpoint.split(".")[0])
    roles = getattr(blueprint, "required_roles", None)
    if roles is None or not current_user.is_authenticated:
        return False
    return current_user.has_role(*roles)
