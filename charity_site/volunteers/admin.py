"""Coordinators' pages: opportunities and their shifts (editor), sign-up lists, the waitlist."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import SelectChoice

from charity_site.core.audit import record_audit
from charity_site.core.errors import EditError
from charity_site.core.locking import StaleEdit
from charity_site.core.markdown import render_page_markdown
from charity_site.core.models import PublicationStatus
from charity_site.core.roles import Role
from charity_site.extensions import db
from charity_site.projects.models import Project
from charity_site.volunteers import identity, opportunities, queries, signups
from charity_site.volunteers.forms import OpportunityForm, ShiftForm
from charity_site.volunteers.models import Opportunity, Shift, Signup
from charity_site.web.access import staff_blueprint
from charity_site.web.choices import by_pinyin
from charity_site.web.forms import ConfirmForm, attach_error
from charity_site.web.input import query_page, query_text

bp = staff_blueprint("admin_volunteers", __name__, "/admin/volunteers", roles=(Role.COORDINATOR,),
                     menu_label=_l("Volunteers"))
ITEMS_PER_PAGE = 20


@bp.get("/")
def index():
    query = select(Opportunity)
    search = query_text(request.args, "q")
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(Opportunity.title.ilike(pattern), Opportunity.location.ilike(pattern),
                                Opportunity.area.ilike(pattern)))
    status = request.args.get("status", "")
    if status in (PublicationStatus.DRAFT.value, PublicationStatus.PUBLISHED.value):
        query = query.where(Opportunity.status == PublicationStatus(status))
    areas = list(db.session.scalars(select(Opportunity.area).where(Opportunity.area != "").distinct()
                                    .order_by(Opportunity.area)))
    area = request.args.get("area", "")
    if area in areas:
        query = query.where(Opportunity.area == area)
    pagination = db.paginate(query.order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()),
                             page=query_page(), per_page=ITEMS_PER_PAGE, error_out=False)
    return render_template("volunteers/admin/list.html", pagination=pagination, items=list(pagination.items),
                           search=search, status=status, area=area if area in areas else "", areas=areas)


def _prepare(form: OpportunityForm) -> None:
    form.project_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(project.id, project.title) for project in by_pinyin(db.session.scalars(select(Project)))
    ]


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id: int | None = None):
    item = db.get_or_404(Opportunity, item_id) if item_id is not None else None
    form = OpportunityForm(obj=item if request.method == "GET" else None)
    _prepare(form)
    if request.method == "GET" and item is not None:
        form.version.data = item.version
        form.status.data = PublicationStatus.PUBLISHED.value if item.is_public() else PublicationStatus.DRAFT.value
    preview, stale, status_code = None, None, 200
    if request.method == "POST":
        if "preview" in request.form:
            preview = render_page_markdown(form.body_md.data or "")
        elif form.validate_on_submit():
            try:
                saved = opportunities.save_opportunity(item, form.item_data(),
                                                       expected_version=form.submitted_version(), actor=current_user)
            except StaleEdit as conflict:
                stale = conflict.current
                form.version.data = stale.version
                status_code = 409
            except EditError as error:
                attach_error(form, error)
                status_code = 400
            else:
                flash(_("Saved: “%(title)s”.", title=saved.title), "success")
                return redirect(url_for(".edit", item_id=saved.id))
        else:
            status_code = 400
    shifts = item.shifts if item is not None else []
    return render_template("volunteers/admin/edit.html", form=form, item=item, preview=preview, stale=stale,
                           shifts=shifts, taken=queries.places_taken_by_shift(shift.id for shift in shifts),
                           waiting=queries.waiting_by_shift(shift.id for shift in shifts)), status_code


@bp.route("/<int:item_id>/delete", methods=["GET", "POST"])
def delete(item_id: int):
    item = db.get_or_404(Opportunity, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        outcome = opportunities.delete_opportunity(item, actor=current_user)
        if outcome == "unpublished":
            flash(_("“%(title)s” has sign-ups or was published, so it is kept as a draft instead of deleted.",
                    title=item.title), "warning")
            return redirect(url_for(".edit", item_id=item.id))
        flash(_("“%(title)s” has been deleted.", title=item.title), "success")
        return redirect(url_for(".index"))
    return render_template("volunteers/admin/confirm_delete.html", item=item, form=form)


@bp.route("/<int:item_id>/shifts/new", methods=["GET", "POST"], endpoint="new_shift")
@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
def edit_shift(item_id: int | None = None, shift_id: int | None = None):
    shift = db.get_or_404(Shift, shift_id) if shift_id is not None else None
    opportunity = shift.opportunity if shift is not None else db.get_or_404(Opportunity, item_id)
    form = ShiftForm()
    if request.method == "GET" and shift is not None:
        form.load(shift)
    status_code = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                opportunities.save_shift(opportunity, shift, form.shift_data(), actor=current_user)
            except EditError as error:
                attach_error(form, error if error.field != "end_time" else EditError("end_time", error.message))
                status_code = 400
            else:
                flash(_("The shift has been saved."), "success")
                return redirect(url_for(".edit", item_id=opportunity.id))
        else:
            status_code = 400
    return render_template("volunteers/admin/shift.html", form=form, opportunity=opportunity, shift=shift), status_code


@bp.route("/shifts/<int:shift_id>/delete", methods=["POST"])
def delete_shift(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    opportunity_id = shift.opportunity_id
    if ConfirmForm().validate_on_submit():
        try:
            opportunities.delete_shift(shift, actor=current_user)
        except EditError as error:
            flash(error.message, "error")
        else:
            flash(_("The shift has been deleted."), "success")
    return redirect(url_for(".edit", item_id=opportunity_id))


@bp.get("/shifts/<int:shift_id>")
def shift_signups(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    rows = queries.shift_signups(shift.id)
    return render_template("volunteers/admin/signups.html", shift=shift, rows=rows, form=ConfirmForm(),
                           taken=sum(1 for row in rows if row.status in opportunities.TAKING_A_PLACE),
                           print_view=request.args.get("print") == "1")


def _signup_action(signup_id: int, action) -> object:
    signup = db.get_or_404(Signup, signup_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(signup)
    except EditError as error:
        flash(error.message, "error")
    return redirect(url_for(".shift_signups", shift_id=signup.shift_id))


@bp.post("/signups/<int:signup_id>/cancel")
def cancel_signup(signup_id: int):
    def action(signup):
        promoted = signups.cancel(signup, by_staff=current_user)
        flash(_("The sign-up has been cancelled.") + (_(" The first person on the waitlist has the place now.")
                                                        if promoted else ""), "success")
    return _signup_action(signup_id, action)


@bp.post("/signups/<int:signup_id>/promote")
def promote_signup(signup_id: int):
    def action(signup):
        signups.promote(signup, actor=current_user)
        flash(_("The person has a place now."), "success")
    return _signup_action(signup_id, action)


@bp.post("/signups/<int:signup_id>/id-number")
def reveal_id_number(signup_id: int):
    """Show one ID number in full, on purpose, once; the opening is audited."""
    signup = db.get_or_404(Signup, signup_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    number = identity.decrypt_id_number(signup.volunteer.id_number_encrypted)
    if number is None:
        abort(404)
    record_audit("reveal_id", "volunteer", signup.volunteer_id, label=signup.volunteer.id_number_masked,
                 note=f"signup {signup.id}", user=current_user)
    return render_template("volunteers/admin/id_number.html", signup=signup, number=number)

