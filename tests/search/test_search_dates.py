"""Search results and pages show each item's own date, never the time the content was loaded."""

from __future__ import annotations

import re

from charity_site.core.formatting import format_date, local_today


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))


def test_a_project_result_shows_its_period_and_a_page_its_stated_revision(app, client, demo):
    today = format_date(local_today())
    found = text(client.get("/search", query_string={"q": "孵化培育"}))
    assert "2023年1月1日" in found and "2023年12月31日" in found
    pages = text(client.get("/search", query_string={"q": "章程"}))
    assert "最后更新：2026年11月21日" in pages
    assert today not in found.split("搜索结果", 1)[-1] or today == "2026年11月21日"


def test_a_page_shows_the_date_its_file_states_not_the_load_time(app, client, demo):
    page = text(client.get("/pages/about"))
    assert "最后更新：2026年11月21日" in page


def test_a_page_edited_on_the_site_shows_the_edit(app, client, demo):
    from sqlalchemy import select

    from charity_site.core.models import utcnow
    from charity_site.extensions import db
    from charity_site.models import Page

    page = db.session.scalars(select(Page).where(Page.slug == "about")).one()
    page.body_md += "\n\n补充一段。"
    page.updated_at = utcnow()
    db.session.commit()
    assert f"最后更新：{format_date(local_today())}" in text(client.get("/pages/about"))
