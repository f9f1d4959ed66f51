"""axe-core (the engine browsers' accessibility tools use) on the pages people use most, at a phone's and a
desktop's width: no violation at all, public pages and the staff pages where content is written."""

from __future__ import annotations

import pytest
from browser import chromium_page, demo_site, sign_in
from factories import DEFAULT_TEST_PASSWORD, make_user

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/projects/", "/news/", "/flows/", "/ledger/", "/funds/", "/disclosures/", "/donate",
                "/volunteer", "/search?q=助学", "/open-data/", "/donors", "/donate/lookup", "/volunteer/me"]
STAFF_PAGES = ["/admin/", "/admin/news/new", "/admin/ledger/", "/admin/ledger/import", "/admin/audit/"]


@pytest.fixture
def served_demo(sqlite_url, tmp_path):
    with demo_site(sqlite_url, tmp_path) as (app, base_url):
        with app.app_context():
            make_user("axe-admin@example.org", roles=("admin",))
        yield base_url


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{item['id']} ({item['impact']}): {item['help']} — {[node['target'] for node in item['nodes']][:3]}"
            for item in results.response["violations"]]


def first_link(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("href")


@pytest.mark.parametrize("width", [360, 1280])
def test_public_pages_have_no_accessibility_violations(served_demo, width):
    found = {}
    with chromium_page(served_demo, width=width, height=900) as (page, _problems):
        page.goto(served_demo + "/projects/")
        project = first_link(page, ".card-title a")
        page.goto(served_demo + "/disclosures/")
        disclosure = first_link(page, "main a[href^='/disclosures/']:not([href='/disclosures/'])")
        for path in [*PUBLIC_PAGES, project, disclosure, disclosure.rstrip("/") + "/print"]:
            page.goto(served_demo + path)
            problems = violations(page)
            if problems:
                found[path] = problems
    assert not found, found


@pytest.mark.parametrize("width", [360, 1280])
def test_staff_pages_have_no_accessibility_violations(served_demo, width):
    found = {}
    with chromium_page(served_demo, width=width, height=900) as (page, _problems):
        page.goto(served_demo + "/admin/")
        sign_in(page, "axe-admin@example.org", DEFAULT_TEST_PASSWORD)
        page.wait_for_url(lambda url: "/login" not in url)
        for path in STAFF_PAGES:
            page.goto(served_demo + path)
            problems = violations(page)
            if problems:
                found[path] = problems
    assert not found, found
