"""Public project list and project pages."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_babel import gettext as _

from charity_site.core.formatting import money_unit
from charity_site.core.qr import qr_png, qr_svg
from charity_site.disclosures import queries as disclosures_queries
from charity_site.files import queries as files_queries
from charity_site.finance import charts, money, sources
from charity_site.finance import queries as finance_queries
from charity_site.finance.models import LedgerEntry
from charity_site.news import queries as news_queries
from charity_site.projects import queries as project_queries
from charity_site.projects.models import PROJECT_CATEGORIES, Project, ProjectStatus
from charity_site.volunteers import queries as volunteer_queries
from charity_site.web import lookup
from charity_site.web.input import query_page
from charity_site.web.urls import canonical_url

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.app_template_global("card_money_unit")
def card_money_unit(projects, project_money) -> str:
    """One unit for a grid of project cards, so that sibling cards' figures compare at a glance."""
    return money_unit(*(fen for project in projects for fen in (
        project_money[project.id].expense_fen, project.budget_fen,
        project_money[project.id].income_fen if project.goal_fen else 0, project.goal_fen)))


@bp.get("/")
def index():
    filters = project_queries.ProjectFilters.from_args(request.args)
    pagination = project_queries.projects_page(query_page(), filters)
    projects = list(pagination.items)
    return render_template(
        "projects/index.html",
        pagination=pagination,
        projects=projects,
        filters=filters,
        categories=PROJECT_CATEGORIES,
        statuses=list(ProjectStatus),
        years=project_queries.project_years(),
        covers=files_queries.covers(projects),
        project_money=money.project_totals(project.id for project in projects),
        project_funds=sources.fund_shares(project.id for project in projects),
    )


@bp.get("/<slug>")
def detail(slug: str):
    project: Project = lookup.public_by_slug(Project, slug, "projects.detail")
    summary = money.public_summary(LedgerEntry.project_id, project.id)
    return render_template(
        "projects/detail.html",
        project=project,
        service=volunteer_queries.service_totals(project.id),  # counts only, never names
        money=summary,
        paying_funds=sources.paying_funds(sources.fund_shares([project.id])[project.id]),
        money_charts=charts.money_charts(summary, _("Income"), _("Expense")),
        updates=project_queries.project_updates(project),
        ledger_lines=finance_queries.latest_ledger_lines(project_id=project.id),
        news=news_queries.project_news(project),
        disclosures=disclosures_queries.linked_disclosures(5, project_id=project.id),
    )


@bp.get("/<slug>/qr.png")
def qr_code(slug: str):
    """The QR code of the project's public address: a PNG, so that in WeChat it can be long-pressed and saved
    to pass on (an SVG image cannot), as well as scanned from a screen."""
    return _qr_response(qr_png(_share_address(slug, "projects.qr_code")), "image/png")


@bp.get("/<slug>/qr.svg")
def qr_code_svg(slug: str):
    """The same code as an SVG, at the address the page used before; kept so that copied links still work."""
    return _qr_response(qr_svg(_share_address(slug, "projects.qr_code_svg")), "image/svg+xml")


def _share_address(slug: str, endpoint: str) -> str:
    project: Project = lookup.public_by_slug(Project, slug, endpoint)
    return canonical_url("projects.detail", slug=project.slug)


def _qr_response(body, mimetype: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
