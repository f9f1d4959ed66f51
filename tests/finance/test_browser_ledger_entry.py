"""The staff ledger form in Chromium: the line under the counterparty says, while typing, how the name will be
published, with the same rule and mask as the server."""

from __future__ import annotations

import pytest
from browser import chromium_page, live_server, sign_in
from conftest import configured_app
from factories import DEFAULT_TEST_PASSWORD, make_fund, make_user
from playwright.sync_api import expect

from charity_site.extensions import db

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_the_public_name_follows_the_typing_and_the_choice(sqlite_url, tmp_path, width):
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        make_fund(title="番禺区慈善基金")
        make_user("finance@example.org", roles=("finance",))
        db.session.commit()
        with live_server(app) as base, chromium_page(base, width=width) as (page, problems):
            page.goto(base + "/admin/ledger/new")
            sign_in(page, "finance@example.org", DEFAULT_TEST_PASSWORD)
            page.goto(base + "/admin/ledger/new")
            line = page.locator("#counterparty-public")
            expect(line).to_be_hidden()
            assert page.locator("input[name=counterparty_type]:checked").count() == 0

            page.fill("input[name=counterparty]", "番禺区某某有限公司")
            expect(line.locator("strong")).to_have_text("番禺区某某有限公司")
            page.fill("input[name=counterparty]", "陈大文")
            expect(line.locator("strong")).to_have_text("陈**")
            page.check("input[name=counterparty_type][value=organisation]")
            expect(line.locator("strong")).to_have_text("陈大文")
            page.check("input[name=counterparty_type][value=person]")
            expect(line.locator("strong")).to_have_text("陈**")
            assert problems == {"console": [], "outside": [], "page_errors": []}


def test_on_a_wide_screen_the_boxes_of_two_fields_side_by_side_line_up(sqlite_url, tmp_path):
    """日期 and 金额 sit side by side; the amount's longer hint pushed its box below the date's."""
    with configured_app(sqlite_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        make_user("finance@example.org", roles=("finance",))
        db.session.commit()
        with live_server(app) as base, chromium_page(base, width=1280) as (page, problems):
            page.goto(base + "/admin/ledger/new")
            sign_in(page, "finance@example.org", DEFAULT_TEST_PASSWORD)
            page.goto(base + "/admin/ledger/new")
            pairs = [("occurred_on", "amount_fen"), ("fund_id", "project_id"), ("voucher_no", "summary")]
            for left, right in pairs:
                left_box = page.locator(f"[name={left}]").bounding_box()
                right_box = page.locator(f"[name={right}]").bounding_box()
                assert left_box["x"] < right_box["x"], (left, right)  # side by side
                assert abs(left_box["y"] + left_box["height"] - right_box["y"] - right_box["height"]) <= 1, (left, right)
            assert problems == {"console": [], "outside": [], "page_errors": []}
