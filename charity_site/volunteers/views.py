"""Public volunteer pages: upcoming opportunities, sign-up without an account, the sign-up's own page.

No page here shows another person's name, phone or ID: a sign-up's page opens only with its
personal code, and shows the person's own details masked.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from charity_site.core.errors import EditError
from charity_site.core.formatting import format_date, format_datetime, to_local
from charity_site.core.models import utcnow
from charity_site.core.personal import mask_mobile
from charity_site.extensions import db, limiter
from charity_site.volunteers import attendance, calendar, queries, signups
from charity_site.volunteers.forms import CheckinForm, SignupForm
from charity_site.volunteers.models import Shift, SignupStatus
from charity_site.web.forms import ConfirmForm, attach_error
from charity_site.web.input import query_page

bp = Blueprint("volunteers", __name__)

WEEKDAYS = "一二三四五六日"


def shift_time(shift) -> str:
    """'2026年12月8日（周二）09:00–12:00' in Beijing time."""
    start, end = to_local(shift.starts_at), to_local(shift.ends_at)
    day = f"{format_date(start)}（周{WEEKDAYS[start.weekday()]}）"
    until = f"{end:%H:%M}" if end.date() == start.date() else format_datetime(shift.ends_at)
    return f"{day}{start:%H:%M}–{until}"


bp.add_app_template_filter(shift_time, "shift_time")


@bp.app_template_filter("mask_mobile")
def mask_mobile_filter(phone) -> str:
    return mask_mobile(phone)


def _signup_limit() -> str:
    return current_app.config["VOLUNTEER_SIGNUP_LIMIT"]


def _private(response) -> Response:
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/volunteer")
def index():
    areas = queries.public_areas()
    filters = queries.OpportunityFilters.from_args(request.args, areas)
    pagination = queries.opportunity_page(filters, query_page())
    items = list(pagination.items)
    shifts = [shift for item in items for shift in item.shifts]
    return render_template("volunteers/index.html", pagination=pagination, items=items, filters=filters,
                           areas=areas, places_left=queries.places_left(shifts), now=utcnow())


@bp.get("/volunteer/<slug>")
def detail(slug: str):
    opportunity = queries.public_opportunity_or_404(slug)
    shifts = opportunity.shifts
    return render_template("volunteers/detail.html", opportunity=opportunity, shifts=shifts,
                           places_left=queries.places_left(shifts), waiting=queries.waiting_by_shift(s.id for s in shifts),
                           deadlines={shift.id: signups.signup_deadline(shift) for shift in shifts},
                           now=utcnow())


def _public_shift_or_404(slug: str, shift_id: int) -> Shift:
    opportunity = queries.public_opportunity_or_404(slug)
    shift = db.session.get(Shift, shift_id)
    if shift is None or shift.opportunity_id != opportunity.id:
        abort(404)
    return shift


@bp.route("/volunteer/<slug>/shifts/<int:shift_id>/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup(slug: str, shift_id: int):
    shift = _public_shift_or_404(slug, shift_id)
    opportunity = shift.opportunity
    form = SignupForm().fit(opportunity)
    closed = utcnow() >= signups.signup_deadline(shift)
    status_code = 200
    if request.method == "POST" and not closed:
        if form.filled_by_bot():
            abort(400)
        if form.validate_on_submit():
            try:
                created = signups.sign_up(shift, form.details())
                code = created.code
            except EditError as error:
                attach_error(form, error)
                status_code = 400
            else:
                return redirect(url_for(".signup_detail", code=code, new=1))
        else:
            status_code = 400
    form.ensure_submission_token()
    left = queries.places_left([shift])[shift.id]
    return _private((render_template("volunteers/signup.html", form=form, shift=shift, opportunity=opportunity,
                                     places_left=left, closed=closed,
                                     consent_version=signups.CONSENT_TEXT_VERSION), status_code))


@bp.get("/volunteer/signup/<code>")
def signup_detail(code: str):
    found = queries.signup_by_code(code)
    if found is None:
        abort(404)
    deadline = signups.signup_deadline(found.shift)
    return _private(render_template(
        "volunteers/signup_detail.html", signup=found, shift=found.shift, opportunity=found.shift.opportunity,
        can_cancel=found.status in (SignupStatus.SIGNED_UP, SignupStatus.WAITLISTED) and utcnow() < deadline,
        deadline=deadline, form=ConfirmForm(), new=request.args.get("new") == "1",
    ))


@bp.get("/volunteer/signup/<code>/calendar.ics")
def signup_calendar(code: str):
    found = queries.signup_by_code(code)
    if found is None:
        abort(404)
    response = Response(calendar.shift_ics(found), mimetype="text/calendar")
    response.headers["Content-Disposition"] = "attachment; filename=volunteer-shift.ics"
    return _private(response)


@bp.post("/volunteer/signup/<code>/cancel")
@limiter.limit(_signup_limit)
def cancel_signup(code: str):
    found = queries.signup_by_code(code)
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        signups.cancel(found)
    except EditError as error:
        flash(error.message, "error")
        return redirect(url_for(".signup_detail", code=found.code)), 303
    flash(_("Your sign-up has been cancelled. Thank you for letting us know."), "success")
    return redirect(url_for(".signup_detail", code=found.code)), 303


def _lookup_limit() -> str:
    return current_app.config["VOLUNTEER_LOOKUP_LIMIT"]


@bp.route("/volunteer/checkin/<checkin_token>", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def checkin(checkin_token: str):
    """Where the shift's check-in QR code leads: the volunteer confirms with their last 4 digits or code."""
    shift = (db.session.scalar(select(Shift).where(Shift.checkin_token == checkin_token))
             if len(checkin_token) <= 32 else None)
    if shift is None:
        abort(404)
    form = CheckinForm()
    checked_in, status_code = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                checked_in = attendance.self_check_in(shift, form.confirm.data)
            except EditError as error:  # no match, or not the time: answered on the form, not refused
                attach_error(form, error)
        else:
            status_code = 400
    return _private((render_template("volunteers/checkin.html", shift=shift, form=form, checked_in=checked_in,
                                     is_open=attendance.checkin_open(shift)), status_code))
