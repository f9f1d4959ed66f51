"""Staff pages of import batches: the imports, one import's lines, and voiding a whole import with one reason.

Routes of the ledger workspace's blueprint (finance.admin_ledger, finance role only); public pages show no batch.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from charity_site.extensions import db
from charity_site.finance import batches, ledger
from charity_site.finance import queries as finance_queries
from charity_site.finance.admin_ledger import bp, staff_name
from charity_site.finance.forms import BatchVoidForm
from charity_site.finance.models import LedgerBatch, LedgerEntry
from charity_site.web.forms import attach_error
from charity_site.web.input import query_page

BATCHES_PER_PAGE = 30


@bp.get("/batches/")
def batch_list():
    query = select(LedgerBatch).order_by(LedgerBatch.created_at.desc(), LedgerBatch.id.desc())
    pagination = db.paginate(query, page=query_page(), per_page=BATCHES_PER_PAGE, error_out=False)
    people = {batch.created_by_id: staff_name(batch.created_by_id) for batch in pagination.items}
    return render_template("admin/ledger/batches.html", pagination=pagination, batches=list(pagination.items),
                           people=people)


@bp.get("/batches/<int:batch_id>")
def batch_detail(batch_id: int):
    batch = db.get_or_404(LedgerBatch, batch_id)
    pagination = finance_queries.staff_page([LedgerEntry.batch_id == batch.id], query_page())
    return render_template(
        "admin/ledger/batch.html", batch=batch, pagination=pagination, entries=list(pagination.items),
        money=batches.batch_money(batch.id), imported_by=staff_name(batch.created_by_id),
        voided_by=staff_name(batch.voided_by_id),
    )


def _already_voided(batch_id: int):
    flash(_("This import has already been voided."), "warning")
    return redirect(url_for(".batch_detail", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>/void", methods=["GET", "POST"])
def batch_void(batch_id: int):
    batch = db.get_or_404(LedgerBatch, batch_id)
    if batch.voided:
        return _already_voided(batch_id)
    form = BatchVoidForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                count = batches.void_batch(batch, form.reason.data, current_user)
            except ledger.AlreadyVoided:  # by a request that came a moment before this one
                return _already_voided(batch_id)
            except ledger.LedgerError as error:
                attach_error(form, error)
            else:
                flash(ngettext("The import has been voided: %(num)d line no longer counts in any total.",
                               "The import has been voided: %(num)d lines no longer count in any total.", count),
                      "success")
                return redirect(url_for(".batch_detail", batch_id=batch.id))
    return render_template("admin/ledger/batch_void.html", batch=batch, form=form,
                           money=batches.batch_money(batch.id)), status
