"""Public disclosures (信息公开): the filtered list, each disclosure with its corrections, and a printable notice."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from charity_site.core.qr import qr_svg
from charity_site.disclosures import queries as disclosures_queries
from charity_site.disclosures.labels import DISCLOSURE_KIND_LABELS
from charity_site.disclosures.models import DisclosureKind, DisclosureRevision
from charity_site.disclosures.queries import diff_lines
from charity_site.web.input import query_int, query_page
from charity_site.web.urls import canonical_url

bp = Blueprint("disclosures", __name__, url_prefix="/disclosures")


@bp.get("/")
def index():
    filters = disclosures_queries.DisclosureFilters.from_args(request.args)
    pagination = disclosures_queries.disclosures_page(query_page(), filters)
    disclosures = list(pagination.items)
    projects, funds = disclosures_queries.disclosure_projects_and_funds()
    return render_template(
        "disclosures/index.html",
        pagination=pagination,
        disclosures=disclosures,
        filters=filters,
        kinds=[(kind, DISCLOSURE_KIND_LABELS[kind]) for kind in DisclosureKind],
        years=disclosures_queries.disclosure_years(),
        projects=projects,
        funds=funds,
        corrected=disclosures_queries.corrected_ids(disclosure.id for disclosure in disclosures),
    )


def _ledger_context(disclosure) -> dict:
    summary = disclosures_queries.disclosure_ledger_summary(disclosure)
    # The link opens the lines summed; when there are none, there is nothing to open.
    ledger_url = url_for("ledger.index", **summary.link_args) if summary is not None and not summary.empty else None
    return {"ledger": summary, "ledger_url": ledger_url}


@bp.get("/<int:disclosure_id>")
def detail(disclosure_id: int):
    disclosure = disclosures_queries.public_disclosure_or_404(disclosure_id)
    return render_template("disclosures/detail.html", disclosure=disclosure, **_ledger_context(disclosure))


def _revision_or_404(disclosure, number: int) -> DisclosureRevision:
    for revision in disclosure.revisions:
        if revision.number == number:
            return revision
    abort(404)


@bp.get("/<int:disclosure_id>/revisions/<int:number>")
def revision(disclosure_id: int, number: int):
    disclosure = disclosures_queries.public_disclosure_or_404(disclosure_id)
    shown = _revision_or_404(disclosure, number)
    return render_template("disclosures/revision.html", disclosure=disclosure, revision=shown,
                           latest=disclosure.revisions[-1].number)


@bp.get("/<int:disclosure_id>/diff")
def diff(disclosure_id: int):
    disclosure = disclosures_queries.public_disclosure_or_404(disclosure_id)
    if len(disclosure.revisions) < 2:
        abort(404)
    latest = disclosure.revisions[-1].number
    new_number = query_int(request.args, "to", latest)
    old_number = query_int(request.args, "from", new_number - 1)
    if old_number == new_number:
        abort(404)
    old, new = _revision_or_404(disclosure, old_number), _revision_or_404(disclosure, new_number)
    return render_template(
        "disclosures/diff.html", disclosure=disclosure, old=old, new=new,
        title_changed=old.title != new.title, summary_changed=old.summary != new.summary,
        lines=diff_lines(old.body_md, new.body_md),
        corrections=[rev for rev in disclosure.revisions if min(old.number, new.number) < rev.number
                     <= max(old.number, new.number)],
    )


@bp.get("/<int:disclosure_id>/print", endpoint="print")
def print_view(disclosure_id: int):
    disclosure = disclosures_queries.public_disclosure_or_404(disclosure_id)
    online_url = canonical_url("disclosures.detail", disclosure_id=disclosure.id)
    return render_template("disclosures/print.html", disclosure=disclosure, online_url=online_url,
                           qr=Markup(qr_svg(online_url)), **_ledger_context(disclosure))

