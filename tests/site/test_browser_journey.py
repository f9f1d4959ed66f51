"""The first journey that matters: a donor on a phone opens the home page and follows a project."""

from __future__ import annotations

import re

import pytest
from browser import chromium_page, demo_site

from charity_site.core.formatting import format_amount, money_unit
from charity_site.extensions import db
from charity_site.finance import money
from charity_site.models import LedgerEntry, Project

pytestmark = pytest.mark.browser


@pytest.fixture
def served_demo(sqlite_url, tmp_path):
    with demo_site(sqlite_url, tmp_path) as (_app, base_url):
        # A featured project with a budget and spending, so its page has the wide ledger table.
        project = db.session.scalars(
            db.select(Project)
            .where(Project.featured.is_(True), Project.budget_fen.is_not(None),
                   Project.id.in_(db.select(LedgerEntry.project_id)))
            .order_by(Project.id)
        ).first()
        totals = money.project_totals([project.id])[project.id]
        unit = money_unit(project.budget_fen, totals.income_fen, totals.expense_fen, project.goal_fen)  # the panel's
        yield base_url, {"title": project.title, "budget": format_amount(project.budget_fen, unit), "slug": project.slug}


def test_donor_opens_home_and_follows_a_project_on_a_phone(served_demo):
    base_url, expected = served_demo
    with chromium_page(base_url, width=360, height=740) as (page, problems):
        response = page.goto(base_url + "/")
        assert response.status == 200
        assert page.locator("h1").count() == 1

        no_sideways_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_sideways_scroll, "the home page scrolls sideways at 360 px"

        page.get_by_role("link", name=expected["title"]).first.click()
        page.wait_for_url(re.compile(rf"/projects/{expected['slug']}$"))
        assert page.locator("h1").inner_text().strip() == expected["title"]
        assert page.locator("[data-fact=budget]").inner_text().strip() == expected["budget"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.get_by_role("link", name="大").first.click()
        page.wait_for_load_state()
        assert "font-large" in page.locator("html").get_attribute("class")
        assert page.locator("h1").inner_text().strip() == expected["title"]

    assert problems["outside"] == [], f"requests left the site: {problems['outside']}"
    assert problems["console"] == [], f"console errors: {problems['console']}"
    assert problems["page_errors"] == []
