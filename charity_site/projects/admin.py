"""Staff editing of projects and their dated progress updates."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from charity_site.core.locking import StaleEdit
from charity_site.core.markdown import render_page_markdown
from charity_site.core.roles import Role
from charity_site.extensions import db
from charity_site.files.queries import picker_images
from charity_site.finance.models import Fund
from charity_site.projects import operations as projects_operations
from charity_site.projects.forms import ProjectForm, ProjectUpdateForm
from charity_site.projects.models import Project, ProjectUpdate
from charity_site.web.access import staff_blueprint
from charity_site.web.choices import by_pinyin
from charity_site.web.editor import EditorSpec, register_editor
from charity_site.web.forms import ConfirmForm

bp = staff_blueprint("admin_projects", __name__, "/admin/projects", roles=(Role.EDITOR,),
                     menu_label=_l("Projects"))


def _prepare(form, project):
    form.fund_id.choices = [SelectChoice(0, _("(none)"))] + [
        SelectChoice(fund.id, fund.title) for fund in by_pinyin(db.session.scalars(select(Fund)))
    ]


def _load(form, project):
    form.fund_id.data = project.fund_id


def _edit_context(project):
    updates = db.session.scalars(
        select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)
        .order_by(ProjectUpdate.happened_on.desc(), ProjectUpdate.id.desc())
    )
    return {"updates": list(updates)}


class _ProjectForm(ProjectForm):
    def item_data(self) -> dict:
        data = super().item_data()
        data["fund_id"] = data["fund_id"] or None
        return data


register_editor(bp, EditorSpec(
    kind=projects_operations.PROJECT, form_class=_ProjectForm, label=_l("Projects"), new_label=_l("New project"),
    public_endpoint="projects.detail", prepare_form=_prepare, load_form=_load,
    extra_columns=((_l("Category"), "category"), (_l("Project stage"), "project_status")),
    edit_template="admin/projects/edit.html", edit_context=_edit_context, picker_images=picker_images,
))


@bp.route("/<int:project_id>/updates/new", methods=["GET", "POST"], endpoint="new_update")
@bp.route("/<int:project_id>/updates/<int:update_id>/edit", methods=["GET", "POST"], endpoint="edit_update")
def edit_update(project_id: int, update_id: int | None = None):
    project = db.get_or_404(Project, project_id)
    update = None
    if update_id is not None:
        update = db.get_or_404(ProjectUpdate, update_id)
        if update.project_id != project.id:
            return redirect(url_for("admin_projects.edit", item_id=project.id))
    form = ProjectUpdateForm(obj=update if request.method == "GET" else None)
    if request.method == "GET" and update is not None:
        form.version.data = update.version
    preview, stale, status_code = None, None, 200
    if request.method == "POST":
        if "preview" in request.form:
            preview = render_page_markdown(form.body_md.data)
        elif form.validate_on_submit():
            data = {name: getattr(form, name).data for name in projects_operations.UPDATE_FIELDS}
            data["title"] = data["title"].strip()
            data["body_md"] = data["body_md"] or ""
            try:
                projects_operations.save_project_update(project, update, data, expected_version=form.submitted_version(),
                                            actor=current_user)
            except StaleEdit as conflict:
                stale = conflict.current
                form.version.data = stale.version
                status_code = 409
            else:
                flash(_("The progress update has been saved."), "success")
                return redirect(url_for("admin_projects.edit", item_id=project.id) + "#updates")
        else:
            status_code = 400
    return render_template("admin/projects/update_edit.html", project=project, update=update, form=form,
                           preview=preview, stale=stale, picker_images=picker_images()), status_code


@bp.route("/<int:project_id>/updates/<int:update_id>/delete", methods=["GET", "POST"], endpoint="delete_update")
def delete_update(project_id: int, update_id: int):
    project = db.get_or_404(Project, project_id)
    update = db.get_or_404(ProjectUpdate, update_id)
    if update.project_id != project.id:
        return redirect(url_for("admin_projects.edit", item_id=project.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        outcome = projects_operations.delete_project_update(update, actor=current_user)
        if outcome == "unpublished":
            flash(_("The update was shown on the project page, so it has been hidden instead of deleted."), "warning")
        else:
            flash(_("The update has been deleted."), "success")
        return redirect(url_for("admin_projects.edit", item_id=project.id) + "#updates")
    return render_template("admin/projects/update_delete.html", project=project, update=update, form=form)
