"""List, create, edit (with preview) and delete views shared by the content blueprints.

Each content blueprint calls ``register_editor`` with its kind and form; the
views stay thin: validate the form, call one service function, flash, redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from charity_site.core import editing, errors
from charity_site.core.labels import label_of
from charity_site.core.markdown import render_page_markdown
from charity_site.core.models import PublicationStatus
from charity_site.extensions import db
from charity_site.web.filters import ListFilters, filter_field, read_member, read_text
from charity_site.web.forms import ConfirmForm, attach_error
from charity_site.web.input import query_page

ITEMS_PER_PAGE = 20


@dataclass
class EditorSpec:
    kind: editing.EditableKind
    form_class: type
    label: str  # "新闻"
    new_label: str  # "写新闻"
    public_endpoint: str | None = None  # e.g. "news.detail" (takes slug)
    prepare_form: Callable | None = None  # fills choices; called with (form, item)
    load_form: Callable | None = None  # copies non-column values from the item on GET
    extra_columns: tuple = ()  # (label, attribute)
    edit_template: str = "admin/content/edit.html"
    edit_context: Callable | None = None  # extra template values for the edit page: (item) -> dict
    list_options: Callable | None = None  # extra loader options for the list query
    search_columns: tuple = field(default=("title", "slug"))
    picker_images: Callable | None = None  # the uploads offered beside the Markdown body: () -> list


@dataclass(frozen=True)
class ContentFilters(ListFilters):
    """The filters of a content list: words in the searched columns, and the publication status."""

    q: str = filter_field(read_text(), default="")
    status: PublicationStatus | None = filter_field(read_member(PublicationStatus))


def register_editor(bp: Blueprint, spec: EditorSpec) -> None:
    model = spec.kind.model

    def index():
        filters = ContentFilters.from_args(request.args)
        query = select(model)
        if filters.q:
            pattern = f"%{filters.q}%"
            query = query.where(or_(*(getattr(model, name).ilike(pattern) for name in spec.search_columns)))
        if filters.status:
            query = query.where(model.status == filters.status)
        query = query.order_by(model.updated_at.desc(), model.id.desc())
        pagination = db.paginate(query, page=query_page(), per_page=ITEMS_PER_PAGE,
                                 error_out=False)
        return render_template("admin/content/list.html", spec=spec, pagination=pagination,
                               items=list(pagination.items), filters=filters,
                               statuses=[(status.value, label_of(status)) for status in PublicationStatus])

    def edit(item_id: int | None = None):
        item = db.get_or_404(model, item_id) if item_id is not None else None
        form = spec.form_class(obj=item if request.method == "GET" else None)
        if spec.prepare_form:
            spec.prepare_form(form, item)
        if request.method == "GET" and item is not None:
            form.version.data = item.version
            form.status.data = item.status.value
            form.publish_at.data = item.published_at if item.status is PublicationStatus.SCHEDULED else None
            if spec.load_form:
                spec.load_form(form, item)
        preview, stale, status_code = None, None, 200
        if request.method == "POST":
            if "preview" in request.form:
                preview = render_page_markdown(form.body_md.data)
            elif form.validate_on_submit():
                try:
                    saved = editing.save_item(spec.kind, item, form.item_data(),
                                              expected_version=form.submitted_version(), actor=current_user)
                except editing.StaleEdit as conflict:
                    stale = conflict.current
                    form.version.data = stale.version
                    status_code = 409
                except errors.EditError as error:
                    attach_error(form, error)
                    status_code = 400
                else:
                    flash(_saved_message(saved), "success")
                    return redirect(url_for(f"{bp.name}.edit", item_id=saved.id))
            else:
                status_code = 400
        context = spec.edit_context(item) if (spec.edit_context and item is not None) else {}
        picker_images = spec.picker_images() if spec.picker_images else None
        return render_template(spec.edit_template, spec=spec, form=form, item=item, preview=preview,
                               stale=stale, picker_images=picker_images, **context), status_code

    def delete(item_id: int):
        item = db.get_or_404(model, item_id)
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                outcome = editing.delete_or_unpublish(spec.kind, item, actor=current_user)
            except errors.EditError as error:
                flash(error.message, "error")
                return redirect(url_for(f"{bp.name}.edit", item_id=item.id))
            if outcome == "unpublished":
                flash(_("“%(title)s” was published, so it has been unpublished (kept as a draft) instead of deleted.",
                        title=item.title), "warning")
                return redirect(url_for(f"{bp.name}.edit", item_id=item.id))
            flash(_("“%(title)s” has been deleted.", title=item.title), "success")
            return redirect(url_for(f"{bp.name}.index"))
        return render_template("admin/content/confirm_delete.html", spec=spec, item=item, form=form)

    bp.add_url_rule("/", "index", index, methods=["GET"])
    bp.add_url_rule("/new", "new", edit, methods=["GET", "POST"])
    bp.add_url_rule("/<int:item_id>/edit", "edit", edit, methods=["GET", "POST"])
    bp.add_url_rule("/<int:item_id>/delete", "delete", delete, methods=["GET", "POST"])
    bp.editor_spec = spec


def _saved_message(item) -> str:
    if item.status is PublicationStatus.PUBLISHED:
        return _("Saved and published: “%(title)s”.", title=item.title)
    if item.status is PublicationStatus.SCHEDULED:
        return _("Saved; “%(title)s” will go public at the scheduled time.", title=item.title)
    return _("Saved as a draft: “%(title)s”.", title=item.title)

