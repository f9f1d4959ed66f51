"""A donor can go from a project page to every ledger line and every disclosure behind it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from factories import make_disclosure, make_entry, make_fund, make_project

from charity_site.extensions import db
from charity_site.models import DisclosureKind, EntryKind


def links(html: str, prefix: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(' + re.escape(prefix) + r'[^"]*)"', html)]


def test_from_a_project_page_to_every_line_and_disclosure(client):
    fund = make_fund(slug="jiuzhu-fund")
    project = make_project(slug="jiuzhu", fund_id=fund.id)
    other = make_project(slug="other", fund_id=fund.id)
    for n in range(73):  # more than one page of the ledger
        make_entry(fund, 100_00 + n, EntryKind.EXPENSE, project_id=project.id, summary=f"救助款第{n}笔",
                   occurred_on=date(2024, 1, 1) + timedelta(days=n))
    make_entry(fund, 999_00, EntryKind.EXPENSE, project_id=other.id, summary="别的项目的支出")
    for n in range(7):  # more than the project page lists
        make_disclosure(title=f"救助项目第{n}期公示", project_id=project.id, kind=DisclosureKind.PROGRESS_REPORT)
    make_disclosure(title="别的项目的公示", project_id=other.id)
    db.session.commit()

    page = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    # Every line of the project (the money panel also links each paying fund's part of it).
    [ledger_url] = [url for url in links(page, "/ledger/?project=") if "&" not in url]
    assert f"/ledger/?project={project.slug}&fund={fund.slug}" in links(page, "/ledger/?project=")
    seen, url = set(), ledger_url
    while url:
        html = client.get(url).get_data(as_text=True)
        seen |= set(re.findall(r"救助款第\d+笔", html))
        assert "别的项目的支出" not in html
        next_link = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"', html)
        url = (next_link.group(1) or next_link.group(2)).replace("&amp;", "&") if next_link else None
    assert seen == {f"救助款第{n}笔" for n in range(73)}

    [disclosures_url] = links(page, "/disclosures/?project=")
    html = client.get(disclosures_url).get_data(as_text=True)
    assert set(re.findall(r"救助项目第\d期公示", html)) == {f"救助项目第{n}期公示" for n in range(7)}
    assert "别的项目的公示" not in html
