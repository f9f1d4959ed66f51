"""One rule for which ledger lines the public sees, on every page and download that shows money.

Lines of a draft fund, or of a draft project, are not public yet (like the fund or project itself):
they are left out of every list and every total, and they appear as soon as it is published.
"""

from __future__ import annotations

from factories import make_entry, make_fund, make_project

from charity_site.extensions import db
from charity_site.models import EntryKind, PublicationStatus, utcnow

HIDDEN_AMOUNTS = ("7,777.77", "7777.77", "777777", "7,877.77", "7877.77")


def pages(project, fund):
    return ("/", f"/projects/{project.slug}", "/ledger/", f"/ledger/?fund={fund.slug}", f"/funds/{fund.slug}",
            "/funds/", "/open-data/ledger.csv", "/open-data/funds.csv", "/open-data/projects.json")


def test_lines_of_a_draft_fund_are_nowhere_until_it_is_published(client):
    fund = make_fund(slug="open")
    draft_fund = make_fund(slug="later", status=PublicationStatus.DRAFT, published_at=None)
    project = make_project(slug="zhuxue", fund_id=fund.id)
    make_entry(fund, 100_00, project_id=project.id)
    make_entry(draft_fund, 7777_77, EntryKind.INCOME, project_id=project.id, summary="草稿基金的收入")
    db.session.commit()

    for url in pages(project, fund):
        body = client.get(url).get_data(as_text=True)
        assert not [amount for amount in HIDDEN_AMOUNTS if amount in body], url
        assert "草稿基金的收入" not in body, url

    draft_fund.status, draft_fund.published_at = PublicationStatus.PUBLISHED, utcnow()
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "7,877.77" in home  # 100.00 + 7,777.77 once the fund is public
    assert "草稿基金的收入" in client.get("/ledger/").get_data(as_text=True)


def test_lines_of_a_draft_project_are_left_out_of_the_totals(client):
    fund = make_fund(slug="open")
    project = make_project(slug="zhuxue", fund_id=fund.id)
    draft_project = make_project(slug="soon", fund_id=fund.id, status=PublicationStatus.DRAFT, published_at=None)
    make_entry(fund, 100_00, project_id=project.id)
    make_entry(fund, 7777_77, project_id=draft_project.id, summary="草稿项目的收入")
    db.session.commit()

    for url in pages(project, fund):
        body = client.get(url).get_data(as_text=True)
        assert not [amount for amount in HIDDEN_AMOUNTS if amount in body], url
        assert "草稿项目的收入" not in body, url
