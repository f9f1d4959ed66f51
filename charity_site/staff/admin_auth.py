"""Sign-in and sign-out of the staff workspace."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from charity_site.staff import accounts as staff
from charity_site.staff.forms import LoginForm
from charity_site.web.safety import safe_next_url

bp = Blueprint("admin_auth", __name__, url_prefix="/admin")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and current_user.is_active:
        return redirect(url_for("admin_dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            user = staff.authenticate(form.email.data, form.password.data, request.remote_addr)
        except staff.SignInRefused as refused:
            form.password.errors.append(refused.message)
            status = 429 if refused.locked else 401
        else:
            login_user(user)
            return redirect(safe_next_url(form.next.data, url_for("admin_dashboard.index")))
    elif request.method == "POST":
        status = 400
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    staff.record_logout(current_user)
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("admin_auth.login"))
