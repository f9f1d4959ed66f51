"""Staff pages of giving (finance role): pledges, confirming receipt, campaigns and giving settings."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from charity_site.core.errors import EditError
from charity_site.core.formatting import local_today
from charity_site.core.personal import mask_email, mask_mobile
from charity_site.core.roles import Role
from charity_site.donations import campaigns, export, mails, queries, receiving, statements
from charity_site.donations.forms import (
    CampaignForm,
    ConfirmReceiptForm,
    GivingSettingsForm,
    ReceiptNumberForm,
    StatementForm,
)
from charity_site.donations.labels import METHOD_LABELS, PLEDGE_STATUS_LABELS
from charity_site.donations.models import LEDGER_CHANNEL_OF, GiftCampaign, PaymentMethod, Pledge, PledgeStatus
from charity_site.extensions import db
from charity_site.finance import rules
from charity_site.finance.models import Fund
from charity_site.projects.models import Project
from charity_site.web.access import staff_blueprint
from charity_site.web.choices import by_pinyin
from charity_site.web.forms import ConfirmForm, attach_error
from charity_site.web.input import parse_id, parse_member, query_date, query_id, query_page, query_text
from charity_site.web.urls import canonical_url

bp = staff_blueprint("admin_pledges", __name__, "/admin/pledges", roles=(Role.FINANCE,),
                     menu_label=_l("Pledges"))

MAX_MATCHES = 2000


def _filters() -> queries.PledgeFilters:
    args = request.args
    return queries.PledgeFilters(status=parse_member(PledgeStatus, args.get("status")),
                                 method=parse_member(PaymentMethod, args.get("method")), project_id=query_id(args, "project"),
                                 fund_id=query_id(args, "fund"), date_from=query_date(args, "from"),
                                 date_to=query_date(args, "to"), q=query_text(args, "q", 80))


def _owners():
    return (by_pinyin(db.session.execute(select(Project.id, Project.title)).all()),
            by_pinyin(db.session.execute(select(Fund.id, Fund.title)).all()))


@bp.get("/")
def index():
    filters = _filters()
    pagination = queries.staff_page(filters, query_page())
    projects, funds = _owners()
    return render_template("admin/donations/index.html", pagination=pagination, pledges=list(pagination.items),
                           filters=filters, projects=projects, funds=funds, statuses=PLEDGE_STATUS_LABELS,
                           methods=METHOD_LABELS, mask_mobile=mask_mobile, shown_name=queries.shown_name,
                           export_args={key: value for key, value in request.args.items() if key != "page"})


def _pledge_or_404(pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        abort(404)
    return pledge


def _confirm_form(pledge: Pledge) -> ConfirmReceiptForm:
    form = ConfirmReceiptForm()
    form.channel.choices = [(value, value) for value in rules.allowed_channels()]
    if request.method == "GET" or not form.is_submitted():
        form.amount.data = pledge.amount_fen
        form.received_on.data = local_today()
        form.channel.data = LEDGER_CHANNEL_OF[pledge.method]
    return form


def _detail(pledge: Pledge, *, confirm_form=None, receipt_form=None, status=200, error: str | None = None):
    show_contact = request.args.get("contact") == "1"
    return render_template(
        "admin/donations/detail.html", pledge=pledge, confirm_form=confirm_form or _confirm_form(pledge),
        receipt_form=receipt_form or ReceiptNumberForm(formdata=None, receipt_issued_on=local_today()),
        action_form=ConfirmForm(formdata=None), show_contact=show_contact,
        phone=pledge.phone if show_contact else mask_mobile(pledge.phone),
        email=pledge.email if show_contact else mask_email(pledge.email), methods=METHOD_LABELS,
        statuses=PLEDGE_STATUS_LABELS, PledgeStatus=PledgeStatus, shown_name=queries.shown_name, error=error,
    ), status


@bp.get("/<int:pledge_id>")
def detail(pledge_id: int):
    return _detail(_pledge_or_404(pledge_id))


@bp.post("/<int:pledge_id>/confirm")
def confirm(pledge_id: int):
    pledge = _pledge_or_404(pledge_id)
    form = _confirm_form(pledge)
    if not form.validate_on_submit():
        return _detail(pledge, confirm_form=form, status=400)
    try:
        receiving.confirm_receipt(pledge, amount_fen=form.amount.data, received_on=form.received_on.data,
                                  channel=form.channel.data or "", actor=current_user)
        status_url = canonical_url("donations.pledge", token=pledge.access_token)
        mails.queue_gift_confirmed(pledge, status_url,
                                   canonical_url("donations.certificate", token=pledge.access_token))
    except EditError as error:
        db.session.rollback()
        pledge = _pledge_or_404(pledge_id)
        form = _confirm_form(pledge)
        if error.field is None:
            return _detail(pledge, confirm_form=form, status=409, error=error.message)
        attach_error(form, error)
        return _detail(pledge, confirm_form=form, status=400)
    flash(_("Receipt confirmed: the ledger line and certificate %(number)s are recorded.",
            number=pledge.certificate_label), "success")
    return redirect(url_for(".detail", pledge_id=pledge.id), code=303)


def _simple_action(pledge_id: int, action, done_message: str):
    pledge = _pledge_or_404(pledge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(pledge)
    except EditError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".detail", pledge_id=pledge_id), code=303)
    flash(done_message, "success")
    return redirect(url_for(".detail", pledge_id=pledge_id), code=303)


@bp.post("/<int:pledge_id>/cancel")
def cancel(pledge_id: int):
    return _simple_action(pledge_id, lambda pledge: receiving.cancel(pledge, actor=current_user),
                          _("The pledge has been cancelled."))


@bp.post("/<int:pledge_id>/erase")
def erase(pledge_id: int):
    return _simple_action(pledge_id, lambda pledge: receiving.erase_personal_data(pledge, actor=current_user),
                          _("The donor's personal data has been erased. The amount and the ledger line stay."))


@bp.post("/<int:pledge_id>/receipt")
def receipt(pledge_id: int):
    pledge = _pledge_or_404(pledge_id)
    form = ReceiptNumberForm()
    if not form.validate_on_submit():
        return _detail(pledge, receipt_form=form, status=400)
    try:
        receiving.record_receipt(pledge, form.receipt_number.data, form.receipt_issued_on.data, actor=current_user)
    except EditError as error:
        db.session.rollback()
        attach_error(form, error)
        return _detail(_pledge_or_404(pledge_id), receipt_form=form, status=400)
    flash(_("The receipt number has been recorded; the donor's page shows it."), "success")
    return redirect(url_for(".detail", pledge_id=pledge.id), code=303)


@bp.get("/export.csv")
def export_csv():
    rows = queries.staff_rows(_filters())
    response = Response(stream_with_context(export.iter_csv(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=pledges.csv"
    return response


@bp.get("/export.xlsx")
def export_xlsx():
    response = Response(export.xlsx_bytes(queries.staff_rows(_filters())),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = "attachment; filename=pledges.xlsx"
    return response


# ---- statements ---------------------------------------------------------------------------------------

@bp.route("/statement", methods=["GET", "POST"])
def statement():
    form = StatementForm()
    form.channel.choices = [(value, value) for value in rules.allowed_channels()]
    result, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        result = statements.read_statement(upload.read(), upload.filename or "")
        if result.problem:
            form.file.errors = [result.problem]
            result, status = None, 400
    elif request.method == "POST":
        status = 400
    projects, funds = _owners()
    return render_template("admin/donations/statement.html", form=form, result=result,
                           action_form=ConfirmForm(formdata=None), projects=projects, funds=funds), status


def _income_target(value: str) -> tuple[int | None, int | None]:
    """The fund and project chosen for unmatched lines ("fund-3" or "project-7"): a project's gifts go to its fund."""
    kind, _sep, number = (value or "").partition("-")
    owner_id = parse_id(number)
    if kind == "fund" and owner_id is not None and db.session.get(Fund, owner_id) is not None:
        return owner_id, None
    project = db.session.get(Project, owner_id) if kind == "project" and owner_id is not None else None
    if project is None:
        return None, None
    general = queries.general_fund()
    return project.fund_id or (general.id if general else None), project.id


@bp.post("/statement/income")
def statement_income():
    """Record the ticked unmatched lines as plain income lines in one step: all of them or none."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    lines = []
    for value in request.form.getlist("income")[:MAX_MATCHES]:
        parsed = statements.parse_key(value)
        if parsed is None:
            abort(400)
        number, amount_fen, occurred_on = parsed
        remark = (request.form.get(f"remark-{number}") or "").strip()[:200]
        lines.append(statements.StatementLine(number, occurred_on, amount_fen, remark, ""))
    fund_id, project_id = _income_target(request.form.get("target", ""))
    try:
        entries = statements.record_as_income(lines, fund_id=fund_id, project_id=project_id,
                                              channel=query_text(request.form, "channel", 20), actor=current_user)
    except EditError as error:
        flash(_("Nothing was recorded: %(problem)s", problem=error.message), "error")
        return redirect(url_for(".statement"), code=303)
    flash(_("%(count)s statement lines recorded as income lines in the ledger.", count=len(entries)), "success")
    return redirect(url_for("admin_ledger.index"), code=303)


@bp.post("/statement/confirm")
def statement_confirm():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    channel = query_text(request.form, "channel", 20)
    confirmed, skipped = 0, []
    for value in request.form.getlist("match")[:MAX_MATCHES]:
        parsed = statements.parse_key(value)
        pledge = db.session.get(Pledge, parsed[0]) if parsed else None
        if pledge is None:
            continue
        if not pledge.status.can_become(PledgeStatus.RECEIVED):  # confirmed meanwhile, or cancelled
            skipped.append(_("%(reference)s is already %(status)s.", reference=pledge.reference,
                             status=PLEDGE_STATUS_LABELS[pledge.status]))
            continue
        try:
            receiving.confirm_receipt(pledge, amount_fen=parsed[1], received_on=parsed[2], channel=channel,
                                      actor=current_user)
        except EditError as error:
            # One step: the matches confirm together or not at all (the operation rolled the work back).
            flash(_("Nothing was confirmed: %(reference)s: %(problem)s", reference=pledge.reference,
                    problem=error.message), "error")
            return redirect(url_for(".statement"), code=303)
        mails.queue_gift_confirmed(pledge, canonical_url("donations.pledge", token=pledge.access_token),
                                   canonical_url("donations.certificate", token=pledge.access_token))
        confirmed += 1
    flash(_("%(count)s pledges confirmed from the statement.", count=confirmed), "success")
    for message in skipped:
        flash(message, "error")
    return redirect(url_for(".index", status="received"), code=303)


# ---- giving settings and campaigns -------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
def settings():
    current = queries.giving_settings()
    form = GivingSettingsForm(obj=current if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            values = {name: getattr(form, name).data for name in campaigns.SETTINGS_FIELDS}
            if form.collection_code_file.data:
                values["collection_code"] = campaigns.store_collection_code(
                    form.collection_code_file.data, title="收款码（默认）", actor=current_user)
            campaigns.save_giving_settings(values, actor=current_user)
        except EditError as error:
            db.session.rollback()
            attach_error(form, error)
            status = 400
        else:
            flash(_("The giving settings have been saved."), "success")
            return redirect(url_for(".settings"), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("admin/donations/settings.html", form=form), status


@bp.get("/campaigns")
def campaign_list():
    found = {(c.project_id, c.fund_id): c for c in db.session.scalars(select(GiftCampaign))}
    projects, funds = _owners()
    rows = ([("project", owner_id, title, found.get((owner_id, None))) for owner_id, title in projects]
            + [("fund", owner_id, title, found.get((None, owner_id))) for owner_id, title in funds])
    return render_template("admin/donations/campaigns.html", rows=rows, accepting=queries.accepting)


@bp.route("/campaigns/<any(project, fund):kind>/<int:owner_id>", methods=["GET", "POST"])
def campaign_edit(kind: str, owner_id: int):
    owner = db.session.get(Project if kind == "project" else Fund, owner_id)
    if owner is None:
        abort(404)
    campaign = campaigns.campaign_for(**({"project_id": owner_id} if kind == "project" else {"fund_id": owner_id}))
    form = CampaignForm(obj=campaign if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            values = form.values()
            if form.collection_code_file.data:
                values["collection_code"] = campaigns.store_collection_code(
                    form.collection_code_file.data, title=f"收款码：{owner.title}", actor=current_user)
            campaigns.save_campaign(campaign, values, actor=current_user)
        except EditError as error:
            db.session.rollback()
            attach_error(form, error)
            status = 400
        else:
            flash(_("The campaign has been saved."), "success")
            return redirect(url_for(".campaign_edit", kind=kind, owner_id=owner_id), code=303)
    elif request.method == "POST":
        status = 400
    problems = campaigns.missing_for_opening(campaign) if campaign.id is None or not campaign.is_open else []
    if request.method == "POST" and status == 400:
        campaign = campaigns.campaign_for(**({"project_id": owner_id} if kind == "project" else {"fund_id": owner_id}))
    return render_template("admin/donations/campaign.html", form=form, owner=owner, kind=kind, campaign=campaign,
                           problems=problems, accepting=campaign.id is not None and queries.accepting(campaign)
                           ), status
