"""A disclosure covers several projects: shown on each project's page, summed together, and its ledger
link opens exactly the lines it sums."""

from __future__ import annotations

import html
import re
from datetime import date

from factories import make_disclosure, make_entry, make_fund, make_project
from sqlalchemy import select

from charity_site.extensions import db
from charity_site.models import Disclosure, EntryKind, Project

PANYU_PROJECTS = {"shequ-cishan-jijin", "cishan-jiuzhu", "teshu-jisheng-jiating", "zhumeng-weilai-teji",
                  "cishan-fuwu-zhendi", "shequ-cishan-jiaoliuhui-2024", "fuliyuan-zhinenghua", "cishan-jiankangxing-11"}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def totals(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-total="(income|expense)"[^>]*>([^<]+)<', page))


def ledger_link(page: str) -> str | None:
    found = re.search(r'<a href="(/ledger/\?[^"]+)">[^<]*</a></p>\s*</section>', page)
    return html.unescape(found.group(1)) if found else None


def test_the_panyu_report_covers_its_eight_projects_and_its_link_opens_the_lines_it_sums(app, client, demo):
    report = db.session.scalars(select(Disclosure).where(Disclosure.slug == "panyu-2024-q4-xiangmu-baogao")).one()
    assert {project.slug for project in report.projects} == PANYU_PROJECTS
    page = text(client.get(f"/disclosures/{report.id}"))
    for project in report.projects:
        assert project.title in page
    summary = totals(page)
    assert summary["expense"] != "¥0.00"
    link = ledger_link(page)
    assert link is not None and link.count("project=") == 8
    assert totals(text(client.get(link))) == summary


def test_the_report_is_on_each_of_its_projects_pages(app, client, demo):
    report = db.session.scalars(select(Disclosure).where(Disclosure.slug == "panyu-2024-q4-xiangmu-baogao")).one()
    for slug in PANYU_PROJECTS:
        page = text(client.get(f"/projects/{slug}"))
        assert report.title in page, slug
    assert report.title not in text(client.get("/projects/sichuan-fuhua-peiyu-2023"))


def test_every_demo_summary_link_opens_the_same_totals_and_an_empty_one_has_no_link(app, client, demo):
    """Disclosure 1 (健康行 fundraising, no lines yet) once linked to an empty ledger showing ¥0.00."""
    for disclosure in db.session.scalars(select(Disclosure)):
        page = text(client.get(f"/disclosures/{disclosure.id}"))
        link = ledger_link(page)
        if "收支明细中没有这一期间的收入或支出记录" in page:
            assert link is None, disclosure.slug
            continue
        assert link is not None, disclosure.slug
        assert totals(text(client.get(link))) == totals(page), disclosure.slug
    first = db.session.scalars(select(Disclosure).where(Disclosure.slug == "cishan-jiankangxing-11-mujuan-gongshi")).one()
    assert ledger_link(text(client.get(f"/disclosures/{first.id}"))) is None


def test_two_projects_are_summed_together_and_the_ledger_opens_both(app, client):
    fund = make_fund()
    first, second, other = make_project(title="甲项目"), make_project(title="乙项目"), make_project(title="丙项目")
    make_entry(fund, 100_000, EntryKind.EXPENSE, project_id=first.id, occurred_on=date(2024, 11, 1), category="救助")
    make_entry(fund, 250_000, EntryKind.EXPENSE, project_id=second.id, occurred_on=date(2024, 12, 1), category="助学")
    make_entry(fund, 999_900, EntryKind.EXPENSE, project_id=other.id, occurred_on=date(2024, 12, 1), category="助学")
    make_entry(fund, 777_700, EntryKind.EXPENSE, project_id=first.id, occurred_on=date(2025, 1, 2), category="救助")
    disclosure = make_disclosure(project_ids=[first.id, second.id], period_start=date(2024, 10, 1),
                                 period_end=date(2024, 12, 31))
    db.session.commit()
    page = text(client.get(f"/disclosures/{disclosure.id}"))
    assert totals(page)["expense"] == "¥3,500.00"
    assert "甲项目" in page and "乙项目" in page
    ledger = text(client.get(ledger_link(page)))
    assert totals(ledger)["expense"] == "¥3,500.00"
    for project in (first, second):
        assert disclosure.title in text(client.get(f"/projects/{project.slug}"))
    assert disclosure.title not in text(client.get(f"/projects/{other.slug}"))
    # Listed under either project's filter of the disclosures list.
    assert disclosure.title in text(client.get(f"/disclosures/?project={second.slug}"))
    assert db.session.get(Project, other.id) is not None
