"""Coordinators on the day: the check-in QR code, checking people in and out, no-shows, confirming hours."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from charity_site.core.errors import EditError
from charity_site.core.qr import qr_png, qr_svg
from charity_site.core.roles import Role
from charity_site.extensions import db
from charity_site.volunteers import attendance, directory, queries, records
from charity_site.volunteers.models import Shift, Signup, SignupStatus, Volunteer
from charity_site.web.access import staff_blueprint
from charity_site.web.forms import ConfirmForm
from charity_site.web.input import query_page, query_text
from charity_site.web.urls import canonical_url

bp = staff_blueprint("admin_volunteer_day", __name__, "/admin/volunteers/day", roles=(Role.COORDINATOR,))


def checkin_url(shift: Shift) -> str:
    return canonical_url("volunteers.checkin", checkin_token=shift.checkin_token)


@bp.get("/shifts/<int:shift_id>/checkin-code")
def checkin_code(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    if not shift.checkin_token:
        abort(404)
    return render_template("volunteers/admin/checkin_code.html", shift=shift, url=checkin_url(shift),
                           svg=Markup(qr_svg(checkin_url(shift))))


@bp.get("/shifts/<int:shift_id>/checkin-code.png")
def checkin_code_png(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    if not shift.checkin_token:
        abort(404)
    return Response(qr_png(checkin_url(shift)), mimetype="image/png")


ACTIONS = {
    "check_in": (attendance.check_in, _l("Checked in.")),
    "check_out": (attendance.check_out, _l("Checked out.")),
    "absent": (attendance.mark_absent, _l("Marked absent.")),
}


@bp.post("/signups/<int:signup_id>/<action>")
def signup_action(signup_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    signup = db.get_or_404(Signup, signup_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operation, message = ACTIONS[action]
    try:
        operation(signup, actor=current_user)
        flash(str(message), "success")
    except EditError as error:
        flash(error.message, "error")
    return redirect(url_for("admin_volunteers.shift_signups", shift_id=signup.shift_id))


def _hours_to_minutes(text: str) -> int | None:
    try:
        hours = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    if not hours.is_finite() or hours < 0 or hours > 24:
        return None
    return int(hours * 60)


@bp.route("/shifts/<int:shift_id>/hours", methods=["GET", "POST"])
def hours(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    rows = [row for row in queries.shift_signups(shift.id) if row.status is SignupStatus.ATTENDED]
    form = ConfirmForm()
    errors: dict[str, str] = {}
    typed = {f"hours_{row.id}": request.form.get(f"hours_{row.id}", "") for row in rows}
    status_code = 200
    if request.method == "POST" and form.validate_on_submit():
        minutes = {}
        for row in rows:
            value = _hours_to_minutes(typed[f"hours_{row.id}"])
            if value is None:
                errors[f"hours_{row.id}"] = _("Enter between 0 and 24 hours.")
            else:
                minutes[row.id] = value
        if not errors:
            try:
                changed = attendance.confirm_hours(shift, minutes, reason=request.form.get("reason", "")[:500],
                                                   actor=current_user)
            except EditError as error:
                errors[error.field or "reason"] = error.message
            else:
                flash(_("Hours confirmed for %(count)s people.", count=changed), "success")
                return redirect(url_for("admin_volunteers.shift_signups", shift_id=shift.id))
        status_code = 400
    elif request.method == "POST":
        status_code = 400
    proposed = {row.id: (row.service_minutes if row.hours_confirmed_at else attendance.proposed_minutes(row))
                for row in rows}
    return render_template("volunteers/admin/hours.html", shift=shift, rows=rows, proposed=proposed, typed=typed,
                           errors=errors, form=form, reason=request.form.get("reason", "")), status_code


# --- the directory of people -------------------------------------------------------------------------

@bp.get("/people")
def people():
    search = query_text(request.args, "q")
    pagination = db.paginate(directory.directory_query(search), page=query_page(), per_page=30, error_out=False)
    people_on_page = list(pagination.items)
    totals = directory.totals_for(volunteer.id for volunteer in people_on_page)
    rows = [(volunteer, *totals.get(volunteer.id, (0, 0))) for volunteer in people_on_page]
    return render_template("volunteers/admin/people.html", pagination=pagination, rows=rows,
                           search=search, volunteer_number=records.volunteer_number)


@bp.get("/people.<fmt>")
def people_export(fmt: str):
    if fmt == "csv":
        body, mimetype = directory.export_csv(), "text/csv"
    elif fmt == "xlsx":
        body, mimetype = directory.export_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=volunteers.{fmt}"
    return response


@bp.get("/people/<int:volunteer_id>")
def person(volunteer_id: int):
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    return render_template("volunteers/admin/person.html", volunteer=volunteer, record=records.service_record(volunteer),
                           form=ConfirmForm(), volunteer_number=records.volunteer_number(volunteer))


@bp.post("/people/<int:volunteer_id>/erase")
def erase(volunteer_id: int):
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        directory.erase_person(volunteer, actor=current_user)
        flash(_("The person's data has been erased; their hours stay in the totals without a name."), "success")
    except EditError as error:
        flash(error.message, "error")
    return redirect(url_for(".person", volunteer_id=volunteer_id))


@bp.post("/people/<int:volunteer_id>/certificate")
def issue_certificate(volunteer_id: int):
    """A coordinator issues the 志愿服务记录证明 for someone who asked in person or by phone."""
    volunteer = db.get_or_404(Volunteer, volunteer_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if volunteer.erased_at is not None or records.service_record(volunteer).confirmed_minutes <= 0:
        flash(_("A certificate needs confirmed hours."), "error")
        return redirect(url_for(".person", volunteer_id=volunteer_id))
    number = records.issue_certificate(volunteer).number
    return redirect(url_for(".certificate", number=number))


@bp.get("/certificates/<number>")
def certificate(number: str):
    found = records.certificate_by_number(number)
    if found is None:
        abort(404)
    verify_url = canonical_url("volunteer_records.verify", number=found.number)
    return render_template("volunteers/certificate.html", certificate=found, verify_url=verify_url,
                           qr=Markup(qr_svg(verify_url)), back_url=url_for(".person", volunteer_id=found.volunteer_id)
                           if found.volunteer_id else url_for(".people"))
