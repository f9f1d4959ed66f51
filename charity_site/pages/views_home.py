"""Home page, the font-size switch and the sections that are still to come."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from charity_site.disclosures import queries as disclosures_queries
from charity_site.files import queries as files_queries
from charity_site.finance import money, public_lines, sources
from charity_site.news import queries as news_queries
from charity_site.projects import queries as project_queries
from charity_site.volunteers import queries as volunteer_queries
from charity_site.web.safety import safe_next_url
from charity_site.web.templating import FONT_COOKIE, FONT_SIZES

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    projects = project_queries.featured_projects()
    return render_template(
        "public/home.html",
        totals=money.ledger_totals(*public_lines.public_line_conditions()),
        beneficiaries=money.beneficiaries_total(),
        people_served=money.people_served_total(),
        projects=projects,
        project_money=money.project_totals(project.id for project in projects),
        project_funds=sources.fund_shares(project.id for project in projects),
        covers=files_queries.covers(projects),
        news=news_queries.latest_news(),
        disclosures=disclosures_queries.latest_disclosures(),
        service=volunteer_queries.service_totals(),  # counts only, never names
    )


@bp.route("/font-size/<size>", methods=["GET", "POST"])
def font_size(size: str):
    """Remember the reader's text size in a cookie; works as a plain link without JavaScript."""
    if size not in FONT_SIZES:
        size = "medium"
    response = make_response(redirect(safe_next_url(request.values.get("next"), url_for("public.home"))))
    response.set_cookie(FONT_COOKIE, size, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


