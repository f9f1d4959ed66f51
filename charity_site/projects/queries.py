"""Read-side queries for the public pages. Each list is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from charity_site.core.models import utcnow
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.finance.models import LedgerEntry
from charity_site.projects.models import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from charity_site.web.filters import ListFilters, filter_field, read_choice, read_member, read_year

PROJECTS_PER_PAGE = 12


def featured_projects(limit: int = 4) -> list[Project]:
    query = (
        select(Project)
        .where(Project.public_clause(), Project.featured.is_(True))
        .order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


PROJECT_SORTS = ("newest", "funded")


@dataclass(frozen=True)
class ProjectFilters(ListFilters):
    """The /projects filters as they appear in the URL; unknown values are ignored, not errors."""

    category: str | None = filter_field(read_choice(PROJECT_CATEGORIES))
    status: ProjectStatus | None = filter_field(read_member(ProjectStatus))
    year: int | None = filter_field(read_year)
    sort: str = filter_field(read_choice(PROJECT_SORTS), default="newest", narrows=False)


def projects_page(page: int, filters: ProjectFilters = ProjectFilters()):
    """One page (12) of public projects matching ``filters``: a count and one select, whatever the size."""
    query = select(Project).where(Project.public_clause())
    if filters.category:
        query = query.where(Project.category == filters.category)
    if filters.status:
        query = query.where(Project.project_status == filters.status)
    if filters.year:
        # Running at some point in that year; a project without dates is in no year.
        query = query.where(
            or_(Project.start_date.is_not(None), Project.end_date.is_not(None)),
            or_(Project.start_date.is_(None), Project.start_date <= date(filters.year, 12, 31)),
            or_(Project.end_date.is_(None), Project.end_date >= date(filters.year, 1, 1)),
        )
    if filters.sort == "funded":
        totals = money.public_totals_subquery(LedgerEntry.project_id)
        query = query.outerjoin(totals, totals.c.owner_id == Project.id).order_by(
            func.coalesce(totals.c.income_fen, 0).desc(), func.coalesce(totals.c.expense_fen, 0).desc(),
            Project.id.desc(),
        )
    else:
        query = query.order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
    return db.paginate(query, page=page, per_page=PROJECTS_PER_PAGE, error_out=True)


def project_years() -> list[int]:
    """The years in which public projects ran, newest first, for the year filter."""
    first_start, last_start, last_end = db.session.execute(
        select(func.min(Project.start_date), func.max(Project.start_date), func.max(Project.end_date))
        .where(Project.public_clause())
    ).one()
    if first_start is None:
        return []
    last = max(filter(None, (last_start, last_end)))
    return list(range(min(last.year, utcnow().year + 1), first_start.year - 1, -1))


def project_updates(project: Project) -> list[ProjectUpdate]:
    query = (
        select(ProjectUpdate)
        .where(ProjectUpdate.project_id == project.id, ProjectUpdate.published.is_(True))
        .order_by(ProjectUpdate.happened_on.desc(), ProjectUpdate.id.desc())
    )
    return list(db.session.scalars(query))
