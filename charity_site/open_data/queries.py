"""The public rows of each open dataset, streamed from the database.

Only public rows leave the site: public funds and the ledger lines of public funds, public projects,
public disclosures. Money is summed by finance.money with the site's one public-line rule.
Rows are streamed (``yield_per``) and written out as they come, so a ledger of millions of lines is
never held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, func, select, true

from charity_site.disclosures.models import Disclosure, disclosure_projects
from charity_site.extensions import db
from charity_site.finance import money, public_lines
from charity_site.finance.models import Fund, LedgerEntry
from charity_site.finance.queries import (
    LedgerFilters,  # the /ledger page's filters, so a download matches the page
    rows_if_few,
)
from charity_site.projects.models import Project
from charity_site.web.page_cache import per_generation

YIELD_PER = 1000
NO_FILTERS = LedgerFilters()


def public_ledger_clause():
    """SQL condition for ledger lines the public may see: the site's one rule (public_lines.public_line_conditions)."""
    return and_(true(), *public_lines.public_line_conditions())


def stream_rows(query) -> Iterator:
    """Rows of ``query`` fetched ``YIELD_PER`` at a time (a server-side cursor on PostgreSQL)."""
    yield from db.session.execute(query.execution_options(yield_per=YIELD_PER))


def ledger_rows(filters: LedgerFilters = NO_FILTERS) -> Iterator:
    query = (
        select(
            LedgerEntry.id, LedgerEntry.occurred_on, LedgerEntry.kind, LedgerEntry.amount_fen,
            LedgerEntry.category, LedgerEntry.channel, LedgerEntry.counterparty, LedgerEntry.counterparty_type,
            LedgerEntry.voucher_no, LedgerEntry.summary, LedgerEntry.voided, LedgerEntry.void_reason,
            Fund.slug.label("fund_slug"), Fund.title.label("fund_title"),
            Project.slug.label("project_slug"), Project.title.label("project_title"),
        )
        .join(Fund, Fund.id == LedgerEntry.fund_id)
        .outerjoin(Project, Project.id == LedgerEntry.project_id)
        .where(public_ledger_clause(), *filters.conditions())
        .order_by(LedgerEntry.occurred_on, LedgerEntry.id)
    )
    return stream_rows(query)


def fund_rows(filters=None) -> Iterator:
    totals = money.public_totals_subquery(LedgerEntry.fund_id)
    income = func.coalesce(totals.c.income_fen, 0)
    expense = func.coalesce(totals.c.expense_fen, 0)
    query = (
        select(Fund.id, Fund.slug, Fund.title, Fund.kind, Fund.area, Fund.established_on, Fund.summary,
               Fund.published_at, income.label("income_fen"), expense.label("expense_fen"),
               (income - expense).label("balance_fen"))
        .outerjoin(totals, totals.c.owner_id == Fund.id)
        .where(Fund.public_clause())
        .order_by(Fund.id)
    )
    return stream_rows(query)


def project_rows(filters=None) -> Iterator:
    totals = money.public_totals_subquery(LedgerEntry.project_id)
    income = func.coalesce(totals.c.income_fen, 0)
    expense = func.coalesce(totals.c.expense_fen, 0)
    query = (
        select(Project.id, Project.slug, Project.title, Project.category, Project.project_status, Project.summary,
               Project.start_date, Project.end_date, Project.budget_fen, Project.goal_fen, Project.beneficiaries,
               Project.service_sessions, Project.people_served, Project.published_at,
               Fund.slug.label("fund_slug"), Fund.title.label("fund_title"),
               income.label("income_fen"), expense.label("expense_fen"), (income - expense).label("balance_fen"))
        .outerjoin(totals, totals.c.owner_id == Project.id)
        .outerjoin(Fund, and_(Fund.id == Project.fund_id, Fund.public_clause()))
        .where(Project.public_clause())
        .order_by(Project.id)
    )
    return stream_rows(query)


def _covered_project_slugs():
    """The slugs of the public projects a disclosure covers, separated by spaces (NULL for none): one
    correlated subquery per row, read along the association table's primary key."""
    return (
        select(func.aggregate_strings(Project.slug, " "))
        .join(disclosure_projects, disclosure_projects.c.project_id == Project.id)
        .where(disclosure_projects.c.disclosure_id == Disclosure.id, Project.public_clause())
        .scalar_subquery()
    )


def disclosure_rows(filters=None) -> Iterator:
    query = (
        select(Disclosure.id, Disclosure.kind, Disclosure.title, Disclosure.summary, Disclosure.period_start,
               Disclosure.period_end, Disclosure.status, Disclosure.published_at, Disclosure.withdrawn_at,
               Disclosure.withdrawn_reason,
               _covered_project_slugs().label("project_slug"),
               Fund.slug.label("fund_slug"), Fund.title.label("fund_title"))
        .outerjoin(Fund, and_(Fund.id == Disclosure.fund_id, Fund.public_clause()))
        .where(Disclosure.public_clause())
        .order_by(Disclosure.published_at, Disclosure.id)
    )
    return stream_rows(query)


def dataset_counts() -> dict[str, int]:
    """How many records each dataset holds right now, counted once a generation (a count of 100,000
    projects reads a whole index: 10 ms on SQLite)."""
    return per_generation("open_data_counts", _count_datasets)


def _count_datasets() -> dict[str, int]:
    """The ledger's count from the summary tables, funds and projects as all rows less the few hidden ones."""
    hidden = public_lines.hidden_owners()
    return {
        "ledger": money.public_count_and_totals()[0],
        "funds": db.session.scalar(select(func.count()).select_from(Fund)) - len(hidden.fund_ids),
        "projects": db.session.scalar(select(func.count()).select_from(Project)) - len(hidden.project_ids),
        "disclosures": db.session.scalar(select(func.count()).select_from(Disclosure)
                                         .where(Disclosure.public_clause())),
    }


FUNDS_LISTED = 200  # more public funds than this: the download form asks for a fund's name instead


def public_funds_for_filter(limit: int | None = None) -> list[tuple[str, str]] | None:
    """(slug, title) of the public funds, for the ledger download form; None when there are more than ``limit``."""
    limit = limit or FUNDS_LISTED
    query = select(Fund.slug, Fund.title).where(Fund.public_clause()).order_by(Fund.title)
    return per_generation(f"open_data_funds:{limit}", lambda: rows_if_few(query, Fund, limit, scalars=False))
