"""Public project list and project pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..models import LedgerEntry, Project
from ..services import catalog, money

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.get("/")
def index():
    pagination = catalog.projects_page(request.args.get("page", 1, type=int))
    projects = list(pagination.items)
    return render_template(
        "projects/index.html",
        pagination=pagination,
        projects=projects,
        project_money=money.project_totals(project.id for project in projects),
    )


@bp.get("/<slug>")
def detail(slug: str):
    project: Project = catalog.public_by_slug(Project, slug, "projects.detail")
    return render_template(
        "projects/detail.html",
        project=project,
        totals=money.ledger_totals(LedgerEntry.project_id == project.id),
        updates=catalog.project_updates(project),
        ledger_lines=catalog.latest_ledger_lines(project_id=project.id),
        news=catalog.project_news(project),
        disclosures=catalog.project_disclosures(project),
    )
