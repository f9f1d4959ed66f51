"""A staff member's own account: change password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity_site.staff import accounts as staff
from charity_site.staff.forms import ChangePasswordForm
from charity_site.staff.passwords import PasswordRejected
from charity_site.web.access import staff_blueprint

bp = staff_blueprint("admin_account", __name__, "/admin/account")


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            staff.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except PasswordRejected as rejected:
            form.new_password.errors.append(str(rejected))
        except staff.StaffError as error:
            form.current_password.errors.append(str(error))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("admin_dashboard.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/account/password.html", form=form), status
