"""Staff accounts, for administrators: list, create, edit roles, disable/enable, force a password reset."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from charity_site.core.labels import ROLE_LABELS
from charity_site.core.roles import Role
from charity_site.extensions import db
from charity_site.staff import accounts as staff
from charity_site.staff.directory import UserFilters, search_users
from charity_site.staff.forms import PasswordResetForm, UserCreateForm, UserEditForm
from charity_site.staff.models import StaffUser
from charity_site.staff.passwords import PasswordRejected
from charity_site.web.access import staff_blueprint
from charity_site.web.forms import ConfirmForm
from charity_site.web.input import query_page

bp = staff_blueprint("admin_users", __name__, "/admin/users", roles=(Role.ADMIN,),
                     menu_label=_l("Users"))


@bp.context_processor
def role_labels():
    return {"role_labels": ROLE_LABELS, "roles_in_order": tuple(Role)}


def _name(user: StaffUser) -> str:
    return user.display_name or user.email


@bp.get("/")
def index():
    filters = UserFilters.from_args(request.args)
    users = search_users(filters, page=query_page())
    return render_template("admin/users/index.html", filters=filters, users=users)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = staff.create_user(form.email.data, form.password.data, form.roles.data,
                                     display_name=form.display_name.data or "", actor=current_user,
                                     must_change_password=True)
        except PasswordRejected as rejected:
            form.password.errors.append(str(rejected))
        except staff.StaffError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("The account for %(email)s has been created. Give the person the temporary password in "
                    "private; they will be asked to choose their own when they first sign in.",
                    email=user.email), "success")
            return redirect(url_for(".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/users/form.html", form=form, user=None), status


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id: int):
    user = db.get_or_404(StaffUser, user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = [role.value for role in Role if role in user.roles]
        form.version.data = staff.edit_version(user)
    stale = None
    if form.validate_on_submit():
        try:
            staff.update_user(user, display_name=form.display_name.data or "", roles=form.roles.data,
                              expected_version=form.version.data or None, actor=current_user)
        except staff.StaleEdit as conflict:
            stale = conflict.current
            form.version.data = staff.edit_version(stale)
        except staff.StaffError as error:
            form.roles.errors.append(str(error))
        else:
            flash(_("The account of %(name)s has been saved.", name=_name(user)), "success")
            return redirect(url_for(".index"))
    status = (409 if stale else 400) if request.method == "POST" else 200
    return render_template("admin/users/form.html", form=form, user=user, stale=stale), status


def _confirm(user_id: int, active: bool):
    user = db.get_or_404(StaffUser, user_id)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            staff.set_active(user, active, actor=current_user)
        except staff.StaffError as refused:
            error = str(refused)
        else:
            message = (_("The account of %(name)s has been enabled.", name=_name(user)) if active
                       else _("The account of %(name)s has been disabled. It can no longer sign in.",
                              name=_name(user)))
            flash(message, "success")
            return redirect(url_for(".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/users/confirm.html", form=form, user=user, active=active, error=error), status


@bp.route("/<int:user_id>/disable", methods=["GET", "POST"])
def disable(user_id: int):
    return _confirm(user_id, active=False)


@bp.route("/<int:user_id>/enable", methods=["GET", "POST"])
def enable(user_id: int):
    return _confirm(user_id, active=True)


@bp.route("/<int:user_id>/reset-password", methods=["GET", "POST"])
def reset_password(user_id: int):
    user = db.get_or_404(StaffUser, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            staff.force_password_reset(user, form.password.data, actor=current_user)
        except PasswordRejected as rejected:
            form.password.errors.append(str(rejected))
        else:
            flash(_("A temporary password has been set for %(name)s. They must choose a new one at their next "
                    "sign-in.", name=_name(user)), "success")
            return redirect(url_for(".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/users/reset_password.html", form=form, user=user), status
