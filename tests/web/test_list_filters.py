"""The filters of every list (charity_site/web/filters.py): what a link keeps, what counts as filtering.

A visitor who pages through a filtered list, or downloads it, must get the same selection: the
filters written back into the address read as the same filters. Sorting is kept but does not count
as filtering ("Clear filters" does not appear for it). The audit log explains a date range that ends
before it starts, next to the field, and then applies no date.
"""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_fund, make_project
from werkzeug.datastructures import MultiDict

from charity_site.disclosures.queries import DisclosureFilters, StaffDisclosureFilters
from charity_site.finance.queries import FundFilters, LedgerFilters, StaffLedgerFilters
from charity_site.projects.queries import ProjectFilters
from charity_site.staff.directory import AuditFilters, UserFilters
from charity_site.web.editor import ContentFilters


@pytest.mark.parametrize("filters_class, query", [
    (DisclosureFilters, "type=fund_use&year=2024&project=p-1&fund=f-1"),
    (StaffDisclosureFilters, "q=报告&kind=annual_report&status=draft"),
    (ProjectFilters, "category=助学支教&status=active&year=2023&sort=funded"),
    (FundFilters, "q=东山 村&kind=community"),
    (StaffLedgerFilters, "q=SR-3&fund=4&project=9&kind=expense&state=voided"),
    (UserFilters, "q=wang&status=disabled"),
    (ContentFilters, "q=重阳&status=scheduled"),
    (AuditFilters, "actor=a@example.org&object_type=news&action=publish&date_from=2025-01-01&date_to=2025-01-31"),
])
def test_filters_written_into_a_link_read_back_the_same(app, filters_class, query):
    given = dict(pair.split("=", 1) for pair in query.split("&"))
    filters = filters_class.from_args(MultiDict(given))
    assert filters.active
    link = {name: str(value) for name, value in filters.as_args().items()}
    assert link == given
    assert filters_class.from_args(MultiDict(link)) == filters


def test_the_public_ledger_writes_funds_and_projects_by_address_and_puts_dates_in_order(app):
    fund, project = make_fund(slug="dongshan"), make_project(slug="zhuxue")
    filters = LedgerFilters.from_args(MultiDict({"fund": "dongshan", "project": "zhuxue", "from": "2024-12-31",
                                                 "to": "2024-01-01", "channel": "微信"}))
    assert (filters.fund, filters.project) == (fund, project)
    assert (filters.date_from, filters.date_to) == (date(2024, 1, 1), date(2024, 12, 31))
    assert filters.as_args() == {"fund": "dongshan", "project": "zhuxue", "channel": "微信",
                                 "from": "2024-01-01", "to": "2024-12-31"}


def test_unknown_values_are_dropped_and_a_sort_is_not_a_filter(app):
    dropped = ProjectFilters.from_args(MultiDict({"category": "没有这类", "status": "x", "year": "99999",
                                                  "sort": "sideways"}))
    assert dropped == ProjectFilters() and not dropped.active and dropped.as_args() == {}
    sorted_only = ProjectFilters.from_args(MultiDict({"sort": "funded"}))
    assert not sorted_only.active and sorted_only.as_args() == {"sort": "funded"}
    assert StaffLedgerFilters.from_args(MultiDict({"fund": "0", "kind": "gift", "state": "all"})) == StaffLedgerFilters()


def test_the_audit_log_explains_impossible_dates_and_a_backwards_range(app):
    backwards = AuditFilters.from_args(MultiDict({"date_from": "2025-02-01", "date_to": "2025-01-01"}))
    assert set(backwards.problems) == {"date_to"} and backwards.problems["date_to"].written == "2025-01-01"
    impossible = AuditFilters.from_args(MultiDict({"date_to": "9999-12-31", "action": "login"}))
    assert impossible.problems["date_to"].written == "9999-12-31" and "2100-12-31" in impossible.problems["date_to"].message
    assert impossible.action == "login" and impossible.date_to is None
