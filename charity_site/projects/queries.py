"""Read-side queries for the public pages. Each list is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, or_, select

from charity_site.core.index_hints import indexed_by
from charity_site.core.models import utcnow
from charity_site.core.statements import built_once
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.finance.models import LedgerEntry
from charity_site.projects.counting import public_project_count
from charity_site.projects.models import PROJECT_CATEGORIES, Project, ProjectStatus, ProjectUpdate
from charity_site.web.filters import ListFilters, filter_field, read_choice, read_member, read_year
from charity_site.web.pagination import TwoEndedPagination

PROJECTS_PER_PAGE = 12


@built_once
def _featured_statement(limit: int):
    # Few projects are featured, but SQLite knows only that the column has two values.
    return indexed_by(
        select(Project)
        .where(Project.public_clause(), Project.featured.is_(True))
        .order_by(Project.start_date.desc().nulls_last(), Project.id.desc())
        .limit(limit), Project, "ix_projects_featured",
    )


def featured_projects(limit: int = 4) -> list[Project]:
    return list(db.session.scalars(_featured_statement(limit)))


PROJECT_SORTS = ("newest", "funded")


@dataclass(frozen=True)
class ProjectFilters(ListFilters):
    """The /projects filters as they appear in the URL; unknown values are ignored, not errors."""

    category: str | None = filter_field(read_choice(PROJECT_CATEGORIES))
    status: ProjectStatus | None = filter_field(read_member(ProjectStatus))
    year: int | None = filter_field(read_year)
    sort: str = filter_field(read_choice(PROJECT_SORTS), default="newest", narrows=False)


def projects_page(page: int, filters: ProjectFilters = ProjectFilters()) -> TwoEndedPagination:
    """One page (12) of public projects matching ``filters``: a count (remembered while the projects
    table is unchanged) and one select of 12 rows read along the listing index from whichever end
    of the list is nearer, whatever the size."""
    now = utcnow()
    conditions = []
    if filters.category:
        conditions.append(Project.category == filters.category)
    if filters.status:
        conditions.append(Project.project_status == filters.status)
    if filters.year:
        # Running at some point in that year; a project without dates is in no year.
        conditions += [
            or_(Project.start_date.is_not(None), Project.end_date.is_not(None)),
            or_(Project.start_date.is_(None), Project.start_date <= date(filters.year, 12, 31)),
            or_(Project.end_date.is_(None), Project.end_date >= date(filters.year, 1, 1)),
        ]
    query = select(Project).where(Project.public_clause(now), *conditions)
    if filters.sort == "funded":
        totals = money.public_totals_subquery(LedgerEntry.project_id)
        income, expense = func.coalesce(totals.c.income_fen, 0), func.coalesce(totals.c.expense_fen, 0)
        query = query.outerjoin(totals, totals.c.owner_id == Project.id).order_by(
            income.desc(), expense.desc(), Project.id.desc())
        reverse_order = (income.asc(), expense.asc(), Project.id.asc())
    else:
        # The listing index is this order, and holds the filters' columns.
        query = indexed_by(query, Project, "ix_projects_listing").order_by(
            Project.start_date.desc().nulls_last(), Project.id.desc())
        reverse_order = (Project.start_date.asc().nulls_first(), Project.id.asc())
    total = public_project_count(("list", filters.category, filters.status, filters.year), *conditions, now=now)
    return TwoEndedPagination(select=query, reverse_order=reverse_order, total=total,
                              session=db.session, page=page, per_page=PROJECTS_PER_PAGE)


def project_years() -> list[int]:
    """The years in which public projects ran, newest first, for the year filter.

    Three single-row reads along the date indexes (a min/max over every public project would read
    them all)."""
    def edge(column, order):
        query = select(column).where(Project.public_clause(), column.is_not(None)).order_by(order).limit(1)
        return db.session.scalar(indexed_by(query, Project, f"ix_projects_{column.key}"))

    first_start = edge(Project.start_date, Project.start_date.asc())
    if first_start is None:
        return []
    last_start = edge(Project.start_date, Project.start_date.desc())
    last_end = edge(Project.end_date, Project.end_date.desc())
    last = max(filter(None, (last_start, last_end)))
    return list(range(min(last.year, utcnow().year + 1), first_start.year - 1, -1))


@built_once
def _updates_statement():
    return (
        select(ProjectUpdate)
        .where(ProjectUpdate.project_id == bindparam("project_id"), ProjectUpdate.published.is_(True))
        .order_by(ProjectUpdate.happened_on.desc(), ProjectUpdate.id.desc())
    )


def project_updates(project: Project) -> list[ProjectUpdate]:
    return list(db.session.scalars(_updates_statement(), {"project_id": project.id}))
