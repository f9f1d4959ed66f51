"""Public site search (/search): the header search box sends its query here."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from charity_site.search import queries as search_queries
from charity_site.search import tokens
from charity_site.web.input import query_page

bp = Blueprint("search", __name__)

# Words offered when a search finds nothing or nothing was asked yet: common in the content.
SUGGESTED_WORDS = ("救助", "助学", "慈善基金", "公示")


@bp.get("/search")
def index():
    query = tokens.parse_query(request.args.get("q", ""))
    page = query_page()
    results = search_queries.search(query, page) if query else None
    return render_template("search/index.html", query=query, asked=bool(query.text), results=results,
                           suggestions=SUGGESTED_WORDS)
