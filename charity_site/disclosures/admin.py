"""Staff pages for disclosures (信息公开): drafts, publication, corrections, withdrawal, attachments.

Views stay thin: validate the form, call one function of disclosures.operations, flash, redirect.
Refusals answer with a 4xx page rather than a redirect, so nothing looks as if it had worked.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from charity_site.core.labels import label_of
from charity_site.core.markdown import render_page_markdown
from charity_site.core.roles import Role
from charity_site.disclosures import operations as service
from charity_site.disclosures import queries as disclosures_queries
from charity_site.disclosures.forms import DetachForm, DisclosureForm, RevisionForm, WithdrawForm
from charity_site.disclosures.labels import DISCLOSURE_KIND_LABELS
from charity_site.disclosures.models import Disclosure, DisclosureKind, DisclosureStatus
from charity_site.extensions import db
from charity_site.files import kinds, uploads
from charity_site.files.queries import picker_images
from charity_site.finance.models import Fund
from charity_site.projects.models import Project
from charity_site.web.access import staff_blueprint
from charity_site.web.choices import by_pinyin
from charity_site.web.forms import ConfirmForm, UploadForm, attach_error
from charity_site.web.input import query_date, query_id, query_page

bp = staff_blueprint("admin_disclosures", __name__, "/admin/disclosures", roles=(Role.EDITOR, Role.FINANCE),
                     menu_label=_l("Disclosures"))

PER_PAGE = 20

def _projects_and_funds():
    return by_pinyin(db.session.scalars(select(Project))), by_pinyin(db.session.scalars(select(Fund)))


def _load(disclosure_id: int) -> Disclosure:
    return db.get_or_404(Disclosure, disclosure_id)


@bp.get("/")
def index():
    filters = disclosures_queries.StaffDisclosureFilters.from_args(request.args)
    pagination = disclosures_queries.staff_page(filters, query_page(), PER_PAGE)
    return render_template(
        "admin/disclosures/list.html", pagination=pagination, items=list(pagination.items), filters=filters,
        statuses=[(status.value, label_of(status)) for status in DisclosureStatus],
        kinds=[(kind.value, DISCLOSURE_KIND_LABELS[kind]) for kind in DisclosureKind],
    )


def _prefill(form: DisclosureForm) -> None:
    """Values handed over in the address, e.g. from the dashboard: kind, project, fund, period_start/end."""
    args = request.args
    try:
        form.kind.data = DisclosureKind(args.get("kind"))
    except ValueError:
        form.kind.data = DisclosureKind.FUND_USE
    project_id, fund_id = query_id(args, "project"), query_id(args, "fund")
    project = db.session.get(Project, project_id) if project_id else None
    fund = db.session.get(Fund, fund_id) if fund_id else None
    form.project_ids.data = [project.id] if project else []
    form.fund_id.data = fund.id if fund else (project.fund_id if project else None)
    for name in ("period_start", "period_end"):
        given = query_date(args, name)
        if given is not None:
            getattr(form, name).data = given
    if project is not None and not form.title.data:
        form.title.data = _("Notice on %(subject)s", subject=project.title)


def _render_edit(form, disclosure, preview=None, stale=None, status=200):
    return render_template("admin/disclosures/edit.html", form=form, item=disclosure, preview=preview,
                           stale=stale, picker_images=picker_images()), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = DisclosureForm()
    form.set_choices(*_projects_and_funds())
    if request.method == "GET":
        _prefill(form)
        return _render_edit(form, None)
    if "preview" in request.form:
        return _render_edit(form, None, preview=render_page_markdown(form.body_md.data))
    if not form.validate_on_submit():
        return _render_edit(form, None, status=400)
    try:
        disclosure = service.create_draft(form.values(), actor=current_user)
    except service.EditError as error:
        attach_error(form, error)
        return _render_edit(form, None, status=400)
    flash(_("Saved as a draft: “%(title)s”. Check it, then publish it.", title=disclosure.title), "success")
    return redirect(url_for(".edit", disclosure_id=disclosure.id))


@bp.route("/<int:disclosure_id>/edit", methods=["GET", "POST"])
def edit(disclosure_id: int):
    disclosure = _load(disclosure_id)
    if disclosure.status is DisclosureStatus.WITHDRAWN:
        return render_template("admin/disclosures/withdrawn.html", item=disclosure)
    correcting = disclosure.status is DisclosureStatus.PUBLISHED
    form_class = RevisionForm if correcting else DisclosureForm
    form = form_class(obj=disclosure if request.method == "GET" else None)
    form.set_choices(*_projects_and_funds())
    if request.method == "GET":
        form.version.data = disclosure.version
        return _render_edit(form, disclosure)
    if "preview" in request.form:
        return _render_edit(form, disclosure, preview=render_page_markdown(form.body_md.data))
    if not form.validate_on_submit():
        return _render_edit(form, disclosure, status=400)
    try:
        if correcting:
            revision = service.revise(disclosure, form.values(), form.reason.data,
                                      expected_version=form.submitted_version(), actor=current_user)
            flash(_("The correction has been published as version %(number)s, with its reason.",
                    number=revision.number), "success")
        else:
            service.update_draft(disclosure, form.values(), expected_version=form.submitted_version(),
                                 actor=current_user)
            flash(_("Saved as a draft: “%(title)s”. Check it, then publish it.", title=disclosure.title), "success")
    except service.StaleEdit as conflict:
        form.version.data = conflict.current.version
        return _render_edit(form, disclosure, stale=conflict.current, status=409)
    except service.EditError as error:
        attach_error(form, error)
        return _render_edit(form, disclosure, status=400)
    return redirect(url_for(".edit", disclosure_id=disclosure.id))


@bp.route("/<int:disclosure_id>/publish", methods=["GET", "POST"])
def publish(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("admin/disclosures/publish.html", item=disclosure, form=form), 400
        try:
            service.publish(disclosure, actor=current_user)
        except service.EditError as error:
            form.form_errors.append(error.message)
            return render_template("admin/disclosures/publish.html", item=disclosure, form=form), 409
        flash(_("“%(title)s” is now public. From now on it can only be corrected with a reason.",
                title=disclosure.title), "success")
        return redirect(url_for(".edit", disclosure_id=disclosure.id))
    return render_template("admin/disclosures/publish.html", item=disclosure, form=form)


@bp.route("/<int:disclosure_id>/withdraw", methods=["GET", "POST"])
def withdraw(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = WithdrawForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                service.withdraw(disclosure, form.withdrawn_reason.data, actor=current_user)
            except service.EditError as error:
                attach_error(form, error)
                status = 409
            else:
                flash(_("“%(title)s” has been withdrawn. It stays online with your reason.",
                        title=disclosure.title), "success")
                return redirect(url_for(".edit", disclosure_id=disclosure.id))
    return render_template("admin/disclosures/withdraw.html", item=disclosure, form=form), status


@bp.route("/<int:disclosure_id>/delete", methods=["GET", "POST"])
def delete(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = ConfirmForm()
    if request.method == "POST":
        if disclosure.status is not DisclosureStatus.DRAFT:
            return render_template("admin/disclosures/delete.html", item=disclosure, form=form), 409
        if not form.validate_on_submit():
            return render_template("admin/disclosures/delete.html", item=disclosure, form=form), 400
        title = disclosure.title
        try:
            service.delete_draft(disclosure, actor=current_user)
        except service.EditError:
            return render_template("admin/disclosures/delete.html", item=disclosure, form=form), 409
        flash(_("The draft “%(title)s” has been deleted.", title=title), "success")
        return redirect(url_for(".index"))
    return render_template("admin/disclosures/delete.html", item=disclosure, form=form)


def _render_attachments(disclosure, upload_form, detach_form=None, error=None, status=200):
    upload_form.file.description = _("A PDF document up to %(limit)s, e.g. the signed and stamped report or the "
                                     "audit report.", limit=uploads.human_size(uploads.max_upload_bytes()))
    upload_form.file.render_kw = {"accept": "application/pdf,.pdf"}
    return render_template("admin/disclosures/attachments.html", item=disclosure, form=upload_form,
                           detach_form=detach_form or DetachForm(formdata=None), error=error), status


@bp.route("/<int:disclosure_id>/attachments", methods=["GET", "POST"])
def attachments(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = UploadForm()
    if request.method == "GET":
        return _render_attachments(disclosure, UploadForm(formdata=None))
    if not form.validate_on_submit():
        return _render_attachments(disclosure, form, status=400)
    try:
        attachment = service.attach_pdf(disclosure, form.file.data, form.title.data, actor=current_user)
    except kinds.UploadRejected as rejected:
        form.file.errors.append(rejected.message)
        return _render_attachments(disclosure, form, status=rejected.status)
    except service.EditError as error:
        return _render_attachments(disclosure, form, error=error.message, status=409)
    flash(_("“%(title)s” has been attached.", title=attachment.title), "success")
    return redirect(url_for(".attachments", disclosure_id=disclosure_id))


@bp.post("/<int:disclosure_id>/attachments/detach")
def detach(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = DetachForm()
    if not form.validate_on_submit():
        return _render_attachments(disclosure, UploadForm(formdata=None), form,
                                   error=_("Please choose the file to remove."), status=400)
    try:
        attachment = service.detach(disclosure, form.chosen_id(), actor=current_user)
    except service.EditError as error:
        return _render_attachments(disclosure, UploadForm(formdata=None), form, error=error.message, status=409)
    flash(_("“%(title)s” is no longer attached. The file stays in Images and files.", title=attachment.title),
          "success")
    return redirect(url_for(".attachments", disclosure_id=disclosure_id))
