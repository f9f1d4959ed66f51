"""A volunteer's self-service: look up by phone and personal code, history, hours, the service certificate.

The look-up is rate-limited and remembered in the signed session for a short while only. The verify
page of a certificate shows the certificate's facts (the name masked) and nothing else.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from charity_site.core.personal import normalise_mobile
from charity_site.core.qr import qr_svg
from charity_site.extensions import db, limiter
from charity_site.volunteers import records
from charity_site.volunteers.forms import LookupForm
from charity_site.volunteers.models import ServiceCertificate, Volunteer
from charity_site.web.forms import ConfirmForm
from charity_site.web.urls import canonical_url

bp = Blueprint("volunteer_records", __name__)
SESSION_KEY = "volunteer_self"
REMEMBER_SECONDS = 30 * 60


def _lookup_limit() -> str:
    return current_app.config["VOLUNTEER_LOOKUP_LIMIT"]


def _private(response):
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _current_volunteer() -> Volunteer | None:
    remembered = session.get(SESSION_KEY)
    if not isinstance(remembered, dict) or time.time() - remembered.get("at", 0) > REMEMBER_SECONDS:
        return None
    volunteer = db.session.get(Volunteer, remembered.get("id")) if isinstance(remembered.get("id"), int) else None
    return volunteer if volunteer is not None and volunteer.erased_at is None else None


@bp.route("/volunteer/me", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def lookup():
    form = LookupForm()
    status_code = 200
    if request.method == "POST":
        if form.validate_on_submit():
            volunteer = records.find_volunteer(normalise_mobile(form.phone.data), form.code.data)
            if volunteer is not None:
                session[SESSION_KEY] = {"id": volunteer.id, "at": int(time.time())}
                return redirect(url_for(".mine"))
            # a well-formed question with no match is answered, not refused (no 4xx): the form says so
            form.code.errors.append(_("No sign-up matches this mobile number and code. Please check both."))
        else:
            status_code = 400
    return _private((render_template("volunteers/lookup.html", form=form), status_code))


@bp.get("/volunteer/me/records")
def mine():
    volunteer = _current_volunteer()
    if volunteer is None:
        return redirect(url_for(".lookup"))
    record = records.service_record(volunteer)
    certificates = list(db.session.scalars(db.select(ServiceCertificate).where(
        ServiceCertificate.volunteer_id == volunteer.id).order_by(ServiceCertificate.id.desc())))
    return _private(render_template("volunteers/records.html", volunteer=volunteer, record=record,
                                    certificates=certificates, form=ConfirmForm(),
                                    volunteer_number=records.volunteer_number(volunteer)))


@bp.post("/volunteer/me/certificate")
@limiter.limit(_lookup_limit)
def issue():
    volunteer = _current_volunteer()
    if volunteer is None:
        return redirect(url_for(".lookup"))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if records.service_record(volunteer).confirmed_minutes <= 0:
        return redirect(url_for(".mine"))
    certificate = records.issue_certificate(volunteer)
    number = certificate.number
    return redirect(url_for(".certificate", number=number))


@bp.post("/volunteer/me/leave")
def leave():
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".lookup"))


@bp.get("/volunteer/me/certificates/<number>")
def certificate(number: str):
    volunteer = _current_volunteer()
    found = records.certificate_by_number(number)
    if volunteer is None or found is None or found.volunteer_id != volunteer.id:
        abort(404)
    verify_url = canonical_url("volunteer_records.verify", number=found.number)
    return _private(render_template("volunteers/certificate.html", certificate=found, verify_url=verify_url,
                                    qr=Markup(qr_svg(verify_url))))


@bp.get("/verify/volunteer/<number>")
def verify(number: str):
    found = records.certificate_by_number(number)
    if found is None:
        abort(404)
    return _private(render_template("volunteers/verify.html", certificate=found))
