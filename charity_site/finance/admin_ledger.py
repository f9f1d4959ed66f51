"""Staff pages of the ledger: list, record, look at and void lines, import a spreadsheet.

No route edits or deletes a line: a wrong line is voided with a reason and a
correcting line is recorded (the "record a correcting line" link prefills it).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from charity_site.core.formatting import local_today
from charity_site.core.roles import Role
from charity_site.extensions import db
from charity_site.files.uploads import human_size, too_large_message
from charity_site.finance import ledger, ledger_import, money, rules
from charity_site.finance import queries as finance_queries
from charity_site.finance.forms import EntryForm, ImportUploadForm, VoidForm, mapping_form_class
from charity_site.finance.models import EntryKind, Fund, LedgerEntry
from charity_site.projects.models import Project
from charity_site.staff.models import StaffUser
from charity_site.web.access import staff_blueprint
from charity_site.web.choices import by_pinyin
from charity_site.web.forms import attach_error
from charity_site.web.input import query_id, query_page

bp = staff_blueprint("admin_ledger", __name__, "/admin/ledger", roles=(Role.FINANCE,),
                     menu_label=_l("Ledger"))

SHOW_ALL_ROWS_UP_TO = 200
MappingForm = mapping_form_class(ledger_import.FIELDS)


# ---- list ----------------------------------------------------------------------------------------------

@bp.get("/")
def index():
    filters = finance_queries.StaffLedgerFilters.from_args(request.args)
    conditions = filters.conditions()
    pagination = finance_queries.staff_page(conditions, query_page())
    return render_template(
        "admin/ledger/index.html", pagination=pagination, entries=list(pagination.items), filters=filters,
        totals=money.ledger_totals(*conditions),
        funds=_funds(), projects=_projects(),
    )


def _funds():
    return by_pinyin(db.session.execute(select(Fund.id, Fund.title)).all())


def _projects():
    return by_pinyin(db.session.execute(select(Project.id, Project.title)).all())


# ---- record a line -------------------------------------------------------------------------------------

def _prepare(form: EntryForm) -> EntryForm:
    form.fund_id.choices = [("", _("Choose a fund"))] + [(fund_id, title) for fund_id, title in _funds()]
    form.project_id.choices = [("", _("No project"))] + [(project_id, title) for project_id, title in _projects()]
    form.category.choices = [("", _("Choose a category"))] + [
        (value, f"{label}：{value}")
        for kind, label in ((EntryKind.INCOME, _("Income")), (EntryKind.EXPENSE, _("Expense")))
        for value in rules.allowed_categories(kind)
    ]
    form.channel.choices = [("", _("Not given"))] + [(value, value) for value in rules.allowed_channels()]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    corrects_id = query_id(request.values, "corrects")
    corrects = db.session.get(LedgerEntry, corrects_id) if corrects_id else None
    form = _prepare(EntryForm())
    status = 200
    if request.method == "GET":
        form.occurred_on.data = local_today()
        if corrects is not None:
            values = ledger.correction_values(corrects)
            for name, value in values.items():
                target = getattr(form, name, None)
                if target is not None:
                    target.data = value.value if hasattr(value, "value") else value
            form.corrects.data = str(corrects.id)
    elif form.validate_on_submit():
        try:
            entry = ledger.record_entry(form.values(), current_user, corrects=corrects)
        except ledger.LedgerError as error:
            attach_error(form, error)
            status = 400
        else:
            flash(_("The line has been recorded: %(label)s.", label=ledger.entry_label(entry)), "success")
            return redirect(url_for(".detail", entry_id=entry.id))
    else:
        status = 400
    return render_template("admin/ledger/new.html", form=form, corrects=corrects,
                           organisation_words=rules.ORGANISATION_WORDS), status


# ---- one line ------------------------------------------------------------------------------------------

def staff_name(user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = db.session.get(StaffUser, user_id)
    return (user.display_name or user.email) if user else ""


@bp.get("/<int:entry_id>")
def detail(entry_id: int):
    entry = db.get_or_404(LedgerEntry, entry_id)
    return render_template("admin/ledger/detail.html", entry=entry, recorded_by=staff_name(entry.created_by_id),
                           voided_by=staff_name(entry.voided_by_id))


def _already_voided(entry_id: int):
    flash(_("This line has already been voided."), "warning")
    return redirect(url_for(".detail", entry_id=entry_id))


@bp.route("/<int:entry_id>/void", methods=["GET", "POST"])
def void(entry_id: int):
    entry = db.get_or_404(LedgerEntry, entry_id)
    if entry.voided:
        return _already_voided(entry_id)
    form = VoidForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                ledger.void_entry(entry, form.reason.data, current_user)
            except ledger.AlreadyVoided:  # by a request that came a moment before this one
                return _already_voided(entry_id)
            except ledger.LedgerError as error:
                attach_error(form, error)
            else:
                flash(_("The line has been voided. It stays in the ledger, struck through, and no longer counts "
                        "in any total."), "success")
                return redirect(url_for(".detail", entry_id=entry.id))
    return render_template("admin/ledger/void.html", entry=entry, form=form), status


# ---- import --------------------------------------------------------------------------------------------

def _upload_page(form: ImportUploadForm, status: int = 200):
    form.file.description = _("An Excel file (.xlsx) or a CSV file, up to %(limit)s. Only the first sheet is read.",
                              limit=human_size(ledger_import.max_upload_bytes()))
    headings = [(item.label, [alias for alias in item.aliases if not alias.isascii()]) for item in ledger_import.FIELDS]
    return render_template("admin/ledger/import_upload.html", form=form, headings=headings), status


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    form = ImportUploadForm()
    if request.method == "GET":
        return _upload_page(form)
    if not form.validate_on_submit():
        return _upload_page(form, 400)
    try:
        token = ledger_import.store_upload(form.file.data, current_user)
    except ledger_import.ImportProblem as problem:
        form.file.errors = list(form.file.errors) + [problem.message]
        return _upload_page(form, problem.status)
    return redirect(url_for(".import_preview", token=token))


def _mapping_form(preview: ledger_import.ImportPreview, formdata=None):
    form = MappingForm(formdata=formdata)
    columns = preview.column_options()
    for item in ledger_import.FIELDS:
        select_field = form[f"map_{item.key}"]
        choices = {"": [("", _("— not in the file —"))], _("Columns of the file"): columns}
        constants = ledger_import.constant_options(item.key) if item.constants else []
        if constants:
            choices[_("The same for every row")] = constants
        select_field.choices = choices
        if formdata is None:
            select_field.data = preview.mapping.get(item.key, "")
    if formdata is None:
        form.ambiguous_kind.data = preview.mapping.get("ambiguous_kind", "")
    form.previewed.data = preview.mapping_key()
    return form


def _gone():
    return render_template("admin/ledger/import_gone.html"), 404


@bp.route("/import/<token>", methods=["GET", "POST"])
def import_preview(token: str):
    stored = ledger_import.load_upload(token)
    if stored is None:
        return _gone()
    notice = None
    if request.method == "GET":
        preview = ledger_import.preview_upload(stored)
        return _render_preview(stored, preview, _mapping_form(preview))

    submitted = MappingForm()
    if not submitted.validate_on_submit():  # only the CSRF token can fail
        preview = ledger_import.preview_upload(stored)
        return _render_preview(stored, preview, _mapping_form(preview), status=400)
    mapping = submitted.mapping(ledger_import.FIELDS_BY_KEY)
    if request.form.get("action") == "import":
        if ledger_import.mapping_key(mapping) != submitted.previewed.data:
            notice = _("You changed the columns. Check the new preview below, then import.")
        else:
            try:
                batch = ledger_import.import_upload(stored, mapping, current_user)
            except ledger_import.ImportRefused as refused:
                return _render_preview(stored, refused.preview, _mapping_form(refused.preview), status=400,
                                       notice=_("Nothing was imported: the file has problems. See the list below."))
            except ledger_import.ImportProblem as problem:
                if problem.status == 404:
                    return _gone()
                flash(problem.message, "error")
                return redirect(url_for(".import_preview", token=token))
            flash(ngettext("Imported %(num)d ledger line.", "Imported %(num)d ledger lines.", batch.line_count),
                  "success")
            return redirect(url_for(".batch_detail", batch_id=batch.id))
    preview = ledger_import.preview_upload(stored, mapping)
    return _render_preview(stored, preview, _mapping_form(preview), notice=notice)


def _render_preview(stored, preview, form, status: int = 200, notice: str | None = None):
    """All rows (problems marked) for a small file; for a large one the problem list and the first valid rows."""
    valid = preview.valid_rows
    all_rows_shown = len(preview.rows) <= SHOW_ALL_ROWS_UP_TO
    rows_shown = preview.rows if all_rows_shown else valid[:ledger_import.PREVIEW_VALID_ROWS]
    return render_template(
        "admin/ledger/import_preview.html", stored=stored, preview=preview, form=form, notice=notice,
        problems=preview.problems, rows_shown=rows_shown, all_rows_shown=all_rows_shown, valid_count=len(valid),
        problem_rows=[row for row in preview.rows if row.problems],
    ), status


@bp.get("/import/template.xlsx")
def import_template_xlsx():
    return Response(ledger_import.template_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": _attachment("收支明细导入模板.xlsx", "ledger-import-template.xlsx")})


@bp.get("/import/template.csv")
def import_template_csv():
    return Response(ledger_import.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": _attachment("收支明细导入模板.csv", "ledger-import-template.csv")})


def _attachment(name: str, ascii_name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    if current_user.is_authenticated and current_user.is_active and current_user.has_role(*bp.required_roles):
        form = ImportUploadForm(formdata=None)
        form.file.errors = [too_large_message(ledger_import.max_upload_bytes())]
        return _upload_page(form, 413)
    return render_template("errors/generic.html", error=error), 413


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    return render_template("errors/generic.html", error=error), 400


from charity_site.finance import admin_ledger_batches  # noqa: E402,F401  (its routes are on this blueprint)
