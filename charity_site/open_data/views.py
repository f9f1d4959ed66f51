"""Open data (/open-data): what we publish, the field dictionaries and the downloads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, send_file, stream_with_context
from flask_babel import gettext as _

from charity_site.feeds import freshness
from charity_site.finance.models import EntryKind
from charity_site.finance.queries import LedgerFilters  # the /ledger page's filters: a download matches the page
from charity_site.open_data import datasets, queries, writers
from charity_site.open_data.grants import GRANT_FIELDS, iter_grants
from charity_site.web.templating import site_settings
from charity_site.web.urls import canonical_url

bp = Blueprint("open_data", __name__, url_prefix="/open-data")


def _publisher() -> dict:
    site = site_settings()
    return {
        "name": site.org_name,
        "credit_code": site.credit_code,
        "url": canonical_url("open_data.index"),
        "licence": _("You may reuse this data freely; please name %(org)s and this page as the source.",
                     org=site.org_name),
    }


def _download_headers(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = writers.content_disposition(filename)
    response.headers["Cache-Control"] = writers.CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    last_change = freshness.last_change_this_request()
    if last_change is not None:
        response.last_modified = last_change
    return response


@bp.get("/")
def index():
    return render_template(
        "open_data/index.html",
        datasets=list(datasets.DATASETS.values()),
        counts=queries.dataset_counts(),
        formats=writers.FORMATS,
        grant_fields=GRANT_FIELDS,
        funds=queries.public_funds_for_filter(),
        kinds=list(EntryKind),
        last_change=freshness.last_change_this_request(),
        publisher=_publisher(),
    )


@bp.get("/grants-360giving.json")
def grants():
    site = site_settings()
    body = stream_with_context(iter_grants(site.org_name, site.credit_code))
    response = Response(body, mimetype="application/json")
    return _download_headers(response, writers.download_filename("grants-360giving", "json"))


@bp.get("/<dataset>.<fmt>")
def download(dataset: str, fmt: str):
    chosen = datasets.get_dataset(dataset)
    if chosen is None or fmt not in writers.FORMATS:
        abort(404)
    filters = LedgerFilters.from_args(request.args) if chosen is datasets.LEDGER else queries.NO_FILTERS
    filename = writers.download_filename(chosen.name, fmt)
    if fmt == "xlsx":
        response = send_file(writers.xlsx_file(chosen, filters), mimetype=writers.MIMETYPES["xlsx"],
                             as_attachment=True, download_name=filename, max_age=0, conditional=False,
                             etag=False, last_modified=None)
    elif fmt == "csv":
        response = Response(stream_with_context(writers.iter_csv(chosen, filters)), mimetype="text/csv")
    else:
        response = Response(stream_with_context(writers.iter_json(chosen, filters, _publisher())),
                            mimetype="application/json")
    return _download_headers(response, filename)
