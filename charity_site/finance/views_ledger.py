"""The public ledger: every income and expense line of public funds, with filters and totals."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from charity_site.finance import queries as finance_queries
from charity_site.finance.labels import party_labels
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    EntryKind,
)
from charity_site.web.input import query_page

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


@bp.get("/")
def index():
    filters = finance_queries.LedgerFilters.from_args(request.args)
    result = finance_queries.ledger_page(filters, query_page())
    # A filter explained next to its field (an amount that is no amount, a search too short) is not applied;
    # the page still answers 200, as every public filter does (tests/web/test_web_input.py).
    return render_template(
        "ledger/index.html",
        filters=filters,
        result=result,
        pagination=result.pagination,
        funds=finance_queries.fund_choices(),
        projects=finance_queries.project_choices(),
        kinds=list(EntryKind),
        income_categories=INCOME_CATEGORIES,
        expense_categories=EXPENSE_CATEGORIES,
        channels=LEDGER_CHANNELS,
        parties=party_labels(),
    )
