"""Staff uploads of images and PDF documents, the JSON endpoint and the picker used by the editors."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from charity_site.core.roles import Role
from charity_site.disclosures.models import Attachment
from charity_site.extensions import db
from charity_site.files import kinds, uploads
from charity_site.files import queries as files_queries
from charity_site.files.views import upload_info
from charity_site.staff.models import StaffUser
from charity_site.web.access import staff_blueprint
from charity_site.web.forms import UploadForm
from charity_site.web.input import query_page
from charity_site.web.safety import safe_next_url

bp = staff_blueprint("admin_uploads", __name__, "/admin/uploads", roles=(Role.EDITOR, Role.FINANCE),
                     menu_label=_l("Images and files"))

PER_PAGE = 24
KINDS = ("image", "pdf")
JUST_UPLOADED = "admin_uploads.just_uploaded"


def new_upload_form() -> UploadForm:
    return _describe(UploadForm(formdata=None))


bp.add_app_template_global(new_upload_form, "new_upload_form")


def _describe(form: UploadForm) -> UploadForm:
    form.file.description = _(
        "A JPEG, PNG or WebP picture, or a PDF document, up to %(limit)s. Pictures are made smaller "
        "for the web and their hidden details (such as where a photo was taken) are removed.",
        limit=uploads.human_size(uploads.max_upload_bytes()),
    )
    return form


def _render_index(form: UploadForm, status: int = 200):
    kind = request.args.get("kind")
    kind = kind if kind in KINDS else None
    query = files_queries.newest_first(files_queries.of_kind(select(Attachment), kind))
    pagination = db.paginate(query, page=query_page(), per_page=PER_PAGE, error_out=False)
    items = list(pagination.items)
    uploader_ids = {item.uploaded_by_id for item in items if item.uploaded_by_id}
    uploaders = {
        user.id: user.display_name or user.email
        for user in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(uploader_ids)))
    } if uploader_ids else {}
    just_uploaded = None
    if request.method == "GET" and session.get(JUST_UPLOADED):
        just_uploaded = db.session.get(Attachment, session.pop(JUST_UPLOADED))
    return render_template(
        "admin/uploads/index.html",
        form=_describe(form),
        pagination=pagination,
        items=items,
        uploaders=uploaders,
        kind=kind,
        just_uploaded=just_uploaded,
    ), status


@bp.route("/", methods=["GET", "POST"])
def index():
    form = UploadForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return _render_index(form)
    status = 400
    if form.validate_on_submit():
        try:
            attachment = uploads.store_upload(form.file.data, title=form.title.data, actor=current_user)
        except kinds.UploadRejected as rejected:
            form.file.errors.append(rejected.message)
            status = rejected.status
        else:
            fallback = url_for(".index")
            target = safe_next_url(form.next.data, fallback)
            if target == fallback:
                session[JUST_UPLOADED] = attachment.id
                flash(_("“%(title)s” has been uploaded.", title=attachment.title), "success")
            else:
                flash(_("“%(title)s” has been uploaded. To show it in the text, copy this code into it: "
                        "%(markdown)s", title=attachment.title, markdown=uploads.markdown_for(attachment)),
                      "success")
            return redirect(target)
    return _render_index(form, status)


def _api_payload(attachment: Attachment) -> dict:
    info = upload_info(attachment)
    return {
        "url": info.url,
        "thumbnail_url": info.thumbnail_url,
        "markdown": info.markdown,
        "width": attachment.width,
        "height": attachment.height,
        "title": attachment.title,
        "content_type": attachment.content_type,
    }


@bp.post("/api")
def api():
    form = UploadForm()
    if not form.validate_on_submit():
        if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
            return jsonify(error=_("The page has expired. Please reload the page and try again.")), 400
        return jsonify(error=form.first_error() or _("Please choose a file to upload.")), 400
    try:
        attachment = uploads.store_upload(form.file.data, title=form.title.data, actor=current_user)
    except kinds.UploadRejected as rejected:
        return jsonify(error=rejected.message), rejected.status
    return jsonify(_api_payload(attachment)), 201


@bp.get("/picker")
def picker():
    kind = request.args.get("kind", "image")
    kind = kind if kind in KINDS else "image"
    return render_template("admin/uploads/picker_fragment.html", items=files_queries.picker_images(kind))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    message = uploads.too_large_message()
    if request.endpoint == "admin_uploads.api":
        return jsonify(error=message), 413
    if current_user.is_authenticated and current_user.is_active and current_user.has_role(*bp.required_roles):
        form = UploadForm(formdata=None)
        form.file.errors = [message]
        return _render_index(form, 413)
    return render_template("errors/generic.html", error=error), 413


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    if request.endpoint == "admin_uploads.api":
        return jsonify(error=_("The page has expired. Please reload the page and try again.")), 400
    return render_template("errors/generic.html", error=error), 400
