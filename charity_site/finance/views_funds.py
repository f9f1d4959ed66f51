"""Public fund list and fund pages: each fund's balance, story, spending and projects."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from charity_site.disclosures import queries as disclosures_queries
from charity_site.finance import charts, money
from charity_site.finance import queries as finance_queries
from charity_site.finance.models import Fund, FundKind, LedgerEntry
from charity_site.web import lookup
from charity_site.web.input import query_page

bp = Blueprint("funds", __name__, url_prefix="/funds")


@bp.get("/")
def index():
    filters = finance_queries.FundFilters.from_args(request.args)
    pagination = finance_queries.funds_page(query_page(), filters)
    funds = list(pagination.items)
    return render_template(
        "funds/index.html",
        pagination=pagination,
        funds=funds,
        filters=filters,
        kinds=list(FundKind),
        fund_money=money.fund_totals(fund.id for fund in funds),
        summary=finance_queries.funds_summary(filters),
    )


@bp.get("/<slug>")
def detail(slug: str):
    fund: Fund = lookup.public_by_slug(Fund, slug, "funds.detail")
    summary = money.public_summary(LedgerEntry.fund_id, fund.id)
    projects = finance_queries.fund_projects(fund)
    return render_template(
        "funds/detail.html",
        fund=fund,
        money=summary,
        money_charts=charts.money_charts(summary, _("Income"), _("Expense")),
        projects=projects,
        ledger_lines=finance_queries.latest_ledger_lines(fund_id=fund.id),
        disclosures=disclosures_queries.linked_disclosures(10, fund_id=fund.id),
        budget_chart=charts.budget_chart(
            [(item.project.title, item.project.budget_fen or None, item.totals.expense_fen) for item in projects],
            _("Budget"), _("Spent"),
        ),
    )
